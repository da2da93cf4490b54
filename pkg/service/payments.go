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

// PaymentStore is the storage of instalments, payments and pay runs.
type PaymentStore interface {
	AgreementWriter
	SettingsReader
	answerReader
	PayRuns
	ListInstalments(ctx context.Context, f grants.InstalmentFilter, cursor string, limit int) (grants.Page[grants.InstalmentRow], error)
	// SettingsAndAnswer reads a programme's settings and, for req, its stored
	// answer, in one read.
	SettingsAndAnswer(ctx context.Context, programme string, req *idempotency.Request, now time.Time) (grants.ProgrammeSettings, *idempotency.Response, error)
}

// Payments are finance's use cases: the instalments due, each payment
// requested and approved (under the two-person rule), pay runs, and holds.
// Each finance act first asks directory whether its actor is still in
// finance. delivery is handed the remittances and accounting events a
// payment queues.
type Payments struct {
	store     PaymentStore
	delivery  Delivery
	directory Directory
	metrics   Metrics
	env       Env
}

// NewPayments builds finance's use cases.
func NewPayments(store PaymentStore, delivery Delivery, directory Directory, metrics Metrics, env Env) *Payments {
	return &Payments{store: store, delivery: delivery, directory: directory, metrics: metrics, env: env}
}

// Measured sets a's lateness as of today (Env.Measured).
func (x *Payments) Measured(a *grants.Agreement) *grants.Agreement { return x.env.Measured(a) }

// Instalments lists one programme's instalments of one status (due by
// default). The programme is required: the list is read by its key, so a
// list across programmes would be a read of every programme's rows.
func (x *Payments) Instalments(ctx context.Context, f grants.InstalmentFilter, cursor string, limit int) (grants.Page[grants.InstalmentRow], error) {
	if f.Programme == "" {
		return grants.Page[grants.InstalmentRow]{}, &grants.Error{Code: grants.Invalid, Message: "The request has invalid fields.",
			Fields: []grants.FieldError{{Field: "programme", Reason: "is required"}}, Reason: "validation"}
	}
	if f.Status == "" {
		f.Status = grants.InstalmentDue
	}
	page, err := x.store.ListInstalments(ctx, f, cursor, limit)
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
			p, err := x.env.settings(ctx, x.store, r.Programme)
			if err != nil {
				return page, err
			}
			t = p.Timing()
			timings[r.Programme] = t
		}
		r.MeasureLateness(t, grants.Today(x.env.Now(), x.env.location()))
	}
	return page, nil
}

