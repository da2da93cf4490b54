package grants

import (
	"testing"
	"time"
)

// The late-payment digest's day (issue 25, item 3): daily on each working
// day; weekly on its weekday, or the first working day after it when that
// is a day off, standing for the weekday's date all week; off, never.
func TestDigestDue(t *testing.T) {
	tm := Timing{}.Normalized()
	d := func(s string) Date {
		x, err := ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	for _, c := range []struct {
		f     DigestFrequency
		today string
		due   bool
		of    string
	}{
		{DigestDaily, "2026-03-17", true, "2026-03-17"},   // a Tuesday
		{DigestDaily, "2026-03-21", false, ""},            // a Saturday
		{"", "2026-03-17", true, "2026-03-17"},            // unset: daily
		{"fortnightly", "2026-03-17", true, "2026-03-17"}, // stored by hand: daily
		{"weekly-thursday", "2026-03-19", true, "2026-03-19"},
		{"weekly-thursday", "2026-03-17", false, ""},
		{"weekly-thursday", "2026-03-20", false, ""},
		{"weekly-monday", "2026-05-25", false, ""},          // the spring bank holiday
		{"weekly-monday", "2026-05-26", true, "2026-05-25"}, // the next working day, for Monday's
		{"weekly-friday", "2026-12-25", false, ""},          // Christmas, in the quiet period
		{DigestOff, "2026-03-17", false, ""},
	} {
		of, due := c.f.DigestDue(tm, d(c.today))
		if due != c.due || (due && of != d(c.of)) {
			t.Errorf("%q on %s: due %v for %s, want %v for %s", c.f, c.today, due, of, c.due, c.of)
		}
	}
	// All week, a weekly digest stands for its weekday's date (a digest
	// left pending on Monday is still Monday's on Wednesday).
	if of, ok := DigestFrequency("weekly-monday").DigestOf(d("2026-03-18")); !ok || of != d("2026-03-16") {
		t.Errorf("weekly-monday on Wednesday 18 March stands for %s, want 2026-03-16", of)
	}
	if _, ok := DigestOff.DigestOf(d("2026-03-18")); ok {
		t.Error("off stands for a day")
	}
}

// The programme's time zone: new agreements are made in it unless they
// name one; one that does not load reads as the deployment's.
func TestProgrammeTimeZone(t *testing.T) {
	p := ProgrammeSettings{TimeZone: "Europe/Dublin"}
	in := p.PlanDefaults(NewAgreementInput{})
	if in.TimeZone == nil || *in.TimeZone != "Europe/Dublin" {
		t.Errorf("a new agreement's zone: %v", in.TimeZone)
	}
	own := "Europe/London"
	if in := p.PlanDefaults(NewAgreementInput{TimeZone: &own}); *in.TimeZone != own {
		t.Errorf("an agreement naming its zone got %s", *in.TimeZone)
	}
	if got := (ProgrammeSettings{TimeZone: "Mars/Olympus"}).Defaults(ProgrammeSettings{TimeZone: "Europe/London"}).TimeZone; got != "Europe/London" {
		t.Errorf("a zone that does not load reads as %q", got)
	}
	if loc := (ProgrammeSettings{}).Location(time.UTC); loc != time.UTC {
		t.Errorf("no zone: %v", loc)
	}
}
