package stack

import (
	"fmt"
	"net/smtp"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/grants"
)

// TestYouSaidWeDidOnTheStack is issue 24's item 4 on the local stack. An
// officer records a theme of a partner's feedback and what the programme
// did about it, and posts round 1's "you said, we did" through the JSON
// API. At the next send time the sweep sends it once to the lead contact
// of each active agreement (none to a treasurer, a terminated agreement or
// a draft); the same POST again is answered as before and sends nothing
// more, and another for round 1 is refused naming round. The partner's
// answer to its message+ address is kept as a message on the agreement,
// not as a check-in's reply (check-in 1 is as it was), its words read by
// the programme role and withheld from finance.
func TestYouSaidWeDidOnTheStack(t *testing.T) {
	t.Parallel()
	st := startStack(t)
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
	addr := func(who string) string { return fmt.Sprintf("%s-%d@reflecting.example", who, now.UnixNano()) }
	leadA, treasurerA, leadB, leadC, leadD := addr("lead-a"), addr("treasurer-a"), addr("lead-b"), addr("lead-c"), addr("lead-d")
	start := grants.Today(st.Clock.Now(), time.UTC).AddDays(7)
	create := func(name, contacts string) grants.Agreement {
		var a grants.Agreement
		officer.must(201, "POST", "/agreements", fmt.Sprintf(`{"programme": "reflecting",
			"partner": {"name": %q, "registrationNumber": "1177001", "address": "3 Blossom Street, Manchester M4 6AJ"},
			"contacts": [%s], "amount": 600000, "startDate": %q, "terms": ["Run a listening cafe"], "support": ["Mentoring"]}`, name, contacts, start), &a)
		return a
	}
	a := create("Ancoats Listening Cafe", fmt.Sprintf(`{"name": "Jo Reid", "email": %q, "role": "treasurer"}, {"name": "Sam Taylor", "email": %q, "role": "lead"}`, treasurerA, leadA))
	b := create("Beswick Voices", fmt.Sprintf(`{"name": "Kim Lee", "email": %q, "role": "lead"}`, leadB))
	c := create("Clayton Circle", fmt.Sprintf(`{"name": "Ash Khan", "email": %q, "role": "lead"}`, leadC))
	create("Didsbury Draft", fmt.Sprintf(`{"name": "Dee Fox", "email": %q, "role": "lead"}`, leadD))
	for _, id := range []string{a.ID, b.ID, c.ID} {
		officer.must(200, "POST", "/agreements/"+id+"/activate", "", nil)
	}
	officer.must(200, "POST", "/agreements/"+c.ID+"/terminate", `{"reason": "The group closed"}`, nil)

	prog := "/programmes/reflecting"
	officer.must(201, "POST", prog+"/themes", fmt.Sprintf(`{"theme": "Late payments", "agreementId": %q, "checkIn": 1}`, a.ID), nil)
	officer.must(201, "POST", prog+"/themes/actions", `{"theme": "late payments", "what": "Moved the pay run to the first Monday", "on": "2026-11-20", "who": "Finance team"}`, nil)
	body := `{"round": 1, "message": "You said: payments came late.\nWe did: moved the pay run to the first Monday."}`
	code, first := officer.do("POST", prog+"/reflections", body, "Idempotency-Key", "reflect-1")
	if code != 201 || !strings.Contains(string(first), `"agreements":2`) {
		t.Fatalf("reflect: %d %s", code, first)
	}

	sesURL := fmt.Sprintf("http://127.0.0.1:%d", st.opts.SESPort)
	sent := func() map[string][]emulator.SESMessage {
		t.Helper()
		msgs, err := emulator.SESMessages(ctx, sesURL)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]emulator.SESMessage{}
		for _, m := range msgs {
			if strings.HasPrefix(m.Subject, "You said, we did") {
				for _, to := range m.Destination.To {
					out[to] = append(out[to], m)
				}
			}
		}
		return out
	}
	if got := sent(); len(got) != 0 {
		t.Fatalf("sent before the send time: %v", got)
	}
	if _, err := st.Runner.Advance(ctx, 1); err != nil {
		t.Fatal(err)
	}
	check := func(when string) emulator.SESMessage {
		t.Helper()
		got := sent()
		for _, to := range []string{leadA, leadB} {
			if len(got[to]) != 1 {
				t.Fatalf("%s: %d emails to %s, want 1", when, len(got[to]), to)
			}
		}
		for _, to := range []string{treasurerA, leadC, leadD} {
			if len(got[to]) != 0 {
				t.Errorf("%s: %s, who should get none, got %d", when, to, len(got[to]))
			}
		}
		if len(got) != 2 {
			t.Errorf("%s: sent to %d addresses, want 2", when, len(got))
		}
		return got[leadA][0]
	}
	m := check("at the send time")
	if len(m.ReplyTo) != 1 || !strings.HasPrefix(m.ReplyTo[0], "message+") || !strings.Contains(m.Body.Text, "We did: moved the pay run to the first Monday.") {
		t.Fatalf("the email: reply-to %v\n%s", m.ReplyTo, m.Body.Text)
	}

	// The same request again: its first answer, nothing more sent.
	if code, again := officer.do("POST", prog+"/reflections", body, "Idempotency-Key", "reflect-1"); code != 201 || string(again) != string(first) {
		t.Errorf("the same POST again: %d %s", code, again)
	}
	if code, other := officer.do("POST", prog+"/reflections", `{"round": 1, "message": "Another"}`, "Idempotency-Key", "reflect-2"); code != 409 || !strings.Contains(string(other), `"round"`) {
		t.Errorf("another for round 1: %d %s", code, other)
	}
	if _, err := st.Runner.Advance(ctx, 1); err != nil {
		t.Fatal(err)
	}
	check("after the POST again and another send time")

	// The partner answers: a message on the agreement, not a check-in's reply.
	var before grants.Agreement
	officer.must(200, "GET", "/agreements/"+a.ID, "", &before)
	words := "PRIVATEMESSAGE thank you, the Monday pay run has helped us."
	raw := rawReply(leadA, m.ReplyTo[0], m.Subject, words, fmt.Sprintf("<answer-%d@reflecting.example>", now.UnixNano()))
	if err := smtp.SendMail(st.opts.SMTPAddr, nil, leadA, []string{m.ReplyTo[0]}, raw); err != nil {
		t.Fatal(err)
	}
	var msgs struct{ Messages []grants.Reply }
	for wait := time.Now().Add(30 * time.Second); len(msgs.Messages) == 0; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(wait) {
			t.Fatal("the answer was not kept as a message")
		}
		officer.must(200, "GET", "/agreements/"+a.ID+"/messages", "", &msgs)
	}
	if got := msgs.Messages[0]; !got.AnswersMessage || got.CheckIn != 0 || !strings.Contains(got.Text, "PRIVATEMESSAGE") {
		t.Errorf("the message: %+v", got)
	}
	var after grants.Agreement
	officer.must(200, "GET", "/agreements/"+a.ID, "", &after)
	if after.Version != before.Version || after.CheckIn(1).Status != before.CheckIn(1).Status || after.CheckIn(1).Status == grants.CheckInReceived {
		t.Errorf("the agreement changed: version %d → %d, check-in 1 %s → %s", before.Version, after.Version, before.CheckIn(1).Status, after.CheckIn(1).Status)
	}
	var checkIn struct{ Replies []grants.Reply }
	officer.must(200, "GET", "/agreements/"+a.ID+"/check-ins/1", "", &checkIn)
	if len(checkIn.Replies) != 0 {
		t.Errorf("check-in 1 has replies: %+v", checkIn.Replies)
	}
	code, fin := finance.do("GET", "/agreements/"+a.ID+"/messages", "")
	if code != 200 || strings.Contains(string(fin), "PRIVATEMESSAGE") || !strings.Contains(string(fin), `"feedbackWithheld":true`) {
		t.Errorf("finance reads the messages as %d %s", code, fin)
	}
	// A stranger's answer to the message+ address is held for a person, as
	// a reply is; accepted, it is a message on the agreement too.
	stranger := addr("stranger")
	reply(t, st.opts.SMTPAddr, stranger, m.ReplyTo[0], m.Subject, "Pat here: we would like a call about this.", nil)
	var held []grants.Quarantined
	for wait := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		var all struct{ Items []grants.Quarantined }
		officer.must(200, "GET", "/quarantine", "", &all)
		held = held[:0]
		for _, q := range all.Items {
			if q.AgreementID == a.ID && q.Reply.From == stranger {
				held = append(held, q)
			}
		}
		if len(held) == 1 {
			break
		}
		if time.Now().After(wait) {
			t.Fatalf("the stranger's answer was not held: %+v", all)
		}
	}
	officer.must(200, "POST", "/quarantine/"+held[0].ID+"/accept", `{"note": "Pat is the new coordinator"}`, nil)
	officer.must(200, "GET", "/agreements/"+a.ID+"/messages", "", &msgs)
	if len(msgs.Messages) != 2 || !strings.Contains(msgs.Messages[0].Text+msgs.Messages[1].Text, "we would like a call") {
		t.Errorf("after accepting the held answer: %+v", msgs.Messages)
	}
	officer.must(200, "GET", "/agreements/"+a.ID+"/check-ins/1", "", &checkIn)
	if len(checkIn.Replies) != 0 {
		t.Errorf("check-in 1 has replies after the held answer was accepted: %+v", checkIn.Replies)
	}

	browser, _ := webSignIn(t, st, "alice")
	resp, page := reader(t)(browser.Get("http://" + st.opts.APIAddr + "/app/agreements/" + a.ID))
	if resp.StatusCode != 200 || strings.Contains(page, "PRIVATEMESSAGE") || !strings.Contains(page, "Messages from the partner") {
		t.Errorf("finance's agreement page: %d, shows the words or not that a message came", resp.StatusCode)
	}
}
