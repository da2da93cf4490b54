package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

// Issue 24: on the agreement page a programme officer marks which part of
// a heading-less reply is feedback; finance then reads the rest and not the
// passage. Finance and viewers get no form and may not post one, and are not
// shown a request for help made only in the feedback.
func TestOfficerMarksFeedbackOnTheAgreementPage(t *testing.T) {
	a := newApp(t)
	a.pages.Links = links{}
	ctx := context.Background()
	id := a.create("k")
	path := "/app/agreements/" + id
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/activate", url.Values{}); r.code != http.StatusSeeOther {
		t.Fatalf("activate: %d %s", r.code, r.body)
	}
	text := "Forty guests came to the garden day.\nPRIVATEMARK your forms take us hours.\nPhotos attached."
	r := grants.Reply{AgreementID: id, CheckIn: 1, MessageID: "m1", From: "amina@levykitchen.org.uk", Subject: "Re: check-in", ReceivedAt: a.clock.Now(),
		Text: text, FullText: text}
	if err := a.svc.AcceptReply(ctx, r, r.From, grants.Effects{}, service.Read{}); err != nil {
		t.Fatal(err)
	}
	form := "Which part is feedback for the programme team?"
	prog := a.as("olu@funder.example", grants.RoleProgramme, "GET", path, nil)
	if !strings.Contains(prog.body, `<details class="feedback-mark" open>`) || !strings.Contains(prog.body, form) || !strings.Contains(prog.body, `action="/app/agreements/`+id+`/check-ins/1/feedback"`) {
		t.Errorf("the programme role has no open form to mark the reply's feedback:\n%s", prog.body)
	}
	for _, role := range []grants.Role{grants.RoleFinance, grants.RoleViewer} {
		page := a.as("fin@funder.example", role, "GET", path, nil)
		if strings.Contains(page.body, form) || strings.Contains(page.body, "Forty guests") || strings.Contains(page.body, "PRIVATEMARK") {
			t.Errorf("%s reads the form or the reply before it is marked", role)
		}
		post := a.as("fin@funder.example", role, "POST", path+"/check-ins/1/feedback", url.Values{"messageId": {"m1"}, "none": {"yes"}})
		if post.code != http.StatusForbidden {
			t.Errorf("%s marks: %d", role, post.code)
		}
	}
	bad := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/check-ins/1/feedback", url.Values{"messageId": {"m1"}, "passage": {"  "}})
	if bad.code != http.StatusBadRequest || !strings.Contains(bad.body, "tick that it holds none") {
		t.Errorf("a blank passage, not ticked: %d", bad.code)
	}
	bad = a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/check-ins/1/feedback", url.Values{"messageId": {"m1"}, "passage": {"we love your forms"}})
	if bad.code != http.StatusBadRequest || !strings.Contains(bad.body, "must be text found in the reply") {
		t.Errorf("a passage not in the reply: %d", bad.code)
	}
	done := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/check-ins/1/feedback", url.Values{"messageId": {"m1"},
		"passage": {"PRIVATEMARK your forms\r\ntake us hours."}})
	if done.code != http.StatusSeeOther {
		t.Fatalf("mark: %d %s", done.code, done.body)
	}
	fin := a.as("fin@funder.example", grants.RoleFinance, "GET", path, nil)
	if !strings.Contains(fin.body, "Forty guests came to the garden day.") || !strings.Contains(fin.body, "Photos attached.") ||
		strings.Contains(fin.body, "PRIVATEMARK") || !strings.Contains(fin.body, "A part of this reply, the partner’s feedback for us, is withheld") {
		t.Errorf("after the mark finance reads:\n%s", fin.body)
	}
	prog = a.as("olu@funder.example", grants.RoleProgramme, "GET", path, nil)
	if !strings.Contains(prog.body, "Marked by olu@funder.example") || strings.Contains(prog.body, `<details class="feedback-mark" open>`) {
		t.Errorf("the programme page does not say who marked it, or keeps the form open")
	}
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/check-ins/1/feedback", url.Values{"messageId": {"m1"}, "none": {"yes"}}); r.code != http.StatusSeeOther {
		t.Fatalf("mark none: %d", r.code)
	}
	if fin := a.as("fin@funder.example", grants.RoleFinance, "GET", path, nil); !strings.Contains(fin.body, "PRIVATEMARK") || strings.Contains(fin.body, "is withheld") {
		t.Errorf("marked as holding no feedback, finance does not read it whole")
	}

	// A reply that asks for help only in its feedback: the programme role
	// is told to follow up; finance and viewers are not shown the flag,
	// whose phrase is the withheld words'.
	text = "Forty volunteers came.\nFeedback for us: PRIVATEHELP we are struggling with your forms."
	r = grants.Reply{AgreementID: id, CheckIn: 1, MessageID: "m2", From: "amina@levykitchen.org.uk", Subject: "Re: check-in", ReceivedAt: a.clock.Now(),
		Text: text, FullText: text}
	if err := a.svc.AcceptReply(ctx, r, r.From, grants.Effects{}, service.Read{}); err != nil {
		t.Fatal(err)
	}
	if prog := a.as("olu@funder.example", grants.RoleProgramme, "GET", path, nil); !strings.Contains(prog.body, "Asks for help — follow up") {
		t.Error("the programme role is not told the reply asks for help")
	}
	for _, role := range []grants.Role{grants.RoleFinance, grants.RoleViewer} {
		page := a.as("fin@funder.example", role, "GET", path, nil)
		if strings.Contains(page.body, "PRIVATEHELP") || strings.Contains(page.body, "Asks for help") || strings.Contains(page.body, "struggling") ||
			!strings.Contains(page.body, "Forty volunteers came.") {
			t.Errorf("%s is shown the help asked for in the feedback, or not the rest of the reply", role)
		}
	}
}
