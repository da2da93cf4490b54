package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
)

// The programmes page (issue 25, item 2): an administrator sees every
// programme and a create form with help by each field; bad values are
// refused by their fields, what was typed kept; a duplicate code is
// refused by the code; a programme created is listed with an archive
// button, and archiving it marks it archived. An administrator of one
// programme may archive it but not create; other roles are refused.
func TestProgrammesPage(t *testing.T) {
	a := newApp(t)
	const admin = "ada@funder.example"
	page := a.as(admin, grants.RoleAdmin, "GET", "/app/programmes", nil)
	if page.code != http.StatusOK {
		t.Fatalf("programmes as admin: %d %s", page.code, page.body)
	}
	for _, want := range []string{`<form method="post" action="/app/programmes"`, `id="help-code"`, `id="help-timeZone"`, `id="help-funderOrgId"`,
		`<td><code>` + programme + `</code></td>`, `action="/app/programmes/` + programme + `/archive"`, `name="timeZone" type="text" value="Europe/London"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, role := range []grants.Role{grants.RoleFinance, grants.RoleProgramme, grants.RoleViewer} {
		if r := a.as("someone@funder.example", role, "GET", "/app/programmes", nil); r.code != http.StatusForbidden {
			t.Errorf("the page as %s: %d", role, r.code)
		}
	}
	form := func(change map[string]string) url.Values {
		f := url.Values{}
		for k, v := range map[string]string{"code": "arts-2026", "name": "Arts Fund", "currency": "GBP", "timeZone": "Europe/London", "region": "scotland"} {
			f.Set(k, v)
		}
		for k, v := range change {
			f.Set(k, v)
		}
		return f
	}
	r := a.as(admin, grants.RoleAdmin, "POST", "/app/programmes", form(map[string]string{"timeZone": "Mars/Olympus", "code": "arts 2026"}))
	if r.code != http.StatusBadRequest || !strings.Contains(r.body, `id="err-timeZone"`) || !strings.Contains(r.body, `id="err-code"`) ||
		!strings.Contains(r.body, `value="Mars/Olympus"`) || !strings.Contains(r.body, `value="arts 2026"`) {
		t.Fatalf("bad values: %d %s", r.code, r.body)
	}
	r = a.as(admin, grants.RoleAdmin, "POST", "/app/programmes", form(map[string]string{"code": programme}))
	if r.code != http.StatusConflict || !strings.Contains(r.body, `id="err-code"`) {
		t.Fatalf("a duplicate code: %d %s", r.code, r.body)
	}
	r = a.as(admin, grants.RoleAdmin, "POST", "/app/programmes", form(nil))
	if r.code != http.StatusSeeOther || r.location != "/app/programmes?done=programme-created#programmes-list" {
		t.Fatalf("create: %d %s %s", r.code, r.location, r.body)
	}
	page = a.as(admin, grants.RoleAdmin, "GET", r.location, nil)
	if !strings.Contains(page.body, "The programme was created.") || !strings.Contains(page.body, `action="/app/programmes/arts-2026/archive"`) {
		t.Errorf("after creating: %s", page.body)
	}
	// An administrator of the configured programme alone: no create form,
	// no archive button for the other.
	scoped := a.as("sam@funder.example", grants.RoleAdmin.In(programme), "GET", "/app/programmes", nil)
	if scoped.code != 200 || strings.Contains(scoped.body, `action="/app/programmes"`) || strings.Contains(scoped.body, "arts-2026") ||
		!strings.Contains(scoped.body, `action="/app/programmes/`+programme+`/archive"`) {
		t.Errorf("a programme's administrator: %d %s", scoped.code, scoped.body)
	}
	if r := a.as("sam@funder.example", grants.RoleAdmin.In(programme), "POST", "/app/programmes", form(map[string]string{"code": "youth"})); r.code != http.StatusForbidden {
		t.Errorf("a programme's administrator creates: %d", r.code)
	}
	r = a.as(admin, grants.RoleAdmin, "POST", "/app/programmes/arts-2026/archive", nil)
	if r.code != http.StatusSeeOther || r.location != "/app/programmes?done=programme-archived#programmes-list" {
		t.Fatalf("archive: %d %s %s", r.code, r.location, r.body)
	}
	page = a.as(admin, grants.RoleAdmin, "GET", r.location, nil)
	if !strings.Contains(page.body, "The programme is archived") || strings.Contains(page.body, `action="/app/programmes/arts-2026/archive"`) ||
		!strings.Contains(page.body, `<tr class="archived">`) {
		t.Errorf("after archiving: %s", page.body)
	}
}
