package receive

import (
	"context"
	"log/slog"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/reply"
	"github.com/partnership-grants/backend/pkg/replytoken"
	"github.com/partnership-grants/backend/pkg/service"
)

// Confidential feedback (issue 24, item 2). A message to a feedback+
// address goes to Replies.AcceptConfidentialFeedback and nowhere else: it
// is never a reply, never a held message (the held messages' page names the
// sender and the agreement), never a history entry on the agreement, and
// nothing logged about it names the agreement. Its text is its new text
// (quotes stripped as for replies); its files are not stored (a file can
// name who sent it, and is kept under a key that names the agreement):
// they stay in the raw message, which nobody is handed a link to.
//
// Doubtful mail: the signed token is the proof that the address is one we
// gave a partner, and the channel asks nobody who they are, so a sender who
// is not a contact (a partner writing from a personal address, as someone
// wanting not to be named might) or whose domain does not vouch for it is
// shown all the same, marked unverified. What cannot be trusted or read
// (a virus, spam, an unreadable or too complex message), an automatic reply,
// and a feedback+ address whose token did not verify (forged, or mistyped:
// it names no agreement) are kept aside: stored with the sender record and
// counted on the feedback page, never shown, and never held for a person
// under the sender's name. Nothing is dropped: the raw message stays in S3.

// confidential says whether the message went to a confidential feedback
// address: a verified feedback+ token, or, when no token verified, a
// feedback+ address among the envelope's recipients.
func confidential(outcome reply.Outcome, env reply.Envelope) bool {
	if outcome.AgreementID != "" {
		return outcome.To == replytoken.ForFeedback
	}
	for _, a := range env.Recipients {
		if _, k, ok := replytoken.Parse(a); ok && k == replytoken.ForFeedback {
			return true
		}
	}
	return false
}

// receiveConfidential hands a confidential feedback message to its use
// case, with done (the delivery's once-only record and first copy).
func (rc *Receiver) receiveConfidential(ctx context.Context, msg *reply.Message, outcome reply.Outcome, id, copyOf string, known *grants.Agreement, done grants.Effects) error {
	if copyOf != "" {
		// Another delivery of an email stored: kept as a copy, against no
		// agreement (a history entry would name the sender beside it).
		slog.InfoContext(ctx, "confidential feedback is a copy", "messageId", id)
		return rc.Replies.IgnoreMessage(ctx, grants.Reply{MessageID: id, ReceivedAt: done.At.UTC()}, "copy of SES message "+copyOf, done)
	}
	m := service.ConfidentialMessage{MessageID: id, AgreementID: outcome.AgreementID, ReceivedAt: done.At.UTC(), Round: outcome.CheckIn}
	switch outcome.Kind {
	case reply.Accept:
	case reply.Ignore:
		m.SetAside = string(outcome.Reason)
	default:
		switch outcome.Reason {
		case reply.ReasonUnknownSender, reply.ReasonDMARCFail, reply.ReasonDMARCUnverified, reply.ReasonContactsUnavailable:
			m.Unverified = true
		default: // virus, spam, unparseable, too complex, a token that did not verify
			m.SetAside = string(outcome.Reason)
		}
	}
	if msg != nil && outcome.Reason != reply.ReasonVirus {
		m.Words, m.Cut = grants.Clip(msg.NewText, grants.MaxReplyText)
		m.Files = len(msg.Attachments)
	}
	a := known
	if a == nil && outcome.AgreementID != "" {
		var err error
		if a, err = rc.Store.GetAgreement(ctx, outcome.AgreementID); err != nil {
			if grants.ErrorCode(err) != grants.NotFound {
				return err
			}
			a, m.SetAside = nil, "agreement_not_found"
		}
	}
	return rc.Replies.AcceptConfidentialFeedback(ctx, m, a, done)
}
