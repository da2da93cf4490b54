package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/service"
)

// The programmes' routes (issue 25, item 2), every answer checked against
// the OpenAPI document: the administrator creates (201 with Location; each
// bad field a 422 naming it; a duplicate code a 409 naming code; a field
// the API does not know a 400) and archives (idempotent); every role lists
// the programmes it holds a role in; a programme archived refuses new
// agreements with a 409 naming programme.
func TestProgrammeRoutes(t *testing.T) {
	store := memstore.New()
	configured := grants.Programme{Code: "community-2026", Name: "Community Fund", Currency: "GBP", TimeZone: "Europe/London", Region: "england-and-wales"}
	programmes := service.NewProgrammes(store, configured)
	f := &fixture{api: (&Programmes{Programmes: programmes}).Routes(), store: store}
	list := func(role Role, query string) []string {
		t.Helper()
		ev := event("GET", "/programmes", nil, "", role)
		if query != "" {
			ev.QueryStringParameters = map[string]string{"archived": query}
		}
		r := f.do(t, ev)
		var got ProgrammeList
		if err := json.Unmarshal([]byte(r.Body), &got); err != nil || r.StatusCode != 200 {
			t.Fatalf("list as %s: %d %s", role, r.StatusCode, r.Body)
		}
		var codes []string
		for _, p := range got.Programmes {
			codes = append(codes, p.Code)
		}
		return codes
	}
	if got := list(RoleAdmin, ""); len(got) != 1 || got[0] != "community-2026" {
		t.Errorf("before any create: %v", got)
	}

	const body = `{"code": "arts-2026", "name": "Arts Fund", "currency": "EUR", "timeZone": "Europe/Dublin", "region": "northern-ireland",
		"funderName": "The Arts Trust", "funderOrgId": "GB-CHC-1234567", "funder360GPrefix": "360G-artstrust"}`
	for _, role := range []Role{RoleProgramme, RoleFinance, RoleViewer, Role(grants.RoleAdmin.In("community-2026"))} {
		if r := f.do(t, event("POST", "/programmes", nil, body, role)); r.StatusCode != http.StatusForbidden {
			t.Errorf("create as %s: %d %s", role, r.StatusCode, r.Body)
		}
	}
	for field, bad := range map[string]string{
		"timeZone": `{"code": "arts-2026", "name": "Arts Fund", "timeZone": "Europe/Atlantis"}`,
		"code":     `{"code": "arts 2026", "name": "Arts Fund"}`,
		"name":     `{"code": "arts-2026", "name": ""}`,
		"currency": `{"code": "arts-2026", "name": "Arts Fund", "currency": "POUNDS"}`,
		"region":   `{"code": "arts-2026", "name": "Arts Fund", "region": "wales"}`,
	} {
		wantField(t, "bad "+field, f.do(t, event("POST", "/programmes", nil, bad, RoleAdmin)), field)
	}
	problemOf(t, "a field the API does not know", f.do(t, event("POST", "/programmes", nil, `{"code": "arts-2026", "name": "Arts", "archived": true}`, RoleAdmin)), http.StatusBadRequest)

	r := f.do(t, onStage(event("POST", "/programmes", nil, body, RoleAdmin), "prod"))
	var created grants.Programme
	if err := json.Unmarshal([]byte(r.Body), &created); err != nil || r.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", r.StatusCode, r.Body)
	}
	if r.Headers["Location"] != "/prod/programmes/arts-2026" || created.FunderOrgID != "GB-CHC-1234567" || created.TimeZone != "Europe/Dublin" {
		t.Errorf("created: %v %+v", r.Headers, created)
	}
	for _, code := range []string{"arts-2026", "community-2026"} {
		p := problemOf(t, "duplicate "+code, f.do(t, event("POST", "/programmes", nil, `{"code": "`+code+`", "name": "Again"}`, RoleAdmin)), http.StatusConflict)
		if len(p.Errors) != 1 || p.Errors[0].Field != "code" {
			t.Errorf("duplicate %s: %+v", code, p)
		}
	}
	if s, err := store.ProgrammeSettings(t.Context(), "arts-2026"); err != nil || s.Name != "Arts Fund" || s.Region != "northern-ireland" {
		t.Errorf("the new programme's settings: %+v %v", s, err)
	}

	if got := list(RoleAdmin, ""); len(got) != 2 || got[0] != "arts-2026" {
		t.Errorf("the administrator lists %v", got)
	}
	if got := list(Role(grants.RoleFinance.In("arts-2026")), ""); len(got) != 1 || got[0] != "arts-2026" {
		t.Errorf("finance in arts lists %v", got)
	}
	if r := f.do(t, event("GET", "/programmes/{programme}", map[string]string{"programme": "community-2026"}, "", Role(grants.RoleFinance.In("arts-2026")))); r.StatusCode != 403 || !strings.Contains(r.Body, "not_in_programme") {
		t.Errorf("finance in arts reads community: %d %s, want 403 not_in_programme (the router's, whether or not it exists)", r.StatusCode, r.Body)
	}
	if r := f.do(t, event("GET", "/programmes/{programme}", map[string]string{"programme": "arts-2026"}, "", RoleViewer)); r.StatusCode != 200 {
		t.Errorf("a viewer reads arts: %d %s", r.StatusCode, r.Body)
	}
	wantField(t, "a bad query", f.do(t, func() (ev events.APIGatewayV2HTTPRequest) {
		ev = event("GET", "/programmes", nil, "", RoleAdmin)
		ev.QueryStringParameters = map[string]string{"archived": "maybe"}
		return ev
	}()), "archived")

	arts := map[string]string{"programme": "arts-2026"}
	if r := f.do(t, event("POST", "/programmes/{programme}/archive", arts, "", RoleProgramme)); r.StatusCode != 403 {
		t.Errorf("archive as the programme role: %d", r.StatusCode)
	}
	wantField(t, "archive a bad code", f.do(t, event("POST", "/programmes/{programme}/archive", map[string]string{"programme": "a b"}, "", RoleAdmin)), "programme")
	if r := f.do(t, event("POST", "/programmes/{programme}/archive", map[string]string{"programme": "nowhere"}, "", RoleAdmin)); r.StatusCode != 404 {
		t.Errorf("archive a programme that is not: %d", r.StatusCode)
	}
	for range 2 {
		r := f.do(t, event("POST", "/programmes/{programme}/archive", arts, "", RoleAdmin))
		var p grants.Programme
		if err := json.Unmarshal([]byte(r.Body), &p); err != nil || r.StatusCode != 200 || !p.Archived {
			t.Errorf("archive: %d %s", r.StatusCode, r.Body)
		}
	}
	if got := list(RoleAdmin, ""); len(got) != 1 || got[0] != "community-2026" {
		t.Errorf("after archiving: %v", got)
	}
	if got := list(RoleAdmin, "true"); len(got) != 2 {
		t.Errorf("archived included: %v", got)
	}

	// An agreement in the archived programme: 409 naming programme.
	agreements := &Agreements{Agreements: service.NewAgreements(store, service.LeaveQueued, service.NoSchedules,
		service.Env{Now: tick(), NewID: memstore.NewID, Defaults: grants.ProgrammeSettings{Name: "Community Fund", ReminderDays: 7, MaxReminders: 2}}, service.AgreementOptions{})}
	af := &fixture{api: agreements.Routes(), store: store}
	var in map[string]any
	if err := json.Unmarshal([]byte(issueBody), &in); err != nil {
		t.Fatal(err)
	}
	in["programme"] = "arts-2026"
	b, _ := json.Marshal(in)
	p := problemOf(t, "an agreement in an archived programme", af.do(t, event("POST", "/agreements", nil, string(b), RoleProgramme)), http.StatusConflict)
	if len(p.Errors) != 1 || p.Errors[0].Field != "programme" {
		t.Errorf("archived: %+v", p)
	}
	if r := af.do(t, event("POST", "/agreements", nil, issueBody, RoleProgramme)); r.StatusCode != http.StatusCreated {
		t.Errorf("an agreement in the configured programme: %d %s", r.StatusCode, r.Body)
	}
}
