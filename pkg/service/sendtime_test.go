package service_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/service"
)

// laterSendTime gives agreement id the send time hhmm, as activating it
// under a programme whose send time is hhmm does.
func (e *env) laterSendTime(t *testing.T, id, hhmm string) *grants.Agreement {
	t.Helper()
	a, err := e.store.UpdateAgreement(context.Background(), id, 0, grants.AuditOnly(func(a *grants.Agreement) ([]grants.AuditEntry, error) {
		tm := a.Timing.Normalized()
		tm.SendTime = hhmm
		a.Timing = &tm
		return []grants.AuditEntry{{At: e.clock.Now(), Actor: "test", Action: "timing.set"}}, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// sweepsAt runs the sweep at each time of day (HH:MM, London) on d, as the
// half-hourly schedule does, and returns the last run's report.
func (e *env) sweepsAt(t *testing.T, d grants.Date, times ...string) (rep service.SweepReport) {
	t.Helper()
	for _, hm := range times {
		at, err := time.ParseInLocation("2006-01-02 15:04", d.String()+" "+hm, london)
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Set(at)
		if rep, err = e.x.Sweep(context.Background()); err != nil {
			t.Fatalf("sweep at %s %s: %v", d, hm, err)
		}
	}
	return rep
}

// subjectsWith counts the messages whose subject holds s.
func subjectsWith(ms []emulator.SESMessage, s string) int {
	n := 0
	for _, m := range ms {
		if strings.Contains(m.Subject, s) {
			n++
		}
	}
	return n
}

// Issue 25, item 3: a programme's send time after the deployment's 09:00
// (10:30) holds its reminders until then, not for ever. The sweep runs
// every half hour: the runs before 10:30 send nothing of the agreement's,
// the 10:30 run sends its check-in (its schedule missed) and, on its day,
// its reminder, and the runs after it send neither again.
func TestHalfHourlySweepsSendAtALaterSendTimeOnce(t *testing.T) {
	e := newEnv(t, activatedAt, options{})
	contact := e.contact("amina")
	a := e.agreement(t, start, false, contact)
	a = e.laterSendTime(t, a.ID, "10:30")
	c := a.CheckIns[0]
	day := a.SendOn(c.DueDate)
	mail := func() []emulator.SESMessage { return e.mailTo(t, contact) }

	// Each run before 10:30 reports that something waits until then.
	rep := e.sweepsAt(t, day, "00:00", "08:30", "09:00", "09:30", "10:00")
	if want := day.At(10, 30, london); !rep.Next.Equal(want) {
		t.Errorf("the 10:00 run says the next work is at %v, want %v", rep.Next, want)
	}
	if got := mail(); subjectsWith(got, "Check-in 1 of") != 0 || e.get(t, a.ID).CheckIns[0].Status != grants.CheckInScheduled {
		t.Fatalf("before 10:30: %v", subjects(got))
	}
	if rep := e.sweepsAt(t, day, "10:30", "11:00", "11:30", "15:00"); !rep.Next.IsZero() {
		t.Errorf("after 10:30 the runs say work waits until %v", rep.Next)
	}
	if got := mail(); subjectsWith(got, "Check-in 1 of") != 1 {
		t.Fatalf("after the sweeps from 10:30: %v, want one check-in", subjects(got))
	}
	sent := e.get(t, a.ID).CheckIns[0]
	if sent.Status != grants.CheckInSent || sent.SentAt.In(london).Format("15:04") != "10:30" {
		t.Fatalf("check-in 1: %s sent at %v, want 10:30", sent.Status, sent.SentAt)
	}

	// Its first reminder: the day's runs before 10:30 wait, the 10:30 run
	// sends it, the later ones do not again.
	remind := sent.RemindOn
	e.sweepsAt(t, remind, "09:00", "09:30", "10:00")
	if n := subjectsWith(mail(), "reminder: check-in 1"); n != 0 {
		t.Fatalf("%d reminders before 10:30", n)
	}
	e.sweepsAt(t, remind, "10:30", "11:00", "11:30")
	if n := subjectsWith(mail(), "reminder: check-in 1"); n != 1 {
		t.Fatalf("%d reminders after the runs from 10:30 on %s, want 1: %v", n, remind, subjects(mail()))
	}
}

// queueSpy is the check-in queue as the sweep sees it.
type queueSpy struct {
	mu     sync.Mutex
	queued []grants.Work
}

func (q *queueSpy) EnqueueCheckIns(_ context.Context, due []grants.Work) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.queued = append(q.queued, due...)
	return nil
}

func (q *queueSpy) count() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.queued)
}

func (q *queueSpy) countOf(id string) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for _, w := range q.queued {
		if w.AgreementID == id {
			n++
		}
	}
	return n
}

