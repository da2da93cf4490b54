package grants

import (
	"fmt"
	"strings"
)

// PaymentPolicy is a programme's answer to "does the money wait on the
// paperwork?" (issue 23: money on trust).
type PaymentPolicy string

const (
	// PolicyOnSchedule: an instalment is payable on its due date whether or
	// not a check-in came in. Nothing about money waits on a check-in, so
	// a late check-in never makes a payment late. New programmes get it.
	PolicyOnSchedule PaymentPolicy = "onSchedule"
	// PolicyAfterCheckIn: an instalment waits for the check-in before it
	// (received or waived) unless finance gives an override reason: the
	// rule before the policy existed.
	PolicyAfterCheckIn PaymentPolicy = "afterCheckIn"
)

// DefaultPaymentPolicy is the policy of a programme that has not chosen one
// (no settings item, or settings stored before the policy existed).
const DefaultPaymentPolicy = PolicyOnSchedule

// Valid reports whether p is one of the policies (empty is not).
func (p PaymentPolicy) Valid() bool { return p == PolicyOnSchedule || p == PolicyAfterCheckIn }

// ParsePaymentPolicy reads a policy as a client or a template parameter
// writes it; empty gives def.
func ParsePaymentPolicy(s string, def PaymentPolicy) (PaymentPolicy, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return def, nil
	}
	if p := PaymentPolicy(s); p.Valid() {
		return p, nil
	}
	return "", fmt.Errorf("payment policy %q: must be onSchedule or afterCheckIn", s)
}

// Policy is the programme's payment policy: its own, else DefaultPaymentPolicy.
func (p ProgrammeSettings) Policy() PaymentPolicy {
	if p.PaymentPolicy.Valid() {
		return p.PaymentPolicy
	}
	return DefaultPaymentPolicy
}

// Policy is the payment policy the agreement was made under. The programme's
// policy is copied onto an agreement when it is created (the partner is told
// it, and a later change of the programme's policy does not rewrite what was
// agreed). An agreement stored before policies existed has none and was made
// under the check-in rule, so it keeps it: it reads as PolicyAfterCheckIn.
func (a *Agreement) Policy() PaymentPolicy {
	if a.PaymentPolicy.Valid() {
		return a.PaymentPolicy
	}
	return PolicyAfterCheckIn
}

// MoneyWaitsOnCheckIns reports whether any instalment of the agreement can
// wait on a check-in (its policy is afterCheckIn).
func (a *Agreement) MoneyWaitsOnCheckIns() bool { return a.Policy() == PolicyAfterCheckIn }

// CheckInBefore is the check-in whose reply instalment n follows (0: none),
// whatever the policy:
//   - one check-in per instalment (CheckInCount 0: the default plan, and
//     every agreement made before check-in counts could differ, whatever
//     was added to its plans since): check-in n-1, the one due
//     CheckInLeadDays before instalment n;
//   - check-ins spread over the term (CheckInCount set): the latest
//     check-in, not the final report, due on or before instalment n's due
//     date. With 2 check-ins for 4 quarterly instalments
//     over a year, instalments 1 and 2 follow none and 3 and 4 follow
//     check-in 1 (due 14 days before month 6).
func (a *Agreement) CheckInBefore(n int) int {
	in := a.Instalment(n)
	if in == nil || in.IsExtra() {
		return 0 // an extra payment is support at a time of need: it follows no check-in
	}
	if a.CheckInCount == 0 {
		if n-1 >= 1 {
			return n - 1
		}
		return 0
	}
	k := 0
	for _, c := range a.CheckIns {
		if !c.Final && !c.DueDate.After(in.DueDate) {
			k = c.Number
		}
	}
	return k
}

// checkInIn reports whether check-in k is received or waived (true for none).
func (a *Agreement) checkInIn(k int) bool {
	c := a.CheckIn(k)
	return c == nil || c.Status == CheckInReceived || c.Status == CheckInWaived
}

// WaitsOnCheckIn is the check-in instalment n waits on before finance may
// pay it without an override: the one before it (CheckInBefore) when that
// is not in and the agreement's policy is afterCheckIn; 0 otherwise. Under
// onSchedule it is always 0.
func (a *Agreement) WaitsOnCheckIn(n int) int {
	if !a.MoneyWaitsOnCheckIns() {
		return 0
	}
	if k := a.CheckInBefore(n); k != 0 && !a.checkInIn(k) {
		return k
	}
	return 0
}

// InstalmentAfter is the first instalment that follows check-in k's reply
// (see CheckInBefore), or 0 when none does.
func (a *Agreement) InstalmentAfter(k int) int {
	for _, in := range a.Instalments {
		if a.CheckInBefore(in.Number) == k && k != 0 {
			return in.Number
		}
	}
	return 0
}

// CheckInCountOf is how many check-ins the agreement plans: its CheckInCount,
// or, for an agreement made before the count could be chosen, one per
// instalment.
func (a *Agreement) CheckInCountOf() int {
	if a.CheckInCount > 0 {
		return a.CheckInCount
	}
	if len(a.CheckIns) > 0 {
		return len(a.CheckIns)
	}
	return a.InstalmentCount
}

// MaxCheckInsPerInstalment bounds an agreement's check-ins: at most three
// for each instalment (monthly conversations for quarterly money), and at
// most one a month of the agreement; at least one (the end-of-agreement
// report). Reporting in proportion: fewer is always allowed.
const MaxCheckInsPerInstalment = 3

// checkCheckInCount validates an agreement's check-in count.
func checkCheckInCount(errs *fieldErrors, count, instalments, months int) {
	most := min(instalments*MaxCheckInsPerInstalment, months)
	if most < 1 {
		most = 1
	}
	if count < 1 || count > most {
		errs.add("checkInCount", "must be between 1 and %d: at most %d per instalment and one a month of the agreement", most, MaxCheckInsPerInstalment)
	}
}

// SpreadCheckInPlan computes count check-ins over the agreement's term of
// months, independently of the instalments: check-in k (k < count) is due
// leadDays before the point k×months/count months into the term (whole
// months, rounded down, counted from the start date so month-end clamping
// never drifts), and the last is the end-of-agreement report, finalDays
// after the end date. 2 check-ins over 12 months: 14 days before month 6,
// then the final report. (One check-in per instalment keeps CheckInPlan's
// rule: each leadDays before the next instalment.)
func SpreadCheckInPlan(start, end Date, count, months, leadDays, finalDays int) []CheckIn {
	plan := make([]CheckIn, count)
	for i := range plan {
		k := i + 1
		final := k == count
		due := end.AddDays(finalDays)
		if !final {
			due = start.AddMonths(k * months / count).AddDays(-leadDays)
		}
		plan[i] = CheckIn{Number: k, DueDate: due, Status: CheckInScheduled, Final: final}
	}
	return plan
}
