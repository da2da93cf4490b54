package stack

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/httpapi"
	"github.com/partnership-grants/backend/pkg/service"
)

// Issue 25, item 2 on the local stack: by the JSON API (make token
// ROLE=admin) the administrator creates a second programme; every bad
// input (an invalid time zone, a bad code, name, currency or region, a
// duplicate code, the deployment's own or the new one's) is refused by its
// field; the new programme is listed beside the deployment's (which was
// never created), its settings work at once, finance of it alone lists it
// alone; archived, it refuses new agreements by the programme field. The
// web app's programmes page lists it.
func TestAdminCreatesAProgrammeOnTheStack(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	api := "http://" + st.opts.APIAddr
	now := time.Now()
	issue := func(user, role string) client {
		tok, err := st.Auth.Issue(user, role, now)
		if err != nil {
			t.Fatal(err)
		}
		return client{t, st.opts.APIAddr, tok}
	}
	admin, officer := issue("ada", "admin"), issue("olu", "programme")
	arts := issue("fin", string(grants.RoleFinance.In("arts-2026")))

	field := func(what, body, want string, status int) {
		t.Helper()
		code, b := admin.do("POST", "/programmes", body)
		var p httpapi.Problem
		_ = json.Unmarshal(b, &p)
		if code != status || len(p.Errors) == 0 {
			t.Errorf("%s: %d %s, want %d naming %s", what, code, b, status, want)
			return
		}
		for _, e := range p.Errors {
			if e.Field == want {
				return
			}
		}
		t.Errorf("%s: %s does not name %s", what, b, want)
	}
	field("an invalid time zone", `{"code": "arts-2026", "name": "Arts Fund", "timeZone": "Europe/Atlantis"}`, "timeZone", 422)
	field("a bad code", `{"code": "arts 2026!", "name": "Arts Fund"}`, "code", 422)
	field("no name", `{"code": "arts-2026", "name": " "}`, "name", 422)
	field("a bad currency", `{"code": "arts-2026", "name": "Arts Fund", "currency": "XYZ"}`, "currency", 422)
	field("a bad region", `{"code": "arts-2026", "name": "Arts Fund", "region": "wales"}`, "region", 422)
	field("half the funder details", `{"code": "arts-2026", "name": "Arts Fund", "funderName": "The Arts Trust"}`, "funderOrgId", 422)
	field("the deployment's code", fmt.Sprintf(`{"code": %q, "name": "Again"}`, DemoProgramme), "code", 409)
	if code, _ := officer.do("POST", "/programmes", `{"code": "arts-2026", "name": "Arts Fund"}`); code != 403 {
		t.Errorf("an officer creates a programme: %d", code)
	}

	var created grants.Programme
	code, b := admin.do("POST", "/programmes", `{"code": "arts-2026", "name": "Arts Fund", "currency": "GBP", "timeZone": "Europe/London", "region": "scotland",
		"funderName": "The Arts Trust", "funderOrgId": "GB-SC-SC012345", "funder360GPrefix": "360G-artstrust"}`)
	if code != 201 || json.Unmarshal(b, &created) != nil || created.Code != "arts-2026" || created.FunderOrgID != "GB-SC-SC012345" {
		t.Fatalf("create: %d %s", code, b)
	}
	field("a duplicate code", `{"code": "arts-2026", "name": "Arts Fund again"}`, "code", 409)

	var list httpapi.ProgrammeList
	admin.must(200, "GET", "/programmes", "", &list)
	if len(list.Programmes) != 2 || list.Programmes[0].Code != "arts-2026" || list.Programmes[1].Code != DemoProgramme ||
		list.Programmes[1].Name != "Community Partnerships Pilot" {
		t.Errorf("the administrator's list: %+v", list.Programmes)
	}
	arts.must(200, "GET", "/programmes", "", &list)
	if len(list.Programmes) != 1 || list.Programmes[0].Code != "arts-2026" {
		t.Errorf("finance of arts alone lists %+v", list.Programmes)
	}
	var settings service.SettingsView
	admin.must(200, "GET", "/programmes/arts-2026/settings", "", &settings)
	if settings.Settings.Name != "Arts Fund" || settings.Settings.Region != "scotland" || settings.Version != 1 {
		t.Errorf("the new programme's settings: %+v", settings.Settings)
	}

	// The web app's programmes page lists it, with its archive button.
	browser := adminSignIn(t, st)
	resp, page := reader(t)(browser.Get(api + "/app/programmes"))
	if resp.StatusCode != 200 || !strings.Contains(page, "<td>Arts Fund</td>") || !strings.Contains(page, `action="/app/programmes/arts-2026/archive"`) {
		t.Errorf("the programmes page: %d %s", resp.StatusCode, page)
	}

	// Archived: twice the same; no new agreement in it.
	for range 2 {
		var p grants.Programme
		admin.must(200, "POST", "/programmes/arts-2026/archive", "", &p)
		if !p.Archived {
			t.Errorf("archive: %+v", p)
		}
	}
	start := grants.Today(st.Clock.Now(), time.UTC).AddDays(7)
	code, b = officer.do("POST", "/agreements", fmt.Sprintf(`{"programme": "arts-2026",
		"partner": {"name": "Ardwick Food Share", "registrationNumber": "1182345", "address": "9 Ardwick Green, Manchester M12 6FZ"},
		"contacts": [{"name": "Lee Chan", "email": "lee@arts.example", "role": "lead"}],
		"amount": 300000, "startDate": %q, "durationMonths": 3, "instalmentCount": 3, "terms": ["Share food weekly"], "support": ["Mentoring"]}`, start),
		"Idempotency-Key", fmt.Sprintf("archived-%d", now.UnixNano()))
	if code != http.StatusConflict || !strings.Contains(string(b), `"programme"`) {
		t.Errorf("an agreement in the archived programme: %d %s", code, b)
	}
	admin.must(200, "GET", "/programmes", "", &list)
	if len(list.Programmes) != 1 || list.Programmes[0].Code != DemoProgramme {
		t.Errorf("after archiving: %+v", list.Programmes)
	}
}
