package grants

import (
	"fmt"
	"time"
)

// Date is a calendar date in the programme's time zone. Due dates are dates,
// not instants: "due on 30 April" means the whole of that day in London.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads a strict YYYY-MM-DD date.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a YYYY-MM-DD date", s)
	}
	return DateOf(t), nil
}

// DateOf is the calendar date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// Today is the calendar date of now in loc.
func Today(now time.Time, loc *time.Location) Date { return DateOf(now.In(loc)) }

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d == Date{} }

// MarshalText renders YYYY-MM-DD, so dates are strings in JSON and DynamoDB.
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	return []byte(d.String()), nil
}

// UnmarshalText parses YYYY-MM-DD; an empty string is the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	p, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// Long is the date as a British letter writes it, "30 April 2026"; the zero
// date is "", so a template can test it.
func (d Date) Long() string {
	if d.IsZero() {
		return ""
	}
	return d.time().Format("2 January 2006")
}

func (d Date) time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// AddMonths moves n months on, clamping to the last day of a shorter month
// (31 Jan + 1 month = 28 or 29 Feb), unlike time.AddDate which overflows into
// the next month.
func (d Date) AddMonths(n int) Date {
	first := time.Date(d.Year, d.Month+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return Date{first.Year(), first.Month(), min(d.Day, last)}
}

// AddDays moves n days on (or back, for negative n).
func (d Date) AddDays(n int) Date { return DateOf(d.time().AddDate(0, 0, n)) }

// Before reports whether d is strictly earlier than o.
func (d Date) Before(o Date) bool { return d.String() < o.String() }

// After reports whether d is strictly later than o.
func (d Date) After(o Date) bool { return o.Before(d) }

// DaysUntil is the number of days from d to o (negative if o is earlier).
func (d Date) DaysUntil(o Date) int { return int(o.time().Sub(d.time()).Hours() / 24) }

// At is the instant of the given wall-clock time on d in loc.
func (d Date) At(hour, minute int, loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, hour, minute, 0, 0, loc)
}

// StartYear is the year of a start date as a client sent it, or 0 when it
// is not a date (the agreement is then refused when it is planned).
func StartYear(s string) int {
	d, err := ParseDate(s)
	if err != nil {
		return 0
	}
	return d.Year
}
