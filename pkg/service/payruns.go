package service

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"strings"
	"sync"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/logs"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// PayRuns is the storage of pay runs (part of PaymentStore).
type PayRuns interface {
	// StartRun records a run before its items are requested, or returns
	// the one of that ID already recorded.
	StartRun(ctx context.Context, r *grants.PayRun) (*grants.PayRun, error)
	// FinishRun stores the outcomes with the request's answer; it fails
	// with idempotency.ErrAnswered if another request answered first.
	FinishRun(ctx context.Context, r *grants.PayRun, answer *idempotency.Answer, now time.Time) error
	// ApproveRun stores an approval; false (and the run as stored) if
	// another approval was stored first.
	ApproveRun(ctx context.Context, r *grants.PayRun) (*grants.PayRun, bool, error)
	GetRun(ctx context.Context, id string) (*grants.PayRun, error)
	RecentRuns(ctx context.Context, limit int) ([]grants.PayRunLine, error)
}

// runWorkers bounds how many of a run's agreements are written at once
// (each agreement's items one after another):
// enough to request 200 items within an API Gateway request, few enough to
// stay well inside the table's capacity.
const runWorkers = 4

// runID names the run a request makes from its idempotency key, so a retry
// of the request (after a crash halfway, or at the same time) is the same
// run and finds the items it already requested.
func runID(r idempotency.Request) string {
	h := sha256.Sum256([]byte(r.Scope + "\x00" + r.Caller + "\x00" + r.Key))
	return strings.ToLower(base32.StdEncoding.EncodeToString(h[:10]))
}

