package grants

import (
	"embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Timing is when a programme's automation may write to people: at its send
// time, on working days of its region, outside its quiet period. An
// agreement keeps the timing it was activated with, so its dates are
// computed the same way for its whole year, and an amendment or a sweep
// needs nothing but the agreement.
type Timing struct {
	// SendTime is the wall-clock time ("09:00") in the agreement's time zone
	// before which nothing goes out on a day.
	SendTime string `json:"sendTime"`
	// Region names the bank holidays: england-and-wales, scotland or
	// northern-ireland (data/bank-holidays.json).
	Region string `json:"region"`
	// QuietPeriod is "MM-DD/MM-DD", both days included (default
	// "12-24/01-01"), or "none".
	QuietPeriod string `json:"quietPeriod"`
	// ExtraBankHolidays are one-off holidays added to the region's list.
	ExtraBankHolidays []Date `json:"extraBankHolidays,omitempty"`
}

// Defaults of a programme's timing.
const (
	DefaultSendTime    = "09:00"
	DefaultRegion      = "england-and-wales"
	DefaultQuietPeriod = "12-24/01-01"
	// DefaultFinalReportDays is how long after the end date the
	// end-of-agreement report is due: a month to write it, not the last day.
	DefaultFinalReportDays = 30
)

// Regions whose bank holidays are known.
var Regions = []string{"england-and-wales", "scotland", "northern-ireland"}

// bankHolidays is GOV.UK's bank-holidays.json (https://www.gov.uk/bank-holidays.json),
// kept in the repository: replacing the file with a newer download and
// deploying updates every agreement's calendar without a code change.
//
//go:embed data/bank-holidays.json
var bankHolidayData embed.FS

var (
	holidaysOnce sync.Once
	holidays     map[string]map[Date]bool
	holidaysErr  error
)

func regionHolidays(region string) map[Date]bool {
	holidaysOnce.Do(func() {
		b, err := bankHolidayData.ReadFile("data/bank-holidays.json")
		if err == nil {
			holidays, err = ParseBankHolidays(b)
		}
		holidaysErr = err
	})
	if holidaysErr != nil {
		// The file is embedded and read by a unit test, so this cannot happen
		// in a build that passed its tests.
		panic(holidaysErr)
	}
	return holidays[region]
}

// ParseBankHolidays reads GOV.UK's bank-holidays.json shape: a region name
// to {"events": [{"date": "YYYY-MM-DD"}]}.
func ParseBankHolidays(b []byte) (map[string]map[Date]bool, error) {
	var doc map[string]struct {
		Events []struct {
			Date Date `json:"date"`
		} `json:"events"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("bank holidays: %w", err)
	}
	out := map[string]map[Date]bool{}
	for region, r := range doc {
		out[region] = map[Date]bool{}
		for _, e := range r.Events {
			out[region][e.Date] = true
		}
	}
	return out, nil
}

// Normalized fills the timing's unset fields with the defaults.
func (t Timing) Normalized() Timing {
	if t.SendTime == "" {
		t.SendTime = DefaultSendTime
	}
	if t.Region == "" {
		t.Region = DefaultRegion
	}
	if t.QuietPeriod == "" {
		t.QuietPeriod = DefaultQuietPeriod
	}
	return t
}

// Validate checks a timing as a programme sets it; field names are the
// settings' JSON names.
func (t Timing) Validate() error {
	var errs fieldErrors
	t = t.Normalized()
	if _, _, ok := parseClock(t.SendTime); !ok {
		errs.add("sendTime", "must be a time of day such as 09:00")
	}
	known := false
	for _, r := range Regions {
		known = known || r == t.Region
	}
	if !known {
		errs.add("region", "must be one of %s", strings.Join(Regions, ", "))
	}
	if _, _, ok := t.quiet(); !ok && t.QuietPeriod != "none" {
		errs.add("quietPeriod", "must be MM-DD/MM-DD (e.g. 12-24/01-01) or none")
	}
	return errs.err()
}

func parseClock(s string) (hour, minute int, ok bool) {
	tm, err := time.Parse("15:04", s)
	if err != nil {
		return 0, 0, false
	}
	return tm.Hour(), tm.Minute(), true
}

// quiet is the quiet period as month*100+day bounds.
func (t Timing) quiet() (from, to int, ok bool) {
	a, b, found := strings.Cut(t.QuietPeriod, "/")
	if !found {
		return 0, 0, false
	}
	md := func(s string) (int, bool) {
		tm, err := time.Parse("01-02", s)
		if err != nil {
			return 0, false
		}
		return int(tm.Month())*100 + tm.Day(), true
	}
	from, okA := md(a)
	to, okB := md(b)
	return from, to, okA && okB
}

// WorkingDay reports whether anything may go out on d: a weekday that is
// not a bank holiday of the region (nor an extra one) and not in the quiet
// period.
func (t Timing) WorkingDay(d Date) bool {
	t = t.Normalized()
	if !t.BusinessDay(d) {
		return false
	}
	if from, to, ok := t.quiet(); ok {
		md := int(d.Month)*100 + d.Day
		if from <= to && md >= from && md <= to || from > to && (md >= from || md <= to) {
			return false
		}
	}
	return true
}

// maxShift bounds the search for a working day: a quiet period and the
// weekends and holidays around it span far fewer days.
const maxShift = 60

// SendOn is the day something dated d goes out: d if it is a working day,
// else the working day before it.
func (t Timing) SendOn(d Date) Date {
	for i := 0; i < maxShift; i++ {
		if s := d.AddDays(-i); t.WorkingDay(s) {
			return s
		}
	}
	return d
}

// NextWorkingDay is the first working day on or after d.
func (t Timing) NextWorkingDay(d Date) Date {
	for i := 0; i < maxShift; i++ {
		if s := d.AddDays(i); t.WorkingDay(s) {
			return s
		}
	}
	return d
}

// SendAt is the instant on day d at the send time in loc.
func (t Timing) SendAt(d Date, loc *time.Location) time.Time {
	h, m, ok := parseClock(t.Normalized().SendTime)
	if !ok {
		h, m, _ = parseClock(DefaultSendTime)
	}
	return d.At(h, m, loc)
}

// RemindOn is the day a reminder counted reminderDays from today goes out:
// on the working day before a day off, or, when that would be today or
// earlier, the first working day after it.
func (t Timing) RemindOn(today Date, reminderDays int) Date {
	d := today.AddDays(reminderDays)
	if s := t.SendOn(d); s.After(today) {
		return s
	}
	return t.NextWorkingDay(d)
}

// timing is the agreement's timing, or the defaults for one activated
// before timings were kept.
func (a *Agreement) timing() Timing {
	if a.Timing == nil {
		return Timing{}.Normalized()
	}
	return a.Timing.Normalized()
}

// SendOn is the day an item of this agreement dated d goes out.
func (a *Agreement) SendOn(d Date) Date { return a.timing().SendOn(d) }

// Sendable reports whether an item dated d may go out at now: its send day
// has come, today is a working day and today's send time has passed. (An
// item whose day was missed waits for the next working day's send time.)
func (a *Agreement) Sendable(d Date, now time.Time) bool {
	loc := a.Location()
	t := a.timing()
	today := Today(now, loc)
	on := t.SendOn(d)
	if on.After(today) {
		return false
	}
	return t.WorkingDay(today) && !now.Before(t.SendAt(today, loc))
}

// SendAfter is the first instant at or after now when an item dated d may
// go out: its send day at the send time, or, when that has passed, now (a
// minute on) if now is a working day after its send time, else the next
// working day's send time.
func (a *Agreement) SendAfter(d Date, now time.Time) time.Time {
	loc, t := a.Location(), a.timing()
	if at := t.SendAt(t.SendOn(d), loc); at.After(now) {
		return at
	}
	today := Today(now, loc)
	if t.WorkingDay(today) {
		if at := t.SendAt(today, loc); at.After(now) {
			return at
		}
		return now.Add(time.Minute).Truncate(time.Second)
	}
	return t.SendAt(t.NextWorkingDay(today), loc)
}
