package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
)

// On "What partners told us" an officer tags a partner's feedback with a
// theme (earlier themes suggested) and records what the programme did about
// it; an empty theme is refused by its field on the form that was sent;
// finance may do neither.
func TestThemesOnTheFeedbackPage(t *testing.T) {
	a := newApp(t)
	id := a.create("k")
	path := "/app/agreements/" + id
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/activate", url.Values{}); r.code != http.StatusSeeOther {
		t.Fatalf("activate: %d %s", r.code, r.body)
	}
	form := url.Values{"channel": {"call"}, "happenedOn": {"2026-12-01"}, "participants": {"Amina Khan"}, "summary": {"A call"},
		"partnerWords": {"Feedback for us: the second payment came late"}}
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/check-ins/1/responses", form); r.code != http.StatusSeeOther {
		t.Fatalf("record: %d %s", r.code, r.body)
	}

	r := a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/feedback/themes", url.Values{"agreementId": {id}, "checkIn": {"1"}, "theme": {"  "}})
	if r.code != http.StatusBadRequest || !strings.Contains(r.body, `id="err-theme"`) || !strings.Contains(r.body, "Theme is required") ||
		strings.Count(r.body, `id="err-theme"`) != 1 || !strings.Contains(r.body, "the second payment came late") {
		t.Fatalf("an empty theme: %d %s", r.code, r.body)
	}
	r = a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/feedback/themes", url.Values{"agreementId": {id}, "checkIn": {"1"}, "theme": {"Late payments"}})
	if r.code != http.StatusSeeOther || r.location != "/app/feedback?done=theme-tagged#themes" {
		t.Fatalf("tag: %d %s %s", r.code, r.location, r.body)
	}
	r = a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/feedback/actions", url.Values{"theme": {"late payments"}, "what": {""}, "on": {"2026-12-10"}, "who": {"Finance team"}})
	if r.code != http.StatusBadRequest || !strings.Contains(r.body, `id="err-what"`) || !strings.Contains(r.body, `value="Finance team"`) {
		t.Fatalf("an action without what was done: %d %s", r.code, r.body)
	}
	r = a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/feedback/actions", url.Values{"theme": {"late payments"},
		"what": {"Moved the pay run to the first Monday"}, "on": {"2026-12-10"}, "who": {"Finance team"}})
	if r.code != http.StatusSeeOther {
		t.Fatalf("action: %d %s", r.code, r.body)
	}
	page := a.as("olu@funder.example", grants.RoleProgramme, "GET", "/app/feedback?done=theme-action", nil)
	for _, want := range []string{`<datalist id="theme-suggestions"><option value="Late payments">`, `<span class="theme-tag">Late payments</span>`,
		"<h3>Late payments</h3>", "Feedback from 1 check-in.", "Moved the pay run to the first Monday (Finance team)", "recorded by olu@funder.example",
		"What the programme did about the theme was recorded."} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the feedback page lacks %q", want)
		}
	}
	for _, p := range []string{"/app/feedback/themes", "/app/feedback/actions"} {
		if r := a.as("fin@funder.example", grants.RoleFinance, "POST", p, url.Values{"agreementId": {id}, "checkIn": {"1"}, "theme": {"Finance"}}); r.code != http.StatusForbidden {
			t.Errorf("finance posting %s: %d", p, r.code)
		}
	}
}
