package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/logs"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// Instalments lists one programme's instalments of one status (due by
// default). The programme is required: the list is read by its key, so a
// list across programmes would be a read of every programme's rows.
func (s *Service) Instalments(ctx context.Context, f grants.InstalmentFilter, cursor string, limit int) (grants.Page[grants.InstalmentRow], error) {
	if f.Programme == "" {
		return grants.Page[grants.InstalmentRow]{}, &grants.Error{Code: grants.Invalid, Message: "The request has invalid fields.",
			Fields: []grants.FieldError{{Field: "programme", Reason: "is required"}}, Reason: "validation"}
	}
	if f.Status == "" {
		f.Status = grants.InstalmentDue
	}
	page, err := s.Store.ListInstalments(ctx, f, cursor, limit)
	if err != nil {
		return page, err
	}
	// Each row's lateness by its programme's calendar (a row does not carry
	// its agreement's): one settings read per programme on the page.
	timings := map[string]grants.Timing{}
	for i := range page.Items {
		r := &page.Items[i]
		t, ok := timings[r.Programme]
		if !ok {
			p, err := s.settings(ctx, r.Programme)
			if err != nil {
				return page, err
			}
			t = p.Timing()
			timings[r.Programme] = t
		}
		r.MeasureLateness(t, grants.Today(s.Now(), s.location()))
	}
	return page, nil
}

// RequestPayment records finance's payment of instalment n: it waits for a
// second person's approval under the two-person rule, or is paid at once
// without it. The programme's settings, and the stored answer to an
// idempotent request, are read in one call before the change, which stays a
// pure function of the agreement; a request answered before gets that answer
// back (replay).
func (s *Service) RequestPayment(ctx context.Context, by grants.Actor, id string, n int, req grants.PaymentRequest, once *idempotency.Once[*grants.Agreement]) (_ *grants.Agreement, replay *idempotency.Response, err error) {
	if err := s.stillInFinance(ctx, by); err != nil {
		return nil, nil, err
	}
	r := s.requestPayment(ctx, by, id, n, req, once)
	return r.written, r.replay, r.err
}

// paymentRequested is what came of a payment request: the agreement as
// written (nil if refused), as last read, and the instalment's status when
// a rule refused it (which says why: paid, held, not yet due).
type paymentRequested struct {
	written, read *grants.Agreement
	refusedAt     grants.InstalmentStatus
	replay        *idempotency.Response
	err           error
}

// requestPayment is RequestPayment, for one payment or one item of a pay
// run (req.Run): a run's request found already standing (the run retried)
// is answered as it stands, not refused as requested elsewhere.
func (s *Service) requestPayment(ctx context.Context, by grants.Actor, id string, n int, req grants.PaymentRequest, once *idempotency.Once[*grants.Agreement]) (r paymentRequested) {
	ctx = logs.WithAgreement(ctx, id)
	now := s.Now()
	a, err := s.Store.GetAgreement(ctx, id)
	if err != nil {
		return paymentRequested{err: err}
	}
	r.read = a
	var key *idempotency.Request
	if once != nil {
		key = &once.Request
	}
	p, replay, err := s.Store.SettingsAndAnswer(ctx, a.Programme, key, now)
	if err != nil || replay != nil {
		r.replay, r.err = replay, err
		return r
	}
	p = p.Defaults(s.Defaults)
	paymentID, twoPeople, claim := s.NewID(), req.WaitsForApproval(p.RequiresTwoPeople()), s.claimFor(now, true)
	var keys []outbox.Key
	var requested bool // by this write: not a request found standing
	r.written, r.err = s.Store.UpdateRead(ctx, a, func(a *grants.Agreement) (grants.Effects, error) {
		r.read, keys, requested = a, nil, false
		if a.RequestedIn(req.Run, n) != nil {
			return grants.Effects{}, grants.ErrNoChange
		}
		before := a.Status
		if in := a.Instalment(n); in != nil {
			r.refusedAt = in.Status
		}
		_, entries, err := a.RequestPayment(n, req, paymentID, twoPeople, now, by)
		if err != nil {
			return grants.Effects{}, err
		}
		requested = true
		fx := grants.Effects{At: now, Audit: entries}
		if !twoPeople {
			keys = thanked(before, a, paidEffects(n))
			fx.Outbox, fx.ClaimedBy = keys, claim
		}
		if once != nil {
			fx.Answer, err = once.Answer(a)
		}
		return fx, err
	})
	if r.err != nil {
		r.written = nil
		r.replay, r.err = answeredMeanwhile(ctx, s, once, r.err, now)
		return r
	}
	if requested {
		s.count(ctx, r.written.Programme, MetricPaymentsRequested, 1)
		if !twoPeople {
			s.countPaid(ctx, r.written, n)
		}
	}
	if len(keys) > 0 {
		s.deliverClaimed(ctx, r.written, p, claim, nil, keys...)
	}
	return r
}

