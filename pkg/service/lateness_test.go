package service_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/reports"
	"github.com/partnership-grants/backend/pkg/service"
)

func withPrefix(ms []emulator.SESMessage, prefix string) []emulator.SESMessage {
	var out []emulator.SESMessage
	for _, m := range ms {
		if strings.HasPrefix(m.Subject, prefix) {
			out = append(out, m)
		}
	}
	return out
}

const digestSubject = "Late payments: "

// Finance's digest of late instalments: none while nothing is beyond the
// programme's 10 working days, then one on the day something is, however
// often (and however concurrently) the sweep runs; one the next day too
// while it is still late, none once it is paid. The summary counts it late
// now, and, once paid, measures it.
func TestLateDigestOnceADay(t *testing.T) {
	e := newEnv(t, activatedAt, options{})
	e.x.Programmes, e.x.NewID, e.x.Events = []string{"community-2026"}, memstore.NewID, paidEvents{}
	ctx := context.Background()
	a := e.agreement(t, start, true, e.contact("amina"))
	views := service.NewViews(e.store, service.Env{Defaults: e.x.Defaults, Now: e.clock.Now, Location: london})
	digests := func() []emulator.SESMessage { return withPrefix(e.mailTo(t, e.finance), digestSubject) }
	sweep := func(day grants.Date) service.SweepReport {
		t.Helper()
		e.clock.Set(at9(day))
		rep, err := e.x.Sweep(ctx)
		if err != nil {
			t.Fatalf("sweep on %s: %v", day, err)
		}
		return rep
	}
	lateNow := func() int {
		t.Helper()
		s, _, err := views.Summary(ctx, "community-2026")
		if err != nil {
			t.Fatal(err)
		}
		return s.Lateness.LateNow
	}

	// Instalment 1 falls due on Monday 2 March; 10 working days on, Monday
	// 16 March, it is late but still within the setting.
	for _, d := range []grants.Date{{Year: 2026, Month: 3, Day: 2}, {Year: 2026, Month: 3, Day: 16}} {
		if rep := sweep(d); rep.LateDigests != 0 {
			t.Errorf("%s: %d digests", d, rep.LateDigests)
		}
	}
	if got := digests(); len(got) != 0 || lateNow() != 0 {
		t.Fatalf("within the setting: %d digests, %d late now", len(got), lateNow())
	}
	if in := e.x.Measured(e.get(t, a.ID)).Instalment(1); in.DaysLate != 10 {
		t.Errorf("16 March: instalment 1 is %d working days late, want 10", in.DaysLate)
	}

	// Tuesday 17 March, before the send time: nothing yet.
	tuesday := grants.Date{Year: 2026, Month: 3, Day: 17}
	e.clock.Set(tuesday.At(7, 0, london))
	if sent, err := e.x.LateDigest(ctx, "community-2026"); err != nil || sent {
		t.Fatalf("before the send time: sent=%v, %v", sent, err)
	}
	// At the send time, three sweeps at once and one after: one digest.
	e.clock.Set(at9(tuesday))
	for i, err := range concurrently(3, func() error { _, err := e.x.Sweep(ctx); return err }) {
		if err != nil {
			t.Fatalf("sweep %d: %v", i, err)
		}
	}
	if rep := sweep(tuesday); rep.LateDigests != 0 {
		t.Errorf("a fourth sweep sent a digest: %+v", rep)
	}
	got := digests()
	if len(got) != 1 {
		t.Fatalf("%d digests on 17 March, want 1: %v", len(got), subjects(got))
	}
	d := got[0]
	if d.Subject != "Late payments: 1 instalment more than 10 working days late – 17 March 2026" ||
		!strings.Contains(d.Body.Text, "Levenshulme Community Kitchen, "+a.Reference+", instalment 1: £2,500.00, due 2 March 2026, 11 days with finance; due") {
		t.Errorf("digest %q:\n%s", d.Subject, d.Body.Text)
	}
	if n := lateNow(); n != 1 {
		t.Errorf("summary: %d late now, want 1", n)
	}

	// Still late on Wednesday, and nothing else: the same list is not sent
	// again (issue 26, item 12); it would be on Monday, the week's first
	// working day.
	sweep(grants.Date{Year: 2026, Month: 3, Day: 18})
	if got := digests(); len(got) != 1 {
		t.Fatalf("%d digests after 18 March, want still 1", len(got))
	}

	// Paid on Wednesday 18 March, 12 working days late, by two people;
	// the request is sent twice with its idempotency key (the second gets
	// the first's answer) and the approval twice (the second refused).
	counted := e.countMetrics()
	req := grants.PaymentRequest{PaymentReference: "BACS-1", PaidOn: "2026-03-18"}
	once := func() *idempotency.Once[*grants.Agreement] {
		body, _ := json.Marshal(req)
		return &idempotency.Once[*grants.Agreement]{
			Request: idempotency.Request{Scope: "payments", Caller: "fin1", Key: "pay-1", Payload: body},
			Render: func(a *grants.Agreement) (idempotency.Response, error) {
				b, err := json.Marshal(a)
				return idempotency.Response{StatusCode: 201, Body: b}, err
			}}
	}
	paid, _, err := e.x.RequestPayment(ctx, grants.Actor{ID: "fin1", Name: "fin1"}, a.ID, 1, req, once())
	if err != nil {
		t.Fatal(err)
	}
	if again, replay, err := e.x.RequestPayment(ctx, grants.Actor{ID: "fin1", Name: "fin1"}, a.ID, 1, req, once()); err != nil || again != nil || replay == nil {
		t.Fatalf("the request again: %v, replay %v, error %v; want the first answer replayed", again, replay, err)
	}
	for i := range 2 {
		if _, err := e.x.ApprovePayment(ctx, grants.Actor{ID: "fin2", Name: "fin2"}, a.ID, 1, paid.Instalment(1).Payment.ID); (err != nil) != (i == 1) {
			t.Fatalf("approval %d: %v", i+1, err)
		}
	}
	if r, p, late := counted.sum(t, service.MetricPaymentsRequested), counted.sum(t, service.MetricPaymentsApproved), counted.values(t, service.MetricDaysLate); r != 1 || p != 1 || len(late) != 1 || late[0] != 12 {
		t.Errorf("counted %d requested, %d approved, days late %v; want 1, 1, [12]", r, p, late)
	}
	if in := e.get(t, a.ID).Instalment(1); in.DaysLate != 12 {
		t.Errorf("stored days late %d, want 12", in.DaysLate)
	}
	sweep(grants.Date{Year: 2026, Month: 3, Day: 19})
	if got := digests(); len(got) != 1 {
		t.Errorf("%d digests after the payment, want still 1: nothing is late", len(got))
	}
	s, _, err := views.Summary(ctx, "community-2026")
	if err != nil {
		t.Fatal(err)
	}
	if l := s.Lateness; l.LateNow != 0 || l.InstalmentsPaid != 1 || l.PaidOnTime != 0 || l.OnTimeRate == nil || *l.OnTimeRate != 0 ||
		l.MedianDaysLate == nil || *l.MedianDaysLate != 12 || l.OnTimeWorkingDays != 10 {
		t.Errorf("summary lateness after paying 12 days late: %+v", l)
	}
}

