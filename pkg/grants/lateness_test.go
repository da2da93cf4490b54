package grants

import (
	"reflect"
	"testing"
	"time"
)

func date(t *testing.T, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// England and Wales, 2026: Good Friday 3 Apr, Easter Monday 6 Apr, early
// May 4 May, Christmas 25 Dec (Fri) and Boxing Day observed 28 Dec (Mon).
func TestWorkingDaysLate(t *testing.T) {
	ew := Timing{}
	extra := Timing{ExtraBankHolidays: []Date{{2026, 5, 1}}}
	for _, c := range []struct {
		name    string
		t       Timing
		due, on string
		want    int
	}{
		{"paid on the due date", ew, "2026-04-30", "2026-04-30", 0},
		{"paid before the due date", ew, "2026-04-30", "2026-04-20", 0},
		{"next working day", ew, "2026-04-30", "2026-05-01", 1},
		{"a bank holiday Monday adds nothing", ew, "2026-04-30", "2026-05-04", 1},
		{"after the bank holiday", ew, "2026-04-30", "2026-05-05", 2},
		{"a weekend adds nothing", ew, "2026-05-08", "2026-05-10", 0},
		{"Easter", ew, "2026-04-02", "2026-04-07", 1},
		{"Christmas: holidays skipped, the quiet period counts", ew, "2026-12-18", "2026-12-29", 5},
		{"an extra holiday of the programme", extra, "2026-04-30", "2026-05-05", 1},
		{"due on a Saturday, paid Monday", ew, "2026-05-09", "2026-05-11", 1},
	} {
		if got := c.t.WorkingDaysLate(date(t, c.due), date(t, c.on)); got != c.want {
			t.Errorf("%s: due %s paid %s: %d working days late, want %d", c.name, c.due, c.on, got, c.want)
		}
	}
}

// The cut-off is exactly where an unpaid instalment turns late: for every
// due date around it, late beyond the setting iff due on or before it.
func TestLateCutOff(t *testing.T) {
	tm := Timing{}
	start := Date{2026, 11, 20}
	for day := range 60 {
		today := start.AddDays(day)
		for _, onTime := range []int{0, 1, 5, 10} {
			cut := tm.LateCutOff(today, onTime)
			for back := range 40 {
				due := today.AddDays(-back)
				late := tm.WorkingDaysLate(due, today) > onTime
				if late != !due.After(cut) {
					t.Fatalf("today %s, on time within %d: due %s is late=%v but the cut-off is %s", today, onTime, due, late, cut)
				}
			}
		}
	}
}

func TestLatenessFixedWhenPaid(t *testing.T) {
	on := func(s string) time.Time { return date(t, s).At(12, 0, time.UTC) }
	a := activeAgreement(t) // instalment 2 due Thu 30 Apr 2026
	if _, _, err := a.MakeInstalmentDue(2, on("2026-04-30")); err != nil {
		t.Fatal(err)
	}
	// Held on Tue 5 May (Mon 4 May is a bank holiday).
	if _, err := a.Hold(2, "waiting for the bank letter", on("2026-05-05"), "officer"); err != nil {
		t.Fatal(err)
	}
	b := *a
	b.Instalments = append([]Instalment(nil), a.Instalments...)
	b.MeasureLateness(date(t, "2026-05-07"))
	if in := b.Instalments[1]; in.DaysLate != 4 || in.DaysOnHold != 2 {
		t.Errorf("on 7 May: %d days late, %d on hold; want 4 (1, 5, 6, 7 May), 2 (6, 7 May)", in.DaysLate, in.DaysOnHold)
	}
	if _, err := a.Release(2, "letter arrived", on("2026-05-08"), "officer"); err != nil {
		t.Fatal(err)
	}
	if in := a.Instalments[1]; in.DaysOnHold != 3 || !in.HeldOn.IsZero() {
		t.Errorf("released on 8 May: %d days on hold (held on %s), want 3", in.DaysOnHold, in.HeldOn)
	}
	if _, _, err := a.RequestPayment(2, PaymentRequest{PaymentReference: "R", PaidOn: "2026-05-11", OverrideReason: "by phone"}, "p", false, on("2026-05-12"), Actor{ID: "fin", Name: "fin"}); err != nil {
		t.Fatal(err)
	}
	in := a.Instalments[1]
	if in.DaysLate != 6 || in.DaysOnHold != 3 {
		t.Errorf("paid 11 May: %d days late, %d on hold; want 6, 3", in.DaysLate, in.DaysOnHold)
	}
	// Read a year on, a paid instalment is as late as when it was paid.
	a.MeasureLateness(date(t, "2027-05-11"))
	if got := a.Instalments[1].DaysLate; got != 6 {
		t.Errorf("a year on: %d days late, want 6 still", got)
	}
	// Paid on an override while check-in 1 was not in: all six days were
	// spent waiting on the partner, none with finance (issue 26, item 8),
	// so the on-time rate counts it at 0.
	if in := a.Instalments[1]; in.DaysWithPartner != 6 || in.DaysWithFinance != 0 {
		t.Errorf("paid on an override: %d days with the partner, %d with finance; want 6, 0", in.DaysWithPartner, in.DaysWithFinance)
	}
	if got := a.ComputeStats().PaidDaysLate; !reflect.DeepEqual(got, map[string]int{"0": 1}) {
		t.Errorf("paid days late %v", got)
	}
}

func TestPaidOnOrBeforeDueIsOnTime(t *testing.T) {
	for _, paidOn := range []string{"2026-01-31", "2026-01-20"} {
		a := activeAgreement(t) // instalment 1 due Sat 31 Jan 2026
		at := date(t, "2026-02-02").At(12, 0, time.UTC)
		if _, _, err := a.MakeInstalmentDue(1, at); err != nil {
			t.Fatal(err)
		}
		if _, _, err := a.RequestPayment(1, PaymentRequest{PaymentReference: "R", PaidOn: paidOn}, "p", false, at, Actor{ID: "fin", Name: "fin"}); err != nil {
			t.Fatal(err)
		}
		if got := a.Instalments[0].DaysLate; got != 0 {
			t.Errorf("paid %s, due 2026-01-31: %d days late, want 0", paidOn, got)
		}
	}
}

func TestOnTimeDays(t *testing.T) {
	five, zero := 5, 0
	if got := (ProgrammeSettings{}).OnTimeDays(); got != DefaultOnTimeWorkingDays {
		t.Errorf("default %d", got)
	}
	if got := (ProgrammeSettings{}).Defaults(ProgrammeSettings{OnTimeWorkingDays: &five}).OnTimeDays(); got != 5 {
		t.Errorf("deployment default %d, want 5", got)
	}
	if got := (ProgrammeSettings{OnTimeWorkingDays: &zero}).Defaults(ProgrammeSettings{OnTimeWorkingDays: &five}).OnTimeDays(); got != 0 {
		t.Errorf("programme's own 0 is kept: %d", got)
	}
}

func TestNowPayable(t *testing.T) {
	a := activeAgreement(t)
	at := date(t, "2026-04-30").At(12, 0, time.UTC)
	if _, _, err := a.MakeInstalmentDue(2, at); err != nil {
		t.Fatal(err)
	}
	waiting := a.WaitingForCheckIn()
	if !reflect.DeepEqual(waiting, []int{2}) {
		t.Fatalf("waiting %v, want [2]", waiting)
	}
	if got := a.NowPayable(waiting); got != nil {
		t.Errorf("nothing came in, yet %v payable", got)
	}
	if _, err := a.ReceiveReply(1, Reply{From: "p@x.org", ReceivedAt: at}, at, "system"); err != nil {
		t.Fatal(err)
	}
	if got := a.NowPayable(waiting); !reflect.DeepEqual(got, []int{2}) {
		t.Errorf("after check-in 1: %v payable, want [2]", got)
	}
	if got := a.WaitingForCheckIn(); got != nil {
		t.Errorf("still waiting: %v", got)
	}
}

// An instalment's days late split by whom it waited on (issue 26, item 8):
// the partner's check-in under afterCheckIn, then finance once payable.
// Instalment 2 is due Thu 30 Apr 2026 and follows check-in 1; Mon 4 May and
// Mon 25 May are bank holidays. Only finance's days make it late.
func TestLatenessSplitByWhomItWaitedOn(t *testing.T) {
	type checkIn struct {
		how string // "received", "waived" or "" (never in)
		on  string
	}
	for _, c := range []struct {
		name     string
		policy   PaymentPolicy
		checkIn  checkIn
		paidOn   string // "" unpaid
		today    string
		late     int
		partner  int
		finance  int
		lateNow  bool // by the one rule, on time within 10 working days
		paidDays string
	}{
		{"afterCheckIn, check-in late, paid the next working day", PolicyAfterCheckIn, checkIn{"received", "2026-05-08"}, "2026-05-11", "2026-05-11", 6, 5, 1, false, "1"},
		{"afterCheckIn, check-in late, payment late too", PolicyAfterCheckIn, checkIn{"received", "2026-05-05"}, "2026-05-26", "2026-06-30", 16, 2, 14, false, "14"},
		{"afterCheckIn, check-in in before the due date, payment late", PolicyAfterCheckIn, checkIn{"received", "2026-04-20"}, "2026-05-19", "2026-05-19", 12, 0, 12, false, "12"},
		{"afterCheckIn, check-in waived late, paid the same day", PolicyAfterCheckIn, checkIn{"waived", "2026-05-06"}, "2026-05-06", "2026-05-06", 3, 3, 0, false, "0"},
		{"afterCheckIn, paid on an override while waiting", PolicyAfterCheckIn, checkIn{}, "2026-05-11", "2026-05-11", 6, 6, 0, false, "0"},
		{"afterCheckIn, unpaid, still waiting on the partner", PolicyAfterCheckIn, checkIn{}, "", "2026-06-30", 41, 41, 0, false, ""},
		{"afterCheckIn, unpaid, check-in late, within the setting", PolicyAfterCheckIn, checkIn{"received", "2026-05-05"}, "", "2026-05-19", 12, 2, 10, false, ""},
		{"afterCheckIn, unpaid, check-in late, finance beyond the setting", PolicyAfterCheckIn, checkIn{"received", "2026-05-05"}, "", "2026-05-20", 13, 2, 11, true, ""},
		{"afterCheckIn, unpaid, check-in in on time, payment late", PolicyAfterCheckIn, checkIn{"received", "2026-04-20"}, "", "2026-05-15", 10, 0, 10, false, ""},
		{"onSchedule, check-in late, paid after it", PolicyOnSchedule, checkIn{"received", "2026-05-08"}, "2026-05-11", "2026-05-11", 6, 0, 6, false, "6"},
		{"onSchedule, check-in never in, paid late", PolicyOnSchedule, checkIn{}, "2026-05-19", "2026-05-19", 12, 0, 12, false, "12"},
		{"onSchedule, unpaid, check-in never in", PolicyOnSchedule, checkIn{}, "", "2026-05-18", 11, 0, 11, true, ""},
		{"onSchedule, unpaid, check-in late", PolicyOnSchedule, checkIn{"received", "2026-05-08"}, "", "2026-05-15", 10, 0, 10, false, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			noon := func(s string) time.Time { return date(t, s).At(12, 0, time.UTC) }
			in := validInput()
			in.PaymentPolicy = &c.policy
			a := onTrust(t, in)
			if _, err := a.MarkCheckInSent(1, "ses-1", noon("2026-04-16"), 7); err != nil {
				t.Fatal(err)
			}
			answer := func() {
				switch c.checkIn.how {
				case "received":
					if _, err := a.ReceiveReply(1, Reply{MessageID: "m1", From: "amina@levykitchen.org.uk", ReceivedAt: noon(c.checkIn.on)}, noon(c.checkIn.on), "amina"); err != nil {
						t.Fatal(err)
					}
				case "waived":
					if _, err := a.WaiveCheckIn(1, "spoke at the event", noon(c.checkIn.on), "officer"); err != nil {
						t.Fatal(err)
					}
				}
			}
			before := c.checkIn.how != "" && date(t, c.checkIn.on).Before(date(t, "2026-04-30"))
			if before {
				answer()
			}
			if _, _, err := a.MakeInstalmentDue(2, noon("2026-04-30")); err != nil {
				t.Fatal(err)
			}
			if !before {
				answer()
			}
			if c.paidOn != "" {
				req := PaymentRequest{PaymentReference: "BACS-2", PaidOn: c.paidOn}
				if a.WaitsOnCheckIn(2) != 0 {
					req.OverrideReason = "the partner told us by phone"
				}
				if _, _, err := a.RequestPayment(2, req, "pay-2", false, noon(c.paidOn), Actor{ID: "fin", Name: "fin"}); err != nil {
					t.Fatal(err)
				}
			}
			stored := *a.Instalment(2) // as the store keeps it, before an answer measures it
			a.MeasureLateness(date(t, c.today))
			got := a.Instalment(2)
			if got.DaysLate != c.late || got.DaysWithPartner != c.partner || got.DaysWithFinance != c.finance {
				t.Errorf("on %s: %d days late, %d with the partner, %d with finance; want %d, %d, %d",
					c.today, got.DaysLate, got.DaysWithPartner, got.DaysWithFinance, c.late, c.partner, c.finance)
			}
			if got.DaysWithPartner+got.DaysWithFinance != got.DaysLate {
				t.Errorf("the split %d + %d does not add up to %d days late", got.DaysWithPartner, got.DaysWithFinance, got.DaysLate)
			}
			if got.LateNow(10) != c.lateNow {
				t.Errorf("late now (beyond 10 working days) = %v, want %v", got.LateNow(10), c.lateNow)
			}
			// Finance's row of the instalment, measured on its own, says the same.
			row := InstalmentRow{Status: stored.Status, DueDate: stored.DueDate, AwaitingCheckIn: stored.AwaitingCheckIn, PayableOn: stored.PayableOn,
				DaysLate: stored.DaysLate, DaysWithPartner: stored.DaysWithPartner, DaysOnHold: stored.DaysOnHold, HeldOn: stored.HeldOn}
			row.MeasureLateness(a.timing(), date(t, c.today))
			if row.DaysLate != got.DaysLate || row.DaysWithPartner != got.DaysWithPartner || row.DaysWithFinance != got.DaysWithFinance || row.LateNow(10) != c.lateNow {
				t.Errorf("row measured %d/%d/%d late now %v; the instalment %d/%d/%d", row.DaysLate, row.DaysWithPartner, row.DaysWithFinance, row.LateNow(10),
					got.DaysLate, got.DaysWithPartner, got.DaysWithFinance)
			}
			// The on-time rate's histogram counts finance's days only.
			var want map[string]int
			if c.paidDays != "" {
				want = map[string]int{c.paidDays: 1}
			}
			if got := a.ComputeStats().PaidDaysLate; !reflect.DeepEqual(got, want) {
				t.Errorf("paid days late %v, want %v", got, want)
			}
		})
	}
}

