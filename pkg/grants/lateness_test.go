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
	if got := a.ComputeStats().PaidDaysLate; !reflect.DeepEqual(got, map[string]int{"6": 1}) {
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
