package stack

import (
	"fmt"
	"net/http"
	"net/smtp"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/grants"
)

// TestOfficerMessageOnTheStack is issue 26's item 16 (an officer emails
// the partner from the agreement page) on the local stack: the officer
// posts the page's form twice with one key (a double click); the page says
// the message is queued; the web function signs no reply address, so the
// sweep sends it at the send time, once, from the officer, with the
// agreement's message+ Reply-To; the partner's answer to that address is
// kept as a message on the agreement.
func TestOfficerMessageOnTheStack(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	ctx := stackContext(st)
	now := time.Now()
	tok, err := st.Auth.Issue("olu", "programme", now)
	if err != nil {
		t.Fatal(err)
	}
	officer := client{t, st.opts.APIAddr, tok}
	contact := fmt.Sprintf("lead-%d@messaged.example", now.UnixNano())
	var a grants.Agreement
	officer.must(201, "POST", "/agreements", fmt.Sprintf(`{"programme": %q,
		"partner": {"name": "Moss Side Menders", "registrationNumber": "1161301", "address": "5 Princess Road, Manchester M14 4TH"},
		"contacts": [{"name": "Ade Bello", "email": %q, "role": "lead"}],
		"amount": 800000, "startDate": %q, "terms": ["Host a repair cafe"], "support": ["Mentoring"]}`, DemoProgramme, contact, grants.Today(st.Clock.Now(), time.UTC).AddDays(7)),
		&a, "Idempotency-Key", "message-1")
	officer.must(200, "POST", "/agreements/"+a.ID+"/activate", "", nil)

	api := "http://" + st.opts.APIAddr
	olu, _ := webSignIn(t, st, "olu")
	words := "Thank you for showing us the repair cafe. Could you send a photo for the newsletter?"
	form := url.Values{"key": {"double-click"}, "message": {words}}
	for range 2 {
		post, _ := http.NewRequest("POST", api+"/app/agreements/"+a.ID+"/message", strings.NewReader(form.Encode()))
		post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		post.Header.Set("Origin", api)
		resp, page := reader(t)(olu.Do(post))
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, "The message is queued for the partner") {
			t.Fatalf("posting the message: %d", resp.StatusCode)
		}
	}

	sesURL := fmt.Sprintf("http://127.0.0.1:%d", st.opts.SESPort)
	ours := func() []emulator.SESMessage {
		t.Helper()
		msgs, err := emulator.SESMessagesTo(ctx, sesURL, contact)
		if err != nil {
			t.Fatal(err)
		}
		var out []emulator.SESMessage
		for _, m := range msgs {
			if strings.HasPrefix(m.Subject, "A message about your partnership") {
				out = append(out, m)
			}
		}
		return out
	}
	for range 2 { // the next send time, and the one after: sent once
		if _, err := st.Runner.Advance(ctx, 1); err != nil {
			t.Fatal(err)
		}
	}
	sent := ours()
	if len(sent) != 1 {
		t.Fatalf("%d messages sent, want 1", len(sent))
	}
	m := sent[0]
	if len(m.ReplyTo) != 1 || !strings.HasPrefix(m.ReplyTo[0], "message+") || !strings.Contains(m.Body.Text, words) {
		t.Fatalf("the email: reply-to %v\n%s", m.ReplyTo, m.Body.Text)
	}

	// The partner answers: a message on the agreement.
	answer := "PRIVATEANSWER a photo is on its way."
	raw := rawReply(contact, m.ReplyTo[0], m.Subject, answer, fmt.Sprintf("<answer-%d@messaged.example>", now.UnixNano()))
	if err := smtp.SendMail(st.opts.SMTPAddr, nil, contact, []string{m.ReplyTo[0]}, raw); err != nil {
		t.Fatal(err)
	}
	var msgs struct{ Messages []grants.Reply }
	for wait := time.Now().Add(30 * time.Second); len(msgs.Messages) == 0; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(wait) {
			t.Fatal("the answer was not kept as a message")
		}
		officer.must(200, "GET", "/agreements/"+a.ID+"/messages", "", &msgs)
	}
	if got := msgs.Messages[0]; !got.AnswersMessage || got.CheckIn != 0 || !strings.Contains(got.Text, "PRIVATEANSWER") {
		t.Errorf("the message: %+v", got)
	}
	if _, page := reader(t)(olu.Get(api + "/app/agreements/" + a.ID)); !strings.Contains(page, "PRIVATEANSWER") {
		t.Error("the agreement page does not show the partner's answer")
	}
}
