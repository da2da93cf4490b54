package service

import (
	"context"
	"log/slog"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// The automatic emails that inbound mail causes, and their limits
// (pkg/grants/automail.go says why): a reply's acknowledgement, which
// answers its sender, and the officer's notice of it. Nothing else that
// inbound mail causes is sent by the email: a held message is told in the
// officers' one digest a day (held.go), and the emails a reply may set off
// besides (finance's now-payable notice, the partner's thanks at
// completion) go once an agreement, whatever mail arrives.

// autoMail says whether an email of kind k is one inbound mail causes, and
// whether it answers the message's sender.
func autoMail(k outbox.Kind) (limited, answersSender bool) {
	switch k {
	case outbox.KindAck:
		return true, true
	case outbox.KindReplyNotice:
		return true, false
	}
	return false, false
}

func (s *Service) autoMailCap() int {
	if s.AutoMailCap > 0 {
		return s.AutoMailCap
	}
	return grants.DefaultAutoMailCap
}

// withhold says why the email l under key k may not be sent, or "" when it
// may: an answer to a message SES flagged never goes; any other automatic
// email takes its place in the day's limits (one answer a sender, the
// day's cap), which the store keeps with conditional writes, so concurrent
// deliveries never both take the last place.
func (s *Service) withhold(ctx context.Context, k outbox.Key, l Letter) (grants.Withheld, error) {
	limited, answersSender := autoMail(k.Kind)
	if !limited {
		return "", nil
	}
	m := grants.AutoMail{Key: k.String(), Day: grants.Today(s.Now(), s.location()), Cap: s.autoMailCap()}
	if answersSender && l.Reply != nil {
		if l.Reply.Verdicts.Flagged() {
			return grants.WithheldFlagged, nil
		}
		m.Sender = l.Reply.From
	}
	why, err := s.Store.TakeAutoMail(ctx, m)
	switch {
	case err != nil:
		return "", err
	case why == grants.WithheldDailyCap:
		// Worth a person's attention: every automatic email of the day
		// from now on is withheld. (No address: the key names the message.)
		slog.WarnContext(ctx, "automatic email withheld: the day's cap is reached", "key", m.Key, "cap", m.Cap)
	case why != "":
		slog.InfoContext(ctx, "automatic email withheld", "key", m.Key, "why", string(why))
	}
	return why, nil
}
