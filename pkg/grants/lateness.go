package grants

import (
	"strconv"
	"time"
)

// DefaultOnTimeWorkingDays is how many working days after its due date an
// instalment may be paid and still count as paid on time, for programmes
// that do not say.
const DefaultOnTimeWorkingDays = 10

// maxLateDays bounds the day-by-day count of working days: no instalment of
// an agreement within MaxDurationMonths is later than this many calendar
// days, and a bound keeps a damaged date from looping for long.
const maxLateDays = 20 * 366

// BusinessDay reports whether finance works on d: a weekday that is not a
// bank holiday of the region nor an extra one. Unlike WorkingDay it ignores
// the quiet period, which is about not writing to partners over Christmas,
// not about finance's working days: lateness is measured in business days.
func (t Timing) BusinessDay(d Date) bool {
	t = t.Normalized()
	if wd := d.time().Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	if regionHolidays(t.Region)[d] {
		return false
	}
	for _, h := range t.ExtraBankHolidays {
		if h == d {
			return false
		}
	}
	return true
}

// WorkingDaysLate counts the business days after due up to and including
// on: 0 when on is the due date or earlier, 1 when paid on the next
// business day, and a weekend or bank holiday in between adds nothing.
func (t Timing) WorkingDaysLate(due, on Date) int {
	n := 0
	for d, i := due.AddDays(1), 0; !d.After(on) && i < maxLateDays; d, i = d.AddDays(1), i+1 {
		if t.BusinessDay(d) {
			n++
		}
	}
	return n
}

// OnTimeDays is what "on time" means for the programme: paid within this
// many working days of the due date.
func (p ProgrammeSettings) OnTimeDays() int {
	if p.OnTimeWorkingDays == nil {
		return DefaultOnTimeWorkingDays
	}
	return *p.OnTimeWorkingDays
}

// LateCutOff is the last due date of an instalment that is late on today
// while unpaid: more than onTime business days late. Anything due on or
// before it is late; the day after it is not yet.
func (t Timing) LateCutOff(today Date, onTime int) Date {
	d := today
	for n, i := 0, 0; i < maxLateDays; d, i = d.AddDays(-1), i+1 {
		// Due the day before the (onTime+1)-th business day back from today
		// (today included), an instalment is onTime+1 days late.
		if t.BusinessDay(d) {
			if n++; n == onTime+1 {
				break
			}
		}
	}
	return d.AddDays(-1)
}

// lateness is how late an instalment is on today: fixed when it was paid,
// counted to today while it is due or held; and how many of those days it
// was on hold (the holds that ended, and the one going on).
func lateness(t Timing, status InstalmentStatus, due Date, daysLate, daysOnHold int, heldOn, today Date) (late, onHold int) {
	switch status {
	case InstalmentPaid:
		return daysLate, daysOnHold
	case InstalmentDue, InstalmentHeld:
		late, onHold = t.WorkingDaysLate(due, today), daysOnHold
		if status == InstalmentHeld && !heldOn.IsZero() {
			onHold += t.WorkingDaysLate(latest(heldOn, due), today)
		}
		return late, onHold
	}
	return 0, daysOnHold
}

func latest(a, b Date) Date {
	if a.After(b) {
		return a
	}
	return b
}

// MeasureLateness sets each unpaid instalment's DaysLate and DaysOnHold as
// of today, for an answer to read (a paid one keeps what was fixed when it
// was paid). Nothing stored depends on it.
func (a *Agreement) MeasureLateness(today Date) {
	t := a.timing()
	for i := range a.Instalments {
		in := &a.Instalments[i]
		in.DaysLate, in.DaysOnHold = lateness(t, in.Status, in.DueDate, in.DaysLate, in.DaysOnHold, in.HeldOn, today)
	}
}

// MeasureLateness sets the row's DaysLate and DaysOnHold as of today, by
// the programme's calendar t (a row does not carry its agreement's).
func (r *InstalmentRow) MeasureLateness(t Timing, today Date) {
	r.DaysLate, r.DaysOnHold = lateness(t, r.Status, r.DueDate, r.DaysLate, r.DaysOnHold, r.HeldOn, today)
}

// endHold adds the hold that ends on day to the instalment's days on hold:
// only the business days after its due date count, as only they made it late.
func (in *Instalment) endHold(t Timing, day Date) {
	if !in.HeldOn.IsZero() {
		in.DaysOnHold += t.WorkingDaysLate(latest(in.HeldOn, in.DueDate), day)
	}
	in.HeldOn = Date{}
}

// DaysLateKey is a paid instalment's key in Stats.PaidDaysLate.
func DaysLateKey(days int) string { return strconv.Itoa(days) }
