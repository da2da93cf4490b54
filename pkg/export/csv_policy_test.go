package export

import (
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
)

// On schedule, no instalment waits on a check-in: the CSV names none.
func TestCSVWaitedOnFollowsThePolicy(t *testing.T) {
	a := &grants.Agreement{PaymentPolicy: grants.PolicyOnSchedule,
		Instalments: []grants.Instalment{{Number: 1}, {Number: 2}},
		CheckIns:    []grants.CheckIn{{Number: 1, Status: grants.CheckInOverdue}, {Number: 2, Final: true}}}
	if got := waitedOn(a, a.Instalments[1]); got[0] != "" || got[1] != "" {
		t.Errorf("on schedule: %v", got)
	}
	a.PaymentPolicy = grants.PolicyAfterCheckIn
	if got := waitedOn(a, a.Instalments[1]); got[0] != "1" || got[1] != "overdue" {
		t.Errorf("after check-in: %v", got)
	}
}
