package stack

import (
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/dev/samtemplate"
	"github.com/partnership-grants/backend/pkg/grants"
)

// TestFeedbackStaysWithTheProgramme is issue 24's item 1 on the local
// stack. A partner answers check-in 1 by email twice, once labelling the
// answers ("Feedback for us: ...") and once with no question headings (the
// whole reply is then feedback), and an officer records a call with the
// partner's words. Then every GET route of the JSON API (template.yaml's)
// and every staff page is read as finance and as a viewer: none carries the
// feedback's words, the check-in route says "feedbackWithheld" and gives the
// rest of the labelled reply. The programme role reads the feedback (in
// "feedback"). No email to anyone but the programme's officers, and no log
// line, carries the words either.
func TestFeedbackStaysWithTheProgramme(t *testing.T) {
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
	contact := fmt.Sprintf("lead-%d@privacy-walk.example", now.UnixNano())
	start := grants.Today(st.Clock.Now(), time.UTC)
	var a grants.Agreement
	officer.must(201, "POST", "/agreements", fmt.Sprintf(`{"programme": %q,
		"partner": {"name": "Longsight Listening Club", "registrationNumber": "1161299", "address": "1 Stockport Road, Manchester M13 0LE"},
		"contacts": [{"name": "Ade Bello", "email": %q, "role": "lead"}],
		"amount": 800000, "startDate": %q, "terms": ["Host four listening sessions"], "support": ["Mentoring"]}`, DemoProgramme, contact, start),
		&a, "Idempotency-Key", "privacy-walk-1")
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
	reply(t, st.opts.SMTPAddr, contact, checkIn.ReplyTo[0], checkIn.Subject,
		"Progress: twelve people came to the first session.\r\nFeedback for us: PRIVATELABELLED the monitoring form takes too long.", nil)
	reply(t, st.opts.SMTPAddr, contact, checkIn.ReplyTo[0], checkIn.Subject, "PRIVATEWHOLE we felt rushed by the deadlines.", nil)
	var got struct{ Replies []grants.Reply }
	for wait := time.Now().Add(30 * time.Second); len(got.Replies) < 2; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(wait) {
			t.Fatalf("the replies were not stored: %+v", got.Replies)
		}
		officer.must(200, "GET", "/agreements/"+a.ID+"/check-ins/1", "", &got)
	}
	officer.must(201, "POST", "/agreements/"+a.ID+"/check-ins/2/responses", `{"channel": "call", "happenedOn": "`+grants.Today(st.Clock.Now(), time.UTC).String()+`",
		"participants": ["Ade Bello"], "summary": "Called Ade about the sessions", "partnerWords": "PRIVATECALL ask us fewer questions."}`, nil)
	secrets := []string{"PRIVATELABELLED", "PRIVATEWHOLE", "PRIVATECALL"}
	// A passage of the feedback marked as a story, not consented (issue 24,
	// item 5): still the programme role's only.
	officer.must(201, "POST", "/agreements/"+a.ID+"/stories", `{"checkIn": 1, "passage": "PRIVATELABELLED the monitoring form takes too long."}`, nil)

	// The programme role reads it all, the feedback in "feedback".
	officer.must(200, "GET", "/agreements/"+a.ID+"/check-ins/1", "", &got)
	for _, r := range got.Replies {
		if r.FeedbackWithheld || !strings.Contains(r.Feedback, "PRIVATE") {
			t.Errorf("the programme role reads %+v", r)
		}
	}

	// Every GET route of the API, as finance and as a viewer.
	tpl, err := samtemplate.Load(filepath.Join(st.opts.Root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	routes, err := tpl.Routes()
	if err != nil {
		t.Fatal(err)
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
		for role, c := range map[string]client{"finance": finance, "viewer": viewer} {
			for _, q := range []string{"", "?programme=" + DemoProgramme} {
				code, body := c.do("GET", path+q, "")
				for _, s := range secrets {
					if strings.Contains(string(body), s) {
						t.Errorf("GET %s%s (%d) as %s carries %q", path, q, code, role, s)
					}
				}
			}
		}
		read++
		if r.Path == "/agreements/{id}/check-ins/{n}" {
			finance.must(200, "GET", path, "", &got)
			if len(got.Replies) != 2 || !got.Replies[0].FeedbackWithheld || !got.Replies[1].FeedbackWithheld ||
				!strings.Contains(got.Replies[0].Text+got.Replies[1].Text, "twelve people came to the first session") {
				t.Errorf("finance reads check-in 1 as %+v", got.Replies)
			}
		}
	}
	if read < 10 {
		t.Fatalf("only %d GET routes read", read)
	}
	t.Logf("%d GET routes read as finance and as a viewer", read)

	// Every page, signed in as each role.
	pages := []string{"/app", "/app/agreements", "/app/agreements/" + a.ID, "/app/feedback", "/app/finance", "/app/quarantine",
		"/app/export.csv", "/app/export/360giving.json", "/app/partners", "/app/partners/" + a.PartnerID,
		"/app/feedback/reflections", "/app/enquiries", "/app/stories", "/app/stories.csv"}
	api := "http://" + st.opts.APIAddr
	for _, user := range []string{"olu", "alice", "vic"} {
		browser, _ := webSignIn(t, st, user)
		for _, p := range pages {
			resp, page := reader(t)(browser.Get(api + p))
			if user == "olu" {
				if p == "/app/agreements/"+a.ID && (resp.StatusCode != http.StatusOK || !strings.Contains(page, "PRIVATELABELLED")) {
					t.Errorf("the programme role does not read the feedback on the agreement page: %d", resp.StatusCode)
				}
				continue
			}
			for _, s := range secrets {
				if strings.Contains(page, s) {
					t.Errorf("%s reads %q on %s", user, s, p)
				}
			}
			if p == "/app/agreements/"+a.ID && !strings.Contains(page, "is withheld: it is for the programme team only") {
				t.Errorf("%s is not told that a part of the reply is withheld", user)
			}
		}
	}

	// No email but the officers' reply notices, and no log line, carries the feedback.
	msgs, err := emulator.SESMessages(ctx, sesURL)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if strings.HasPrefix(m.Subject, "Reply received") {
			continue
		}
		// A story's consent asked of the partner quotes their own words to them.
		if strings.HasPrefix(m.Subject, "May we share your words?") && len(m.Destination.To) == 1 && m.Destination.To[0] == contact {
			continue
		}
		for _, s := range secrets {
			if strings.Contains(m.Body.Text+m.Body.HTML, s) {
				t.Errorf("the email %q to %v carries %q", m.Subject, m.Destination.To, s)
			}
		}
	}
	output.private(t, secrets...)
}
