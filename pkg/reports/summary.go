// Package reports turns agreements into what programme staff read: a
// programme summary (what is committed, paid and outstanding, what is due,
// held or overdue), the tally a programme's aggregate keeps for it, and one
// agreement's timeline. (pkg/metrics counts business events for CloudWatch;
// pkg/callmeter measures one invocation's AWS calls.) It is pure Go over the
// grants domain: no AWS package, no clock of its own (today is passed in).
package reports

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/money"
)

// Summary is a programme at a glance.
type Summary struct {
	Programme string       `json:"programme"`
	AsOf      grants.Date  `json:"asOf"`
	Status    StatusCounts `json:"status"`
	// Currencies holds the money figures per ISO 4217 code: amounts in
	// different currencies are never added together.
	Currencies       map[string]CurrencyTotals `json:"currencies"`
	InstalmentsDue   int                       `json:"instalmentsDue"`
	InstalmentsHeld  int                       `json:"instalmentsHeld"`
	CheckInsReceived int                       `json:"checkInsReceived"`
	// CheckInsByConversation are those of CheckInsReceived answered in a
	// call, meeting or visit an officer recorded.
	CheckInsByConversation int `json:"checkInsByConversation"`
	// SupportDelivered counts support items delivered.
	SupportDelivered int `json:"supportDelivered"`
	// RepliesAskingForHelp counts replies flagged as asking for help
	// (grants.HelpPhrases); HelpToFollowUp those not yet followed up.
	RepliesAskingForHelp int `json:"repliesAskingForHelp"`
	HelpToFollowUp       int `json:"helpToFollowUp"`
	CheckInsLate         int `json:"checkInsLate"`
	CheckInsOverdue      int `json:"checkInsOverdue"`
	// PastEndDate counts active agreements whose end date has gone by: they
	// are waiting for someone to complete (or extend) them.
	PastEndDate int `json:"pastEndDate"`
	// Quarantined is the number of replies waiting for a person to decide.
	Quarantined int               `json:"quarantined"`
	Bouncing    []BouncingPartner `json:"bouncing"`
	// Totals is the sum of every agreement's Stats: each of its numbers
	// (and each value of its maps of numbers) is a per-agreement counter.
	// The counters above are taken from it.
	Totals grants.Stats `json:"totals"`
	// PaidDaysLate is every paid instalment counted by its working days
	// late with finance (the agreements' Stats.PaidDaysLate added up).
	PaidDaysLate map[string]int `json:"paidDaysLate"`
	Lateness     Lateness       `json:"lateness"`
}

// Lateness is how promptly the programme pays, in working days of its
// calendar (see grants.Timing.WorkingDaysLate) with finance: from when an
// instalment became payable, never the days it waited on the partner's
// check-in (grants.Late, the one rule of lateness).
type Lateness struct {
	// OnTimeWorkingDays is the programme's setting: paid within this many
	// working days of becoming payable is on time.
	OnTimeWorkingDays int `json:"onTimeWorkingDays"`
	// PaidOnTime of InstalmentsPaid were paid on time; OnTimeRate is the
	// share (0 to 1), null while nothing is paid.
	InstalmentsPaid int      `json:"instalmentsPaid"`
	PaidOnTime      int      `json:"paidOnTime"`
	OnTimeRate      *float64 `json:"onTimeRate"`
	// MedianDaysLate is the median working days with finance of paid
	// instalments (a half when the middle two differ), null while nothing is
	// paid.
	MedianDaysLate *float64 `json:"medianDaysLate"`
	// LateNow counts due or held instalments already more than
	// OnTimeWorkingDays with finance (the rows the finance page marks late).
	LateNow int `json:"lateNow"`
}

// StatusCounts is how many agreements are in each status.
type StatusCounts struct {
	Total      int `json:"total"`
	Draft      int `json:"draft"`
	Active     int `json:"active"`
	Completed  int `json:"completed"`
	Terminated int `json:"terminated"`
}

// CurrencyTotals are the money figures for one currency. They add up:
// Committed − Paid = Outstanding, and Committed + Cancelled is every
// award made (drafts aside), so no pound is counted twice or lost.
type CurrencyTotals struct {
	Currency string `json:"currency"`
	// Committed is what activated agreements will have paid once they
	// end: everything paid, and what active ones still expect. Drafts
	// commit nothing until activated.
	Committed Total `json:"committed"`
	// Paid is everything paid, whatever the agreement's status now.
	Paid Total `json:"paid"`
	// Outstanding is what active agreements still expect to receive,
	// including held instalments.
	Outstanding Total `json:"outstanding"`
	// Cancelled is what was awarded and will never be paid: the unpaid
	// instalments of agreements closed early or terminated (and any an
	// active agreement had cancelled). It is not committed.
	Cancelled Total `json:"cancelled"`
}

