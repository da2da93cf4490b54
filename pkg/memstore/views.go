package memstore

import (
	"context"
	"fmt"
	"log/slog"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/money"
	"github.com/partnership-grants/backend/pkg/readcost"
	"github.com/partnership-grants/backend/pkg/reports"
)

// programme lists a programme's agreements (with their plans if asked) in
// the programme list's order, st.mu held.
func (st *Store) programme(programme string, plans bool) []grants.Agreement {
	var items []keyed[grants.Agreement]
	for _, rec := range st.agreements {
		if rec.a.Programme == programme {
			items = append(items, keyed[grants.Agreement]{programmeOrder(&rec.a), *rec.agreement(plans)})
		}
	}
	sortKeyed(items)
	out := make([]grants.Agreement, 0, len(items))
	for _, it := range items {
		out = append(out, it.v)
	}
	return out
}

// ProgrammeAgreements reads every agreement of a programme, all statuses,
// without their plans, in the programme list's order. The cost is nominal:
// one request, one item an agreement.
func (st *Store) ProgrammeAgreements(ctx context.Context, programme string) ([]grants.Agreement, readcost.Cost, error) {
	if err := live(ctx); err != nil {
		return nil, readcost.Cost{}, err
	}
	st.mu.Lock()
	list := st.programme(programme, false)
	st.mu.Unlock()
	cost := readcost.Cost{Requests: 1, Items: len(list)}
	return readable(ctx, list), cost, nil
}

// AgreementsWithPlans reads the agreements with the given IDs, each with
// its instalments and check-ins, in the order given; an ID with no
// agreement is skipped, and so is an unreadable one (logged).
func (st *Store) AgreementsWithPlans(ctx context.Context, ids []string) ([]grants.Agreement, error) {
	if len(ids) > 0 {
		if err := live(ctx); err != nil {
			return nil, fmt.Errorf("read agreements: %w", err)
		}
	}
	out := make([]grants.Agreement, 0, len(ids))
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, id := range ids {
		a, err := st.readAgreement(id)
		if err != nil {
			slog.ErrorContext(ctx, "skipped an unreadable item", "pk", "AGR#"+id, "sk", "A", "error", err.Error())
			continue
		}
		if a != nil {
			out = append(out, *a)
		}
	}
	return out, nil
}

// ProgrammePlans reads every agreement of a programme, all statuses, each
// with its instalments and check-ins, in the programme list's order.
func (st *Store) ProgrammePlans(ctx context.Context, programme string) ([]grants.Agreement, readcost.Cost, error) {
	if err := live(ctx); err != nil {
		return nil, readcost.Cost{}, err
	}
	st.mu.Lock()
	list := st.programme(programme, true)
	st.mu.Unlock()
	cost := readcost.Cost{Requests: 1}
	for _, a := range list {
		cost.Items += 1 + len(a.Instalments) + len(a.CheckIns)
	}
	return readable(ctx, list), cost, nil
}

// ProgrammeTally reads a programme's tally, kept by every write, and
// today's marks: the active agreements past their end date, the running
// ones whose partner's mail bounces.
func (st *Store) ProgrammeTally(ctx context.Context, programme string, today grants.Date) (reports.Tally, reports.Marks, readcost.Cost, error) {
	cost := readcost.Cost{Requests: 1}
	if err := live(ctx); err != nil {
		return nil, reports.Marks{}, cost, err
	}
	st.mu.Lock()
	built := st.built[programme]
	st.mu.Unlock()
	if !built {
		// As pkg/dynamo's first summary of a programme: built from its
		// agreements once (what Import wrote has no tally until then).
		if err := st.RebuildAggregate(ctx, programme); err != nil {
			return nil, reports.Marks{}, cost, err
		}
	}
	st.mu.Lock()
	tally := reports.Tally{}
	var overflow error
	for name, v := range st.tallies[programme] {
		switch {
		case !v.IsInt64():
			overflow = fmt.Errorf("aggregate of %s: counter %s = %s: %w", programme, name, v, money.ErrOverflow)
		case v.Sign() != 0:
			tally[name] = v.Int64()
		}
	}
	list := st.programme(programme, false)
	st.mu.Unlock()
	if overflow != nil {
		return nil, reports.Marks{}, cost, overflow
	}
	var marks reports.Marks
	for i := range list {
		a := &list[i]
		m := reports.MarksOf(a)
		if !m.EndDate.IsZero() && endKey(a.ID, m.EndDate) < today.String() {
			marks.PastEndDate++
		}
		if m.IsBouncing() {
			marks.Bouncing = append(marks.Bouncing, m.Bouncing)
		}
	}
	reports.SortBouncing(marks.Bouncing)
	return tally, marks, cost, nil
}