// Issue 27, item 6: each check-in queued once. Run every half hour, the
// sweep leaves a check-in whose schedule exists to that schedule on its
// day, and queues one whose schedule is missing once that day however many
// runs find it unsent while the queue drains (a later repair gives it no
// schedule to queue it again); the next working day, still unsent, each is
// queued once more (the schedule failed, or the message was lost).
func TestSweepQueuesACheckInOnceADayOnlyWhenItsScheduleIsMissingOrFailed(t *testing.T) {
	e := newEnv(t, activatedAt, options{})
	q := &queueSpy{}
	e.x.CheckIns = q
	missing := e.agreement(t, start, false, e.contact("amina"))
	missing = e.laterSendTime(t, missing.ID, "10:30")
	scheduled := e.agreement(t, start, true, e.contact("joe"))
	// Scheduler is down: the sweep's repairs fail as none were made, so the
	// first agreement's schedules stay missing.
	scheduler := e.x.Schedules
	e.x.Schedules = service.NoSchedules
	if !scheduled.CheckIns[0].ScheduleCreated || missing.CheckIns[0].ScheduleCreated {
		t.Fatal("want one check-in with its schedule, one without")
	}
	day := missing.SendOn(missing.CheckIns[0].DueDate)
	if day != scheduled.SendOn(scheduled.CheckIns[0].DueDate) {
		t.Fatal("want both check-ins on one day")
	}
	e.sweepsAt(t, day, "09:00", "09:30", "10:00")
	if n := q.count(); n != 0 {
		t.Fatalf("%d queued before 10:30: the scheduled one is its schedule's", n)
	}
	e.sweepsAt(t, day, "10:30", "11:00", "11:30", "12:00", "15:00")
	if n, s := q.countOf(missing.ID), q.countOf(scheduled.ID); n != 1 || s != 0 {
		t.Fatalf("on its day: the one without a schedule queued %d times, the scheduled one %d; want 1 and 0", n, s)
	}
	// Scheduler is back and the agreement's schedules are repaired: the
	// queued check-in gets none, which would queue it again.
	a, err := scheduler.Sync(context.Background(), e.get(t, missing.ID))
	if err != nil {
		t.Fatal(err)
	}
	if a.CheckIns[0].ScheduleCreated || !a.CheckIns[1].ScheduleCreated {
		t.Fatalf("after a repair: check-in 1 has a schedule %v (want none, it is queued), check-in 2 %v (want one)",
			a.CheckIns[0].ScheduleCreated, a.CheckIns[1].ScheduleCreated)
	}
	next := e.get(t, missing.ID).Timing.NextWorkingDay(day.AddDays(1))
	e.sweepsAt(t, next, "09:00", "09:30", "10:30", "11:00", "16:30")
	if n, s := q.countOf(missing.ID), q.countOf(scheduled.ID); n != 2 || s != 1 {
		t.Fatalf("by the next working day, still unsent: queued %d and %d times, want 2 and 1", n, s)
	}
}

