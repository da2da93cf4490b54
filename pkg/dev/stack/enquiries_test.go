package stack

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"net/smtp"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/grants"
)

// enquiryAddress is the local stack's enquiry address (ENQUIRY_ADDRESS).
const enquiryAddress = "enquiries@reply.funder.local"

// enquiryMail is an organisation's email: its words, a leaflet (PDF) and
// its own Message-ID, and any extra headers (threading, local verdicts).
func enquiryMail(from, subject, text, messageID, extra string, leaflet []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: Amina Patel <%s>\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: %s\r\nDate: Mon, 1 Mar 2027 11:00:00 +0000\r\n%sMIME-Version: 1.0\r\n",
		from, enquiryAddress, subject, messageID, extra)
	b.WriteString("Content-Type: multipart/mixed; boundary=\"yy\"\r\n\r\n")
	fmt.Fprintf(&b, "--yy\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", text)
	if leaflet != nil {
		fmt.Fprintf(&b, "--yy\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"leaflet.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n",
			base64.StdEncoding.EncodeToString(leaflet))
	}
	b.WriteString("--yy--\r\n")
	return b.Bytes()
}

func sesHeader(m emulator.SESMessage, name string) string {
	for _, h := range m.Headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// Issue 24, item 6 on the local stack: an organisation emails
// enquiries@reply.funder.local with a leaflet, and its mail server sends it
// twice. One enquiry lands, on the Enquiries page and in the JSON with its
// words and its file (downloadable), and one acknowledgement goes to the
// sender, on a working day at or after the send time, saying when to
// expect an answer. Spam to the address is held for a person, and neither
// becomes an enquiry nor is acknowledged. The officer answers from the
// page: the enquirer gets it, threaded with their email, and their answer
// to it lands on the same enquiry. Closing needs an outcome (named by its
// field); a draft agreement started from it has the partner and the
// contact filled in, and the New agreement page is filled in from it too.
// Finance may not read enquiries.
func TestEnquiriesOnTheStack(t *testing.T) {
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
	sesURL := fmt.Sprintf("http://127.0.0.1:%d", st.opts.SESPort)
	api := "http://" + st.opts.APIAddr
	from := fmt.Sprintf("amina-%d@garden.example", now.UnixNano())
	spammer := fmt.Sprintf("offers-%d@spam.example", now.UnixNano())
	first := fmt.Sprintf("<enquiry-%d@garden.example>", now.UnixNano())
	leaflet := []byte("%PDF-1.4 our lunch club leaflet")
	words := "Hello, we run a lunch club for older people in Hulme and would love to talk about the programme."
	text := words + "\r\n\r\nAmina Patel\r\nHulme Community Garden Trust"

	// Sent twice by their server (two SES messages of one email).
	raw := enquiryMail(from, "Could we work with you?", text, first, "", leaflet)
	for range 2 {
		if err := smtp.SendMail(st.opts.SMTPAddr, nil, from, []string{enquiryAddress}, raw); err != nil {
			t.Fatal(err)
		}
	}
	spam := enquiryMail(spammer, "Cheap loans", "Buy now", fmt.Sprintf("<spam-%d@spam.example>", now.UnixNano()), "X-Local-Verdict-Spam: FAIL\r\n", nil)
	if err := smtp.SendMail(st.opts.SMTPAddr, nil, spammer, []string{enquiryAddress}, spam); err != nil {
		t.Fatal(err)
	}
	// A genuine enquiry that SES took for spam: held, then accepted by the officer.
	misjudged := fmt.Sprintf("dev-%d@levenshulme-choir.example", now.UnixNano())
	genuine := enquiryMail(misjudged, "A choir for carers", "Could a carers' choir apply?", fmt.Sprintf("<choir-%d@levenshulme-choir.example>", now.UnixNano()), "X-Local-Verdict-Spam: FAIL\r\n", nil)
	if err := smtp.SendMail(st.opts.SMTPAddr, nil, misjudged, []string{enquiryAddress}, genuine); err != nil {
		t.Fatal(err)
	}

	var list struct {
		Programme string
		Items     []grants.Enquiry
	}
	officer.must(200, "GET", "/enquiries?programme="+DemoProgramme, "", &list)
	var mine []grants.Enquiry
	for _, e := range list.Items {
		switch e.Email {
		case from:
			mine = append(mine, e)
		case spammer:
			t.Errorf("the spam is an enquiry: %+v", e)
		}
	}
	if len(mine) != 1 {
		t.Fatalf("%d enquiries from the sender, want 1: %+v", len(mine), list.Items)
	}
	e := mine[0]
	if e.Name != "Amina Patel" || e.Organisation != "Hulme Community Garden Trust" || e.Status != grants.EnquiryOpen || len(e.Messages) != 1 ||
		!strings.Contains(e.Messages[0].Text, words) || len(e.Messages[0].Attachments) != 1 || e.Messages[0].Attachments[0].Name != "leaflet.pdf" {
		t.Fatalf("the enquiry: %+v", e)
	}
	var got grants.Enquiry
	officer.must(200, "GET", "/enquiries/"+e.ID, "", &got)
	if len(got.Messages) != 1 || len(got.Messages[0].Attachments) != 1 || got.Messages[0].Attachments[0].URL == "" {
		t.Fatalf("GET /enquiries/%s: %+v", e.ID, got)
	}
	resp, err := http.Get(got.Messages[0].Attachments[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	file, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(file, leaflet) {
		t.Errorf("the leaflet downloads as %d %q", resp.StatusCode, file)
	}
	if code, _ := finance.do("GET", "/enquiries?programme="+DemoProgramme, ""); code != http.StatusForbidden {
		t.Errorf("finance lists enquiries: %d", code)
	}

	// The spam is held for a person.
	var held struct{ Items []grants.Quarantined }
	officer.must(200, "GET", "/quarantine", "", &held)
	spamHeld := false
	for _, q := range held.Items {
		if q.Reply.From == spammer && q.Reason == grants.QuarantineSpam {
			spamHeld = true
		}
	}
	if !spamHeld {
		t.Errorf("the spam to the enquiry address is not held: %+v", held)
	}
	heldID := ""
	for _, q := range held.Items {
		if q.Reply.From == misjudged {
			heldID = q.ID
		}
	}
	if heldID == "" {
		t.Fatalf("the misjudged enquiry is not held: %+v", held)
	}
	var accepted grants.Enquiry
	officer.must(200, "POST", "/quarantine/"+heldID+"/enquiry", `{"note": "a choir we know"}`, &accepted)
	if accepted.Email != misjudged || accepted.Status != grants.EnquiryOpen || len(accepted.Messages) != 1 || !strings.Contains(accepted.Messages[0].Text, "carers' choir") {
		t.Errorf("the held enquiry accepted: %+v", accepted)
	}
	if code, _ := officer.do("POST", "/quarantine/"+heldID+"/enquiry", ""); code != http.StatusConflict {
		t.Errorf("accepting it again: %d, want 409", code)
	}

	// The next send time comes: one acknowledgement, none to the spammer.
	if _, err := st.Runner.Advance(ctx, 1); err != nil {
		t.Fatal(err)
	}
	mailTo := func(addr, subject string) []emulator.SESMessage {
		t.Helper()
		msgs, err := emulator.SESMessagesTo(ctx, sesURL, addr)
		if err != nil {
			t.Fatal(err)
		}
		var out []emulator.SESMessage
		for _, m := range msgs {
			if strings.HasPrefix(m.Subject, subject) {
				out = append(out, m)
			}
		}
		return out
	}
	acks := mailTo(from, "Thank you for your enquiry")
	if len(acks) != 1 {
		t.Fatalf("%d acknowledgements, want 1", len(acks))
	}
	ack := acks[0]
	sent, err := mail.ParseDate(sesHeader(ack, "Date"))
	london, _ := time.LoadLocation(grants.DefaultTimeZone)
	if sent = sent.In(london); err != nil || sent.Weekday() == time.Saturday || sent.Weekday() == time.Sunday || sent.Hour() < 9 {
		t.Errorf("acknowledged at %v (%v), not on a working day at the send time", sent, err)
	}
	if !strings.Contains(ack.Body.Text, "5 working days") || len(ack.ReplyTo) != 1 || ack.ReplyTo[0] != enquiryAddress ||
		sesHeader(ack, "In-Reply-To") != first {
		t.Errorf("the acknowledgement: reply-to %v, in-reply-to %q:\n%s", ack.ReplyTo, sesHeader(ack, "In-Reply-To"), ack.Body.Text)
	}
	if n := len(mailTo(spammer, "")); n != 0 {
		t.Errorf("%d emails to the spammer", n)
	}
	if n := len(mailTo(misjudged, "Thank you for your enquiry")); n != 1 {
		t.Errorf("the accepted enquiry was acknowledged %d times, want once", n)
	}

	// The officer answers from the page.
	browser, _ := webSignIn(t, st, "olu")
	read := reader(t)
	if resp, page := read(browser.Get(api + "/app/enquiries")); resp.StatusCode != 200 || !strings.Contains(page, "Could we work with you?") || !strings.Contains(page, enquiryAddress) {
		t.Fatalf("the Enquiries page: %d", resp.StatusCode)
	}
	post := func(path string, form url.Values) (*http.Response, string) {
		req, _ := http.NewRequest("POST", api+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", api)
		return read(browser.Do(req))
	}
	if resp, page := post("/app/enquiries/"+e.ID+"/reply", url.Values{"text": {" "}}); resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, `id="err-text"`) {
		t.Errorf("an empty answer: %d", resp.StatusCode)
	}
	answer := "Yes, a lunch club can apply.\n\nShall we talk on Tuesday?"
	if resp, page := post("/app/enquiries/"+e.ID+"/reply", url.Values{"text": {answer}}); resp.StatusCode != 200 || !strings.Contains(page, "Shall we talk on Tuesday?") {
		t.Fatalf("answered from the page: %d", resp.StatusCode)
	}
	if _, err := st.Runner.Advance(ctx, 1); err != nil {
		t.Fatal(err)
	}
	answers := mailTo(from, "Re: Could we work with you?")
	if len(answers) != 1 {
		t.Fatalf("%d answers sent, want 1", len(answers))
	}
	if a := answers[0]; sesHeader(a, "In-Reply-To") != first || !strings.Contains(sesHeader(a, "References"), first) ||
		a.ReplyTo[0] != enquiryAddress || !strings.Contains(a.Body.Text, "Shall we talk on Tuesday?") {
		t.Errorf("the answer: in-reply-to %q references %q reply-to %v:\n%s", sesHeader(a, "In-Reply-To"), sesHeader(a, "References"), a.ReplyTo, a.Body.Text)
	}

	// Their answer to ours, as a mail client threads it, lands on the enquiry.
	again := enquiryMail(from, "Re: Could we work with you?", "Tuesday is good for us.", fmt.Sprintf("<again-%d@garden.example>", now.UnixNano()),
		fmt.Sprintf("In-Reply-To: <%s@email.amazonses.com>\r\nReferences: %s <%s@email.amazonses.com>\r\n", answers[0].MessageID, first, answers[0].MessageID), nil)
	if err := smtp.SendMail(st.opts.SMTPAddr, nil, from, []string{enquiryAddress}, again); err != nil {
		t.Fatal(err)
	}
	officer.must(200, "GET", "/enquiries/"+e.ID, "", &got)
	if len(got.Messages) != 3 || !strings.HasPrefix(got.Messages[2].Text, "Tuesday is good for us.") || got.Status != grants.EnquiryOpen {
		t.Fatalf("after their answer: %+v", got.Messages)
	}
	if n := len(mailTo(from, "Thank you for your enquiry")); n != 1 {
		t.Errorf("%d acknowledgements after their answer, want still 1", n)
	}

	// Closed with an outcome; a draft agreement started from it.
	if code, body := officer.do("POST", "/enquiries/"+e.ID+"/close", `{"outcome": ""}`); code != 422 || !strings.Contains(string(body), `"outcome"`) {
		t.Errorf("closed with no outcome: %d %s", code, body)
	}
	officer.must(200, "POST", "/enquiries/"+e.ID+"/close", `{"outcome": "Invited to apply in round 2"}`, &got)
	if got.Status != grants.EnquiryClosed || got.Outcome != "Invited to apply in round 2" {
		t.Errorf("closed: %+v", got)
	}
	// The New agreement page, filled in from the enquiry, creates the draft.
	resp, page := read(browser.Get(api + "/app/agreements/new?enquiry=" + e.ID))
	if resp.StatusCode != 200 || !strings.Contains(page, `value="Hulme Community Garden Trust"`) || !strings.Contains(page, `value="`+from+`"`) ||
		!strings.Contains(page, `name="enquiry" value="`+e.ID+`"`) {
		t.Fatalf("the New agreement page from the enquiry: %d", resp.StatusCode)
	}
	key := regexp.MustCompile(`name="key" value="([0-9a-f]+)"`).FindStringSubmatch(page)
	if key == nil {
		t.Fatal("no form key on the New agreement page")
	}
	start := grants.Today(st.Clock.Now(), time.UTC).AddDays(30)
	form := url.Values{"key": {key[1]}, "enquiry": {e.ID}, "partner": {"Hulme Community Garden Trust"}, "partnerType": {"unincorporated"},
		"address": {"1 Hulme Walk, Manchester M15 5AA"}, "contact0Name": {"Amina Patel"}, "contact0Email": {from}, "contact0Role": {"lead"},
		"amount": {"10000"}, "currency": {"GBP"}, "startDate": {start.String()}, "durationMonths": {"12"}, "instalments": {"4"}, "checkInLead": {"14"},
		"terms": {"Run a weekly lunch club"}, "support": {"Producer mentoring"}}
	resp, _ = post("/app/agreements", form)
	if resp.StatusCode != 200 || !strings.Contains(resp.Request.URL.Path, "/app/agreements/") {
		t.Fatalf("created from the page: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	draftID := strings.TrimPrefix(resp.Request.URL.Path, "/app/agreements/")
	officer.must(200, "GET", "/enquiries/"+e.ID, "", &got)
	if got.AgreementID != draftID {
		t.Errorf("the enquiry names draft %q, the page made %q", got.AgreementID, draftID)
	}
	var a grants.Agreement
	officer.must(200, "GET", "/agreements/"+draftID, "", &a)
	if a.Status != grants.AgreementDraft || a.Partner.Name != "Hulme Community Garden Trust" || len(a.Contacts) != 1 ||
		a.Contacts[0].Email != from || a.Contacts[0].Name != "Amina Patel" || a.Contacts[0].Role != "lead" {
		t.Errorf("the draft: %+v", a)
	}
	// From the JSON API, the enquiry's draft is that one.
	var again2 grants.Agreement
	officer.must(200, "POST", "/enquiries/"+e.ID+"/agreement", fmt.Sprintf(`{"amount": 1000000, "startDate": %q}`, start), &again2)
	if again2.ID != draftID {
		t.Errorf("POST /enquiries/{id}/agreement answers %s, want %s", again2.ID, draftID)
	}

	// A second enquiry's draft, from the JSON API alone.
	second := fmt.Sprintf("<second-%d@garden.example>", now.UnixNano())
	if err := smtp.SendMail(st.opts.SMTPAddr, nil, from, []string{enquiryAddress},
		enquiryMail(from, "Another idea", "A choir too?\r\n\r\nAmina Patel\r\nHulme Community Garden Trust", second, "", nil)); err != nil {
		t.Fatal(err)
	}
	var b grants.Agreement
	officer.must(201, "POST", "/enquiries/"+grants.EnquiryID(second)+"/agreement", fmt.Sprintf(`{"amount": 1000000, "startDate": %q,
		"partner": {"type": "unincorporated", "address": "1 Hulme Walk, Manchester M15 5AA"}}`, start), &b)
	if b.Status != grants.AgreementDraft || b.Partner.Name != "Hulme Community Garden Trust" || len(b.Contacts) != 1 || b.Contacts[0].Email != from {
		t.Errorf("the JSON draft: %+v", b)
	}
}
