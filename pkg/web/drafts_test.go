package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
)

// A draft's page offers its deletion with its consequence stated; without
// the box ticked nothing is deleted; with it the draft is gone and the
// list says so. An active agreement offers no deletion.
func TestDeleteDraftFromItsPage(t *testing.T) {
	a := newApp(t)
	id := a.create("k")
	path := "/app/agreements/" + id
	page := a.as("olu@funder.example", grants.RoleProgramme, "GET", path, nil)
	if !strings.Contains(page.body, "Delete this draft") || !strings.Contains(page.body, "This cannot be undone.") {
		t.Fatal("the draft's page offers no deletion, or does not say what it does")
	}
	if viewer := a.as("vic@funder.example", grants.RoleViewer, "GET", path, nil); strings.Contains(viewer.body, path+"/delete") {
		t.Error("a viewer is offered the deletion")
	}
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/delete", url.Values{}); r.code != http.StatusBadRequest || !strings.Contains(r.body, "Tick the box") {
		t.Fatalf("delete without confirming: %d", r.code)
	}
	if r := a.as("olu@funder.example", grants.RoleProgramme, "GET", path, nil); r.code != http.StatusOK {
		t.Fatalf("the draft after an unconfirmed delete: %d", r.code)
	}
	r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/delete", url.Values{"understood": {"yes"}})
	if r.code != http.StatusSeeOther || r.location != "/app/agreements?done=draft-deleted" {
		t.Fatalf("delete: %d %s", r.code, r.location)
	}
	if r := a.as("olu@funder.example", grants.RoleProgramme, "GET", path, nil); r.code != http.StatusNotFound {
		t.Errorf("the draft's page after delete: %d", r.code)
	}
	list := a.as("olu@funder.example", grants.RoleProgramme, "GET", "/app/agreements?done=draft-deleted", nil)
	if !strings.Contains(list.body, "The draft was deleted") || strings.Contains(list.body, id) {
		t.Error("the list does not say the draft was deleted, or still shows it")
	}

	other := a.create("l")
	opath := "/app/agreements/" + other
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", opath+"/activate", url.Values{}); r.code != http.StatusSeeOther {
		t.Fatalf("activate: %d", r.code)
	}
	if page := a.as("olu@funder.example", grants.RoleProgramme, "GET", opath, nil); strings.Contains(page.body, "Delete this draft") {
		t.Error("an active agreement offers deletion")
	}
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", opath+"/delete", url.Values{"understood": {"yes"}}); r.code != http.StatusConflict || !strings.Contains(r.body, "only a draft can be deleted") {
		t.Errorf("delete an active agreement: %d", r.code)
	}
}
