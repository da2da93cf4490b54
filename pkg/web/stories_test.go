package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
)

// On the agreement page an officer marks a passage of a reply as a story
// (an empty passage refused by its field, on the form that was sent),
// sees it asked, and records a consent given on the phone; the Stories
// page and its download list it for every reader; finance can neither
// mark nor see a passage not consented.
func TestStoriesOnTheAgreementPage(t *testing.T) {
	a := newApp(t)
	id := a.create("k")
	path := "/app/agreements/" + id
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/activate", url.Values{}); r.code != http.StatusSeeOther {
		t.Fatalf("activate: %d %s", r.code, r.body)
	}
	form := url.Values{"channel": {"call"}, "happenedOn": {"2026-12-01"}, "participants": {"Amina Khan"}, "summary": {"A call"},
		"partnerWords": {"Twelve families cooked together. Feedback for us: PRIVATE the form is long"}}
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/check-ins/1/responses", form); r.code != http.StatusSeeOther {
		t.Fatalf("record: %d %s", r.code, r.body)
	}
	page := a.as("olu@funder.example", grants.RoleProgramme, "GET", path, nil)
	if !strings.Contains(page.body, `class="story-form"`) || !strings.Contains(page.body, "Twelve families cooked together.") {
		t.Fatalf("no story form next to the reply: %s", page.body)
	}
	m := regexp.MustCompile(`name="messageId" value="([^"]+)"`).FindStringSubmatch(page.body)
	if m == nil {
		t.Fatal("the story form names no reply")
	}
	r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/stories", url.Values{"checkIn": {"1"}, "messageId": {m[1]}, "passage": {"  "}})
	if r.code != http.StatusBadRequest || !strings.Contains(r.body, `id="err-passage"`) || !strings.Contains(r.body, "Passage is required") {
		t.Fatalf("an empty passage: %d %s", r.code, r.body)
	}
	r = a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/stories", url.Values{"checkIn": {"1"}, "passage": {"Twelve families cooked together."}})
	if r.code != http.StatusSeeOther || r.location != path+"?done=story-marked" {
		t.Fatalf("mark: %d %s %s", r.code, r.location, r.body)
	}
	page = a.as("olu@funder.example", grants.RoleProgramme, "GET", path, nil)
	if !strings.Contains(page.body, "Story 1, marked by olu@funder.example") || !strings.Contains(page.body, "Asked; no answer yet") {
		t.Fatalf("the story is not shown asked: %s", page.body)
	}
	if fin := a.as("fin@funder.example", grants.RoleFinance, "GET", path, nil); strings.Contains(fin.body, "Story 1") || strings.Contains(fin.body, "story-form") {
		t.Error("finance sees the story or its form")
	}
	if r := a.as("fin@funder.example", grants.RoleFinance, "POST", path+"/stories", url.Values{"checkIn": {"1"}, "passage": {"Twelve families"}}); r.code != http.StatusForbidden {
		t.Errorf("finance marking: %d", r.code)
	}
	if s := a.as("vic@funder.example", grants.RoleViewer, "GET", "/app/stories", nil); s.code != 200 || !strings.Contains(s.body, "No story has consent") {
		t.Errorf("the stories before consent: %d %s", s.code, s.body)
	}
	r = a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/stories/1/consent", url.Values{"note": {""}, "name": {"firstNames"}})
	if r.code != http.StatusBadRequest || !strings.Contains(r.body, `id="err-note"`) {
		t.Fatalf("a consent with no note: %d %s", r.code, r.body)
	}
	r = a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/stories/1/consent", url.Values{"note": {"Said yes on the phone"}, "name": {"firstNames"}, "where": {"website", "socialMedia"}})
	if r.code != http.StatusSeeOther {
		t.Fatalf("consent: %d %s", r.code, r.body)
	}
	for _, user := range []struct {
		name string
		role grants.Role
	}{{"olu@funder.example", grants.RoleProgramme}, {"fin@funder.example", grants.RoleFinance}, {"vic@funder.example", grants.RoleViewer}} {
		s := a.as(user.name, user.role, "GET", "/app/stories", nil)
		for _, want := range []string{"Twelve families cooked together.", "first names only; on the website, social media; consent from", "recorded by olu@funder.example", "Said yes on the phone", `href="/app/stories.csv"`} {
			if !strings.Contains(s.body, want) {
				t.Errorf("the stories page as %s lacks %q", user.role, want)
			}
		}
		csv := a.as(user.name, user.role, "GET", "/app/stories.csv", nil)
		if csv.code != 200 || !strings.Contains(csv.body, "Twelve families cooked together.") || !strings.Contains(csv.body, "first names only") || strings.Contains(csv.body, "PRIVATE") {
			t.Errorf("the download as %s: %d %s", user.role, csv.code, csv.body)
		}
	}
}