// Under afterCheckIn, the days an instalment waits on the partner's
// check-in are not finance's (issue 26, item 8): the late-payments digest
// does not list it while it waits, nor for the first 10 working days after
// the check-in came in; the summary does not count it late now; and once
// paid, the on-time rate and the median count finance's days only.
// Instalment 2 falls due Tuesday 2 June 2026; check-in 1 comes in 20
// working days later, Tuesday 30 June.
func TestLatenessIgnoresDaysWaitingOnThePartner(t *testing.T) {
	e := newEnv(t, activatedAt, options{})
	e.x.Programmes, e.x.NewID, e.x.Events = []string{"community-2026"}, memstore.NewID, paidEvents{}
	e.x.Defaults.PaymentPolicy = grants.PolicyAfterCheckIn
	ctx := context.Background()
	a := e.agreement(t, start, true, e.contact("amina"))
	if a.Policy() != grants.PolicyAfterCheckIn {
		t.Fatalf("policy %q", a.Policy())
	}
	views := service.NewViews(e.store, service.Env{Defaults: e.x.Defaults, Now: e.clock.Now, Location: london})
	digests := func() []emulator.SESMessage { return withPrefix(e.mailTo(t, e.finance), digestSubject) }
	pay := func(n int, on grants.Date) {
		t.Helper()
		e.clock.Set(at9(on))
		req := grants.PaymentRequest{PaymentReference: "BACS-" + on.String(), PaidOn: on.String()}
		paid, _, err := e.x.RequestPayment(ctx, grants.Actor{ID: "fin1", Name: "fin1"}, a.ID, n, req, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.x.ApprovePayment(ctx, grants.Actor{ID: "fin2", Name: "fin2"}, a.ID, n, paid.Instalment(n).Payment.ID); err != nil {
			t.Fatal(err)
		}
	}
	digestOn := func(day grants.Date) bool {
		t.Helper()
		e.clock.Set(at9(day))
		sent, err := e.x.LateDigest(ctx, "community-2026")
		if err != nil {
			t.Fatal(err)
		}
		return sent
	}
	lateness := func() (s reports.Summary) {
		t.Helper()
		s, _, err := views.Summary(ctx, "community-2026")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	// Instalment 1 (it follows no check-in) is paid on its due date.
	e.clock.Set(at9(grants.Date{Year: 2026, Month: 3, Day: 2}))
	if err := e.x.InstalmentDue(ctx, a.ID, 1); err != nil {
		t.Fatal(err)
	}
	pay(1, grants.Date{Year: 2026, Month: 3, Day: 2})
	e.clock.Set(at9(grants.Date{Year: 2026, Month: 6, Day: 2}))
	if err := e.x.InstalmentDue(ctx, a.ID, 2); err != nil {
		t.Fatal(err)
	}
	if in := e.get(t, a.ID).Instalment(2); !in.AwaitingCheckIn {
		t.Fatal("instalment 2 does not wait on check-in 1")
	}
	// 17 June, 11 working days past the due date, and 30 June, 20: all
	// of them the partner's, so nothing is late.
	for _, day := range []grants.Date{{Year: 2026, Month: 6, Day: 17}, {Year: 2026, Month: 6, Day: 30}} {
		if digestOn(day) {
			t.Errorf("%s: a digest for an instalment waiting on the partner", day)
		}
		if s := lateness(); s.Lateness.LateNow != 0 {
			t.Errorf("%s: %d late now, want 0", day, s.Lateness.LateNow)
		}
	}
	if in := e.x.Measured(e.get(t, a.ID)).Instalment(2); in.DaysLate != 20 || in.DaysWithPartner != 20 || in.DaysWithFinance != 0 {
		t.Errorf("30 June: %d days late, %d with the partner, %d with finance; want 20, 20, 0", in.DaysLate, in.DaysWithPartner, in.DaysWithFinance)
	}
	if _, err := e.x.replies().Waive(ctx, "officer@funder.test", a.ID, 1, "we spoke at the event", nil); err != nil {
		t.Fatal(err)
	}
	// 14 July: 10 working days with finance, within the setting; 15 July,
	// 11: late, and the digest says by whom.
	if digestOn(grants.Date{Year: 2026, Month: 7, Day: 14}) {
		t.Error("14 July: a digest within finance's 10 working days")
	}
	if !digestOn(grants.Date{Year: 2026, Month: 7, Day: 15}) {
		t.Fatal("15 July: no digest with instalment 2 11 working days with finance")
	}
	if got := digests(); len(got) != 1 || !strings.Contains(got[0].Body.Text, "instalment 2: £2,500.00, due 2 June 2026, 20 days waiting on the partner, 11 days with finance; due") {
		t.Errorf("digests %v:\n%v", subjects(got), got)
	}
	if s := lateness(); s.Lateness.LateNow != 1 {
		t.Errorf("15 July: %d late now, want 1", s.Lateness.LateNow)
	}
	// Paid on 15 July, 31 working days after its due date: 11 of them
	// finance's, and those are what the figures count.
	pay(2, grants.Date{Year: 2026, Month: 7, Day: 15})
	if in := e.get(t, a.ID).Instalment(2); in.DaysLate != 31 || in.DaysWithPartner != 20 {
		t.Errorf("stored: %d days late, %d with the partner; want 31, 20", in.DaysLate, in.DaysWithPartner)
	}
	s := lateness()
	if l := s.Lateness; l.InstalmentsPaid != 2 || l.PaidOnTime != 1 || l.LateNow != 0 || l.MedianDaysLate == nil || *l.MedianDaysLate != 5.5 {
		t.Errorf("lateness after paying: %+v (median %v), want 2 paid, 1 on time, median of 0 and 11", l, l.MedianDaysLate)
	}
	if want := map[string]int{"0": 1, "11": 1}; !reflect.DeepEqual(s.PaidDaysLate, want) {
		t.Errorf("paid days late %v, want %v", s.PaidDaysLate, want)
	}
}

// The finance list shows each row's working days late as of today.
func TestInstalmentListShowsDaysLate(t *testing.T) {
	e := newEnv(t, activatedAt, options{})
	ctx := context.Background()
	a := e.agreement(t, start, true, e.contact("amina"))
	e.clock.Set(at9(grants.Date{Year: 2026, Month: 3, Day: 2}))
	if _, err := e.x.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(time.Date(2026, 3, 9, 12, 0, 0, 0, london))
	page, err := e.x.Instalments(ctx, grants.InstalmentFilter{Status: grants.InstalmentDue, Programme: "community-2026"}, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].AgreementID != a.ID || page.Items[0].DaysLate != 5 {
		t.Errorf("rows %+v, want instalment 1 five working days late", page.Items)
	}
}

// paidEvents takes InstalmentPaid events, as the accounting bus would.
type paidEvents struct{}

func (paidEvents) InstalmentPaid(_ context.Context, e service.InstalmentPaidEvent) (string, error) {
	return "event-" + e.ID, nil
}