// RebuildAggregate recomputes a programme's tally from its agreements.
// Every write keeps it, so this changes nothing unless something wrote
// around the store.
func (st *Store) RebuildAggregate(ctx context.Context, programme string) error {
	list, _, err := st.ProgrammeAgreements(ctx, programme)
	if err != nil {
		return err
	}
	sum := map[string]*big.Int{}
	for i := range list {
		t, err := reports.TallyOf(&list[i])
		if err != nil {
			return fmt.Errorf("rebuild aggregate of %s: %w", programme, err)
		}
		for k, v := range t {
			if sum[k] == nil {
				sum[k] = new(big.Int)
			}
			sum[k].Add(sum[k], big.NewInt(v))
		}
	}
	st.mu.Lock()
	st.tallies[programme], st.built[programme] = sum, true
	st.mu.Unlock()
	return nil
}

// Import writes whole agreements (agreement, instalments, check-ins and an
// "agreement.imported" entry) as pkg/dynamo's Import does, over whatever
// is stored and with no conditions: for seeding tests, never for people's
// changes. No reference is reserved and no tally kept: a programme's first
// summary builds its tally, and one already built needs RebuildAggregate
// afterwards, as with pkg/dynamo. Each agreement must already have its ID
// and reference.
func (st *Store) Import(ctx context.Context, agreements []*grants.Agreement) error {
	if err := live(ctx); err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, a := range agreements {
		a.Stats = a.ComputeStats()
		st.newAgreementOp(a).apply()
		e := grants.AuditEntry{At: a.CreatedAt, Actor: a.CreatedBy, Action: "agreement.imported"}
		for _, o := range st.effectOps(a.ID, grants.Effects{At: a.CreatedAt, Audit: []grants.AuditEntry{e}}) {
			o.apply()
		}
	}
	return nil
}

// ListInstalments lists one programme's instalments of one status in
// due-date order, From and To bounding the due date. A row is as its
// instalment's last write made it.
func (st *Store) ListInstalments(ctx context.Context, f grants.InstalmentFilter, cursor string, limit int) (grants.Page[grants.InstalmentRow], error) {
	if err := live(ctx); err != nil {
		return grants.Page[grants.InstalmentRow]{}, err
	}
	from, to := "0000", "9999"
	if !f.From.IsZero() {
		from = f.From.String()
	}
	if !f.To.IsZero() {
		to = f.To.String() + "#~"
	}
	st.mu.Lock()
	var items []keyed[grants.InstalmentRow]
	for _, rec := range st.agreements {
		for _, in := range rec.ins {
			if in.row.Programme != f.Programme || in.row.Status != f.Status {
				continue
			}
			k := fmt.Sprintf("%s#%s#%02d", in.row.DueDate, in.row.AgreementID, in.row.Number)
			if from <= k && k <= to {
				items = append(items, keyed[grants.InstalmentRow]{k, clone(in.row)})
			}
		}
	}
	st.mu.Unlock()
	sortKeyed(items)
	return page(items, "INST#"+f.Programme+"#"+string(f.Status), cursor, limit)
}

// Pay runs.

