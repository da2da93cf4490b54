package mailer

import (
	"slices"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
)

// Emails true when they are sent (issue 26, item 11). An email is worded
// from the agreement as it stands when it goes out, which may be days after
// it was queued (a welcome waits for a working day's send time; a final
// report goes after the end date): what it says must hold then.

// asSent is a as it stands once check-in n has gone: the check-in email
// is what makes the next instalment wait on its reply, so the money it
// tells of waits on that reply. (Told as it stood before, the email asked
// for a reply to pay the next instalment while saying nothing waited on
// the partner.)
func asSent(a *grants.Agreement, n int) *grants.Agreement {
	b := *a
	b.CheckIns = slices.Clone(a.CheckIns)
	if c := b.CheckIn(n); c != nil && c.Status == grants.CheckInScheduled {
		c.Status = grants.CheckInSent
	}
	return &b
}

// endedOn is the agreement's end date, in words, when its final report c
// goes out after it (on, in the agreement's time zone): the partnership
// has then come to a close, not "is coming to" one. Empty otherwise, and
// when on is not known.
func endedOn(a *grants.Agreement, c grants.CheckIn, on time.Time) string {
	if !c.Final || on.IsZero() || a.EndDate.IsZero() || !grants.Today(on, a.Location()).After(a.EndDate) {
		return ""
	}
	return a.EndDate.Long()
}

// stillDue keeps, of the instalments an activation found due, those still
// due now: one paid since is told as paid (its remittance has gone), never
// as "with our finance team".
func stillDue(a *grants.Agreement, due []int) (still, paid []int) {
	for _, n := range due {
		in := a.Instalment(n)
		switch {
		case in == nil:
		case in.Status == grants.InstalmentDue:
			still = append(still, n)
		case in.Status == grants.InstalmentPaid:
			paid = append(paid, n)
		}
	}
	return still, paid
}
