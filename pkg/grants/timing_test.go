package grants

import (
	"errors"
	"os"
	"testing"
	"time"
)

func d(s string) Date {
	x, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return x
}

// TestTheBankHolidayFileReads: the embedded GOV.UK file parses, has the three
// regions, and no holiday falls on a weekend (a typo in a date would).
func TestTheBankHolidayFileReads(t *testing.T) {
	b, err := os.ReadFile("data/bank-holidays.json")
	if err != nil {
		t.Fatal(err)
	}
	all, err := ParseBankHolidays(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range Regions {
		if len(all[r]) < 32 {
			t.Errorf("%s has %d holidays", r, len(all[r]))
		}
		for h := range all[r] {
			if wd := h.time().Weekday(); wd == time.Saturday || wd == time.Sunday {
				t.Errorf("%s: %s is a %s", r, h, wd)
			}
		}
	}
	if _, err := ParseBankHolidays([]byte("{")); err == nil {
		t.Error("a broken file parsed")
	}
}

// TestSendOnMovesToTheWorkingDayBefore is the rule of item 1: an item dated
// on a weekend, a bank holiday of the programme's region, or in the quiet
// period goes out on the working day before.
func TestSendOnMovesToTheWorkingDayBefore(t *testing.T) {
	ew := Timing{}
	scot := Timing{Region: "scotland"}
	ni := Timing{Region: "northern-ireland"}
	noQuiet := Timing{QuietPeriod: "none"}
	extra := Timing{ExtraBankHolidays: []Date{d("2027-06-04")}}
	summer := Timing{QuietPeriod: "08-01/08-15"}
	for _, tt := range []struct {
		name string
		t    Timing
		due  string
		want string
	}{
		{"a working day stays", ew, "2027-01-13", "2027-01-13"},
		{"Saturday to Friday", ew, "2027-01-16", "2027-01-15"},
		{"Sunday to Friday", ew, "2027-01-17", "2027-01-15"},
		{"Good Friday 2027 to Thursday", ew, "2027-03-26", "2027-03-25"},
		{"Easter Monday 2027 (England) back over Easter to Thursday", ew, "2027-03-29", "2027-03-25"},
		{"Easter Monday is a working day in Scotland", scot, "2027-03-29", "2027-03-29"},
		{"St Andrew's Day 2027 (Scotland)", scot, "2027-11-30", "2027-11-29"},
		{"St Andrew's Day is a working day in England", ew, "2027-11-30", "2027-11-30"},
		{"St Patrick's Day 2027 (Northern Ireland)", ni, "2027-03-17", "2027-03-16"},
		{"the Twelfth 2027 (Northern Ireland), a Monday", ni, "2027-07-12", "2027-07-09"},
		{"early May bank holiday 2027", ew, "2027-05-03", "2027-04-30"},
		{"the quiet period: 28 December to 23 December", ew, "2026-12-28", "2026-12-23"},
		{"the quiet period's last day", ew, "2027-01-01", "2026-12-23"},
		{"after the quiet period", ew, "2027-01-04", "2027-01-04"},
		{"no quiet period: Christmas Eve 2026 is a Thursday", noQuiet, "2026-12-24", "2026-12-24"},
		{"no quiet period: Boxing Day's substitute 2026", noQuiet, "2026-12-28", "2026-12-24"},
		{"a one-off holiday from the settings", extra, "2027-06-04", "2027-06-03"},
		{"a quiet period within one year", summer, "2027-08-10", "2027-07-30"},
	} {
		if got := tt.t.SendOn(d(tt.due)); got.String() != tt.want {
			t.Errorf("%s: %s goes out %s, want %s", tt.name, tt.due, got, tt.want)
		}
	}
}

// TestSendOnHoldsForEveryDay: for every day of three years and each region
// the send day is a working day, on or before the date, within a fortnight.
func TestSendOnHoldsForEveryDay(t *testing.T) {
	for _, r := range Regions {
		tm := Timing{Region: r}
		for day := d("2025-01-01"); day.Before(d("2028-12-31")); day = day.AddDays(1) {
			s := tm.SendOn(day)
			if !tm.WorkingDay(s) || s.After(day) || s.DaysUntil(day) > 14 {
				t.Fatalf("%s: %s goes out %s", r, day, s)
			}
			if n := tm.NextWorkingDay(day); !tm.WorkingDay(n) || n.Before(day) {
				t.Fatalf("%s: next working day after %s is %s", r, day, n)
			}
		}
	}
}

func TestTimingValidates(t *testing.T) {
	if err := (Timing{}).Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
	if err := (Timing{SendTime: "10:30", Region: "scotland", QuietPeriod: "none"}).Validate(); err != nil {
		t.Errorf("valid: %v", err)
	}
	err := Timing{SendTime: "9am", Region: "wales", QuietPeriod: "24/12-1/1"}.Validate()
	var e *Error
	if !errors.As(err, &e) || len(e.Fields) != 3 {
		t.Errorf("want three field errors, got %v", err)
	}
}

// TestRemindersAndTheSendTime: a reminder counted onto a day off moves to
// the working day before, unless that is not after today; nothing is
// sendable before the send time or on a day off.
func TestRemindersAndTheSendTime(t *testing.T) {
	tm := Timing{}
	if got := tm.RemindOn(d("2027-01-06"), 7); got.String() != "2027-01-13" {
		t.Errorf("a plain week: %s", got)
	}
	if got := tm.RemindOn(d("2027-01-08"), 1); got.String() != "2027-01-11" {
		t.Errorf("Friday + 1 day lands on Saturday: %s, want Monday", got)
	}
	if got := tm.RemindOn(d("2027-01-04"), 5); got.String() != "2027-01-08" {
		t.Errorf("Monday + 5 lands on Saturday: %s, want Friday", got)
	}
	london, _ := time.LoadLocation("Europe/London")
	a := &Agreement{TimeZone: "Europe/London", Timing: &Timing{SendTime: "10:00"}}
	due := d("2027-01-16") // a Saturday: goes out Friday 15th at 10:00
	for _, tt := range []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2027, 1, 15, 9, 59, 0, 0, london), false},
		{time.Date(2027, 1, 15, 10, 0, 0, 0, london), true},
		{time.Date(2027, 1, 14, 12, 0, 0, 0, london), false},
		{time.Date(2027, 1, 16, 12, 0, 0, 0, london), false}, // missed: waits for Monday
		{time.Date(2027, 1, 18, 10, 0, 0, 0, london), true},
	} {
		if got := a.Sendable(due, tt.at); got != tt.want {
			t.Errorf("sendable at %s: %v", tt.at, got)
		}
	}
	for _, tt := range []struct {
		now, want time.Time
	}{
		{time.Date(2027, 1, 10, 12, 0, 0, 0, london), time.Date(2027, 1, 15, 10, 0, 0, 0, london)},
		{time.Date(2027, 1, 15, 9, 0, 0, 0, london), time.Date(2027, 1, 15, 10, 0, 0, 0, london)},
		{time.Date(2027, 1, 15, 15, 0, 0, 0, london), time.Date(2027, 1, 15, 15, 1, 0, 0, london)},
		{time.Date(2027, 1, 16, 15, 0, 0, 0, london), time.Date(2027, 1, 18, 10, 0, 0, 0, london)},
	} {
		if got := a.SendAfter(due, tt.now); !got.Equal(tt.want) {
			t.Errorf("send after %s: %s, want %s", tt.now, got, tt.want)
		}
	}
	old := &Agreement{TimeZone: "Europe/London"} // activated before timings were kept
	if at := old.SendAfter(d("2027-01-13"), time.Date(2027, 1, 1, 0, 0, 0, 0, london)); at.Hour() != 9 {
		t.Errorf("default send time: %s", at)
	}
}

