package grants

import "testing"

// Issue 26, item 12: a daily digest goes when the late list has something
// new since the working day before, or on the week's first working day
// while anything is late; a weekly one on its day whatever; none with
// nothing late. March 2026, England and Wales, on-time 10 working days:
// an instalment due Monday 2 March is late from Tuesday 17 March.
func TestDigestWorth(t *testing.T) {
	tm := Timing{}.Normalized()
	d := func(s string) Date {
		v, err := ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	late := []Date{d("2026-03-02")}
	for _, c := range []struct {
		name  string
		f     DigestFrequency
		today string
		late  []Date
		want  bool
	}{
		{"the day it becomes late", DigestDaily, "2026-03-17", late, true},
		{"the next day, the same list", DigestDaily, "2026-03-18", late, false},
		{"the Friday, the same list", DigestDaily, "2026-03-20", late, false},
		{"the next Monday, still late", DigestDaily, "2026-03-23", late, true},
		{"another becomes late", DigestDaily, "2026-03-18", []Date{d("2026-03-02"), d("2026-03-03")}, true},
		{"nothing late", DigestDaily, "2026-03-23", nil, false},
		{"weekly, the same list", "weekly-wednesday", "2026-03-18", late, true},
		{"unset is daily", "", "2026-03-18", late, false},
		// Good Friday 3 April and Easter Monday 6 April 2026: the week's first
		// working day is Tuesday 7 April.
		{"the week's first working day after a bank holiday", DigestDaily, "2026-04-07", late, true},
	} {
		if got := c.f.DigestWorth(tm, d(c.today), 10, c.late); got != c.want {
			t.Errorf("%s (%s on %s): %v, want %v", c.name, c.f, c.today, got, c.want)
		}
	}
}
