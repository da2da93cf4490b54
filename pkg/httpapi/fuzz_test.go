package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/httpapi/openapi/openapitest"
)

// wantNoServerError: whatever a client sends, the answer is a success or a
// problem+json below 500 — never a 500, never a panic.
func wantNoServerError(t *testing.T, resp events.APIGatewayV2HTTPResponse, body string) {
	t.Helper()
	if resp.StatusCode >= 500 {
		t.Fatalf("%d %s for body %q", resp.StatusCode, resp.Body, body)
	}
	if resp.StatusCode >= 400 && resp.Headers["Content-Type"] != "application/problem+json" {
		t.Fatalf("%d answered as %s", resp.StatusCode, resp.Headers["Content-Type"])
	}
}

// FuzzCreateAgreement sends arbitrary bodies to POST /agreements, stored in
// DynamoDB Local (make fuzz; make test runs the seeds): on the real table,
// so that what DynamoDB would refuse to store shows as a 500 here.
func FuzzCreateAgreement(f *testing.F) {
	for _, s := range []string{
		issueBody,
		strings.Replace(issueBody, "2026-01-31", "9999-12-31", 1),
		strings.Replace(issueBody, "1000000", "9223372036854775807", 1),
		strings.Replace(issueBody, `"instalmentCount": 4`, `"instalmentCount": 0`, 1),
		strings.Replace(issueBody, `"GBP"`, `"JPY", "timeZone": "Local", "cadence": "monthly"`, 1),
		strings.Replace(issueBody, "Levenshulme", `\ud83d\ude00\ud800`, 1),
		`{"terms": [` + strings.Repeat(`"x",`, 100) + `"y"]}`,
		`[]`, `null`, `{"amount": 1e400}`,
	} {
		f.Add(s)
	}
	fx := newDynamoFixture(f)
	f.Fuzz(func(t *testing.T, body string) {
		wantNoServerError(t, fx.do(t, event("POST", "/agreements", nil, body, RoleProgramme)), body)
	})
}

// FuzzAmendAgreement sends arbitrary bodies to PATCH /agreements/{id} of one
// stored agreement, following its version as amendments succeed.
func FuzzAmendAgreement(f *testing.F) {
	for _, s := range []string{
		`{"terms": ["Co-host meals"], "support": []}`,
		`{"instalments": [{"number": 2, "dueDate": "2026-05-15"}], "checkIns": [{"number": 1, "dueDate": "2026-04-30"}]}`,
		`{"instalments": [{"number": 3, "dueDate": "10000-01-01"}, {"number": 3, "dueDate": "2026-08-01"}]}`,
		`{"contacts": [{"name": "Amina", "email": "amina@example.org"}, {"name": "Joe", "email": "AMINA@example.org"}]}`,
		`{"instalments": [{"number": -1, "dueDate": ""}], "checkIns": null}`,
		`{}`, `{"terms": null}`,
	} {
		f.Add(s)
	}
	fx := newDynamoFixture(f)
	ev := event("POST", "/agreements", nil, issueBody, RoleProgramme)
	created, err := fx.api.Handle(f.Context(), ev)
	openapitest.Check(f, ev, created)
	if err != nil || created.StatusCode != http.StatusCreated {
		f.Fatalf("create: %v %d %s", err, created.StatusCode, created.Body)
	}
	id, version := decodeAgreement(f, created).ID, created.Headers["ETag"]
	f.Fuzz(func(t *testing.T, body string) {
		ev := event("PATCH", "/agreements/{id}", map[string]string{"id": id}, body, RoleProgramme)
		ev.Headers["if-match"] = version
		resp := fx.do(t, ev)
		wantNoServerError(t, resp, body)
		if resp.StatusCode == http.StatusOK {
			version = resp.Headers["ETag"]
		}
	})
}