// RequestPayRun requests many instalments' payments as one run, each by the
// use case that requests one payment (requestPayment), so each is refused
// for the reasons one would be, and reported with its outcome. The run then
// waits for a second member of finance (ApprovePayRun). once is required:
// the run is named by its key, and a retry finishes, never repeats, it.
func (x *Payments) RequestPayRun(ctx context.Context, by grants.Actor, req grants.PayRunRequest, once *idempotency.Once[*grants.PayRun]) (*grants.PayRun, *idempotency.Response, error) {
	if err := x.stillInFinance(ctx, by); err != nil {
		return nil, nil, err
	}
	now := x.env.Now()
	paidOn, err := req.Check(grants.Today(now, x.env.location()))
	if err != nil {
		return nil, nil, err
	}
	if replay, err := x.store.Answered(ctx, once.Request, now); err != nil || replay != nil {
		return nil, replay, err
	}
	run := grants.NewPayRun(runID(once.Request), req, paidOn, once.Request.Hash(), now, by)
	stored, err := x.store.StartRun(ctx, run)
	switch {
	case err != nil:
		return nil, nil, err
	case stored.RequestHash != run.RequestHash:
		return nil, nil, idempotency.ErrPayloadMismatch
	case stored.Status != grants.PayRunRequesting:
		// Finished under this key: by a request racing this one, whose
		// answer is stored by now, or so long ago that the answer has
		// lapsed (the run stands, and is the answer).
		if replay, err := x.store.Answered(ctx, once.Request, now); err != nil || replay != nil {
			return nil, replay, err
		}
		return stored, nil, nil
	}
	run.RequestedAt = stored.RequestedAt
	agreements, items := run.ByAgreement(grants.OutcomePending)
	err = x.forEach(ctx, len(agreements), func(i int) error {
		for _, k := range items[agreements[i]] {
			if err := x.requestRunItem(ctx, by, run, k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	run.Status = grants.PayRunAwaitingApproval
	answer, err := once.Answer(run)
	if err != nil {
		return nil, nil, err
	}
	if err := x.store.FinishRun(ctx, run, answer, now); err != nil {
		replay, err := answeredMeanwhile(ctx, x.store, once, err, now)
		return nil, replay, err
	}
	return run, nil, nil
}

// requestRunItem requests item k of run as a single payment is requested,
// and records its outcome. An error is ours, not the item's (the store
// failed): the run stays unfinished for a retry.
func (x *Payments) requestRunItem(ctx context.Context, by grants.Actor, run *grants.PayRun, k int) error {
	it := &run.Items[k]
	r := x.requestPayment(ctx, by, it.AgreementID, it.Instalment, run.Request(k), nil)
	if r.err != nil && grants.ErrorCode(r.err) == "" {
		return r.err
	}
	a := r.written
	if a == nil {
		a = r.read
	}
	if a != nil {
		it.Described(a)
	}
	it.Settle(grants.OutcomeRequested, r.err, r.refusedAt)
	if r.err == nil {
		it.PaymentID = a.RequestedIn(run.ID, it.Instalment).ID
	}
	return nil
}

// ApprovePayRun approves a run's requested payments, by someone other than
// its requester. Each agreement's items are approved in one write, as a
// single payment is approved, so its partner gets one remittance for the
// run and accounting one InstalmentPaid event per instalment. Approving
// again, or two people at once, pays nothing twice: an instalment paid
// already is left as it is; a retry after a failure halfway finishes the run.
func (x *Payments) ApprovePayRun(ctx context.Context, by grants.Actor, id string) (*grants.PayRun, error) {
	if err := x.stillInFinance(ctx, by); err != nil {
		return nil, err
	}
	run, err := x.store.GetRun(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := run.CheckApprover(by); err != nil || run.Status == grants.PayRunApproved {
		return run, err
	}
	agreements, items := run.ByAgreement(grants.OutcomeRequested)
	err = x.forEach(ctx, len(agreements), func(i int) error {
		id := agreements[i]
		ns := make([]int, len(items[id]))
		for j, k := range items[id] {
			ns[j] = run.Items[k].Instalment
		}
		refused, err := x.approveRunPayments(ctx, by, run.ID, id, ns)
		if err != nil && grants.ErrorCode(err) == "" {
			return err
		}
		for _, k := range items[id] {
			cause := err
			if cause == nil {
				cause = refused[run.Items[k].Instalment]
			}
			run.Items[k].Settle(grants.OutcomePaid, cause, "")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	run.Status, run.ApprovedBy, run.ApprovedAt = grants.PayRunApproved, by.Name, x.env.Now().UTC()
	stored, _, err := x.store.ApproveRun(ctx, run)
	return stored, err
}

// approveRunPayments approves run's payments of instalments ns of one
// agreement in one write, with their effects: an InstalmentPaid event each
// and one remittance listing them all, delivered at once when this
// invocation can. It returns the rule that refused each instalment not paid.
func (x *Payments) approveRunPayments(ctx context.Context, by grants.Actor, run, id string, ns []int) (map[int]error, error) {
	ctx = logs.WithAgreement(ctx, id)
	a, p, err := x.env.agreementAndSettings(ctx, x.store, id)
	if err != nil {
		return nil, err
	}
	now := x.env.Now()
	claim := x.delivery.claim(now, true)
	var keys []outbox.Key
	var refused map[int]error
	var paid []int
	a, err = x.store.UpdateRead(ctx, a, func(a *grants.Agreement) (grants.Effects, error) {
		before := a.Status
		var entries []grants.AuditEntry
		paid, refused, entries = a.ApproveRun(run, ns, now, by)
		if keys = nil; len(paid) == 0 {
			return grants.Effects{}, grants.ErrNoChange
		}
		keys = []outbox.Key{outbox.RunRemittanceKey(run)}
		for _, n := range paid {
			keys = append(keys, outbox.PaidEventKey(n))
		}
		keys = thanked(before, a, keys)
		return grants.Effects{At: now, Audit: entries, Outbox: keys, ClaimedBy: claim}, nil
	})
	if err != nil {
		return nil, err
	}
	countPaid(ctx, x.metrics, a, paid...)
	if len(keys) > 0 {
		x.delivery.deliverChange(ctx, a, &p, claim, nil, keys...)
	}
	return refused, nil
}

// PayRun reads a run.
func (x *Payments) PayRun(ctx context.Context, id string) (*grants.PayRun, error) {
	return x.store.GetRun(ctx, id)
}

// RecentPayRuns lists the latest runs, newest first.
func (x *Payments) RecentPayRuns(ctx context.Context, limit int) ([]grants.PayRunLine, error) {
	return x.store.RecentRuns(ctx, limit)
}

// forEach calls do for 0..n-1 on up to runWorkers goroutines, and returns
// the first error (the others still finish what they started).
func (x *Payments) forEach(ctx context.Context, n int, do func(i int) error) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  int
	)
	for range min(runWorkers, n) {
		wg.Go(func() {
			for {
				mu.Lock()
				i, stop := next, first != nil || next >= n || ctx.Err() != nil
				next++
				mu.Unlock()
				if stop {
					return
				}
				if err := do(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}
