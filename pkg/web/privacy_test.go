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

// Issue 24: the answer to "Feedback for us" is the programme role's only.
// Every page, read as each role, is searched for the feedback's words: a
// reply that labels its answers, one with no question headings (feedback as
// a whole) and a conversation's partner words. Finance and viewers read the
// rest of the reply and a line saying a part was withheld; the programme
// role reads them all (so the search would find them).
func TestNoPageShowsFeedbackToFinanceOrViewers(t *testing.T) {
	a := newApp(t)
	a.pages.Links = links{}
	ctx := context.Background()
	id := a.create("k")
	path := "/app/agreements/" + id
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/activate", url.Values{}); r.code != http.StatusSeeOther {
		t.Fatalf("activate: %d %s", r.code, r.body)
	}
	for i, text := range []string{
		"Progress: the kitchen opened to forty guests.\nFeedback for us: PRIVATELABELLED the monitoring forms take too long.",
		"PRIVATEWHOLE we were let down by how late the payment came.",
	} {
		mid := "m" + string(rune('1'+i))
		r := grants.Reply{AgreementID: id, CheckIn: 1, MessageID: mid, From: "amina@levykitchen.org.uk", Subject: "Re: check-in", ReceivedAt: a.clock.Now(),
			Text: text, FullText: text + "\n> quoted", RawKey: "raw/" + mid, TextKey: "attachments/" + id + "/check-in-1/" + mid + "/text.txt", TextSize: 40000}
		if err := a.svc.AcceptReply(ctx, r, r.From, grants.Effects{}, service.Read{}); err != nil {
			t.Fatal(err)
		}
	}
	form := url.Values{"channel": {"call"}, "happenedOn": {"2026-12-01"}, "participants": {"Amina Khan"}, "summary": {"Called Amina"},
		"partnerWords": {"PRIVATECALL you could ask fewer questions."}}
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/check-ins/2/responses", form); r.code != http.StatusSeeOther {
		t.Fatalf("record a call: %d %s", r.code, r.body)
	}
	// A passage of the feedback marked as a story, not consented (issue 24, item 5).
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/stories", url.Values{"checkIn": {"1"},
		"passage": {"PRIVATELABELLED the monitoring forms take too long."}}); r.code != http.StatusSeeOther {
		t.Fatalf("mark a story: %d %s", r.code, r.body)
	}
	ag, err := a.store.GetAgreement(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	pages := []string{"/app", "/app/agreements", "/app/agreements/new", path, "/app/feedback", "/app/finance", "/app/quarantine",
		"/app/export.csv", "/app/export/360giving.json", "/app/partners", "/app/partners/" + ag.PartnerID, "/app/payment-runs/none",
		"/app/stories", "/app/stories.csv"}
	secrets := []string{"PRIVATELABELLED", "PRIVATEWHOLE", "PRIVATECALL", "raw/m1", "raw/m2", "text.txt"}
	for _, role := range grants.Readers {
		for _, p := range pages {
			page := a.as("someone@funder.example", role, "GET", p, nil)
			if role == grants.RoleProgramme {
				continue
			}
			for _, s := range secrets {
				if strings.Contains(page.body, s) {
					t.Errorf("%s reads %q on %s", role, s, p)
				}
			}
		}
		page := a.as("someone@funder.example", role, "GET", path, nil)
		if role == grants.RoleProgramme {
			for _, s := range secrets[:3] {
				if !strings.Contains(page.body, s) {
					t.Errorf("the programme role does not read %q on the agreement page", s)
				}
			}
			continue
		}
		for _, want := range []string{"<blockquote>Progress: the kitchen opened to forty guests.</blockquote>",
			"A part of this reply, the partner’s feedback for us, is withheld: it is for the programme team only.",
			"This reply is withheld: its feedback for us cannot be told apart from the rest, and feedback is for the programme team only.",
			"Called Amina"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("%s: the agreement page lacks %q", role, want)
			}
		}
	}
}
