package stack

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/dev/testenv/chromium"
	"github.com/partnership-grants/backend/pkg/grants"
)

// TestStoriesInTheBrowser is issue 24, item 5, on the local stack in the
// browser: next to a partner's words on the agreement page the officer
// marks a passage as a story (an empty one refused by its field), sees it
// asked; at the send time the partner's lead contact is asked and replies
// yes; the Stories page then shows the story with its consent, and a
// viewer reads it there too.
func TestStoriesInTheBrowser(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	ctx := stackContext(st)
	browser := chromium.Browser(t)
	now := time.Now()
	tok, err := st.Auth.Issue("olu", "programme", now)
	if err != nil {
		t.Fatal(err)
	}
	api := client{t, st.opts.APIAddr, tok}
	lead := fmt.Sprintf("ruth-%d@toddlers.example", now.UnixNano())
	var a grants.Agreement
	api.must(201, "POST", "/agreements", fmt.Sprintf(`{"programme": %q,
		"partner": {"name": "Whalley Range Toddler Group", "registrationNumber": "1163456", "address": "1 Withington Road, Manchester M16 8AA"},
		"contacts": [{"name": "Ruth Okafor", "email": %q, "role": "lead"}],
		"amount": 300000, "startDate": %q, "terms": ["Run two sessions a week"]}`,
		DemoProgramme, lead, grants.Today(st.Clock.Now(), time.UTC)), &a)
	api.must(200, "POST", "/agreements/"+a.ID+"/activate", "", nil)
	today := grants.Today(st.Clock.Now(), a.Location())
	api.must(201, "POST", "/agreements/"+a.ID+"/check-ins/1/responses", fmt.Sprintf(`{"channel": "call", "happenedOn": %q,
		"participants": ["Ruth Okafor"], "summary": "Sessions full.", "partnerWords": "A dad told us the group is the only place he talks to other parents. Feedback for us: the forms are long."}`, today), nil)

	officer := signIn(t, st, browser, "olu")
	officer.open("/app/agreements/" + a.ID)
	form := `form.story-form`
	chromium.Do(t, officer.tab, "open the story form", chromedp.Click(chromedp.CSS(`details.story-mark summary`)),
		chromedp.SetValue(chromedp.CSS(form+` textarea[name=passage]`), " "))
	if code := chromium.Submit(t, officer.tab, "mark an empty passage", form+` button[type=submit]`); code != 400 {
		t.Fatalf("an empty passage: %d", code)
	}
	if got := officer.text(form + ` .field-error`); !strings.Contains(got, "Passage is required") {
		t.Errorf("an empty passage is told as %q", got)
	}
	chromium.Do(t, officer.tab, "type the passage",
		chromedp.SetValue(chromedp.CSS(form+` textarea[name=passage]`), "A dad told us the group is the only place he talks to other parents."))
	if code := chromium.Submit(t, officer.tab, "mark", form+` button[type=submit]`); code != 200 {
		t.Fatalf("mark: %d", code)
	}
	if got := officer.text("#story-1"); !strings.Contains(got, "Asked; no answer yet") || !strings.Contains(got, "the only place he talks to other parents") {
		t.Errorf("the story on the agreement page reads %q", got)
	}
	officer.keep("story-asked")

	// The partner is asked at the send time and says yes.
	sesURL := fmt.Sprintf("http://127.0.0.1:%d", st.opts.SESPort)
	var ask emulator.SESMessage
	for day := 0; day < 5 && ask.Subject == ""; day++ {
		if _, err := st.Runner.Advance(ctx, 1); err != nil {
			t.Fatal(err)
		}
		msgs, err := emulator.SESMessagesTo(ctx, sesURL, lead)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if strings.HasPrefix(m.Subject, "May we share your words?") {
				ask = m
			}
		}
	}
	if ask.Subject == "" || len(ask.ReplyTo) != 1 {
		t.Fatal("the partner was never asked")
	}
	reply(t, st.opts.SMTPAddr, lead, ask.ReplyTo[0], ask.Subject, "Yes of course, first names only please (he is Tom).", nil)

	officer.open("/app/stories")
	got := officer.text("main")
	for _, want := range []string{"A dad told us the group is the only place he talks to other parents.", "first names only", "consent from Ruth Okafor", "by reply", a.Reference} {
		if !strings.Contains(got, want) {
			t.Errorf("the Stories page reads %q, without %q", got, want)
		}
	}
	officer.keep("stories")
	viewer := signIn(t, st, browser, "vic")
	viewer.open("/app/stories")
	if got := viewer.text("main"); !strings.Contains(got, "the only place he talks to other parents") {
		t.Errorf("a viewer reads the Stories page as %q", got)
	}
}