func errRunNotFound(id string) error {
	return &grants.Error{Code: grants.NotFound, Message: fmt.Sprintf("Pay run %s does not exist.", id), Reason: "pay_run_not_found"}
}

func runLineKey(r *grants.PayRun) string {
	return r.RequestedAt.UTC().Format(time.RFC3339Nano) + "#" + r.ID
}

// StartRun records a run before its items are requested. A run of that ID
// already stored (the same request, retried) is returned instead.
func (st *Store) StartRun(ctx context.Context, r *grants.PayRun) (*grants.PayRun, error) {
	if err := live(ctx); err != nil {
		return nil, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if stored, ok := st.runs[r.ID]; ok {
		c := clone(stored)
		return &c, nil
	}
	st.runs[r.ID] = clone(*r)
	return r, nil
}

// runOp stores a run and its line, on condition that the stored run is
// in status.
func (st *Store) runOp(r *grants.PayRun, status grants.PayRunStatus) op {
	run, line, lineKey := clone(*r), clone(r.Line()), runLineKey(r)
	return op{
		item:  "RUN#" + r.ID,
		cond:  func() bool { stored, ok := st.runs[run.ID]; return ok && stored.Status == status },
		apply: func() { st.runs[run.ID], st.runLines[lineKey] = run, line },
	}
}

// FinishRun stores a run's outcomes, its line and the answer to the
// request that made it, in one transaction; idempotency.ErrAnswered if
// another request under the same key finished first.
func (st *Store) FinishRun(ctx context.Context, r *grants.PayRun, answer *idempotency.Answer, now time.Time) error {
	if err := live(ctx); err != nil {
		return err
	}
	ops := []op{st.runOp(r, grants.PayRunRequesting)}
	if answer != nil {
		ops = append(ops, st.answerOp(*answer, now))
	}
	st.mu.Lock()
	failed, err := st.commit(ops)
	st.mu.Unlock()
	if err != nil {
		return fmt.Errorf("finish pay run %s: %w", r.ID, err)
	}
	if len(failed) > 0 {
		return idempotency.ErrAnswered
	}
	return nil
}

// ApproveRun stores a run's approval. Of two approvals at once, one is
// stored; the other gets false and the run as stored.
func (st *Store) ApproveRun(ctx context.Context, r *grants.PayRun) (*grants.PayRun, bool, error) {
	if err := live(ctx); err != nil {
		return nil, false, err
	}
	st.mu.Lock()
	failed, err := st.commit([]op{st.runOp(r, grants.PayRunAwaitingApproval)})
	st.mu.Unlock()
	if err != nil {
		return nil, false, fmt.Errorf("approve pay run %s: %w", r.ID, err)
	}
	if len(failed) > 0 {
		stored, err := st.GetRun(ctx, r.ID)
		return stored, false, err
	}
	return r, true, nil
}

// GetRun reads a run.
func (st *Store) GetRun(ctx context.Context, id string) (*grants.PayRun, error) {
	if err := live(ctx); err != nil {
		return nil, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	r, ok := st.runs[id]
	if !ok {
		return nil, errRunNotFound(id)
	}
	r = clone(r)
	return &r, nil
}

// RecentRuns lists the latest runs' lines, newest first: by the key
// "<requestedAt, RFC 3339 with nanoseconds>#<id>" descending, as the runs
// partition sorts them.
func (st *Store) RecentRuns(ctx context.Context, limit int) ([]grants.PayRunLine, error) {
	if err := live(ctx); err != nil {
		return nil, err
	}
	if limit < 1 {
		return nil, fmt.Errorf("list pay runs: %w", errLimit(limit))
	}
	st.mu.Lock()
	keys := make([]string, 0, len(st.runLines))
	for k := range st.runLines {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y string) int { return strings.Compare(y, x) })
	out := make([]grants.PayRunLine, 0, min(limit, len(keys)))
	for _, k := range keys[:min(limit, len(keys))] {
		out = append(out, clone(st.runLines[k]))
	}
	st.mu.Unlock()
	return out, nil
}
