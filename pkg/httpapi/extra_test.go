package httpapi

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/grants"
)

func extraEvent(id, body, user, key string, role Role) events.APIGatewayV2HTTPRequest {
	var headers []string
	if key != "" {
		headers = []string{"Idempotency-Key", key}
	}
	return as(event("POST", "/agreements/{id}/instalments", map[string]string{"id": id}, body, role, headers...), user)
}

// TestExtraPaymentRoute adds an extra payment through the JSON route
// (issue 23, item 3): bad input is a problem naming its field, a viewer is
// refused, the same Idempotency-Key replays the first answer, and the
// answer carries the new instalment's number with the plan re-planned.
func TestExtraPaymentRoute(t *testing.T) {
	e := newPayEnv(t)
	a := e.newAgreement(t, "community-2026")
	due := grants.Today(e.clock.Now(), a.Location()).String()
	body := func(amount int64, date string) string {
		return `{"kind": "extra", "amount": ` + jsonNumber(amount) + `, "reason": "Internal: the van", "dueDate": "` + date + `", "fromLaterInstalments": true}`
	}
	for what, tt := range map[string]struct {
		body, field string
	}{
		"no amount":        {body(0, due), "amount"},
		"more than later":  {body(1_000_000, due), "amount"},
		"outside":          {body(100, "2030-01-01"), "dueDate"},
		"unknown field":    {`{"kind": "extra", "amount": 1, "reason": "x", "dueDate": "` + due + `", "extra": 1}`, ""},
		"message too long": {`{"kind": "extra", "amount": 1, "reason": "x", "dueDate": "` + due + `", "partnerMessage": "` + strings.Repeat("x", 4001) + `"}`, "partnerMessage"},
	} {
		resp := e.do(t, extraEvent(a.ID, tt.body, alice, "bad-"+what, RoleFinance))
		if resp.StatusCode/100 != 4 || tt.field != "" && !strings.Contains(resp.Body, `"field":"`+tt.field+`"`) {
			t.Errorf("%s: %d %s, want a problem naming %q", what, resp.StatusCode, resp.Body, tt.field)
		}
	}
	wantProblem(t, "no key", e.do(t, extraEvent(a.ID, body(50_000, due), alice, "", RoleFinance)), 422, "idempotency_key_required")
	wantProblem(t, "viewer", e.do(t, extraEvent(a.ID, body(50_000, due), alice, "v", RoleViewer)), 403, "forbidden")

	first := e.do(t, extraEvent(a.ID, body(50_000, due), "olu@funder.example", "extra-1", RoleProgramme))
	again := e.do(t, extraEvent(a.ID, body(50_000, due), "olu@funder.example", "extra-1", RoleProgramme))
	if first.StatusCode != 201 || again.StatusCode != 201 || again.Headers["Idempotent-Replayed"] != "true" || first.Body != again.Body {
		t.Fatalf("first %d, again %d %v", first.StatusCode, again.StatusCode, again.Headers)
	}
	var got struct {
		Number      int
		Instalments []grants.Instalment
	}
	if err := json.Unmarshal([]byte(first.Body), &got); err != nil {
		t.Fatal(err)
	}
	if got.Number != 5 || len(got.Instalments) != 5 || got.Instalments[3].Amount != 200_000 {
		t.Errorf("answer %+v", got)
	}
	if n := len(e.agreement(t, a.ID).Instalments); n != 5 {
		t.Errorf("%d instalments after a replayed request", n)
	}
}

func jsonNumber(n int64) string { b, _ := json.Marshal(n); return string(b) }
