package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
)

// Issue 25: a person with a role in several programmes switches between
// them; each page is the chosen programme's, and a new agreement starts in
// its currency. A programme they hold no role in cannot be chosen.
func TestSwitchingProgrammes(t *testing.T) {
	a := newApp(t)
	admin := grants.Actor{ID: "pool#sub-ada", Name: "ada@funder.example", Groups: []grants.Role{grants.RoleAdmin}}
	if _, err := a.pages.Programmes.Create(context.Background(), admin, grants.NewProgrammeInput{Code: "dublin-2027", Name: "Dublin Fund", Currency: "EUR", TimeZone: "Europe/Dublin"}); err != nil {
		t.Fatal(err)
	}
	page := a.as("olu@funder.example", grants.RoleProgramme, "GET", "/app/agreements/new?programme=dublin-2027", nil)
	if page.code != http.StatusOK || !strings.Contains(page.body, `<p class="brand">Dublin Fund</p>`) || !strings.Contains(page.body, `id="currency" name="currency" type="text" value="EUR"`) ||
		!strings.Contains(page.body, `<option value="dublin-2027" selected>Dublin Fund</option>`) {
		t.Errorf("the new agreement page in the Dublin Fund: %d %s", page.code, page.body)
	}
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/programme", map[string][]string{"programme": {"dublin-2027"}}); r.code != http.StatusSeeOther {
		t.Errorf("switch: %d %s", r.code, r.body)
	}
	if r := a.as("olu@funder.example", grants.RoleProgramme.In("dublin-2027"), "POST", "/app/programme", map[string][]string{"programme": {programme}}); r.code != http.StatusForbidden {
		t.Errorf("switch to a programme without a role there: %d", r.code)
	}
	// Held in one programme, the other is not offered, and its pages are not theirs.
	only := a.as("olu@funder.example", grants.RoleProgramme.In("dublin-2027"), "GET", "/app/agreements/new?programme="+programme, nil)
	if only.code != http.StatusOK || !strings.Contains(only.body, `<p class="brand">Dublin Fund</p>`) || strings.Contains(only.body, "Community Partnerships") {
		t.Errorf("a Dublin officer asking for the other programme: %d %s", only.code, only.body)
	}
}
