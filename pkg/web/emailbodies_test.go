package web

import (
	"context"
	"html"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/grants"
)

// The agreement page shows what each email sent to the partner said, as
// SES sent it, behind a <details> on its history entry (issue 26, item 16).
func TestAgreementPageShowsEmailBodies(t *testing.T) {
	a := newApp(t)
	id := a.create("m")
	path := "/app/agreements/" + id
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/activate", url.Values{}); r.code != 303 {
		t.Fatalf("activate: %d %s", r.code, r.body)
	}
	// Past its end date, after the send time: closing it thanks the partner at once.
	a.clock.Set(time.Date(2028, 1, 5, 10, 0, 0, 0, time.UTC))
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/complete", url.Values{"reason": {"The kitchen closed"}, "confirm": {"yes"}}); r.code != 303 {
		t.Fatalf("complete: %d %s", r.code, r.body)
	}
	ag, err := a.store.GetAgreement(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := emulator.SESMessagesTo(context.Background(), a.ses, "amina@levykitchen.org.uk")
	if err != nil {
		t.Fatal(err)
	}
	var sent []emulator.SESMessage
	for _, m := range msgs {
		if strings.Contains(m.Subject, ag.Reference) || strings.Contains(m.Body.Text, ag.Reference) {
			sent = append(sent, m)
		}
	}
	if len(sent) == 0 {
		t.Fatal("no email sent for the agreement")
	}
	// An email may quote the partner's feedback, which is the programme
	// team's alone (grants.HistoryReadBy): a viewer reads no email's words.
	if viewer := a.as("vic@funder.example", grants.RoleViewer, "GET", path, nil); strings.Contains(viewer.body, "What the email said") {
		t.Error("a viewer reads what the emails said")
	}
	page := a.as("olu@funder.example", grants.RoleProgramme, "GET", path, nil)
	if !strings.Contains(page.body, "What the email said") {
		t.Fatal("the page shows no email's words")
	}
	for _, m := range sent {
		// Each line as templ escapes it; blank lines aside.
		for _, line := range strings.Split(strings.TrimSpace(m.Body.Text), "\n") {
			if line = strings.TrimRight(line, "\r"); line != "" && !strings.Contains(page.body, html.EscapeString(line)) {
				t.Errorf("the page lacks %q of %q", line, m.Subject)
				break
			}
		}
	}
}
