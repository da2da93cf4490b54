package memstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/reports"
)

// agreementRec is an agreement's partition: the agreement item (without
// its plans) and its instalment and check-in items, each as last written.
type agreementRec struct {
	a   grants.Agreement
	ins []instalmentRec
	cis []checkInRec
}

// instalmentRec is an instalment item with what pkg/dynamo's instalment
// item copies into the indexes when it is written: finance's row (with the
// agreement's reference, partner and whether the check-in before it is in,
// as they were then) and its next action.
type instalmentRec struct {
	in   grants.Instalment
	row  grants.InstalmentRow
	next string // the ByNextAction sort key; "" when out of the index
}

type checkInRec struct {
	c    grants.CheckIn
	next string
}

// programmeOrder is an agreement's sort key in its programme's list: by
// status, then oldest first (pkg/dynamo's programmeOrder).
func programmeOrder(a *grants.Agreement) string {
	return string(a.Status) + "#" + a.CreatedAt.Format("2006-01-02T15:04:05.000000Z") + "#" + a.ID
}

// nextActionKey is pkg/dynamo's next-action sort key, by which DueWork
// lists work in the same order.
func nextActionKey(d grants.Date, id string, kind grants.WorkKind, number int) string {
	return fmt.Sprintf("%s#%s#%s#%02d", d, id, workKeys[kind], number)
}

// workKeys are the kinds of work as pkg/dynamo's sort keys spell them.
var workKeys = map[grants.WorkKind]string{grants.WorkInstalmentDue: "I", grants.WorkCheckInDue: "C", grants.WorkOutbox: "O"}

func newInstalmentRec(a *grants.Agreement, in grants.Instalment) instalmentRec {
	in = clone(in)
	r := instalmentRec{in: in, row: grants.InstalmentRow{
		AgreementID: a.ID, Reference: a.Reference, Programme: a.Programme, PartnerName: a.Partner.Name,
		Number: in.Number, Amount: in.Amount, Currency: a.Currency, DueDate: in.DueDate, Status: in.Status,
		PreviousCheckInIn: a.PreviousCheckInIn(in.Number), AwaitingCheckIn: in.AwaitingCheckIn,
		HoldReason: in.HoldReason, PaymentReference: in.PaymentReference, PaidOn: in.PaidOn, Payment: clone(in.Payment),
		DaysLate: in.DaysLate, DaysOnHold: in.DaysOnHold, HeldOn: in.HeldOn,
		DaysWithPartner: in.DaysWithPartner, PayableOn: in.PayableOn,
	}}
	if d, ok := a.InstalmentNextAction(in); ok {
		r.next = nextActionKey(d, a.ID, grants.WorkInstalmentDue, in.Number)
	}
	return r
}

func newCheckInRec(a *grants.Agreement, c grants.CheckIn) checkInRec {
	r := checkInRec{c: clone(c)}
	if d, ok := a.CheckInNextAction(c); ok {
		r.next = nextActionKey(d, a.ID, grants.WorkCheckInDue, c.Number)
	}
	return r
}

// bare is a's agreement item: a copy without its plans.
func bare(a *grants.Agreement) grants.Agreement {
	c := *a
	c.Instalments, c.CheckIns = nil, nil
	return clone(c)
}

// agreement assembles a copy of the agreement, with its plans if asked.
func (r *agreementRec) agreement(plans bool) *grants.Agreement {
	a := clone(r.a)
	if !plans {
		return &a
	}
	for _, in := range r.ins {
		a.Instalments = append(a.Instalments, clone(in.in))
	}
	for _, c := range r.cis {
		a.CheckIns = append(a.CheckIns, clone(c.c))
	}
	return &a
}

// unreadable is an agreement that breaks what every reader relies on
// (grants.Agreement.CheckStored), as pkg/dynamo reports it.
func unreadable(id string, err error) error {
	return fmt.Errorf("unreadable item AGR#%s / A: %w", id, err)
}

// readAgreement reads an agreement with its plans, st.mu held; a missing
// one (or an ID pkg/dynamo would never have given) is nil.
func (st *Store) readAgreement(id string) (*grants.Agreement, error) {
	if !validID(id) {
		return nil, nil
	}
	rec, ok := st.agreements[id]
	if !ok {
		return nil, nil
	}
	a := rec.agreement(true)
	if err := a.CheckStored(); err != nil {
		return nil, unreadable(id, err)
	}
	return a, nil
}