// Total is an exact sum in minor units, with its major-unit rendering
// ("12500.00") from money.Amount.Major so that no reader needs a float.
type Total struct {
	Minor int64  `json:"minor"`
	Major string `json:"major"`
}

// BouncingPartner is a running agreement at least one of whose contacts no
// longer receives mail, so check-ins are not reaching somebody.
type BouncingPartner struct {
	AgreementID string `json:"agreementId"`
	Reference   string `json:"reference"`
	Partner     string `json:"partner"`
	Contacts    int    `json:"contacts"`
}

// Recount is the tally and today's marks of a programme's agreements, added
// up from each: what the store's aggregate must always equal.
func Recount(agreements []grants.Agreement, today grants.Date) (Tally, Marks, error) {
	sum := Tally{}
	var marks Marks
	for i := range agreements {
		a := &agreements[i]
		t, err := TallyOf(a)
		if err == nil {
			err = sum.Add(t)
		}
		if err != nil {
			return nil, Marks{}, err
		}
		if PastEndDate(a, today) {
			marks.PastEndDate++
		}
		if b, ok := Bouncing(a); ok {
			marks.Bouncing = append(marks.Bouncing, b)
		}
	}
	SortBouncing(marks.Bouncing)
	return sum.nonZero(), marks, nil
}

// PastEndDate reports whether a is active with its end date gone by: it is
// waiting for someone to complete (or extend) it.
func PastEndDate(a *grants.Agreement, today grants.Date) bool {
	return a.Status == grants.AgreementActive && !a.EndDate.IsZero() && a.EndDate.Before(today)
}

// Bouncing is a as a bouncing partner, if it is one. Only agreements that
// still send mail need a contact fixed; a bounce on a finished agreement is
// history, not work.
func Bouncing(a *grants.Agreement) (BouncingPartner, bool) {
	if a.Status != grants.AgreementActive && a.Status != grants.AgreementDraft {
		return BouncingPartner{}, false
	}
	n := bouncing(a)
	return BouncingPartner{AgreementID: a.ID, Reference: a.Reference, Partner: a.Partner.Name, Contacts: n}, n > 0
}

// SortBouncing puts bouncing partners in the summary's order: by reference.
func SortBouncing(list []BouncingPartner) {
	slices.SortFunc(list, func(x, y BouncingPartner) int {
		return cmp.Or(cmp.Compare(x.Reference, y.Reference), cmp.Compare(x.AgreementID, y.AgreementID))
	})
}

// bouncing counts bounced contacts. The contacts travel on the agreement's
// own item, so they are read directly when present (they are the truth, and
// Stats may predate a contact change); Stats covers a projection without them.
func bouncing(a *grants.Agreement) int {
	if len(a.Contacts) == 0 {
		return a.Stats.BouncingContacts
	}
	n := 0
	for _, c := range a.Contacts {
		if c.Bounced != "" {
			n++
		}
	}
	return n
}

func total(minor int64, currency string) Total {
	return Total{Minor: minor, Major: money.Amount{Minor: minor, Currency: currency}.Major()}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// MeasureLateness fills the summary's Lateness from its PaidDaysLate, the
// programme's on-time setting and the count of instalments late now (which
// depends on today, so is read apart from the agreements).
func (s *Summary) MeasureLateness(onTimeDays, lateNow int) {
	l := Lateness{OnTimeWorkingDays: onTimeDays, LateNow: lateNow}
	type bucket struct{ days, n int }
	var hist []bucket
	for k, n := range s.PaidDaysLate {
		days, err := strconv.Atoi(k)
		if err != nil || n <= 0 {
			continue // not a key grants.DaysLateKey writes
		}
		hist = append(hist, bucket{days, n})
		l.InstalmentsPaid += n
		if !grants.Late(days, onTimeDays) {
			l.PaidOnTime += n
		}
	}
	if l.InstalmentsPaid > 0 {
		slices.SortFunc(hist, func(x, y bucket) int { return cmp.Compare(x.days, y.days) })
		// The k-th smallest (from 0) of the paid instalments.
		nth := func(k int) int {
			for _, b := range hist {
				if k < b.n {
					return b.days
				}
				k -= b.n
			}
			return hist[len(hist)-1].days
		}
		total := l.InstalmentsPaid
		median := float64(nth((total-1)/2)+nth(total/2)) / 2
		rate := float64(l.PaidOnTime) / float64(total)
		l.MedianDaysLate, l.OnTimeRate = &median, &rate
	}
	s.Lateness = l
}