// TestNextActionIsTheSendDay: the sweep's index holds the day an item goes
// out, so the sweep on Friday finds Sunday's check-in.
func TestNextActionIsTheSendDay(t *testing.T) {
	a := activeAgreement(t)
	a.CheckIns[0].ScheduleCreated = true
	a.CheckIns[0].DueDate = d("2026-05-03") // a Sunday, before the May bank holiday
	if on, ok := a.CheckInNextAction(a.CheckIns[0]); !ok || on.String() != "2026-05-01" {
		t.Errorf("next action %s %v, want Friday 1 May", on, ok)
	}
	a.Instalments[1].ScheduleCreated = true
	a.Instalments[1].DueDate = d("2026-05-04") // the bank holiday
	if on, ok := a.InstalmentNextAction(a.Instalments[1]); !ok || on.String() != "2026-05-01" {
		t.Errorf("next action %s %v, want Friday 1 May", on, ok)
	}
}

// TestActivatingLateSendsNoFlood is item 2: an agreement that started on 31
// January, activated on 30 November, catches up without chasing anyone.
func TestActivatingLateSendsNoFlood(t *testing.T) {
	created := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	a, err := NewAgreement(validInput(), created, "officer")
	if err != nil {
		t.Fatal(err)
	}
	late := time.Date(2026, 11, 30, 14, 0, 0, 0, time.UTC)
	r, entries, err := a.ActivateWith(late, "olu", Timing{Region: "scotland"})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Welcome || len(r.CheckInsPassed) != 3 || len(r.InstalmentsDue) != 4 || r.NextCheckIn != 4 || r.NextCheckInOn.String() != "2027-03-01" {
		t.Fatalf("activation %+v", r)
	}
	for _, c := range a.CheckIns[:3] {
		if c.Status != CheckInWaived || c.WaivedReason != PassedBeforeActivation {
			t.Errorf("check-in %d is %s (%s)", c.Number, c.Status, c.WaivedReason)
		}
		if _, ok := a.CheckInNextAction(c); ok {
			t.Errorf("check-in %d is still chased", c.Number)
		}
	}
	for _, in := range a.Instalments {
		if in.Status != InstalmentDue || in.AwaitingCheckIn {
			t.Errorf("instalment %d is %s, awaiting %v", in.Number, in.Status, in.AwaitingCheckIn)
		}
	}
	if a.Timing == nil || a.Timing.Region != "scotland" || a.Timing.SendTime != DefaultSendTime || a.Activation == nil {
		t.Errorf("timing %+v, activation %+v", a.Timing, a.Activation)
	}
	if len(entries) != 1+3+4 || entries[0].Action != "agreement.activated" || entries[0].Detail == "" || entries[1].Action != "checkin.passed" {
		t.Errorf("entries %+v", entries)
	}
	if _, _, err := a.ActivateWith(late, "olu", Timing{}); err == nil {
		t.Error("activated twice")
	}

	// Activated before it starts: nothing passes, no welcome.
	b, _ := NewAgreement(validInput(), created, "officer")
	r, entries, err = b.ActivateWith(created, "olu", Timing{})
	if err != nil || r.Welcome || len(r.CheckInsPassed)+len(r.InstalmentsDue) != 0 || r.NextCheckIn != 1 || len(entries) != 1 {
		t.Errorf("on time: %+v %v", r, err)
	}
	if r.Summary() != "check-in 1 goes out on 16 April 2026" {
		t.Errorf("summary %q", r.Summary())
	}
	if (Activation{}).Summary() != "" {
		t.Error("an empty activation says something")
	}
}