// Issue 25, item 3: the late-payment digest's frequency. Weekly on
// Thursday, finance gets one digest that day (however often the sweep
// runs), none on the other days; off, none at all. It comes from the
// programme's sender name.
func TestLateDigestWeeklyOrOff(t *testing.T) {
	e := newEnv(t, activatedAt, options{})
	e.x.Programmes, e.x.NewID, e.x.Events = []string{"community-2026"}, memstore.NewID, paidEvents{}
	ctx := context.Background()
	settings := grants.ProgrammeSettings{LateDigest: "weekly-thursday", SenderName: "Riverside Community Fund"}
	if err := e.x.Store.(*memstore.Store).PutProgrammeSettings(ctx, "community-2026", settings); err != nil {
		t.Fatal(err)
	}
	e.agreement(t, start, true, e.contact("amina"))
	digests := func() []emulator.SESMessage { return withPrefix(e.mailTo(t, e.finance), digestSubject) }

	// Instalment 1 (due Monday 2 March) is beyond 10 working days late from
	// Tuesday 17 March: not a Thursday, so nothing.
	for _, d := range []int{17, 18} {
		e.sweepsAt(t, grants.Date{Year: 2026, Month: 3, Day: d}, "09:00", "12:00")
	}
	if got := digests(); len(got) != 0 {
		t.Fatalf("before Thursday: %v", subjects(got))
	}
	thursday := grants.Date{Year: 2026, Month: 3, Day: 19}
	e.sweepsAt(t, thursday, "08:30", "09:00", "09:30", "14:00")
	e.sweepsAt(t, grants.Date{Year: 2026, Month: 3, Day: 20}, "09:00")
	got := digests()
	if len(got) != 1 || !strings.Contains(got[0].Subject, "19 March 2026") {
		t.Fatalf("weekly on Thursday: %v, want one, of 19 March", subjects(got))
	}
	if !strings.Contains(got[0].From, "Riverside Community Fund") {
		t.Errorf("the digest is from %q, want the programme's sender name", got[0].From)
	}

	settings.LateDigest = grants.DigestOff
	if err := e.x.Store.(*memstore.Store).PutProgrammeSettings(ctx, "community-2026", settings); err != nil {
		t.Fatal(err)
	}
	e.sweepsAt(t, grants.Date{Year: 2026, Month: 3, Day: 26}, "09:00", "12:00")
	if got := digests(); len(got) != 1 {
		t.Errorf("off: %d digests, want still 1", len(got))
	}
}

// Issue 25, item 3: the programme's time zone and send time are what its
// new agreements are made and activated with; an agreement made before a
// change keeps its zone, and one activated before keeps its send time.
func TestNewAgreementsTakeTheProgrammesZoneAndSendTime(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC), options{})
	e.x.NewID = memstore.NewID
	create := func(name string) *grants.Agreement {
		t.Helper()
		a, _, err := e.x.CreateAgreement(ctx, "olu", grants.NewAgreementInput{Programme: "community-2026",
			Partner:  grants.Partner{Name: name, RegistrationNumber: "1180123", Address: "1 Stockport Road"},
			Contacts: []grants.Contact{{Name: "Asha Patel", Email: e.contact("lead"), Role: "lead"}}, Amount: 1_000_000, StartDate: "2027-03-08",
			Terms: []string{"Run a weekly community meal"}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	activate := func(a *grants.Agreement) *grants.Agreement {
		t.Helper()
		if _, err := e.x.agreements().Activate(ctx, "olu", a.ID); err != nil {
			t.Fatal(err)
		}
		return e.get(t, a.ID)
	}
	before := activate(create("Levenshulme Community Kitchen"))
	settings := service.NewSettings(e.x.Store.(*memstore.Store), e.x.env())
	if _, err := settings.Change(ctx, settingsAdmin, "community-2026", 1, grants.SettingsPatch{TimeZone: ptr("Europe/Dublin"), SendTime: ptr("10:30")}); err != nil {
		t.Fatal(err)
	}
	after := activate(create("Ardwick Food Share"))
	if after.TimeZone != "Europe/Dublin" || after.Timing.SendTime != "10:30" {
		t.Errorf("made and activated after the change: %s at %s, want Europe/Dublin at 10:30", after.TimeZone, after.Timing.SendTime)
	}
	if before = e.get(t, before.ID); before.TimeZone != grants.DefaultTimeZone || before.Timing.SendTime != "09:00" {
		t.Errorf("made and activated before the change: %s at %s, want it kept", before.TimeZone, before.Timing.SendTime)
	}
}
