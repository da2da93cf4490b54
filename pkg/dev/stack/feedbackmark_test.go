package stack

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/grants"
)

// TestOfficerMarksFeedbackOnTheStack is the rest of issue 24's item 1 on
// the local stack: a partner answers check-in 1 by email with no question
// headings, so finance reads nothing of it (route and page); finance may
// not mark it (403 problem+json); the officer marks the feedback passage on
// the agreement page; finance then reads the rest of the reply, and not the
// passage, on the check-in route, the timeline and the page, and no log
// line carries it. The programme role reads the passage in "feedback".
func TestOfficerMarksFeedbackOnTheStack(t *testing.T) {
	t.Parallel()
	output := &captured{}
	st := startStackWith(t, func(o *Options) { o.Metrics = output })
	output.capture(t, st)
	ctx := stackContext(st)
	now := time.Now()
	issue := func(user, role string) client {
		tok, err := st.Auth.Issue(user, role, now)
		if err != nil {
			t.Fatal(err)
		}
		return client{t, st.opts.APIAddr, tok}
	}
	officer, finance := issue("olu", "programme"), issue("alice", "finance")
	contact := fmt.Sprintf("lead-%d@feedback-mark.example", now.UnixNano())
	start := grants.Today(st.Clock.Now(), time.UTC)
	var a grants.Agreement
	officer.must(201, "POST", "/agreements", fmt.Sprintf(`{"programme": %q,
		"partner": {"name": "Gorton Garden Club", "registrationNumber": "1161300", "address": "2 Hyde Road, Manchester M18 8AB"},
		"contacts": [{"name": "Ade Bello", "email": %q, "role": "lead"}],
		"amount": 800000, "startDate": %q, "terms": ["Host four garden days"], "support": ["Mentoring"]}`, DemoProgramme, contact, start),
		&a, "Idempotency-Key", "feedback-mark-1")
	officer.must(200, "POST", "/agreements/"+a.ID+"/activate", "", nil)

	sesURL := fmt.Sprintf("http://127.0.0.1:%d", st.opts.SESPort)
	var checkIn emulator.SESMessage
	for day := 0; day < 200 && checkIn.Subject == ""; day += 7 {
		if _, err := st.Runner.Advance(ctx, 7); err != nil {
			t.Fatal(err)
		}
		msgs, err := emulator.SESMessagesTo(ctx, sesURL, contact)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if len(m.ReplyTo) == 1 && strings.HasPrefix(m.ReplyTo[0], "checkin+") {
				checkIn = m
			}
		}
	}
	if checkIn.Subject == "" {
		t.Fatal("check-in 1 never reached the partner")
	}
	reply(t, st.opts.SMTPAddr, contact, checkIn.ReplyTo[0], checkIn.Subject,
		"Forty guests came to the first garden day.\r\nPRIVATEMARKED your monitoring form\r\ntakes us a whole evening.\r\nPhotos to follow.", nil)
	var got struct{ Replies []grants.Reply }
	for wait := time.Now().Add(30 * time.Second); len(got.Replies) < 1; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(wait) {
			t.Fatal("the reply was not stored")
		}
		officer.must(200, "GET", "/agreements/"+a.ID+"/check-ins/1", "", &got)
	}
	messageID := got.Replies[0].MessageID
	secret, passage := "PRIVATEMARKED", "PRIVATEMARKED your monitoring form takes us a whole evening."

	// Not marked: finance reads nothing of it.
	got.Replies = nil
	finance.must(200, "GET", "/agreements/"+a.ID+"/check-ins/1", "", &got)
	if r := got.Replies[0]; r.Text != "" || !r.FeedbackWithheld || strings.Contains(r.FullText, "Forty guests") {
		t.Fatalf("before the mark finance reads %+v", r)
	}
	api := "http://" + st.opts.APIAddr
	alice, _ := webSignIn(t, st, "alice")
	if _, page := reader(t)(alice.Get(api + "/app/agreements/" + a.ID)); strings.Contains(page, "Forty guests") ||
		!strings.Contains(page, "This reply is withheld") {
		t.Errorf("before the mark finance's page shows the reply, or says nothing of it")
	}

	// Finance may not mark it.
	body := fmt.Sprintf(`{"messageId": %q, "passage": %q}`, messageID, passage)
	if code, b := finance.do("POST", "/agreements/"+a.ID+"/check-ins/1/feedback", body); code != http.StatusForbidden || !strings.Contains(string(b), `"status":403`) {
		t.Errorf("finance marks: %d %s", code, b)
	}
	// A passage the partner never wrote names the field.
	if code, b := officer.do("POST", "/agreements/"+a.ID+"/check-ins/1/feedback", fmt.Sprintf(`{"messageId": %q, "passage": "we love the form"}`, messageID)); code != http.StatusUnprocessableEntity || !strings.Contains(string(b), `"passage"`) {
		t.Errorf("a passage not in the reply: %d %s", code, b)
	}

	// The officer marks it on the agreement page.
	olu, _ := webSignIn(t, st, "olu")
	_, page := reader(t)(olu.Get(api + "/app/agreements/" + a.ID))
	if !strings.Contains(page, "Which part is feedback for the programme team?") {
		t.Fatal("the officer's agreement page offers no way to mark the feedback")
	}
	form := url.Values{"messageId": {messageID}, "passage": {passage}}
	post, _ := http.NewRequest("POST", api+"/app/agreements/"+a.ID+"/check-ins/1/feedback", strings.NewReader(form.Encode()))
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	post.Header.Set("Origin", api)
	resp, page := reader(t)(olu.Do(post))
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Marked by olu") || !strings.Contains(page, "The reply’s feedback is marked") && !strings.Contains(page, "The reply&#39;s feedback is marked") {
		t.Fatalf("marking on the page: %d %s", resp.StatusCode, page)
	}
	// Again, through the JSON route: the same mark, no change.
	var marked grants.Reply
	officer.must(200, "POST", "/agreements/"+a.ID+"/check-ins/1/feedback", body, &marked)
	if marked.Feedback != "PRIVATEMARKED your monitoring form\ntakes us a whole evening." || marked.FeedbackMark == nil || marked.FeedbackMark.By == "" {
		t.Errorf("the programme role reads %+v", marked)
	}

	// Finance now reads the rest, and not the passage, everywhere.
	got.Replies = nil
	finance.must(200, "GET", "/agreements/"+a.ID+"/check-ins/1", "", &got)
	if r := got.Replies[0]; r.Text != "Forty guests came to the first garden day.\n\nPhotos to follow." || !r.FeedbackWithheld || r.Feedback != "" || r.FeedbackMark != nil {
		t.Errorf("after the mark finance reads %+v", r)
	}
	for _, p := range []string{"/agreements/" + a.ID + "/check-ins/1", "/agreements/" + a.ID + "/timeline", "/agreements/" + a.ID} {
		if code, b := finance.do("GET", p, ""); code != http.StatusOK || strings.Contains(string(b), secret) {
			t.Errorf("GET %s as finance: %d, carries the passage: %v", p, code, strings.Contains(string(b), secret))
		}
	}
	var timeline struct {
		Events []struct{ Status, Title string } `json:"events"`
	}
	finance.must(200, "GET", "/agreements/"+a.ID+"/timeline", "", &timeline)
	entries := 0
	for _, e := range timeline.Events {
		if e.Status == "reply.feedback_marked" {
			entries++
		}
	}
	if entries != 1 {
		t.Errorf("%d timeline entries of the mark, want 1: %+v", entries, timeline.Events)
	}
	_, page = reader(t)(alice.Get(api + "/app/agreements/" + a.ID))
	if !strings.Contains(page, "Forty guests came to the first garden day.") || !strings.Contains(page, "Photos to follow.") ||
		strings.Contains(page, secret) || !strings.Contains(page, "A part of this reply, the partner’s feedback for us, is withheld") {
		t.Errorf("after the mark finance's agreement page reads wrong")
	}

	// "What partners told us" gives the marked passage, not the whole reply.
	var told struct{ Rounds []grants.FeedbackRound }
	officer.must(200, "GET", "/programmes/"+DemoProgramme+"/feedback", "", &told)
	found := false
	for _, round := range told.Rounds {
		for _, e := range round.Entries {
			if e.AgreementID == a.ID {
				found = true
				if e.Words != "PRIVATEMARKED your monitoring form\ntakes us a whole evening." || e.WholeReply {
					t.Errorf("the feedback page gives %+v", e)
				}
			}
		}
	}
	if !found {
		t.Error("the feedback page does not list the marked reply")
	}
	output.private(t, secret)
}