func validID(id string) bool {
	if len(id) != 16 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '2' && r <= '7') {
			return false
		}
	}
	return true
}

// CreateAgreement stores a new agreement as CreatePlanned does.
func (st *Store) CreateAgreement(ctx context.Context, a *grants.Agreement, fx grants.Effects, once *idempotency.Once[*grants.Agreement]) (*idempotency.Response, error) {
	now := fx.At
	if now.IsZero() {
		now = time.Now()
	}
	_, stored, err := st.CreatePlanned(ctx, a.Programme, a.StartDate.Year, now, once,
		func(grants.ProgrammeSettings) (*grants.Agreement, grants.Effects, error) { return a, fx, nil })
	return stored, err
}

// CreatePlanned reads the programme's settings and, with once, the stored
// answer (returned, nothing written, if it stands); plan makes the
// agreement, which is written with a new unique reference, its
// contribution to the programme's tally and its effects, in one
// transaction. A reference taken is retried with fresh random bits; an
// effect's failed condition is idempotency.ErrAnswered.
func (st *Store) CreatePlanned(ctx context.Context, programme string, year int, now time.Time, once *idempotency.Once[*grants.Agreement],
	plan func(grants.ProgrammeSettings) (*grants.Agreement, grants.Effects, error),
) (*grants.Agreement, *idempotency.Response, error) {
	if err := live(ctx); err != nil {
		return nil, nil, err
	}
	st.mu.Lock()
	settings := clone(st.settings[programme])
	settings.ProgrammeArchived = st.programmes[programme].Archived
	var rec *answerRec
	if once != nil {
		rec = st.storedAnswer(once.Request)
	}
	st.mu.Unlock()
	if once != nil {
		if stored, err := answerOf(rec, once.Request, now); err != nil || stored != nil {
			return nil, stored, err
		}
	}
	a, fx, err := plan(settings)
	if err != nil {
		return nil, nil, err
	}
	if a.Programme != programme || a.StartDate.Year != year {
		return nil, nil, fmt.Errorf("create agreement: planned for %s in %d, read for %s in %d", a.Programme, a.StartDate.Year, programme, year)
	}
	for range maxAttempts {
		a.Reference = grants.NewReference(year, randomUint32())
		a.Stats = a.ComputeStats()
		change, err := reports.ChangeOf(nil, a)
		if err != nil {
			return nil, nil, err
		}
		if once != nil {
			if fx.Answer, err = once.Answer(a); err != nil {
				return nil, nil, err
			}
		}
		ops := []op{st.referenceOp(a), st.newAgreementOp(a)}
		if t := st.tallyOp(a.Programme, change.Delta); t != nil {
			ops = append(ops, *t)
		}
		own := len(ops)
		ops = append(ops, st.effectOps(a.ID, fx)...)
		if n := createWrites(a, change, fx); n > maxTransactItems {
			return nil, nil, fmt.Errorf("create agreement: %w", errInvalidTransaction{fmt.Sprintf("%d items, over DynamoDB's %d", n, maxTransactItems)})
		}
		st.mu.Lock()
		failed, err := st.commit(ops)
		st.mu.Unlock()
		if err != nil {
			return nil, nil, fmt.Errorf("create agreement: %w", err)
		}
		if len(failed) == 0 {
			return a, nil, nil
		}
		if slices.ContainsFunc(failed, func(i int) bool { return i >= own }) {
			return nil, nil, fmt.Errorf("create agreement: %w", idempotency.ErrAnswered)
		}
	}
	return nil, nil, errBusy("Too many agreements are being created at once in this programme; try again.")
}

// createWrites counts the items pkg/dynamo's create writes: the reference,
// the agreement and each plan item, the tally and markers, the effects.
func createWrites(a *grants.Agreement, change reports.Change, fx grants.Effects) int {
	n := 2 + len(a.Instalments) + len(a.CheckIns) + markerWrites(a.ID, change) + effectCount(fx)
	if len(change.Delta) > 0 {
		n++
	}
	return n
}

func (st *Store) referenceOp(a *grants.Agreement) op {
	ref, id := a.Reference, a.ID
	return op{
		item:  "REF#" + ref,
		cond:  func() bool { _, taken := st.references[ref]; return !taken },
		apply: func() { st.references[ref] = id },
	}
}

