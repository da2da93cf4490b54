package httpapi

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/memstore"
)

// Issue 23 in the JSON API: an agreement carries the payment policy it was
// made under (its programme's: onSchedule with no settings, afterCheckIn
// where the settings say so), and its check-in count, whose bad values are
// a 422 naming checkInCount.
func TestCreateWithPolicyAndCheckInCount(t *testing.T) {
	f := newFixture(t)
	a := decodeAgreement(t, f.do(t, event("POST", "/agreements", nil, issueBody, RoleProgramme)))
	if a.PaymentPolicy != grants.PolicyOnSchedule || len(a.CheckIns) != 4 || a.CheckInCount != 0 {
		t.Errorf("no settings: policy %q, %d check-ins (count %d)", a.PaymentPolicy, len(a.CheckIns), a.CheckInCount)
	}

	if err := f.store.(*memstore.Store).PutProgrammeSettings(context.Background(), "strict-2026", grants.ProgrammeSettings{PaymentPolicy: grants.PolicyAfterCheckIn}); err != nil {
		t.Fatal(err)
	}
	two := strings.Replace(strings.Replace(issueBody, `"community-2026"`, `"strict-2026"`, 1), `"instalmentCount": 4,`, `"instalmentCount": 4, "checkInCount": 2,`, 1)
	resp := f.do(t, event("POST", "/agreements", nil, two, RoleProgramme))
	if resp.StatusCode != 201 {
		t.Fatalf("2 check-ins: %d %s", resp.StatusCode, resp.Body)
	}
	b := decodeAgreement(t, resp)
	if b.PaymentPolicy != grants.PolicyAfterCheckIn || len(b.CheckIns) != 2 || b.CheckInCount != 2 || !b.CheckIns[1].Final ||
		b.CheckIns[0].DueDate.String() != "2026-07-17" || len(b.Instalments) != 4 {
		t.Errorf("afterCheckIn programme, 2 check-ins: %s", resp.Body)
	}

	for _, n := range []string{"0", "13", "-2"} {
		body := strings.Replace(issueBody, `"instalmentCount": 4,`, `"instalmentCount": 4, "checkInCount": `+n+`,`, 1)
		resp := f.do(t, event("POST", "/agreements", nil, body, RoleProgramme))
		var p Problem
		_ = json.Unmarshal([]byte(resp.Body), &p)
		if resp.StatusCode != 422 || resp.Headers["Content-Type"] != "application/problem+json" || len(p.Errors) == 0 || p.Errors[0].Field != "checkInCount" {
			t.Errorf("checkInCount %s: %d %s", n, resp.StatusCode, resp.Body)
		}
	}
}
