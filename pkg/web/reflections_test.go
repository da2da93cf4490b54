package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/outbox"
	"github.com/partnership-grants/backend/pkg/service"
)

// On "You said, we did" an officer finds this round's message drafted from
// the themes and their actions, previews the email as the partner's lead
// contact will get it, and sends it: a message left empty is refused by its
// field, a second for the round by the round, and pressing send again
// (the same form) queues nothing more. Finance may not send one. A
// partner's answer shows on the agreement page as a message, its words
// withheld from finance, and not on the feedback page as a check-in's.
func TestYouSaidWeDidPage(t *testing.T) {
	a := newApp(t)
	id := a.create("k")
	path := "/app/agreements/" + id
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/activate", url.Values{}); r.code != http.StatusSeeOther {
		t.Fatalf("activate: %d %s", r.code, r.body)
	}
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/feedback/actions", url.Values{"theme": {"Late payments"},
		"what": {"Moved the pay run to the first Monday"}, "on": {"2026-11-20"}, "who": {"Finance team"}}); r.code != http.StatusSeeOther {
		t.Fatalf("action: %d %s", r.code, r.body)
	}
	page := a.as("olu@funder.example", grants.RoleProgramme, "GET", "/app/feedback/reflections", nil)
	for _, want := range []string{`href="/app/feedback/reflections"`, `name="round" type="number" min="1" max="99" value="1"`,
		"We did: Moved the pay run to the first Monday (2026-11-20, Finance team)", "Subject: You said, we did", "Send to 1 partner"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if r := a.as("fin@funder.example", grants.RoleFinance, "GET", "/app/feedback/reflections", nil); r.code != http.StatusForbidden {
		t.Errorf("finance reading the page: %d", r.code)
	}
	if r := a.as("fin@funder.example", grants.RoleFinance, "POST", "/app/feedback/reflections", url.Values{"round": {"1"}, "message": {"x"}, "key": {"f"}}); r.code != http.StatusForbidden {
		t.Errorf("finance sending: %d", r.code)
	}

	r := a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/feedback/reflections", url.Values{"round": {"1"}, "message": {"Our own words this time."}, "key": {"k1"}, "action": {"preview"}})
	if r.code != http.StatusOK || !strings.Contains(r.body, "Our own words this time.") || !strings.Contains(r.body, `<pre class="email-preview">`) {
		t.Fatalf("preview: %d %s", r.code, r.body)
	}
	r = a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/feedback/reflections", url.Values{"round": {"1"}, "message": {" "}, "key": {"k1"}, "action": {"send"}})
	if r.code != http.StatusBadRequest || !strings.Contains(r.body, `id="err-message"`) {
		t.Fatalf("an empty message: %d %s", r.code, r.body)
	}
	send := url.Values{"round": {"1"}, "message": {"Our own words this time."}, "key": {"k2"}, "action": {"send"}}
	for range 2 {
		r = a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/feedback/reflections", send)
		if r.code != http.StatusSeeOther || r.location != "/app/feedback/reflections?done=reflection-sent" {
			t.Fatalf("send: %d %s %s", r.code, r.location, r.body)
		}
	}
	r = a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/feedback/reflections", url.Values{"round": {"1"}, "message": {"Again"}, "key": {"k3"}, "action": {"send"}})
	if r.code != http.StatusConflict || !strings.Contains(r.body, `id="err-round"`) {
		t.Fatalf("a second for round 1: %d %s", r.code, r.body)
	}
	if en, err := a.store.Outbox(context.Background(), id, outbox.ReflectionKey(1).String()); err != nil || en == nil {
		t.Errorf("not queued: %v", err)
	}
	page = a.as("olu@funder.example", grants.RoleProgramme, "GET", "/app/feedback/reflections", nil)
	if !strings.Contains(page.body, "<h3>Round 1</h3>") || !strings.Contains(page.body, "to 1 agreement.") || !strings.Contains(page.body, `value="2"`) {
		t.Errorf("after sending: %s", page.body)
	}

	words := "Thank you, the Monday pay run helps."
	if err := a.svc.Replies.AcceptMessage(context.Background(), grants.Reply{AgreementID: id, MessageID: "ses-m-1", From: "lead@partner.example", Subject: "Re: You said, we did", Text: words, FullText: words},
		"lead@partner.example", grants.Effects{}, service.Read{}); err != nil {
		t.Fatal(err)
	}
	prog := a.as("olu@funder.example", grants.RoleProgramme, "GET", path, nil)
	if !strings.Contains(prog.body, "Messages from the partner") || !strings.Contains(prog.body, words) {
		t.Errorf("the agreement page as the programme role lacks the message")
	}
	if fb := a.as("olu@funder.example", grants.RoleProgramme, "GET", "/app/feedback", nil); strings.Contains(fb.body, words) {
		t.Errorf("the message shows on the feedback page as a check-in's feedback")
	}
	fin := a.as("fin@funder.example", grants.RoleFinance, "GET", path, nil)
	if !strings.Contains(fin.body, "Messages from the partner") || strings.Contains(fin.body, words) || !strings.Contains(fin.body, "for the programme team only") {
		t.Errorf("the agreement page as finance: shows the words, or not that a message came")
	}
}