func (st *Store) newAgreementOp(a *grants.Agreement) op {
	rec := &agreementRec{a: bare(a)}
	for _, in := range a.Instalments {
		rec.ins = append(rec.ins, newInstalmentRec(a, in))
	}
	for _, c := range a.CheckIns {
		rec.cis = append(rec.cis, newCheckInRec(a, c))
	}
	id := a.ID
	return op{
		item:  "AGR#" + id,
		cond:  func() bool { _, exists := st.agreements[id]; return !exists },
		apply: func() { st.agreements[id] = rec },
	}
}

// tallyOp adds delta to the programme's tally; nil for an empty delta.
// Counters are unbounded, as DynamoDB's numbers are: a sum past int64 is
// refused when the tally is read, never wrapped.
func (st *Store) tallyOp(programme string, delta reports.Tally) *op {
	if len(delta) == 0 {
		return nil
	}
	return &op{
		item: "TALLY#" + programme,
		apply: func() {
			t := st.tallies[programme]
			if t == nil {
				t = map[string]*big.Int{}
				st.tallies[programme] = t
			}
			for k, v := range delta {
				if t[k] == nil {
					t[k] = new(big.Int)
				}
				t[k].Add(t[k], big.NewInt(v))
			}
		},
	}
}

// markerWrites counts the marker items pkg/dynamo puts or deletes for a
// change (an active agreement's end date, a bouncing partner): those the
// agreement has after, put on every write, and those it had before and no
// longer has under the same key, deleted.
func markerWrites(id string, c reports.Change) int {
	keys := func(m reports.AgreementMarks) []string {
		var k []string
		if !m.EndDate.IsZero() {
			k = append(k, "END#"+endKey(id, m.EndDate))
		}
		if m.IsBouncing() {
			k = append(k, "BOUNCING#"+id)
		}
		return k
	}
	after := keys(c.After)
	n := len(after)
	for _, k := range keys(c.Before) {
		if !slices.Contains(after, k) {
			n++
		}
	}
	return n
}

// endKey is an end-date marker's sort key, which the summary compares with
// today as pkg/dynamo's Query does.
func endKey(id string, end grants.Date) string { return end.String() + "#" + id }

// GetAgreement reads an agreement with its instalments and check-ins.
func (st *Store) GetAgreement(ctx context.Context, id string) (*grants.Agreement, error) {
	if err := live(ctx); err != nil {
		return nil, err
	}
	st.mu.Lock()
	a, err := st.readAgreement(id)
	st.mu.Unlock()
	if err == nil && a == nil {
		err = errNotFound(id)
	}
	return a, err
}

// UpdateAgreement reads the agreement, applies mutate and writes the
// agreement, the plan items that changed and the effects in one
// transaction, on condition that no one wrote the agreement meanwhile. With
// expectVersion > 0 the agreement must be at that version (If-Match), or
// the update fails with PreconditionFailed; otherwise a lost race is
// retried. mutate must be pure: it may run again on a fresher copy.
func (st *Store) UpdateAgreement(ctx context.Context, id string, expectVersion int, mutate func(*grants.Agreement) (grants.Effects, error)) (*grants.Agreement, error) {
	return st.update(ctx, id, nil, expectVersion, mutate)
}

// UpdateRead is UpdateAgreement starting from a, a copy the caller has just
// read with GetAgreement.
func (st *Store) UpdateRead(ctx context.Context, a *grants.Agreement, mutate func(*grants.Agreement) (grants.Effects, error)) (*grants.Agreement, error) {
	return st.update(ctx, a.ID, a, 0, mutate)
}

func (st *Store) update(ctx context.Context, id string, known *grants.Agreement, expectVersion int, mutate func(*grants.Agreement) (grants.Effects, error)) (*grants.Agreement, error) {
	for range maxAttempts {
		before := known
		known = nil
		if before == nil {
			var err error
			if before, err = st.GetAgreement(ctx, id); err != nil {
				return nil, err
			}
		}
		if expectVersion > 0 && before.Version != expectVersion {
			return nil, versionMismatch(before.Version)
		}
		after := clone(before)
		fx, err := mutate(after)
		if errors.Is(err, grants.ErrNoChange) {
			return before, nil
		}
		if err != nil {
			return nil, err
		}
		err = st.write(ctx, before, after, fx)
		if err == nil {
			return after, nil
		}
		if !errors.Is(err, errRace) {
			return nil, err
		}
		if expectVersion > 0 {
			return nil, versionMismatch(0)
		}
	}
	return nil, errBusy("The agreement is being changed by someone else; try again.")
}

