package service

import (
	"fmt"
	"slices"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// Emails true when they are sent (issue 26, item 11). A queued email is
// checked again when it goes out: what it was queued to say may have
// stopped being true meanwhile (a notice left for the sweep by a failed
// send, a retry after a crash). The wording of the rest is made from the
// agreement as it then stands (pkg/mailer, truewhen.go); an email whose
// whole point has gone is recorded as skipped, with the reason, not sent.

// Nobody is emailed about what they cannot act on (issue 26, item 12): the
// same check at send time skips an email whose reader could do nothing
// with it: finance told to pay an instalment that waits on the partner's
// check-in (the payment policy afterCheckIn; finance hears once it can be
// paid, the now-payable notice, when the check-in comes in or is waived)
// or on their accepting the agreement (the programme's setting
// FirstInstalmentAwaitsAcceptance; finance hears when they accept),
// the partner reminded, or the officer told it is overdue, about a
// check-in answered or waived since; finance told to make no further
// payments under a terminated agreement that had nothing left to pay.

// untrue says why the email under k would be untrue, or of no use to its
// reader, if it went now ("": it would not be): finance's notice that an
// instalment is due, or now payable, for one paid, held or cancelled
// since, or still waiting on a check-in; a reminder or an overdue notice
// of a check-in no longer outstanding; finance's notice of a termination
// that left nothing unpaid.
func untrue(a *grants.Agreement, k outbox.Key) string {
	switch k.Kind {
	case outbox.KindDueNotice, outbox.KindNowPayable:
		in := a.Instalment(k.Instalment)
		switch {
		case in == nil:
		case in.Status != grants.InstalmentDue:
			return fmt.Sprintf("instalment %d is %s now, no longer due", k.Instalment, in.Status)
		case in.AwaitingCheckIn:
			return fmt.Sprintf("instalment %d waits on check-in %d from the partner: finance is told when it can be paid", k.Instalment, a.CheckInBefore(k.Instalment))
		case a.FirstInstalmentWaiting(k.Instalment):
			return fmt.Sprintf("instalment %d waits on the partner accepting the agreement: finance is told when it can be paid", k.Instalment)
		}
	case outbox.KindTerminatedFinance:
		// "Make no further payments": true only when something was left to
		// pay. With every instalment paid, there is nothing to stop.
		if !slices.ContainsFunc(a.Instalments, func(in grants.Instalment) bool { return in.Status != grants.InstalmentPaid }) {
			return "every instalment was paid before the agreement was terminated: nothing for finance to stop"
		}
	case outbox.KindReminder, outbox.KindOverdue:
		if c := a.CheckIn(k.CheckIn); c != nil && (c.Status == grants.CheckInReceived || c.Status == grants.CheckInWaived) {
			return fmt.Sprintf("check-in %d is %s now: nothing waits on the partner", k.CheckIn, c.Status)
		}
	}
	return ""
}
