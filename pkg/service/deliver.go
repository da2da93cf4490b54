package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// Delivering the side effects a committed change queued, right after it:
// claimed with the change (deliverClaimed) where this invocation can deliver
// them, else each claimed on its own (deliver, Deliver in automation.go).

// claimFor enqueues a change's side effects already claimed by this
// invocation, when it can deliver them (the function has mail, and a bus for
// events): they need no claim of their own, and deliverClaimed records them
// in one write.
func (s *Service) claimFor(now time.Time, events bool) *grants.Claim {
	if s.Letters == nil || events && s.Events == nil {
		return nil
	}
	return &grants.Claim{Token: newToken(), Until: now.Add(s.lease())}
}

// deliverClaimed performs side effects the change just written enqueued
// under claim (a and p are the agreement as written and its settings; known
// the reply they are about, if any), and records all that happened in one
// write. One that fails is released for the sweep; nothing is returned, as
// the change stands either way.
func (s *Service) deliverClaimed(ctx context.Context, a *grants.Agreement, p grants.ProgrammeSettings, claim *grants.Claim, known *grants.Reply, keys ...outbox.Key) {
	if claim == nil {
		s.deliver(ctx, a.ID, a, &p, keys...)
		return
	}
	done := grants.Effects{At: s.Now()}
	for _, k := range keys {
		id, entry, err := s.produce(ctx, a, p, k, known)
		if err != nil {
			logError(ctx, "side effect failed; the sweep will retry", s.release(ctx, a.ID, k.String(), claim.Token, err), a.ID, "key", k.String())
			continue
		}
		done.Sent = append(done.Sent, grants.Sent{Key: k.String(), Token: claim.Token, MessageID: id})
		done.Audit = append(done.Audit, entry)
	}
	if len(done.Sent) == 0 {
		return
	}
	first := done.Sent[0]
	if err := s.recordDone(ctx, a.ID, first.Key, first.MessageID, func(ctx context.Context) error { return s.Store.Apply(ctx, a.ID, done) }); err != nil {
		logError(ctx, "record side effects that happened; the sweep will retry", err, a.ID)
		return
	}
	for _, sent := range done.Sent {
		if k, err := outbox.ParseKey(sent.Key); err == nil && sent.MessageID != "" {
			s.countSent(ctx, a, k.Kind)
		}
	}
}

// produce performs one side effect: it publishes the event or sends the
// email, and returns its message ID and the history entry that records it.
// An email with nobody to go to, or one that inbound mail caused and its
// limits withhold (automail.go), is recorded as skipped: done, not retried.
func (s *Service) produce(ctx context.Context, a *grants.Agreement, p grants.ProgrammeSettings, k outbox.Key, known *grants.Reply) (string, grants.AuditEntry, error) {
	if k.Kind == outbox.KindPaidEvent {
		return s.publish(ctx, a, k.Instalment)
	}
	key := k.String()
	letter, _, err := s.letter(ctx, a, k, p, known)
	var withheld grants.Withheld
	if err == nil {
		withheld, err = s.withhold(ctx, k, letter)
	}
	var posted Posted
	if err == nil && withheld == "" {
		posted, err = s.Letters.Post(ctx, letter)
	}
	switch {
	case withheld != "":
		return "", grants.AuditEntry{At: s.Now().UTC(), Actor: grants.System, Action: "email.skipped", Subject: key, Detail: withheld.Description()}, nil
	case errors.Is(err, grants.ErrNoRecipients):
		return "", grants.AuditEntry{At: s.Now().UTC(), Actor: grants.System, Action: "email.skipped", Subject: key, Detail: "no deliverable recipient"}, nil
	case err != nil:
		return "", grants.AuditEntry{}, fmt.Errorf("send %s: %w", key, err)
	}
	return posted.MessageID, s.sentEntry(key, posted, leftOut(a, k.Kind)...), nil
}

// deliver performs side effects a committed change queued; a is the
// agreement as the change left it (nil to read it), p its programme's
// settings (nil to read them). A failure is logged, not returned: the change
// stands, and the sweep finds the pending entries and tries again.
func (s *Service) deliver(ctx context.Context, agreementID string, a *grants.Agreement, p *grants.ProgrammeSettings, keys ...outbox.Key) {
	if s.Letters == nil {
		return
	}
	if p == nil && a != nil {
		settings, err := s.settings(ctx, a.Programme)
		if err != nil {
			logError(ctx, "read settings to deliver; the sweep will retry", err, agreementID)
			return
		}
		p = &settings
	}
	for _, k := range keys {
		if err := s.deliverOne(ctx, agreementID, k.String(), a, p); err != nil {
			logError(ctx, "deliver failed; the sweep will retry", err, agreementID, "key", k.String())
		}
	}
}