// The rule is the same wherever it is read: more than onTime days with
// finance, whatever the days with the partner.
func TestLateIsFinanceDaysBeyondTheSetting(t *testing.T) {
	for _, c := range []struct {
		finance, onTime int
		want            bool
	}{{0, 0, false}, {1, 0, true}, {10, 10, false}, {11, 10, true}} {
		if got := Late(c.finance, c.onTime); got != c.want {
			t.Errorf("Late(%d, %d) = %v", c.finance, c.onTime, got)
		}
		row := InstalmentRow{Status: InstalmentDue, DaysLate: c.finance + 30, DaysWithPartner: 30, DaysWithFinance: c.finance}
		if got := row.LateNow(c.onTime); got != c.want {
			t.Errorf("a due row %d days with finance (30 with the partner), on time within %d: late %v", c.finance, c.onTime, got)
		}
		if row.Status = InstalmentPaid; row.LateNow(c.onTime) {
			t.Errorf("a paid row is never late now")
		}
	}
}

func TestLatenessInWords(t *testing.T) {
	for _, c := range []struct {
		partner, finance, onHold int
		want                     string
	}{
		{0, 0, 0, "none"},
		{12, 3, 0, "12 days waiting on the partner, 3 days with finance"},
		{1, 0, 0, "1 day waiting on the partner"},
		{0, 1, 0, "1 day with finance"},
		{0, 34, 20, "34 days with finance (20 of them on hold)"},
	} {
		if got := LatenessInWords(c.partner, c.finance, c.onHold); got != c.want {
			t.Errorf("LatenessInWords(%d, %d, %d) = %q, want %q", c.partner, c.finance, c.onHold, got, c.want)
		}
	}
}
