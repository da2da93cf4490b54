package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/logs"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// Remind handles a sent check-in whose reminder date has come: a reminder
// goes to the partner, or after the programme's limit the check-in becomes
// overdue and the officer is told. Each of these happens once.
func (x *Automation) Remind(ctx context.Context, agreementID string, n int) error {
	ctx = logs.WithAgreement(ctx, agreementID)
	// The settings are read before the change, which stays a pure function
	// of the agreement.
	a, p, err := x.env.agreementAndSettings(ctx, x.store, agreementID)
	if err != nil {
		return err
	}
	now := x.env.Now()
	var key outbox.Key
	a, err = x.store.UpdateRead(ctx, a, func(a *grants.Agreement) (grants.Effects, error) {
		e, reminder, overdue, changed := a.RemindOrEscalate(n, now, p.ReminderDays, p.MaxReminders)
		if !changed {
			return grants.Effects{}, grants.ErrNoChange
		}
		key = outbox.ReminderKey(n, reminder)
		if overdue {
			key = outbox.OverdueKey(n)
		}
		return grants.Effects{At: now, Audit: []grants.AuditEntry{e}, Outbox: []outbox.Key{key}}, nil
	})
	if err != nil || key == (outbox.Key{}) {
		return err
	}
	return x.courier.deliverOne(ctx, agreementID, key.String(), a, &p)
}

// CheckInQueue takes check-ins to be sent at the account's rate
// (pkg/checkinqueue); the CheckInSender sends them through SendCheckIn.
type CheckInQueue interface {
	EnqueueCheckIns(ctx context.Context, due []grants.Work) error
}

// The sweep handles the due items a window at a time, the agreements of a
// window in parallel (one agreement's items in order, by one worker, so they
// never contend for its optimistic lock): a morning of 100,000 items then
// takes minutes, not the hours one at a time would. After each window the
// check-ins it found due are queued, in due order, so a long sweep's
// progress is kept as it goes.
const (
	sweepWindow  = 200
	sweepWorkers = 16
)

// The sweep runs every half hour (template.yaml), and a programme's
// reminders and queued emails go with the first run at or after its send
// time: each agreement's items wait for their own (Agreement.Sendable), and
// each email is claimed in the outbox before it goes, so however many runs
// find it, it goes once. A check-in is queued once: by its schedule, or by
// the sweep when its schedule is missing or failed, at most once a day
// (grants.Agreement.SweepQueues says which and why).

// SweepReport says what a sweep did.
type SweepReport struct {
	Today             grants.Date
	Items             int
	InstalmentsDue    int
	CheckInsSent      int
	CheckInsQueued    int
	Reminders         int
	SchedulesRepaired int
	OutboxDelivered   int
	// LateDigests counts the digests of late instalments sent to finance.
	LateDigests int
	// HeldDigests counts the officers' digests of held messages sent (one a day at most).
	HeldDigests int
	Failed      int
	// Next is the earliest instant after the run at which something it
	// found waiting today (an item or digest before its send time) may go:
	// the next run with work of the day's (zero: none waits today).
	Next time.Time
}

// waits notes that something waits until at (today only: tomorrow's first
// run finds it again).
func (r *SweepReport) waits(at time.Time, loc *time.Location) {
	if grants.Today(at, loc) != r.Today {
		return
	}
	if r.Next.IsZero() || at.Before(r.Next) {
		r.Next = at
	}
}

// Sweep does, for every item the next-action index says is due by today,
// what its schedule or trigger should have done. It reads only the index
// entries that are due, so its cost follows the work due, not the table.
// One item's failure does not stop the others; it is retried tomorrow (or
// when the sweep runs again). Built with a queue (NewQueueingAutomation),
// it queues due check-ins, in due order, rather than send them: the
// queue's consumer sends them at the account's SES rate, so a morning of
// thousands is never sent inside the sweep's one invocation. Once the send time has come it also
// sends the day's digests: finance's of late instalments, the officers' of
// held messages. It runs every half hour: what waits for a programme's
// send time goes with the first run at or after it, once (queueWindow).
func (x *Automation) Sweep(ctx context.Context) (SweepReport, error) {
	now := x.env.Now()
	today := grants.Today(now, x.env.location())
	rep := SweepReport{Today: today}
	work, err := x.store.DueWork(ctx, today)
	if err != nil {
		return rep, err
	}
	rep.Items = len(work)
	run := &sweepRun{rep: &rep, repaired: map[string]bool{}}
	for from := 0; from < len(work); from += sweepWindow {
		x.sweepWindow(ctx, work, from, min(from+sweepWindow, len(work)), today, run)
	}
	errs := run.errs
	programmes, err := x.sweepProgrammes(ctx)
	if err != nil {
		// The configured programmes' digests still go.
		rep.Failed++
		errs = append(errs, err)
		slog.ErrorContext(ctx, "list programmes failed", "error", err.Error())
	}
	for _, programme := range programmes {
		sent, waits, err := x.lateDigestNow(ctx, programme)
		if !waits.IsZero() {
			rep.waits(waits, x.env.location())
		}
		if err != nil {
			rep.Failed++
			errs = append(errs, err)
			slog.ErrorContext(ctx, "late digest failed", "programme", programme, "error", err.Error())
		}
		if sent {
			rep.LateDigests++
		}
	}
	if at, waits := x.heldDigestWaits(); waits {
		rep.waits(at, x.env.location())
	}
	sent, err := x.HeldDigest(ctx)
	if err != nil {
		rep.Failed++
		errs = append(errs, err)
		slog.ErrorContext(ctx, "held-messages digest failed", "error", err.Error())
	}
	if sent {
		rep.HeldDigests++
	}
	slog.InfoContext(ctx, "sweep done", "today", today.String(), "items", rep.Items, "instalmentsDue", rep.InstalmentsDue,
		"checkInsSent", rep.CheckInsSent, "checkInsQueued", rep.CheckInsQueued, "reminders", rep.Reminders, "schedulesRepaired", rep.SchedulesRepaired,
		"lateDigests", rep.LateDigests, "heldDigests", rep.HeldDigests, "failed", rep.Failed, "next", rep.Next)
	if len(errs) > 0 {
		return rep, fmt.Errorf("%d of %d sweep items failed: %w", len(errs), len(work)+len(programmes)+1, errors.Join(errs...))
	}
	return rep, nil
}

