package stack

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/smtp"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/grants"
)

// TestAgreementAcceptedByReplyOnTheStack is issue 23, items 4 and 5, on the
// local stack: activation sends the partner's lead contact the agreement
// (body and PDF) at the next send time, replying to the agreement's own
// address; "Yes, happy with this" accepts it, and the same email delivered
// again changes nothing; a moved date is proposed and sent before → after;
// "Can we change the second date?" is shown as changes asked; an
// acceptance given in a meeting is recorded through the API.
func TestAgreementAcceptedByReplyOnTheStack(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	ctx := stackContext(st)
	now := time.Now()
	tok, err := st.Auth.Issue("olu", "programme", now)
	if err != nil {
		t.Fatal(err)
	}
	officer := client{t, st.opts.APIAddr, tok}
	lead := fmt.Sprintf("lead-%d@accepting.example", now.UnixNano())
	treasurer := fmt.Sprintf("treasurer-%d@accepting.example", now.UnixNano())
	start := grants.Today(st.Clock.Now(), time.UTC).AddDays(7)
	var a grants.Agreement
	officer.must(201, "POST", "/agreements", fmt.Sprintf(`{"programme": "accepting",
		"partner": {"name": "Ancoats Youth Theatre", "registrationNumber": "1177001", "address": "3 Blossom Street, Manchester M4 6AJ"},
		"contacts": [{"name": "Jo Reid", "email": %q, "role": "treasurer"}, {"name": "Sam Taylor", "email": %q, "role": "lead"}],
		"amount": 1000000, "startDate": %q, "terms": ["Stage two youth-led plays"], "support": ["Producer mentoring"]}`,
		treasurer, lead, start), &a)
	officer.must(200, "POST", "/agreements/"+a.ID+"/activate", "", &a)
	if p := a.PartnerAcceptance; p == nil || p.Status != grants.AcceptanceAwaiting {
		t.Fatalf("activated: %+v", p)
	}

	sesURL := fmt.Sprintf("http://127.0.0.1:%d", st.opts.SESPort)
	// mailTo waits for the next send time and returns what lead was sent whose subject starts so.
	mailTo := func(prefix string) emulator.SESMessage {
		t.Helper()
		if _, err := st.Runner.Advance(ctx, 1); err != nil {
			t.Fatal(err)
		}
		msgs, err := emulator.SESMessages(ctx, sesURL)
		if err != nil {
			t.Fatal(err)
		}
		var found []emulator.SESMessage
		for _, m := range msgs {
			if len(m.Destination.To) == 1 && m.Destination.To[0] == lead && strings.HasPrefix(m.Subject, prefix) {
				found = append(found, m)
			}
			if len(m.Destination.To) > 0 && m.Destination.To[0] == treasurer && strings.Contains(m.Subject, "please reply to accept") {
				t.Errorf("the treasurer was sent %q", m.Subject)
			}
		}
		if len(found) != 1 {
			t.Fatalf("%d emails to the lead contact starting %q", len(found), prefix)
		}
		return found[0]
	}
	m := mailTo("Your agreement with")
	if len(m.ReplyTo) != 1 || !strings.HasPrefix(m.ReplyTo[0], "agreement+") || len(m.Attachments) != 1 ||
		m.Attachments[0].ContentType != "application/pdf" || !bytes.HasPrefix(m.Attachments[0].Content, []byte("%PDF-")) ||
		!strings.Contains(m.Body.Text, "Stage two youth-led plays") || !strings.Contains(m.Body.Text, "If things change") {
		t.Fatalf("the agreement email: reply-to %v, %d attachments:\n%s", m.ReplyTo, len(m.Attachments), m.Body.Text)
	}

	// "Yes, happy with this", delivered twice (the same email, two SES messages).
	yes := rawReply(lead, m.ReplyTo[0], m.Subject, "Yes, happy with this\r\n\r\nSam", fmt.Sprintf("<yes-%d@accepting.example>", now.UnixNano()))
	for range 2 {
		if err := smtp.SendMail(st.opts.SMTPAddr, nil, lead, []string{m.ReplyTo[0]}, yes); err != nil {
			t.Fatal(err)
		}
	}
	var got grants.Agreement
	officer.must(200, "GET", "/agreements/"+a.ID, "", &got)
	p := got.PartnerAcceptance
	if p == nil || p.Status != grants.AcceptanceAccepted || p.By != "Sam Taylor" || p.MessageID == "" || !strings.HasPrefix(p.Words, "Yes, happy with this") {
		t.Fatalf("after the yes: %+v", p)
	}
	var hist struct{ Items []grants.AuditEntry }
	officer.must(200, "GET", "/agreements/"+a.ID+"/history?limit=100", "", &hist)
	accepted := 0
	for _, e := range hist.Items {
		if e.Action == "acceptance.accepted" {
			accepted++
			if !strings.Contains(e.Detail, "Sam Taylor accepted the agreement by email") {
				t.Errorf("history: %q", e.Detail)
			}
		}
	}
	if accepted != 1 {
		t.Errorf("%d acceptances in the history after the email came twice, want 1", accepted)
	}

	// A date moved later is a change proposed to the partner.
	later := got.Instalment(3).DueDate.AddDays(14)
	officer.must(200, "PATCH", "/agreements/"+a.ID, fmt.Sprintf(`{"instalments": [{"number": 3, "dueDate": %q}]}`, later),
		&got, "If-Match", fmt.Sprintf(`"%d"`, got.Version))
	if p := got.PartnerAcceptance; p.Status != grants.AcceptanceAwaiting || len(p.Proposed) != 1 {
		t.Fatalf("after the amendment: %+v", p)
	}
	m = mailTo("A change to your agreement")
	if !strings.Contains(m.Body.Text, "Instalment 3 due date: ") || !strings.Contains(m.Body.Text, "→ "+later.Long()) || !strings.HasPrefix(m.ReplyTo[0], "agreement+") {
		t.Fatalf("the proposal:\n%s", m.Body.Text)
	}
	reply(t, st.opts.SMTPAddr, lead, m.ReplyTo[0], m.Subject, "Can we change the second date?", nil)
	officer.must(200, "GET", "/agreements/"+a.ID, "", &got)
	if p := got.PartnerAcceptance; p.Status != grants.AcceptanceChangesAsked || p.Words != "Can we change the second date?" || len(p.Proposed) != 1 {
		t.Fatalf("after the question: %+v", p)
	}
	if status, body := officer.do("POST", "/agreements/"+a.ID+"/acceptance", `{"channel": "fax", "note": "x"}`); status != 422 || !strings.Contains(string(body), `"channel"`) {
		t.Errorf("a bad channel: %d %s", status, body)
	}
	officer.must(200, "POST", "/agreements/"+a.ID+"/acceptance", `{"channel": "meeting", "note": "Agreed the new date at our visit"}`, &got)
	if p := got.PartnerAcceptance; p.Status != grants.AcceptanceAccepted || p.Channel != "meeting" || len(p.Proposed) != 0 {
		t.Errorf("after the meeting: %+v", p)
	}
}

// rawReply is a partner's plain-text reply with its own Message-ID, so the
// same email can be delivered twice.
func rawReply(from, to, subject, text, messageID string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: Re: %s\r\nMessage-ID: %s\r\nDate: Mon, 1 Mar 2027 11:00:00 +0000\r\nMIME-Version: 1.0\r\n", from, to, subject, messageID)
	fmt.Fprintf(&b, "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n", base64.StdEncoding.EncodeToString([]byte(text)))
	return b.Bytes()
}
