package grants

import (
	"strconv"
	"strings"
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

// LateCutOff is the last day an unpaid instalment can have become payable
// and be late on today: more than onTime business days with finance.
// Anything payable on or before it is late; the day after it is not yet.
// As an instalment is payable on its due date at the earliest, it bounds
// the due dates of those late too.
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

// Lateness that is fair to finance (issue 26, item 8). An instalment's
// working days late are split by whom it was waiting on:
//
//   - with the partner: under the afterCheckIn policy, from its due date
//     until the check-in it waits on came in (received, accepted from the
//     held messages, recorded or waived: the day it was released, PayableOn),
//     or until finance paid it without one on an override. Under onSchedule
//     nothing waits on a check-in, so this is always 0;
//   - with finance: from the day it became payable (its due date, or
//     PayableOn when later) until it was paid, or until today while unpaid.
//
// Both are business days of the programme's calendar and add up to DaysLate.
// Only finance's days make an instalment late (Late): the on-time rate, the
// number late now, the late-payments digest and every page that marks a row
// late read that one rule, so a partner's late check-in never counts against
// finance.

// Late is the one rule of lateness: an instalment is late when finance has
// had it payable for more than onTime working days (the programme's
// OnTimeDays). Days waiting on the partner never count.
func Late(daysWithFinance, onTime int) bool { return daysWithFinance > onTime }

// lateFacts is what an instalment's lateness is measured from, as both an
// instalment and finance's row of it carry it.
type lateFacts struct {
	status          InstalmentStatus
	due, payableOn  Date
	awaiting        bool
	daysLate        int // fixed when paid
	daysWithPartner int // fixed when paid
	daysOnHold      int
	heldOn          Date
}

// measured is an instalment's lateness on a day.
type measured struct {
	late, withPartner, withFinance, onHold int
}

// lateness is how late an instalment is on today: fixed when it was paid,
// counted to today while it is due or held, split by whom it was waiting
// on; and how many of those days it was on hold (the holds that ended, and
// the one going on).
func lateness(t Timing, f lateFacts, today Date) measured {
	switch f.status {
	case InstalmentPaid:
		// Paid before the split was kept, an instalment's days are all
		// finance's: the best that is known of it.
		partner := min(f.daysWithPartner, f.daysLate)
		return measured{late: f.daysLate, withPartner: partner, withFinance: f.daysLate - partner, onHold: f.daysOnHold}
	case InstalmentDue, InstalmentHeld:
		m := measured{late: t.WorkingDaysLate(f.due, today), onHold: f.daysOnHold}
		if f.status == InstalmentHeld && !f.heldOn.IsZero() {
			m.onHold += t.WorkingDaysLate(latest(f.heldOn, f.due), today)
		}
		switch {
		case f.awaiting:
			m.withPartner = m.late // still waiting on the check-in
		case !f.payableOn.IsZero():
			m.withPartner = t.WorkingDaysLate(f.due, earliest(f.payableOn, today))
		}
		m.withFinance = m.late - m.withPartner
		return m
	}
	return measured{onHold: f.daysOnHold}
}

func latest(a, b Date) Date {
	if a.After(b) {
		return a
	}
	return b
}

func earliest(a, b Date) Date {
	if a.After(b) {
		return b
	}
	return a
}

func (in *Instalment) lateFacts() lateFacts {
	return lateFacts{status: in.Status, due: in.DueDate, payableOn: in.PayableOn, awaiting: in.AwaitingCheckIn,
		daysLate: in.DaysLate, daysWithPartner: in.DaysWithPartner, daysOnHold: in.DaysOnHold, heldOn: in.HeldOn}
}

func (in *Instalment) setLateness(m measured) {
	in.DaysLate, in.DaysWithPartner, in.DaysWithFinance, in.DaysOnHold = m.late, m.withPartner, m.withFinance, m.onHold
}

// MeasureLateness sets each unpaid instalment's DaysLate, DaysWithPartner,
// DaysWithFinance and DaysOnHold as of today, for an answer to read (a
// paid one keeps what was fixed when it was paid). Nothing stored depends
// on it.
func (a *Agreement) MeasureLateness(today Date) {
	t := a.timing()
	for i := range a.Instalments {
		in := &a.Instalments[i]
		in.setLateness(lateness(t, in.lateFacts(), today))
	}
}

// MeasureLateness sets the row's DaysLate, DaysWithPartner, DaysWithFinance
// and DaysOnHold as of today, by the programme's calendar t (a row does not
// carry its agreement's).
func (r *InstalmentRow) MeasureLateness(t Timing, today Date) {
	m := lateness(t, lateFacts{status: r.Status, due: r.DueDate, payableOn: r.PayableOn, awaiting: r.AwaitingCheckIn,
		daysLate: r.DaysLate, daysWithPartner: r.DaysWithPartner, daysOnHold: r.DaysOnHold, heldOn: r.HeldOn}, today)
	r.DaysLate, r.DaysWithPartner, r.DaysWithFinance, r.DaysOnHold = m.late, m.withPartner, m.withFinance, m.onHold
}

// PaidDaysWithFinance is a paid instalment's working days with finance, as
// fixed when it was paid: what the on-time rate counts (Stats.PaidDaysLate)
// and the days-late metric observes. It needs no calendar.
func (in *Instalment) PaidDaysWithFinance() int {
	return lateness(Timing{}, in.lateFacts(), Date{}).withFinance
}

// LateNow reports whether the instalment, measured (MeasureLateness), is
// unpaid and late by the one rule (Late).
func (in *Instalment) LateNow(onTime int) bool {
	return unpaid(in.Status) && Late(in.DaysWithFinance, onTime)
}

// LateNow reports whether the row, measured (MeasureLateness), is unpaid
// and late by the one rule (Late).
func (r *InstalmentRow) LateNow(onTime int) bool {
	return unpaid(r.Status) && Late(r.DaysWithFinance, onTime)
}

// PayableFrom is the day the row became payable: its due date, or the day
// the check-in it waited on came in when that was later. The day it turned
// late is counted from it.
func (r *InstalmentRow) PayableFrom() Date { return latest(r.DueDate, r.PayableOn) }

func unpaid(s InstalmentStatus) bool { return s == InstalmentDue || s == InstalmentHeld }

// fixLateness fixes a paid instalment's lateness on the day it was paid,
// by the agreement's calendar, so the programme's figures (Stats) need no
// calendar and never change once paid. Paid while still waiting on the
// check-in (finance's override), all its days were the partner's.
func (in *Instalment) fixLateness(t Timing) {
	if in.AwaitingCheckIn {
		in.PayableOn = in.PaidOn
	}
	in.AwaitingCheckIn = false
	facts := in.lateFacts()
	facts.status = InstalmentDue // measured as on the day it was paid
	// Measured as due, its days on hold are the ones fixed as each hold ended.
	in.setLateness(lateness(t, facts, in.PaidOn))
}

// released records that the check-in instalment in waited on came in on
// day: from then on, its days are finance's.
func (in *Instalment) released(day Date) {
	in.AwaitingCheckIn = false
	in.PayableOn = day
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

// LatenessInWords says an instalment's days late by whom it waited on, as
// pages and emails show them: "12 days waiting on the partner, 3 days with
// finance", a part left out when it is 0, "none" when both are, and the
// days on hold after ("(2 of them on hold)").
func LatenessInWords(withPartner, withFinance, onHold int) string {
	var parts []string
	if withPartner > 0 {
		parts = append(parts, Count(withPartner, "day", "days")+" waiting on the partner")
	}
	if withFinance > 0 {
		parts = append(parts, Count(withFinance, "day", "days")+" with finance")
	}
	if len(parts) == 0 {
		return "none"
	}
	s := strings.Join(parts, ", ")
	if onHold > 0 {
		s += " (" + strconv.Itoa(onHold) + " of them on hold)"
	}
	return s
}
