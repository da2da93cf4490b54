package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// The programme team emails the partner from the agreement's page (issue
// 26, item 16): only they are offered the form; blank words are refused
// with the form shown again; the form sent twice (a double click) queues
// one email, left in the outbox for the sweep (this function signs no
// reply address), and the page says so.
func TestOfficerEmailsThePartnerFromThePage(t *testing.T) {
	a := newApp(t)
	id := a.create("k")
	path := "/app/agreements/" + id
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/activate", url.Values{}); r.code != http.StatusSeeOther {
		t.Fatalf("activate: %d", r.code)
	}
	page := a.as("olu@funder.example", grants.RoleProgramme, "GET", path, nil)
	if !strings.Contains(page.body, "Email the partner") || !strings.Contains(page.body, path+"/message") {
		t.Fatal("the programme team is not offered the message form")
	}
	for _, role := range []grants.Role{grants.RoleFinance, grants.RoleViewer} {
		if r := a.as("someone@funder.example", role, "GET", path, nil); strings.Contains(r.body, path+"/message") {
			t.Errorf("%s is offered the message form", role)
		}
		if r := a.as("someone@funder.example", role, "POST", path+"/message", url.Values{"key": {"f"}, "message": {"Hello"}}); r.code != http.StatusForbidden {
			t.Errorf("%s posts a message: %d, want 403", role, r.code)
		}
	}

	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/message", url.Values{"key": {"b"}, "message": {"   "}}); r.code != http.StatusBadRequest || !strings.Contains(r.body, `id="err-message"`) {
		t.Errorf("a blank message: %d", r.code)
	}

	words := "Thank you for the visit & the tour. Could you send us the photos?"
	form := url.Values{"key": {"m1"}, "message": {words}}
	for range 2 {
		r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/message", form)
		if r.code != http.StatusSeeOther || r.location != path+"?done=message-queued#message-partner" {
			t.Fatalf("send: %d %s", r.code, r.location)
		}
	}
	ctx := context.Background()
	ag, err := a.store.GetAgreement(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(ag.Notices) != 1 || ag.Notices[0].Kind != grants.NoticeMessage || ag.Notices[0].Message != words {
		t.Fatalf("notices after a double click: %+v", ag.Notices)
	}
	en, err := a.store.Outbox(ctx, id, outbox.NoticeKey(1).String())
	if err != nil || en == nil || en.Status == outbox.StatusDone {
		t.Errorf("the message is not left queued for the sweep: %+v %v", en, err)
	}
	done := a.as("olu@funder.example", grants.RoleProgramme, "GET", path+"?done=message-queued", nil)
	if !strings.Contains(done.body, "The message is queued for the partner") || !strings.Contains(done.body, "within half an hour") {
		t.Error("the page does not say the message is queued, and when it goes")
	}
}
