package stack

import (
	"fmt"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
)

// A draft created by mistake is deleted through the API on the stack (its
// function's IAM policy and DynamoDB Local): 204, then 404 on a read and
// on a repeat, and the programme's list no longer has it (issue 26, item 16).
func TestDeleteDraftOnTheStack(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	now := time.Now()
	tok, err := st.Auth.Issue("olu", "programme", now)
	if err != nil {
		t.Fatal(err)
	}
	officer := client{t, st.opts.APIAddr, tok}
	start := grants.Today(st.Clock.Now(), time.UTC)
	var a grants.Agreement
	officer.must(201, "POST", "/agreements", fmt.Sprintf(`{"programme": "mistakes",
		"partner": {"name": "Hulme Garden Centre", "registrationNumber": "1121212", "address": "28 Old Birley Street, Manchester M15 5RG"},
		"contacts": [{"name": "Kim Lee", "email": "kim-%d@garden.example", "role": "lead"}],
		"amount": 1000000, "startDate": %q}`, now.UnixNano(), start.AddDays(7)), &a)
	officer.must(204, "DELETE", "/agreements/"+a.ID, "", nil)
	officer.must(404, "GET", "/agreements/"+a.ID, "", nil)
	officer.must(404, "DELETE", "/agreements/"+a.ID, "", nil)
	var page grants.Page[grants.Agreement]
	officer.must(200, "GET", "/agreements?programme=mistakes", "", &page)
	if len(page.Items) != 0 {
		t.Errorf("the programme still lists %d agreements", len(page.Items))
	}
}
