package stack

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/smtp"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/dev/samtemplate"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

// TestConfidentialFeedbackOnTheStack is issue 24's item 2 on the local
// stack. Check-in 1 reaches the partner offering, besides its reply
// address, a feedback+ address; the partner writes to it (the same email
// delivered twice), and someone writes to a forged feedback+ address. The
// programme role reads the feedback once, on the feedback page and in GET
// /programmes/{programme}/feedback, as from "a partner in round 1", with
// no address, partner or agreement; finance and viewers do not read it;
// no GET route and no page, as any role, shows the words beside the
// sender, the partner or the agreement (nor as a held message); the forged
// one is shown nowhere; nobody is emailed about either; and no log line
// about it names the agreement.
func TestConfidentialFeedbackOnTheStack(t *testing.T) {
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
	officer, finance, viewer := issue("olu", "programme"), issue("alice", "finance"), issue("vic", "viewer")
	contact := fmt.Sprintf("lead-%d@confidential-walk.example", now.UnixNano())
	const partner = "Gorton Quiet Voices"
	start := grants.Today(st.Clock.Now(), time.UTC)
	var a grants.Agreement
	officer.must(201, "POST", "/agreements", fmt.Sprintf(`{"programme": %q,
		"partner": {"name": %q, "registrationNumber": "1161300", "address": "2 Hyde Road, Manchester M18 7BA"},
		"contacts": [{"name": "Kit Mensah", "email": %q, "role": "lead"}],
		"amount": 800000, "startDate": %q, "terms": ["Run a weekly quiet hour"], "support": ["Mentoring"]}`, DemoProgramme, partner, contact, start),
		&a, "Idempotency-Key", "confidential-walk-1")
	officer.must(200, "POST", "/agreements/"+a.ID+"/activate", "", nil)

	// The clock moves until check-in 1 reaches the partner.
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
	// The email offers the confidential address, in both its parts, and
	// replies still go to the reply address.
	feedbackAddr := regexp.MustCompile(`feedback\+[a-z0-9]+@[a-z0-9.-]+[a-z]`)
	address := feedbackAddr.FindString(checkIn.Body.Text)
	if address == "" || !strings.Contains(html.UnescapeString(checkIn.Body.HTML), "mailto:"+address) || !strings.Contains(checkIn.Body.Text, `"a partner in round 1", without your name`) {
		t.Fatalf("the check-in email offers no confidential address:\n%s", checkIn.Body.Text)
	}
	if strings.Contains(strings.Join(checkIn.ReplyTo, ","), "feedback+") {
		t.Errorf("the check-in's Reply-To is %v", checkIn.ReplyTo)
	}

	// The partner writes to it: the same email, delivered twice.
	const words, forgedWords = "SECRETFEEDBACK the reporting deadlines clash with our busiest month.", "FORGEDFEEDBACK"
	msg := rawReply(contact, address, checkIn.Subject, words+"\r\n\r\nOn Mon, 1 Mar 2027, Partnerships wrote:\r\n> "+partner+" check-in",
		fmt.Sprintf("<confidential-%d@confidential-walk.example>", now.UnixNano()))
	for range 2 {
		if err := smtp.SendMail(st.opts.SMTPAddr, nil, contact, []string{address}, msg); err != nil {
			t.Fatal(err)
		}
	}
	// And someone writes to a feedback+ address whose token does not verify.
	at := strings.IndexByte(address, '@')
	forgedAddr := address[:at-1] + map[bool]string{true: "b", false: "a"}[address[at-1] == 'a'] + address[at:]
	stranger := fmt.Sprintf("stranger-%d@elsewhere.example", now.UnixNano())
	if err := smtp.SendMail(st.opts.SMTPAddr, nil, stranger, []string{forgedAddr},
		rawReply(stranger, forgedAddr, "hello", forgedWords+" hello", fmt.Sprintf("<forged-%d@elsewhere.example>", now.UnixNano()))); err != nil {
		t.Fatal(err)
	}

	// Spam to the genuine address is kept aside, unread; a message from an
	// address that is no contact's is shown, marked unverified (the token
	// is the proof, and the channel asks nobody who they are).
	spam := append([]byte("X-Local-Verdict-Spam: FAIL\r\n"), rawReply(stranger, address, "offer", "SPAMFEEDBACK buy now", fmt.Sprintf("<spam-%d@elsewhere.example>", now.UnixNano()))...)
	if err := smtp.SendMail(st.opts.SMTPAddr, nil, stranger, []string{address}, spam); err != nil {
		t.Fatal(err)
	}
	if err := smtp.SendMail(st.opts.SMTPAddr, nil, stranger, []string{address},
		rawReply(stranger, address, "thoughts", "UNVERIFIEDFEEDBACK more notice of visits, please", fmt.Sprintf("<unverified-%d@elsewhere.example>", now.UnixNano()))); err != nil {
		t.Fatal(err)
	}

	// The programme role reads it once, from "a partner in round 1".
	var f service.Feedback
	var body []byte
	for wait := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		var code int
		code, body = officer.do("GET", "/programmes/"+DemoProgramme+"/feedback", "")
		if code != http.StatusOK {
			t.Fatalf("GET feedback: %d %s", code, body)
		}
		if err := json.Unmarshal(body, &f); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(body), "SECRETFEEDBACK") || time.Now().After(wait) {
			break
		}
	}
	var found, unverified []grants.FeedbackEntry
	for _, r := range f.Rounds {
		for _, e := range r.Entries {
			if strings.Contains(e.Words, "UNVERIFIEDFEEDBACK") {
				unverified = append(unverified, e)
			}
			if strings.Contains(e.Words, "SECRETFEEDBACK") {
				found = append(found, e)
				if r.CheckIn != 1 {
					t.Errorf("it is in round %d", r.CheckIn)
				}
			}
		}
	}
	if len(found) != 1 || found[0].From != "a partner in round 1" || !found[0].Confidential || found[0].AgreementID != "" ||
		found[0].Partner != "" || found[0].Reference != "" || found[0].Unverified || strings.Contains(found[0].Words, ">") {
		t.Fatalf("the programme reads %+v in %s", found, body)
	}
	if len(unverified) != 1 || !unverified[0].Unverified || unverified[0].From != "a partner in round 1" {
		t.Errorf("the one from no contact's address reads %+v", unverified)
	}
	// The spam is counted, unread; the forged one names no programme.
	if f.ConfidentialSetAside != 1 {
		t.Errorf("%d set aside, want the spam", f.ConfidentialSetAside)
	}
	var raw map[string]any
	_ = json.Unmarshal(body, &raw)
	entry := fmt.Sprint(raw["rounds"])
	for _, s := range []string{contact, a.ID, partner, a.Reference, "Kit Mensah", "FORGEDFEEDBACK", "SPAMFEEDBACK", stranger, "messageId", "rawKey"} {
		if strings.Contains(entry, s) {
			t.Errorf("the feedback route carries %q: %s", s, body)
		}
	}

	// Every GET route of the API, as each role: the feedback's words never
	// beside the sender, the partner or the agreement; finance and viewers
	// never read them; the forged one shows nowhere, and neither does its
	// sender (not even as a held message).
	tpl, err := samtemplate.Load(filepath.Join(st.opts.Root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	routes, err := tpl.Routes()
	if err != nil {
		t.Fatal(err)
	}
	clients := map[string]client{"programme": officer, "finance": finance, "viewer": viewer}
	sender := []string{contact, a.ID, partner, a.Reference, "Kit Mensah"}
	check := func(role, what, got string) {
		t.Helper()
		for _, s := range []string{"FORGEDFEEDBACK", "SPAMFEEDBACK", stranger} {
			if strings.Contains(got, s) {
				t.Errorf("%s as %s carries %q", what, role, s)
			}
		}
		if !strings.Contains(got, "SECRETFEEDBACK") {
			return
		}
		if role != "programme" {
			t.Errorf("%s as %s carries the confidential feedback", what, role)
		}
		for _, s := range sender {
			if strings.Contains(got, s) {
				t.Errorf("%s as %s carries the confidential feedback beside %q", what, role, s)
			}
		}
	}
	params := map[string]string{"id": a.ID, "n": "1", "programme": DemoProgramme, "number": "1", "year": "2027"}
	param := regexp.MustCompile(`\{([^}+]+)\}`)
	read := 0
	for _, r := range routes {
		if r.Method != "GET" || r.NoAuth || strings.Contains(r.Path, "+}") {
			continue
		}
		path := param.ReplaceAllStringFunc(r.Path, func(p string) string {
			if v, ok := params[strings.Trim(p, "{}")]; ok {
				return v
			}
			return "none"
		})
		for role, c := range clients {
			for _, q := range []string{"", "?programme=" + DemoProgramme} {
				code, body := c.do("GET", path+q, "")
				check(role, fmt.Sprintf("GET %s%s (%d)", path, q, code), string(body))
				if r.Path == "/programmes/{programme}/feedback" && role != "programme" && code != http.StatusForbidden {
					t.Errorf("GET %s as %s: %d, want 403", path, role, code)
				}
			}
		}
		read++
	}
	if read < 10 {
		t.Fatalf("only %d GET routes read", read)
	}

	// Every page, signed in as each role.
	pages := []string{"/app", "/app/agreements", "/app/agreements/" + a.ID, "/app/feedback", "/app/finance", "/app/quarantine",
		"/app/export.csv", "/app/export/360giving.json", "/app/partners", "/app/partners/" + a.PartnerID}
	api := "http://" + st.opts.APIAddr
	for user, role := range map[string]string{"olu": "programme", "alice": "finance", "vic": "viewer"} {
		browser, _ := webSignIn(t, st, user)
		for _, p := range pages {
			resp, page := reader(t)(browser.Get(api + p))
			check(role, p, page)
			if role == "programme" && p == "/app/feedback" &&
				(resp.StatusCode != http.StatusOK || !strings.Contains(page, "SECRETFEEDBACK") || !strings.Contains(page, "From a partner in round 1")) {
				t.Errorf("the feedback page (%d) does not show it from a partner in round 1", resp.StatusCode)
			}
		}
	}

	// Nobody is emailed about it, and no log line about it names the agreement.
	msgs, err := emulator.SESMessages(ctx, sesURL)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if strings.Contains(m.Body.Text+m.Body.HTML, "FEEDBACK ") {
			t.Errorf("the email %q to %v carries the confidential feedback", m.Subject, m.Destination.To)
		}
	}
	// The address names the agreement in its token: no line carries it either.
	output.private(t, "SECRETFEEDBACK", "FORGEDFEEDBACK", "SPAMFEEDBACK", "UNVERIFIEDFEEDBACK", contact, stranger, address, forgedAddr)
	_, lines := output.lines(t)
	logged := 0
	for _, l := range lines {
		if msg, _ := l["message"].(string); strings.Contains(msg, "confidential") {
			logged++
			if l["agreementId"] != nil {
				t.Errorf("a log line about confidential feedback names the agreement: %v", l)
			}
		}
	}
	if logged == 0 {
		t.Error("nothing was logged about the confidential feedback")
	}
}
