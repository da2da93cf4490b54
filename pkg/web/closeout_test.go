package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/grants"
)

// An officer cannot close an agreement with things left before its end
// date; from then, with a reason, it closes, the page says what was left,
// and the partner is thanked once, in words that say so.
func TestCloseAgreementWithThingsLeftFromThePage(t *testing.T) {
	a := newApp(t)
	id := a.create("k")
	path := "/app/agreements/" + id
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/activate", url.Values{}); r.code != http.StatusSeeOther {
		t.Fatalf("activate: %d %s", r.code, r.body)
	}
	page := a.as("olu@funder.example", grants.RoleProgramme, "GET", path, nil)
	if !strings.Contains(page.body, "Close the agreement") || !strings.Contains(page.body, "can be closed with things left from its end date") || strings.Contains(page.body, "Ready to complete") {
		t.Fatal("the agreement page does not say when it can be closed")
	}
	if viewer := a.as("vic@funder.example", grants.RoleViewer, "GET", path, nil); strings.Contains(viewer.body, "/complete") {
		t.Error("a viewer is offered the close form")
	}
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/complete", url.Values{"reason": {"Wound down"}}); r.code != http.StatusConflict || !strings.Contains(r.body, "before then it can be closed only when") {
		t.Fatalf("close before the end date: %d", r.code)
	}
	if r := a.as("ali@funder.example", grants.RoleFinance, "POST", path+"/complete", url.Values{"reason": {"Wound down"}}); r.code != http.StatusForbidden {
		t.Fatalf("close as finance: %d", r.code)
	}
	// Wednesday 5 January 2028, after the send time: past the end date (3 January).
	a.clock.Set(time.Date(2028, 1, 5, 10, 0, 0, 0, time.UTC))
	page = a.as("olu@funder.example", grants.RoleProgramme, "GET", path, nil)
	if !strings.Contains(page.body, "Close with things left") {
		t.Fatal("no close form after the end date")
	}
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/complete", url.Values{"reason": {""}}); r.code != http.StatusBadRequest || !strings.Contains(r.body, `role="alert"`) {
		t.Fatalf("close without a reason: %d", r.code)
	}
	closing := url.Values{"reason": {"The kitchen closed for refurbishment"}}
	// Asked first, with what is left in words (issue 26, item 7).
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/complete", closing); r.code != http.StatusOK || !strings.Contains(r.body, "Total: £10,000.00") ||
		!strings.Contains(r.body, "4 instalments not yet paid (£10,000.00) will be cancelled") || !strings.Contains(r.body, `name="confirm" value="yes"`) {
		t.Fatalf("close, unconfirmed: %d %s", r.code, r.body)
	}
	if ag, _ := a.svc.Agreement(context.Background(), id); ag.Status != grants.AgreementActive {
		t.Fatalf("asking closed the agreement: %s", ag.Status)
	}
	closing.Set("confirm", "yes")
	r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/complete", closing)
	if r.code != http.StatusSeeOther || r.location != path+"?done=completed" {
		t.Fatalf("close: %d %s %s", r.code, r.location, r.body)
	}
	page = a.as("vic@funder.example", grants.RoleViewer, "GET", path+"?done=completed", nil)
	for _, want := range []string{"Closed on 5 Jan 2028 with things left: instalments 1, 2, 3, 4", "Why: The kitchen closed for refurbishment", "the partner will be thanked"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the agreement page lacks %q", want)
		}
	}
	msgs, err := emulator.SESMessagesTo(context.Background(), a.ses, "amina@levykitchen.org.uk")
	if err != nil {
		t.Fatal(err)
	}
	var thanks []emulator.SESMessage
	for _, m := range msgs {
		// Other tests' partners, at the same address, are thanked for replies.
		if strings.HasPrefix(m.Subject, "Thank you") && !strings.Contains(m.Subject, "we've received") {
			thanks = append(thanks, m)
		}
	}
	if len(thanks) != 1 || !strings.Contains(thanks[0].Body.Text, "What was left: instalments 1, 2, 3, 4") {
		t.Fatalf("thank-you emails: %+v", thanks)
	}
}

// "What partners told us" is the programme staff's page: partners' words by
// check-in round; finance and viewers are refused.
func TestWhatPartnersToldUsPage(t *testing.T) {
	a := newApp(t)
	id := a.create("k")
	path := "/app/agreements/" + id
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/activate", url.Values{}); r.code != http.StatusSeeOther {
		t.Fatalf("activate: %d %s", r.code, r.body)
	}
	form := url.Values{"channel": {"call"}, "happenedOn": {"2026-12-01"}, "participants": {"Amina Khan"}, "summary": {"A call"},
		"partnerWords": {"Going well.\nFeedback for us: please give more notice of visits"}}
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/check-ins/1/responses", form); r.code != http.StatusSeeOther {
		t.Fatalf("record: %d %s", r.code, r.body)
	}
	page := a.as("olu@funder.example", grants.RoleProgramme, "GET", "/app/feedback", nil)
	if page.code != 200 {
		t.Fatalf("feedback page: %d", page.code)
	}
	for _, want := range []string{"What partners told us", "Check-in 1", "Levenshulme Community Kitchen", "please give more notice of visits", "in a call", `href="/app/agreements/` + id + `"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the feedback page lacks %q", want)
		}
	}
	if strings.Contains(page.body, "Going well.") {
		t.Error("the page shows the whole reply where the feedback answer was labelled")
	}
	for _, role := range []grants.Role{grants.RoleFinance, grants.RoleViewer} {
		if r := a.as("x@funder.example", role, "GET", "/app/feedback", nil); r.code != http.StatusForbidden {
			t.Errorf("as %s: %d", role, r.code)
		}
		if r := a.as("x@funder.example", role, "GET", "/app", nil); strings.Contains(r.body, "/app/feedback") {
			t.Errorf("%s is shown the feedback link", role)
		}
	}
}
