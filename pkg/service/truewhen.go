package service

import (
	"fmt"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// Emails true when they are sent (issue 26, item 11). A queued email is
// checked again when it goes out: what it was queued to say may have
// stopped being true meanwhile (a notice left for the sweep by a failed
// send, a retry after a crash). The wording of the rest is made from the
// agreement as it then stands (pkg/mailer, truewhen.go); an email whose
// whole point has gone is recorded as skipped, with the reason, not sent.

// untrue says why the email under k would be untrue if it went now ("":
// it would not be): finance's notice that an instalment is due, or now
// payable, for one paid, held or cancelled since.
func untrue(a *grants.Agreement, k outbox.Key) string {
	switch k.Kind {
	case outbox.KindDueNotice, outbox.KindNowPayable:
		if in := a.Instalment(k.Instalment); in != nil && in.Status != grants.InstalmentDue {
			return fmt.Sprintf("instalment %d is %s now, no longer due", k.Instalment, in.Status)
		}
	}
	return ""
}