// write stores after over before as pkg/dynamo's write does: an
// instalment is rewritten when it changed, when the agreement's status
// did, or when the check-in before it did or is new; a check-in when it or
// the status changed; new ones are written. Each rewritten item's revision moves on.
func (st *Store) write(ctx context.Context, before, after *grants.Agreement, fx grants.Effects) error {
	if err := live(ctx); err != nil {
		return err
	}
	after.Version = before.Version + 1
	after.Stats = after.ComputeStats()
	statusChanged := before.Status != after.Status
	writeIns := make([]bool, len(after.Instalments))
	writes := 1
	for i := range after.Instalments {
		if i >= len(before.Instalments) {
			writeIns[i] = true
			writes++
			continue
		}
		prev := i - 1
		prevChanged := i > 0 && prev < len(after.CheckIns) && (prev >= len(before.CheckIns) || !reflect.DeepEqual(before.CheckIns[prev], after.CheckIns[prev]))
		if reflect.DeepEqual(before.Instalments[i], after.Instalments[i]) && !statusChanged && !prevChanged {
			continue
		}
		after.Instalments[i].Rev = before.Instalments[i].Rev + 1
		writeIns[i] = true
		writes++
	}
	writeCIs := make([]bool, len(after.CheckIns))
	for i := range after.CheckIns {
		if i >= len(before.CheckIns) {
			writeCIs[i] = true
			writes++
			continue
		}
		if reflect.DeepEqual(before.CheckIns[i], after.CheckIns[i]) && !statusChanged {
			continue
		}
		after.CheckIns[i].Rev = before.CheckIns[i].Rev + 1
		writeCIs[i] = true
		writes++
	}
	change, err := reports.ChangeOf(before, after)
	if err != nil {
		return err
	}
	if len(change.Delta) > 0 {
		writes++
	}
	writes += markerWrites(after.ID, change) + effectCount(fx)
	if writes > maxTransactItems {
		return fmt.Errorf("update of %s needs %d writes, over DynamoDB's 100 per transaction", after.ID, writes)
	}

	id, version := after.ID, before.Version
	a := bare(after)
	ins := make([]instalmentRec, len(after.Instalments))
	for i, in := range after.Instalments {
		if writeIns[i] {
			ins[i] = newInstalmentRec(after, in)
		}
	}
	cis := make([]checkInRec, len(after.CheckIns))
	for i, c := range after.CheckIns {
		if writeCIs[i] {
			cis[i] = newCheckInRec(after, c)
		}
	}
	ops := []op{{
		item: "AGR#" + id,
		cond: func() bool { rec, ok := st.agreements[id]; return ok && rec.a.Version == version },
		apply: func() {
			old := st.agreements[id]
			rec := &agreementRec{a: a}
			for i := range ins {
				if !writeIns[i] {
					ins[i] = old.ins[i]
				}
			}
			for i := range cis {
				if !writeCIs[i] {
					cis[i] = old.cis[i]
				}
			}
			// Items past the new plans stay, as pkg/dynamo deletes none.
			rec.ins = append(ins, old.ins[min(len(ins), len(old.ins)):]...)
			rec.cis = append(cis, old.cis[min(len(cis), len(old.cis)):]...)
			st.agreements[id] = rec
		},
	}}
	if t := st.tallyOp(after.Programme, change.Delta); t != nil {
		ops = append(ops, *t)
	}
	ops = append(ops, st.effectOps(id, fx)...)
	answerAt := -1 // effectOps puts the answer last
	if fx.Answer != nil {
		answerAt = len(ops) - 1
	}
	st.mu.Lock()
	failed, err := st.commit(ops)
	st.mu.Unlock()
	switch {
	case err != nil:
		return fmt.Errorf("update agreement %s: %w", id, err)
	case slices.Contains(failed, answerAt):
		return idempotency.ErrAnswered
	case len(failed) > 0:
		return errRace
	}
	return nil
}

