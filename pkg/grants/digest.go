package grants

import (
	"strings"
	"time"
)

// DigestFrequency is how often finance gets the digest of late instalments
// (issue 25, item 3): daily, weekly on a weekday ("weekly-monday" to
// "weekly-friday"), or off.
type DigestFrequency string

// The frequencies besides weekly ones.
const (
	DigestDaily DigestFrequency = "daily"
	DigestOff   DigestFrequency = "off"
)

// DigestFrequencies are the frequencies a programme may choose, as the
// settings page offers them. Weekly ones are on a weekday: nothing goes out
// at a weekend.
var DigestFrequencies = []DigestFrequency{DigestDaily, "weekly-monday", "weekly-tuesday", "weekly-wednesday", "weekly-thursday", "weekly-friday", DigestOff}

// Valid reports whether f is one of DigestFrequencies.
func (f DigestFrequency) Valid() bool {
	for _, g := range DigestFrequencies {
		if f == g {
			return true
		}
	}
	return false
}

// Or is f, or d when f is unset or out of bounds (then daily when d is too).
func (f DigestFrequency) Or(d DigestFrequency) DigestFrequency {
	switch {
	case f.Valid():
		return f
	case d.Valid():
		return d
	}
	return DigestDaily
}

// weekday is a weekly frequency's day.
func (f DigestFrequency) weekday() (time.Weekday, bool) {
	day, ok := strings.CutPrefix(string(f), "weekly-")
	if !ok || !f.Valid() {
		return 0, false
	}
	for w := time.Monday; w <= time.Friday; w++ {
		if strings.EqualFold(w.String(), day) {
			return w, true
		}
	}
	return 0, false
}

// DigestOf is the day whose digest stands for today under f (the key of
// the one digest of a day, or of a week): today when daily; when weekly,
// the chosen weekday on or before today. None when off.
func (f DigestFrequency) DigestOf(today Date) (Date, bool) {
	f = f.Or(DigestDaily)
	if f == DigestOff {
		return Date{}, false
	}
	w, weekly := f.weekday()
	if !weekly {
		return today, true
	}
	back := (int(today.time().Weekday()) - int(w) + 7) % 7
	return today.AddDays(-back), true
}

// DigestDue reports whether the digest goes out today under f and t, and
// the day it stands for: daily, on each working day; weekly, on the chosen
// weekday, or the first working day after it when that is a day off; off,
// never.
func (f DigestFrequency) DigestDue(t Timing, today Date) (Date, bool) {
	d, ok := f.DigestOf(today)
	if !ok || !t.WorkingDay(today) {
		return Date{}, false
	}
	if t.NextWorkingDay(d) != today {
		return Date{}, false
	}
	return d, true
}

// Location is the programme's time zone, or fallback when it names none.
func (p ProgrammeSettings) Location(fallback *time.Location) *time.Location {
	if loc, err := LoadTimeZone(p.TimeZone); err == nil {
		return loc
	}
	return fallback
}
