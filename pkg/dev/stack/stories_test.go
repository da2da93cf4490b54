package stack

import (
	"fmt"
	"net/http"
	"net/smtp"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

// TestStoriesWithConsentOnTheStack is issue 24, item 5, on the local
// stack: an officer marks a passage of a partner's words as a story by
// JSON (no passage, and a check-in with no reply, refused naming the
// field); at the next send time the lead contact, and nobody else, is
// asked once whether it may be shared, replying to the story's own story+
// address; "Yes, you can use it with our organisation's name on your
// website", delivered twice, lists it once with its consent (by reply, the
// organisation's name, the website); a second story answered "no" is not
// listed; a reply to a forged story address is held, changing nothing;
// the first withdrawn by reply is gone from the list and the download,
// its answers kept.
func TestStoriesWithConsentOnTheStack(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	ctx := stackContext(st)
	now := time.Now()
	tok, err := st.Auth.Issue("olu", "programme", now)
	if err != nil {
		t.Fatal(err)
	}
	officer := client{t, st.opts.APIAddr, tok}
	lead := fmt.Sprintf("lead-%d@stories.example", now.UnixNano())
	treasurer := fmt.Sprintf("treasurer-%d@stories.example", now.UnixNano())
	var a grants.Agreement
	officer.must(201, "POST", "/agreements", fmt.Sprintf(`{"programme": %q,
		"partner": {"name": "Moss Side Story Club", "registrationNumber": "1177002", "address": "2 Princess Road, Manchester M14 4TH"},
		"contacts": [{"name": "Jo Reid", "email": %q, "role": "treasurer"}, {"name": "Sam Taylor", "email": %q, "role": "lead"}],
		"amount": 500000, "startDate": %q, "terms": ["Run a weekly story club"]}`,
		DemoProgramme, treasurer, lead, grants.Today(st.Clock.Now(), time.UTC)), &a, "Idempotency-Key", "stories-walk-1")
	officer.must(200, "POST", "/agreements/"+a.ID+"/activate", "", nil)
	if status, body := officer.do("POST", "/agreements/"+a.ID+"/stories", `{"checkIn": 1, "passage": ""}`); status != 422 || !strings.Contains(string(body), `"field":"passage"`) {
		t.Errorf("no passage: %d %s", status, body)
	}
	if status, body := officer.do("POST", "/agreements/"+a.ID+"/stories", `{"checkIn": 1, "passage": "Eleven children read aloud."}`); status != 422 || !strings.Contains(string(body), `"field":"checkIn"`) {
		t.Errorf("a check-in with no reply: %d %s", status, body)
	}
	today := grants.Today(st.Clock.Now(), a.Location())
	officer.must(201, "POST", "/agreements/"+a.ID+"/check-ins/1/responses", fmt.Sprintf(`{"channel": "visit", "happenedOn": %q,
		"participants": ["Sam Taylor"], "summary": "Visited the club", "partnerWords": "Eleven children read aloud for the first time. The library gave us a room for free."}`, today), nil)
	var s1, s2 grants.Story
	officer.must(201, "POST", "/agreements/"+a.ID+"/stories", `{"checkIn": 1, "passage": "Eleven children read aloud for the first time."}`, &s1, "Idempotency-Key", "story-a")
	officer.must(201, "POST", "/agreements/"+a.ID+"/stories", `{"checkIn": 1, "passage": "Eleven children read aloud for the first time."}`, nil, "Idempotency-Key", "story-a")
	officer.must(201, "POST", "/agreements/"+a.ID+"/stories", `{"checkIn": 1, "passage": "The library gave us a room for free."}`, &s2, "Idempotency-Key", "story-b")
	if s1.Number != 1 || s2.Number != 2 || s1.Status != grants.StoryAsked {
		t.Fatalf("marked: %+v %+v", s1, s2)
	}

	// At the next send time, one email per story to the lead contact only.
	sesURL := fmt.Sprintf("http://127.0.0.1:%d", st.opts.SESPort)
	asked := map[int]emulator.SESMessage{}
	for range 3 {
		if _, err := st.Runner.Advance(ctx, 1); err != nil {
			t.Fatal(err)
		}
	}
	msgs, err := emulator.SESMessages(ctx, sesURL)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if !strings.HasPrefix(m.Subject, "May we share your words?") {
			continue
		}
		if len(m.Destination.To) != 1 || m.Destination.To[0] != lead {
			t.Errorf("a consent email went to %v", m.Destination.To)
			continue
		}
		n := 1
		if strings.Contains(m.Body.Text, "The library gave us a room") {
			n = 2
		}
		if _, dup := asked[n]; dup {
			t.Errorf("story %d was asked twice", n)
		}
		if len(m.ReplyTo) != 1 || !strings.HasPrefix(m.ReplyTo[0], "story+") {
			t.Fatalf("the consent email replies to %v", m.ReplyTo)
		}
		asked[n] = m
	}
	if len(asked) != 2 {
		t.Fatalf("%d stories asked, want 2", len(asked))
	}

	shared := func() service.SharedStories {
		var out service.SharedStories
		officer.must(200, "GET", "/programmes/"+DemoProgramme+"/stories", "", &out)
		return out
	}
	m1, m2 := asked[1], asked[2]
	yes := rawReply(lead, m1.ReplyTo[0], m1.Subject, "Yes, you can use it with our organisation's name on your website\r\n\r\nSam", fmt.Sprintf("<story-yes-%d@stories.example>", now.UnixNano()))
	for range 2 { // the same email delivered twice
		if err := smtp.SendMail(st.opts.SMTPAddr, nil, lead, []string{m1.ReplyTo[0]}, yes); err != nil {
			t.Fatal(err)
		}
	}
	reply(t, st.opts.SMTPAddr, lead, m2.ReplyTo[0], m2.Subject, "No", nil)
	got := shared()
	if len(got.Stories) != 1 || got.Stories[0].AgreementID != a.ID || got.Stories[0].Number != 1 || got.Stories[0].Passage != "Eleven children read aloud for the first time." {
		t.Fatalf("listed: %+v", got)
	}
	c := got.Stories[0].Consent
	if c.How != grants.StoryByReply || c.By != "Sam Taylor" || c.Name != grants.StoryOrganisation || len(c.Where) != 1 || c.Where[0] != grants.StoryOnWebsite || c.At.IsZero() {
		t.Errorf("the consent: %+v", c)
	}
	var mine service.AgreementStories
	officer.must(200, "GET", "/agreements/"+a.ID+"/stories", "", &mine)
	if len(mine.Stories) != 2 || len(mine.Stories[0].Answers) != 1 || mine.Stories[1].Status != grants.StoryDeclined {
		t.Fatalf("the agreement's stories after the answers: %+v", mine)
	}

	// A forged story address: held, nothing changed.
	forged := forge(m1.ReplyTo[0])
	reply(t, st.opts.SMTPAddr, lead, forged, m1.Subject, "No, please don't use it", nil)
	if got := shared(); len(got.Stories) != 1 {
		t.Errorf("a forged address changed the stories: %+v", got)
	}
	var held []grants.Quarantined
	var page struct{ Items []grants.Quarantined }
	officer.must(200, "GET", "/quarantine", "", &page)
	for _, q := range page.Items {
		if q.Reason == grants.QuarantineBadToken {
			held = append(held, q)
		}
	}
	if len(held) == 0 {
		t.Errorf("the forged reply is not held: %+v", page.Items)
	}

	// Withdrawn by reply: gone from the list and the download; its answers kept.
	browser, _ := webSignIn(t, st, "vic")
	read := reader(t)
	if resp, csv := read(browser.Get("http://" + st.opts.APIAddr + "/app/stories.csv")); resp.StatusCode != http.StatusOK || !strings.Contains(csv, "Eleven children read aloud") ||
		!strings.Contains(csv, "the organisation's name") {
		t.Fatalf("the download before withdrawing: %d %s", resp.StatusCode, csv)
	}
	reply(t, st.opts.SMTPAddr, lead, m1.ReplyTo[0], m1.Subject, "We have talked it over: please don't use it after all.", nil)
	if got := shared(); len(got.Stories) != 0 {
		t.Errorf("a withdrawn story is listed: %+v", got)
	}
	if resp, csv := read(browser.Get("http://" + st.opts.APIAddr + "/app/stories.csv")); resp.StatusCode != http.StatusOK || strings.Contains(csv, "Eleven children") {
		t.Errorf("the download after withdrawing: %d %s", resp.StatusCode, csv)
	}
	officer.must(200, "GET", "/agreements/"+a.ID+"/stories", "", &mine)
	if s := mine.Stories[0]; s.Status != grants.StoryWithdrawn || len(s.Answers) != 2 || s.Answers[0].Answer != grants.StoryYes {
		t.Errorf("story 1 after withdrawing: %+v", s)
	}
}

// forge changes a story address's token, keeping its form.
func forge(addr string) string {
	local, domain, _ := strings.Cut(addr, "@")
	b := []byte(local)
	last := len(b) - 1
	if b[last] == 'a' {
		b[last] = 'b'
	} else {
		b[last] = 'a'
	}
	return string(b) + "@" + domain
}