// RequestPayment records finance's payment of instalment n: it waits for a
// second person's approval under the two-person rule, or is paid at once
// without it. The programme's settings, and the stored answer to an
// idempotent request, are read in one call before the change, which stays a
// pure function of the agreement; a request answered before gets that answer
// back (replay).
func (x *Payments) RequestPayment(ctx context.Context, by grants.Actor, id string, n int, req grants.PaymentRequest, once *idempotency.Once[*grants.Agreement]) (_ *grants.Agreement, replay *idempotency.Response, err error) {
	if err := x.stillInFinance(ctx, by); err != nil {
		return nil, nil, err
	}
	r := x.requestPayment(ctx, by, id, n, req, once)
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
func (x *Payments) requestPayment(ctx context.Context, by grants.Actor, id string, n int, req grants.PaymentRequest, once *idempotency.Once[*grants.Agreement]) (r paymentRequested) {
	ctx = logs.WithAgreement(ctx, id)
	now := x.env.Now()
	a, err := x.store.GetAgreement(ctx, id)
	if err != nil {
		return paymentRequested{err: err}
	}
	r.read = a
	var key *idempotency.Request
	if once != nil {
		key = &once.Request
	}
	p, replay, err := x.store.SettingsAndAnswer(ctx, a.Programme, key, now)
	if err != nil || replay != nil {
		r.replay, r.err = replay, err
		return r
	}
	p = p.Defaults(x.env.Defaults)
	paymentID, twoPeople, claim := x.env.NewID(), req.WaitsForApproval(p.RequiresTwoPeople()), x.delivery.claim(now, true)
	var keys []outbox.Key
	var requested bool // by this write: not a request found standing
	r.written, r.err = x.store.UpdateRead(ctx, a, func(a *grants.Agreement) (grants.Effects, error) {
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
		if !twoPeople && !a.Instalment(n).IsExtra() {
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
		r.replay, r.err = answeredMeanwhile(ctx, x.store, once, r.err, now)
		return r
	}
	if requested {
		count(ctx, x.metrics, r.written.Programme, MetricPaymentsRequested, 1)
		if !twoPeople && !r.written.Instalment(n).IsExtra() {
			countPaid(ctx, x.metrics, r.written, n)
		}
	}
	if len(keys) > 0 {
		x.delivery.deliverChange(ctx, r.written, &p, claim, nil, keys...)
	}
	return r
}

// ApprovePayment approves a requested payment (by someone other than the
// requester under the two-person rule): the instalment is paid, the partner
// gets a remittance and accounting an InstalmentPaid event.
func (x *Payments) ApprovePayment(ctx context.Context, by grants.Actor, id string, n int, paymentID string) (*grants.Agreement, error) {
	ctx = logs.WithAgreement(ctx, id)
	if err := x.stillInFinance(ctx, by); err != nil {
		return nil, err
	}
	a, p, err := x.env.agreementAndSettings(ctx, x.store, id)
	if err != nil {
		return nil, err
	}
	now, twoPeople := x.env.Now(), p.RequiresTwoPeople()
	claim := x.delivery.claim(now, true)
	var keys []outbox.Key
	a, err = x.store.UpdateRead(ctx, a, func(a *grants.Agreement) (grants.Effects, error) {
		before := a.Status
		entries, err := a.ApprovePayment(n, paymentID, twoPeople, now, by)
		keys = thanked(before, a, paidEffects(n))
		return grants.Effects{At: now, Audit: entries, Outbox: keys, ClaimedBy: claim}, err
	})
	if err != nil {
		return nil, err
	}
	countPaid(ctx, x.metrics, a, n)
	x.delivery.deliverChange(ctx, a, &p, claim, nil, keys...)
	return a, nil
}

// stillInFinance refuses a finance act (requesting or approving a payment
// or a pay run) by someone the user pool no longer has in finance, whatever
// the groups their token names: a token lives up to 10 hours, and removal
// from finance must stop payments at once. Asked before anything is read,
// once per act (a pay run asks once, not per item). Without a Directory (a
// nil one) it refuses too: a function that can move money is given one,
// never left to trust the token alone.
func (x *Payments) stillInFinance(ctx context.Context, by grants.Actor) error {
	if x.directory == nil {
		return errors.New("no Directory is wired: cannot tell whether the person is still in finance")
	}
	in, err := x.directory.StillIn(ctx, by, grants.RoleFinance)
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

// StillInFinance is stillInFinance for a page that asks before a finance
// act: the question is not put to someone the act would refuse.
func (x *Payments) StillInFinance(ctx context.Context, by grants.Actor) error {
	return x.stillInFinance(ctx, by)
}

// ReasonRoleRemoved is the Reason of the refusal of someone whose token
// names a role the user pool no longer gives them.
const ReasonRoleRemoved = "role_removed"

// paidEffects are what paying instalment n owes: the partner's remittance
// and the accounting event.
func paidEffects(n int) []outbox.Key {
	return []outbox.Key{outbox.RemittanceKey(n), outbox.PaidEventKey(n)}
}

// Hold stops an instalment from being paid, with a reason (internal), and
// tells the partner in message (nil or blank: the default words).
func (x *Payments) Hold(ctx context.Context, actor, id string, n int, reason string, message *string) (*grants.Agreement, error) {
	return x.changeInstalment(ctx, actor, id, n, reason, message, grants.NoticeHeld, (*grants.Agreement).Hold)
}

// Release lifts a hold, with a reason (internal), and tells the partner in
// message (nil or blank: the default words).
func (x *Payments) Release(ctx context.Context, actor, id string, n int, reason string, message *string) (*grants.Agreement, error) {
	return x.changeInstalment(ctx, actor, id, n, reason, message, grants.NoticeReleased, (*grants.Agreement).Release)
}

func (x *Payments) changeInstalment(ctx context.Context, actor, id string, n int, reason string, message *string, kind grants.NoticeKind,
	change func(*grants.Agreement, int, string, time.Time, string) (grants.AuditEntry, error)) (*grants.Agreement, error) {
	ctx = logs.WithAgreement(ctx, id)
	now := x.env.Now()
	if _, err := grants.PartnerMessage(message); err != nil {
		return nil, err
	}
	var key *outbox.Key
	a, err := x.store.UpdateAgreement(ctx, id, 0, func(a *grants.Agreement) (grants.Effects, error) {
		e, err := change(a, n, reason, now, actor)
		if err != nil {
			return grants.Effects{}, err
		}
		fx := grants.Effects{At: now, Audit: []grants.AuditEntry{e}}
		key = nil
		// A draft's partner has been sent nothing yet: only an agreement
		// in effect tells them of its money.
		if a.Status == grants.AgreementActive {
			k, err := a.Tell(kind, n, message, now, actor)
			if err != nil {
				return grants.Effects{}, err
			}
			key, fx.Outbox = &k, []outbox.Key{k}
		}
		return fx, nil
	})
	if err != nil {
		return nil, err
	}
	if key != nil {
		tellNow(ctx, x.delivery, a, now, *key)
	}
	return a, nil
}