// ApprovePayment approves a requested payment (by someone other than the
// requester under the two-person rule): the instalment is paid, the partner
// gets a remittance and accounting an InstalmentPaid event.
func (s *Service) ApprovePayment(ctx context.Context, by grants.Actor, id string, n int, paymentID string) (*grants.Agreement, error) {
	ctx = logs.WithAgreement(ctx, id)
	if err := s.stillInFinance(ctx, by); err != nil {
		return nil, err
	}
	a, p, err := s.agreementAndSettings(ctx, id)
	if err != nil {
		return nil, err
	}
	now, twoPeople := s.Now(), p.RequiresTwoPeople()
	claim := s.claimFor(now, true)
	var keys []outbox.Key
	a, err = s.Store.UpdateRead(ctx, a, func(a *grants.Agreement) (grants.Effects, error) {
		before := a.Status
		entries, err := a.ApprovePayment(n, paymentID, twoPeople, now, by)
		keys = thanked(before, a, paidEffects(n))
		return grants.Effects{At: now, Audit: entries, Outbox: keys, ClaimedBy: claim}, err
	})
	if err != nil {
		return nil, err
	}
	s.countPaid(ctx, a, n)
	s.deliverClaimed(ctx, a, p, claim, nil, keys...)
	return a, nil
}

// stillInFinance refuses a finance act (requesting or approving a payment
// or a pay run) by someone the user pool no longer has in finance, whatever
// the groups their token names: a token lives up to 10 hours, and removal
// from finance must stop payments at once. Asked before anything is read,
// once per act (a pay run asks once, not per item). Without a Directory it
// refuses too: a function that can move money is given one, never left to
// trust the token alone.
func (s *Service) stillInFinance(ctx context.Context, by grants.Actor) error {
	if s.Directory == nil {
		return errors.New("no Directory is wired: cannot tell whether the person is still in finance")
	}
	in, err := s.Directory.StillIn(ctx, by, grants.RoleFinance)
	if err != nil {
		return fmt.Errorf("ask the user pool whether %s is in finance: %w", by.ID, err)
	}
	if !in {
		slog.InfoContext(ctx, "refused: no longer in finance", "actor", by.ID)
		return &grants.Error{Code: grants.Forbidden, Reason: ReasonRoleRemoved,
			Message: "You are no longer in finance, so you cannot request or approve payments (your sign-in is older than the change). Ask whoever manages staff access if this is wrong."}
	}
	return nil
}

// ReasonRoleRemoved is the Reason of the refusal of someone whose token
// names a role the user pool no longer gives them.
const ReasonRoleRemoved = "role_removed"

// paidEffects are what paying instalment n owes: the partner's remittance
// and the accounting event.
func paidEffects(n int) []outbox.Key {
	return []outbox.Key{outbox.RemittanceKey(n), outbox.PaidEventKey(n)}
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
	ctx = logs.WithAgreement(ctx, id)
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
