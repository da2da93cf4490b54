package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/grants"
)

// withFields is the issue's example body with some fields replaced
// (a nil value removes the field).
func withFields(t testing.TB, fields map[string]any) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(issueBody), &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range fields {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s %d", s, i)
	}
	return out
}

// wantRefused checks a refusal is problem+json with the status, names the
// field (if any), and that nothing was written.
func (f *fixture) wantRefused(t *testing.T, resp events.APIGatewayV2HTTPResponse, status int, field string) {
	t.Helper()
	if w := f.writes(); len(w) != 0 {
		t.Errorf("a refused request wrote: %v", w)
	}
	if resp.StatusCode != status || resp.Headers["Content-Type"] != "application/problem+json" {
		t.Fatalf("got %d %s %.300s, want %d problem+json", resp.StatusCode, resp.Headers["Content-Type"], resp.Body, status)
	}
	var p Problem
	if err := json.Unmarshal([]byte(resp.Body), &p); err != nil {
		t.Fatal(err)
	}
	if field == "" {
		return
	}
	for _, e := range p.Errors {
		if e.Field == field {
			return
		}
	}
	t.Fatalf("problem %+v does not name %s", p, field)
}

// Issue 11, classes 1 to 4: every value a client sends is bounded, an
// explicit value is validated (never replaced by a default), and a refusal
// stores nothing.
func TestCreateRefusesWhatCouldNotBeStoredOrRead(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name   string
		body   string
		status int
		field  string
	}{
		{"start date past year 9999", withFields(t, map[string]any{"startDate": "9999-12-01"}), 422, "startDate"},
		{"start date long ago", withFields(t, map[string]any{"startDate": "1970-01-01"}), 422, "startDate"},
		{"award near 2^63", strings.Replace(issueBody, "1000000", "9223372036854775807", 1), 422, "amount"},
		{"award over the maximum", strings.Replace(issueBody, "1000000", fmt.Sprint(grants.MaxAward+1), 1), 422, "amount"},
		{"an award that gives 0p instalments", strings.Replace(issueBody, "1000000", "3", 1), 422, "amount"},
		{"too many instalments for one transaction", withFields(t, map[string]any{"instalmentCount": 49, "durationMonths": 60, "cadence": "monthly"}), 422, "instalmentCount"},
		{"explicit zero instalments", withFields(t, map[string]any{"instalmentCount": 0}), 422, "instalmentCount"},
		{"explicit zero months", withFields(t, map[string]any{"durationMonths": 0}), 422, "durationMonths"},
		{"the server's time zone", withFields(t, map[string]any{"timeZone": "Local"}), 422, "timeZone"},
		{"an empty currency", withFields(t, map[string]any{"currency": ""}), 422, "currency"},
		{"a term too long", withFields(t, map[string]any{"terms": []string{strings.Repeat("t", grants.MaxItemLength+1)}}), 422, "terms[0]"},
		{"too many terms", withFields(t, map[string]any{"terms": repeat("term", 200)}), 422, "terms"},
		{"a partner name too long", withFields(t, map[string]any{"partner": map[string]string{"name": strings.Repeat("n", 201), "registrationNumber": "1180123", "address": "1 Road"}}), 422, "partner.name"},
		{"invalid UTF-8", strings.Replace(issueBody, "Levenshulme", "Levens\xffhulme", 1), 400, ""},
		{"half a surrogate pair", strings.Replace(issueBody, "Levenshulme", `Levens\ud800hulme`, 1), 400, ""},
		{"a body over 1 MiB", withFields(t, map[string]any{"terms": []string{strings.Repeat("x", maxBody)}}), 413, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.writes()
			f.wantRefused(t, f.do(t, event("POST", "/agreements", nil, tt.body, RoleProgramme)), tt.status, tt.field)
		})
	}
	if page, err := f.store.ListAgreements(t.Context(), "community-2026", "", "", 10); err != nil || len(page.Items) != 0 {
		t.Errorf("refused requests stored %d agreements (%v)", len(page.Items), err)
	}
}

func TestCreateKeepsExplicitValues(t *testing.T) {
	f := newFixture(t)
	resp := f.do(t, event("POST", "/agreements", nil, withFields(t, map[string]any{"checkInLeadDays": 0, "timeZone": "Europe/Belfast"}), RoleProgramme))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("%d %s", resp.StatusCode, resp.Body)
	}
	if a := decodeAgreement(t, resp); a.CheckInLeadDays != 0 || a.TimeZone != "Europe/Belfast" {
		t.Errorf("explicit values replaced: lead days %d, zone %s", a.CheckInLeadDays, a.TimeZone)
	}
}

// PATCH holds lists to the same rules as create, and refuses one instalment
// named twice.
func TestAmendAppliesTheRulesOfCreate(t *testing.T) {
	f := newFixture(t)
	a := decodeAgreement(t, f.do(t, event("POST", "/agreements", nil, issueBody, RoleProgramme)))
	for _, tt := range []struct {
		name  string
		body  string
		field string
	}{
		{"200 terms", `{"terms": ` + mustJSON(t, repeat("term", 200)) + `}`, "terms"},
		{"a support item too long", `{"support": ["` + strings.Repeat("s", grants.MaxItemLength+1) + `"]}`, "support[0]"},
		{"the same instalment twice", `{"instalments": [{"number": 3, "dueDate": "2026-08-01"}, {"number": 3, "dueDate": "2026-08-02"}]}`, "instalments[1].number"},
		{"a due date past year 9999", `{"instalments": [{"number": 3, "dueDate": "10000-01-01"}]}`, "instalments[0].dueDate"},
		{"21 contacts", `{"contacts": ` + mustJSON(t, manyContacts(21)) + `}`, "contacts"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ev := event("PATCH", "/agreements/{id}", map[string]string{"id": a.ID}, tt.body, RoleProgramme)
			ev.Headers["if-match"] = `"1"`
			f.writes()
			f.wantRefused(t, f.do(t, ev), 422, tt.field)
		})
	}
}

func manyContacts(n int) []map[string]string {
	out := make([]map[string]string, n)
	for i := range out {
		out[i] = map[string]string{"name": "C", "email": fmt.Sprintf("c%d@example.org", i)}
	}
	return out
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