// ListAgreements lists a programme's agreements, optionally of one status,
// by status and then oldest first, without their plans.
func (st *Store) ListAgreements(ctx context.Context, programme string, status grants.AgreementStatus, cursor string, limit int) (grants.Page[grants.Agreement], error) {
	if err := live(ctx); err != nil {
		return grants.Page[grants.Agreement]{}, err
	}
	st.mu.Lock()
	var items []keyed[grants.Agreement]
	for _, rec := range st.agreements {
		if rec.a.Programme != programme || status != "" && rec.a.Status != status {
			continue
		}
		items = append(items, keyed[grants.Agreement]{programmeOrder(&rec.a), *rec.agreement(false)})
	}
	st.mu.Unlock()
	sortKeyed(items)
	p, err := pageBothWays(items, "PROG#"+programme, cursor, limit)
	p.Items = readable(ctx, p.Items)
	return p, err
}

// pageBothWays is page, and a cursor starting "~" (a PrevCursor) reads the
// page before the key it names, as pkg/dynamo reads its index backwards.
func pageBothWays[T any](items []keyed[T], partition, cur string, limit int) (grants.Page[T], error) {
	back := strings.HasPrefix(cur, "~")
	if !back {
		p, err := page(items, partition, cur, limit)
		if err == nil && cur != "" && len(p.Items) > 0 {
			after, _ := decodeCursor(cur, partition)
			for _, it := range items {
				if it.key > after {
					p.PrevCursor = "~" + encodeCursor(partition, it.key)
					break
				}
			}
		}
		return p, err
	}
	if limit < 1 {
		return grants.Page[T]{}, errLimit(limit)
	}
	before, err := decodeCursor(strings.TrimPrefix(cur, "~"), partition)
	if err != nil {
		return grants.Page[T]{}, err
	}
	end := 0
	for end < len(items) && items[end].key < before {
		end++
	}
	from := max(0, end-limit)
	out := grants.Page[T]{Items: []T{}}
	for _, it := range items[from:end] {
		out.Items = append(out.Items, it.v)
	}
	if end > from {
		out.NextCursor = encodeCursor(partition, items[end-1].key)
		if end-from == limit {
			out.PrevCursor = "~" + encodeCursor(partition, items[from].key)
		}
	}
	return out, nil
}

// readable drops agreements that break CheckStored, logging each, as
// pkg/dynamo's lists skip an unreadable item.
func readable(ctx context.Context, list []grants.Agreement) []grants.Agreement {
	return slices.DeleteFunc(list, func(a grants.Agreement) bool {
		err := a.CheckStored()
		if err != nil {
			slog.ErrorContext(ctx, "skipped an unreadable item", "pk", "AGR#"+a.ID, "sk", "A", "error", err.Error())
		}
		return err != nil
	})
}

func sortKeyed[T any](items []keyed[T]) {
	slices.SortFunc(items, func(x, y keyed[T]) int { return strings.Compare(x.key, y.key) })
}

// historyRec is an audit entry with its sort key.
type historyRec struct {
	sk string
	e  grants.AuditEntry
}

// History lists an agreement's audit entries, oldest first.
func (st *Store) History(ctx context.Context, id string, cursor string, limit int) (grants.Page[grants.AuditEntry], error) {
	if err := live(ctx); err != nil {
		return grants.Page[grants.AuditEntry]{}, err
	}
	st.mu.Lock()
	items := make([]keyed[grants.AuditEntry], 0, len(st.history[id]))
	for _, h := range st.history[id] {
		items = append(items, keyed[grants.AuditEntry]{h.sk, clone(h.e)})
	}
	st.mu.Unlock()
	return page(items, "AGR#"+id, cursor, limit)
}

// AllHistory reads an agreement's whole history, oldest first.
func (st *Store) AllHistory(ctx context.Context, id string) ([]grants.AuditEntry, error) {
	var all []grants.AuditEntry
	cursor := ""
	for {
		p, err := st.History(ctx, id, cursor, 200)
		if err != nil {
			return nil, err
		}
		all = append(all, p.Items...)
		if cursor = p.NextCursor; cursor == "" {
			return all, nil
		}
	}
}

// AgreementProgramme is the programme agreement id belongs to.
func (st *Store) AgreementProgramme(ctx context.Context, id string) (string, error) {
	a, err := st.GetAgreement(ctx, id)
	if err != nil {
		return "", err
	}
	return a.Programme, nil
}
