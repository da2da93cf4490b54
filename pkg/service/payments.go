package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// Instalments lists instalments of one status (due by default).
func (s *Service) Instalments(ctx context.Context, f grants.InstalmentFilter, cursor string, limit int) (grants.Page[grants.InstalmentRow], error) {
	if f.Status == "" {
		f.Status = grants.InstalmentDue
	}
	return s.Store.ListInstalments(ctx, f, cursor, limit)
}

// RequestPayment records finance's payment of instalment n: it waits for a
// second person's approval under the two-person rule, or is paid at once
// without it. The programme's settings, and the stored answer to an
// idempotent request, are read in one call before the change, which stays a
// pure function of the agreement; a request answered before gets that answer
// back (replay).
func (s *Service) RequestPayment(ctx context.Context, actor, id string, n int, req grants.PaymentRequest, once *idempotency.Once[*grants.Agreement]) (_ *grants.Agreement, replay *idempotency.Response, err error) {
	now := s.Now()
	a, err := s.Store.GetAgreement(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	var key *idempotency.Request
	if once != nil {
		key = &once.Request
	}
	p, replay, err := s.Store.SettingsAndAnswer(ctx, a.Programme, key, now)
	if err != nil || replay != nil {
		return nil, replay, err
	}
	p = p.Defaults(s.Defaults)
	paymentID, twoPeople, claim := s.NewID(), p.RequiresTwoPeople(), s.claimFor(now, true)
	a, err = s.Store.UpdateRead(ctx, a, func(a *grants.Agreement) (grants.Effects, error) {
		_, entries, err := a.RequestPayment(n, req, paymentID, twoPeople, now, actor)
		if err != nil {
			return grants.Effects{}, err
		}
		fx := grants.Effects{At: now, Audit: entries}
		if !twoPeople {
			fx.Outbox, fx.ClaimedBy = paidEffects(n), claim
		}
		if once != nil {
			fx.Answer, err = once.Answer(a)
		}
		return fx, err
	})
	if err != nil {
		replay, err = answeredMeanwhile(ctx, s, once, err, now)
		return nil, replay, err
	}
	if !twoPeople {
		s.deliverClaimed(ctx, a, p, claim, nil, paidEffects(n)...)
	}
	return a, nil, nil
}

// ApprovePayment approves a requested payment (by someone other than the
// requester under the two-person rule): the instalment is paid, the partner
// gets a remittance and accounting an InstalmentPaid event.
func (s *Service) ApprovePayment(ctx context.Context, actor, id string, n int, paymentID string) (*grants.Agreement, error) {
	a, p, err := s.agreementAndSettings(ctx, id)
	if err != nil {
		return nil, err
	}
	now, twoPeople := s.Now(), p.RequiresTwoPeople()
	claim := s.claimFor(now, true)
	a, err = s.Store.UpdateRead(ctx, a, func(a *grants.Agreement) (grants.Effects, error) {
		entries, err := a.ApprovePayment(n, paymentID, twoPeople, now, actor)
		return grants.Effects{At: now, Audit: entries, Outbox: paidEffects(n), ClaimedBy: claim}, err
	})
	if err != nil {
		return nil, err
	}
	s.deliverClaimed(ctx, a, p, claim, nil, paidEffects(n)...)
	return a, nil
}

// paidEffects are what paying instalment n owes: the partner's remittance
// and the accounting event.
func paidEffects(n int) []outbox.Key {
	return []outbox.Key{outbox.RemittanceKey(n), outbox.PaidEventKey(n)}
}

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
			logError(ctx, "side effect failed; the sweep will retry", s.release(ctx, a.ID, k.String(), claim.Token, err), a.ID)
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
	}
}

// produce performs one side effect: it publishes the event or sends the
// email, and returns its message ID and the history entry that records it.
// An email with nobody to go to is recorded as skipped.
func (s *Service) produce(ctx context.Context, a *grants.Agreement, p grants.ProgrammeSettings, k outbox.Key, known *grants.Reply) (string, grants.AuditEntry, error) {
	if k.Kind == outbox.KindPaidEvent {
		return s.publish(ctx, a, k.Instalment)
	}
	key := k.String()
	letter, _, err := s.letter(ctx, a, k, p, known)
	var posted Posted
	if err == nil {
		posted, err = s.Letters.Post(ctx, letter)
	}
	switch {
	case errors.Is(err, grants.ErrNoRecipients):
		return "", grants.AuditEntry{At: s.Now().UTC(), Actor: grants.System, Action: "email.skipped", Subject: key, Detail: "no deliverable recipient"}, nil
	case err != nil:
		return "", grants.AuditEntry{}, fmt.Errorf("send %s: %w", key, err)
	}
	return posted.MessageID, s.sentEntry(key, posted), nil
}

// Hold stops an instalment from being paid, with a reason.
func (s *Service) Hold(ctx context.Context, actor, id string, n int, reason string) (*grants.Agreement, error) {
	return s.changeInstalment(ctx, actor, id, n, reason, (*grants.Agreement).Hold)
}

// Release lifts a hold, with a reason.
func (s *Service) Release(ctx context.Context, actor, id string, n int, reason string) (*grants.Agreement, error) {
	return s.changeInstalment(ctx, actor, id, n, reason, (*grants.Agreement).Release)
}

func (s *Service) changeInstalment(ctx context.Context, actor, id string, n int, reason string,
	change func(*grants.Agreement, int, string, time.Time, string) (grants.AuditEntry, error)) (*grants.Agreement, error) {
	now := s.Now()
	return s.Store.UpdateAgreement(ctx, id, 0, func(a *grants.Agreement) (grants.Effects, error) {
		e, err := change(a, n, reason, now, actor)
		return grants.Audited(e), err
	})
}

// agreementAndSettings reads an agreement (consistently, for a change) and
// its programme's settings: once each.
func (s *Service) agreementAndSettings(ctx context.Context, id string) (*grants.Agreement, grants.ProgrammeSettings, error) {
	a, err := s.Store.GetAgreement(ctx, id)
	if err != nil {
		return nil, grants.ProgrammeSettings{}, err
	}
	p, err := s.settings(ctx, a.Programme)
	return a, p, err
}