// sweepRun is what a sweep's workers share.
type sweepRun struct {
	mu       sync.Mutex
	rep      *SweepReport
	repaired map[string]bool // agreements whose schedules were synced
	queued   []queuedCheckIn // this window's, to queue when it is done
	errs     []error
}

type queuedCheckIn struct {
	at   int // its place in the due work, for due order
	work grants.Work
}

func (r *sweepRun) waits(at time.Time, loc *time.Location) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rep.waits(at, loc)
}

func (r *sweepRun) count(f func(*SweepReport)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f(r.rep)
}

// firstRepair reports whether this is the first time the sweep repairs the
// agreement's schedules (a Sync covers all of them).
func (r *sweepRun) firstRepair(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.repaired[id] {
		return false
	}
	r.repaired[id] = true
	r.rep.SchedulesRepaired++
	return true
}

// sweepWindow handles work[from:to]: each agreement's items in order, up to
// sweepWorkers agreements at once; then queues the check-ins found due, in
// due order.
func (x *Automation) sweepWindow(ctx context.Context, work []grants.Work, from, to int, today grants.Date, run *sweepRun) {
	var order []string
	items := map[string][]int{}
	for i := from; i < to; i++ {
		id := work[i].AgreementID
		if _, ok := items[id]; !ok {
			order = append(order, id)
		}
		items[id] = append(items[id], i)
	}
	var wg sync.WaitGroup
	slots := make(chan struct{}, sweepWorkers)
	for _, id := range order {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			for _, i := range items[id] {
				w := work[i]
				ctx := ctx
				if _, finance := outbox.IsFinancePartition(w.AgreementID); !finance && w.AgreementID != outbox.InboundPartition {
					ctx = logs.WithAgreement(ctx, w.AgreementID)
				}
				if err := x.sweepOne(ctx, w, today, run, i); err != nil {
					slog.ErrorContext(ctx, "sweep item failed", "agreementId", w.AgreementID, "kind", w.Kind, "number", w.Number, "key", w.Key, "error", err.Error())
					run.mu.Lock()
					run.rep.Failed++
					run.errs = append(run.errs, err)
					run.mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if len(run.queued) == 0 {
		return
	}
	slices.SortFunc(run.queued, func(a, b queuedCheckIn) int { return a.at - b.at })
	due := make([]grants.Work, len(run.queued))
	for i, q := range run.queued {
		due[i] = q.work
	}
	run.queued = run.queued[:0]
	if err := x.queue.EnqueueCheckIns(ctx, due); err != nil {
		slog.ErrorContext(ctx, "queueing check-ins failed", "checkIns", len(due), "error", err.Error())
		run.rep.Failed += len(due)
		run.errs = append(run.errs, err)
		return
	}
	run.rep.CheckInsQueued += len(due)
	x.markQueued(ctx, due, today, run)
}

// markQueued records on each check-in the sweep queued that it did today,
// so the day's later runs do not queue it again. After the queueing: a
// check-in marked but not queued would wait a day, while one queued but not
// marked (the write failed) is queued again by the next run, which the
// outbox claim makes harmless.
func (x *Automation) markQueued(ctx context.Context, due []grants.Work, today grants.Date, run *sweepRun) {
	var wg sync.WaitGroup
	slots := make(chan struct{}, sweepWorkers)
	for _, w := range due {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			_, err := x.store.UpdateAgreement(ctx, w.AgreementID, 0, func(a *grants.Agreement) (grants.Effects, error) {
				if !a.MarkQueued(w.Number, today) {
					return grants.Effects{}, grants.ErrNoChange
				}
				return grants.Effects{}, nil
			})
			if err != nil && !errors.Is(err, grants.ErrNoChange) {
				// Not a failure of the sweep: the check-in is on the queue.
				slog.WarnContext(logs.WithAgreement(ctx, w.AgreementID), "marking a check-in queued failed; a later run may queue it again",
					"checkIn", w.Number, "error", err.Error())
			}
		})
	}
	wg.Wait()
}

func (x *Automation) sweepOne(ctx context.Context, w grants.Work, today grants.Date, run *sweepRun, at int) error {
	if k, _ := outbox.ParseKey(w.Key); w.Kind == grants.WorkOutbox && w.AgreementID == outbox.InboundPartition && k.Kind == outbox.KindMessage {
		// A received message whose processing did not finish: SES's Lambda
		// retries (and its failure destination) own it, not the sweep.
		slog.WarnContext(ctx, "inbound message still claimed", "key", w.Key)
		return nil
	}
	now := x.env.Now()
	if w.Kind == grants.WorkOutbox {
		if k, _ := outbox.ParseKey(w.Key); k.Kind == outbox.KindWelcome || k.Kind == outbox.KindThankYou || k.Kind == outbox.KindNotice ||
			k.Kind == outbox.KindAgreement || k.Kind == outbox.KindProposal || k.Kind == outbox.KindReflection || k.Kind == outbox.KindStory {
			// A partner's email waits for a working day's send time.
			a, err := x.store.GetAgreement(ctx, w.AgreementID)
			if err != nil || !a.Sendable(today, now) {
				if err == nil {
					run.waits(a.SendAfter(today, now), x.env.location())
				}
				return err
			}
		}
		run.count(func(r *SweepReport) { r.OutboxDelivered++ })
		return x.Deliver(ctx, w.AgreementID, w.Key)
	}
	a, err := x.store.GetAgreement(ctx, w.AgreementID)
	if err != nil {
		return err
	}
	// An item goes out on its send day (a working day on or before its
	// date), at the send time; before then it waits for its schedule or a
	// later sweep.
	switch w.Kind {
	case grants.WorkInstalmentDue:
		in := a.Instalment(w.Number)
		if in == nil || in.Status != grants.InstalmentScheduled {
			return nil
		}
		if !a.SendOn(in.DueDate).After(today) {
			if a.Sendable(in.DueDate, now) {
				run.count(func(r *SweepReport) { r.InstalmentsDue++ })
				return x.InstalmentDue(ctx, a.ID, w.Number)
			}
			run.waits(a.SendAfter(in.DueDate, now), x.env.location())
			if in.ScheduleCreated {
				return nil
			}
		}
	case grants.WorkCheckInDue:
		c := a.CheckIn(w.Number)
		if c == nil {
			return nil
		}
		switch {
		case c.Status == grants.CheckInScheduled && !a.SendOn(c.DueDate).After(today):
			if a.Sendable(c.DueDate, now) {
				if x.queue != nil {
					if !a.SweepQueues(*c, today) {
						// Its schedule's on its day, or queued by an earlier
						// run today: the queue drains it.
						return nil
					}
					run.mu.Lock()
					run.queued = append(run.queued, queuedCheckIn{at: at, work: w})
					run.mu.Unlock()
					return nil
				}
				run.count(func(r *SweepReport) { r.CheckInsSent++ })
				return x.SendCheckIn(ctx, a.ID, w.Number)
			}
			run.waits(a.SendAfter(c.DueDate, now), x.env.location())
			if c.ScheduleCreated {
				return nil
			}
		case c.Status == grants.CheckInSent:
			if !a.Sendable(c.RemindOn, now) {
				if !a.SendOn(c.RemindOn).After(today) {
					run.waits(a.SendAfter(c.RemindOn, now), x.env.location())
				}
				return nil
			}
			run.count(func(r *SweepReport) { r.Reminders++ })
			return x.Remind(ctx, a.ID, w.Number)
		}
	}
	// Not yet due, so it is here because its schedule is missing.
	if _, none := x.schedules.(noSchedules); none || !run.firstRepair(a.ID) {
		return nil
	}
	_, err = x.schedules.Sync(ctx, a)
	return err
}

// sweepProgrammes are the programmes the daily run sends late digests for:
// every one not archived, created (the store's) or configured; the
// configured ones alone if the store cannot be read.
func (x *Automation) sweepProgrammes(ctx context.Context) ([]string, error) {
	configured := make([]grants.Programme, 0, len(x.opts.Programmes))
	for _, code := range x.opts.Programmes {
		configured = append(configured, grants.Programme{Code: code})
	}
	stored, err := x.store.Programmes(ctx)
	if err != nil {
		return x.opts.Programmes, fmt.Errorf("list programmes: %w", err)
	}
	return activeCodes(mergeProgrammes(stored, configured)), nil
}