// TestProgrammeWindows is item 3: the check-in lead and the final report's
// window come from the programme where the officer gives none.
func TestProgrammeWindows(t *testing.T) {
	lead, final, zero := 21, 45, 0
	p := ProgrammeSettings{}.Defaults(ProgrammeSettings{CheckInLeadDays: &lead, FinalReportDays: &final, SendTime: "08:30", Region: "northern-ireland", QuietPeriod: "none", ExtraBankHolidays: []Date{d("2027-05-10")}})
	in := p.PlanDefaults(validInput())
	a, err := NewAgreement(in, time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC), "officer")
	if err != nil {
		t.Fatal(err)
	}
	if a.CheckIns[0].DueDate.String() != "2026-04-09" || a.CheckIns[3].DueDate.String() != "2027-03-16" || a.FinalReportDays != 45 {
		t.Errorf("check-ins %s, final %s", a.CheckIns[0].DueDate, a.CheckIns[3].DueDate)
	}
	if tm := p.Timing(); tm.SendTime != "08:30" || tm.Region != "northern-ireland" || tm.QuietPeriod != "none" || len(tm.ExtraBankHolidays) != 1 {
		t.Errorf("timing %+v", tm)
	}
	own := validInput()
	own.CheckInLeadDays, own.FinalReportDays = &zero, &zero
	if in := p.PlanDefaults(own); *in.CheckInLeadDays != 0 || *in.FinalReportDays != 0 {
		t.Error("the officer's own windows were replaced")
	}
	bad := validInput()
	bad.FinalReportDays = new(MaxFinalReportDays + 1)
	if _, err := NewAgreement(bad, time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC), "officer"); ErrorCode(err) != Invalid {
		t.Errorf("final report days over the limit: %v", err)
	}
}
