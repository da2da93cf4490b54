package stack

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/grants"
)

// TestTerminationIsToldOnTheLocalStack: on the local stack, an agreement
// with two contacts and a named officer gets its first check-in (to both
// contacts, from the officer, saying where the money stands, dated on the
// simulated clock); it is terminated through the JSON API with words for
// the partner; the partner (both contacts) and finance each get one email,
// however many sweeps run; and a reply to the check-in after termination is
// filed as a message to the terminated agreement, thanked as such, and the
// officer (not a global list) is told.
func TestTerminationIsToldOnTheLocalStack(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	ctx := stackContext(st)
	now := time.Now()
	tok, err := st.Auth.Issue("olu", "programme", now)
	if err != nil {
		t.Fatal(err)
	}
	officer := client{t, st.opts.APIAddr, tok}
	lead := fmt.Sprintf("lead-%d@ended.example", now.UnixNano())
	second := fmt.Sprintf("trustee-%d@ended.example", now.UnixNano())
	owner := fmt.Sprintf("olu-%d@funder.local", now.UnixNano())

	start := grants.Today(st.Clock.Now(), time.UTC)
	var a grants.Agreement
	officer.must(201, "POST", "/agreements", fmt.Sprintf(`{"programme": "ended",
		"partner": {"name": "Moss Side Makers", "registrationNumber": "1170001", "address": "1 Quinney Crescent, Manchester M16 7PY"},
		"contacts": [{"name": "Sam Taylor", "email": %q, "role": "lead"}, {"name": "Jo Reid", "email": %q, "role": "trustee"}],
		"owner": {"name": "Olu Adeyemi", "email": %q},
		"amount": 1000000, "startDate": %q, "terms": ["Run a repair café each month"]}`,
		lead, second, owner, start), &a)
	if a.Owner.Name != "Olu Adeyemi" || a.Owner.Email != owner {
		t.Fatalf("owner = %+v", a.Owner)
	}
	officer.must(200, "POST", "/agreements/"+a.ID+"/activate", "", nil)

	sesURL := fmt.Sprintf("http://127.0.0.1:%d", st.opts.SESPort)
	mail := func(subject string) []emulator.SESMessage {
		t.Helper()
		msgs, err := emulator.SESMessages(ctx, sesURL)
		if err != nil {
			t.Fatal(err)
		}
		var out []emulator.SESMessage
		for _, m := range msgs {
			ours := strings.Contains(m.Subject, "Moss Side Makers") // the demo programme's references repeat ours
			for _, to := range m.Destination.To {
				ours = ours || to == lead || to == second || to == owner
			}
			if ours && strings.HasPrefix(m.Subject, subject) && strings.Contains(m.Subject, a.Reference) {
				out = append(out, m)
			}
		}
		return out
	}
	date := func(m emulator.SESMessage) string {
		for _, h := range m.Headers {
			if h.Name == "Date" {
				return h.Value
			}
		}
		return ""
	}

	// Up to check-in 1 (14 days before instalment 2).
	var checkIn emulator.SESMessage
	due := a.CheckIns[0].DueDate
	if _, err := st.Runner.Advance(ctx, start.DaysUntil(due)+1); err != nil {
		t.Fatal(err)
	}
	if got := mail("How is it going? Check-in 1"); len(got) == 1 {
		checkIn = got[0]
	} else {
		msgs, _ := emulator.SESMessages(ctx, sesURL)
		for _, m := range msgs {
			t.Logf("%s → %v: %s", m.From, m.Destination.To, m.Subject)
		}
		var h struct{ Items []grants.AuditEntry }
		officer.must(200, "GET", "/agreements/"+a.ID+"/history?limit=200", "", &h)
		t.Fatalf("%d check-in 1 emails in the viewer, want 1; history %+v", len(got), h.Items)
	}
	if !slices.Equal(checkIn.Destination.To, []string{lead, second}) {
		t.Errorf("check-in To = %v, want both contacts", checkIn.Destination.To)
	}
	if !strings.Contains(checkIn.From, "Olu Adeyemi, The Local Funder") || !strings.Contains(checkIn.Body.Text, "With thanks,\nOlu Adeyemi") {
		t.Errorf("check-in From = %q; text:\n%s", checkIn.From, checkIn.Body.Text)
	}
	if !strings.Contains(checkIn.Body.Text, "Where your grant stands:") {
		t.Errorf("the check-in does not say where the money stands:\n%s", checkIn.Body.Text)
	}
	var sent grants.Agreement
	officer.must(200, "GET", "/agreements/"+a.ID, "", &sent)
	if d, err := time.Parse(time.RFC1123Z, date(checkIn)); err != nil || grants.DateOf(d.UTC()) != grants.DateOf(sent.CheckIns[0].SentAt.UTC()) ||
		grants.DateOf(d.UTC()) == grants.DateOf(time.Now().UTC()) {
		t.Errorf("check-in Date header %q, want the simulated date it was sent, %s", date(checkIn), sent.CheckIns[0].SentAt)
	}

	officer.must(200, "POST", "/agreements/"+a.ID+"/terminate",
		`{"reason": "Trustees wound the project up", "message": "We are so sorry the project has had to close. Thank you for everything."}`, nil)
	for range 3 { // the sweep delivers the two emails once, however often it runs
		if _, err := st.Runner.Advance(ctx, 1); err != nil {
			t.Fatal(err)
		}
	}
	partner, finance := mail("Our partnership agreement has ended"), mail("Agreement terminated")
	if len(partner) != 1 || len(finance) != 1 {
		t.Fatalf("%d partner and %d finance emails about the termination, want one each", len(partner), len(finance))
	}
	p := partner[0]
	if !slices.Equal(p.Destination.To, []string{lead, second}) || !slices.Equal(p.ReplyTo, []string{owner}) ||
		!strings.Contains(p.Body.Text, "We are so sorry the project has had to close.") || strings.Contains(p.Body.Text, "wound") {
		t.Errorf("partner email: To %v Reply-To %v\n%s", p.Destination.To, p.ReplyTo, p.Body.Text)
	}
	if f := finance[0]; !slices.Equal(f.Destination.To, []string{"finance@funder.local"}) || !strings.Contains(f.Body.Text, "Trustees wound the project up") {
		t.Errorf("finance email: To %v\n%s", f.Destination.To, f.Body.Text)
	}
	if date(p) == "" || date(p) == date(checkIn) {
		t.Errorf("termination email Date %q (check-in's %q)", date(p), date(checkIn))
	}

	// The partner answers the check-in after the end.
	reply(t, st.opts.SMTPAddr, lead, checkIn.ReplyTo[0], checkIn.Subject, "We wanted to say thank you anyway.", nil)
	var c1 struct {
		CheckIn grants.CheckIn
		Replies []grants.Reply
	}
	officer.must(200, "GET", "/agreements/"+a.ID+"/check-ins/1", "", &c1)
	if len(c1.Replies) != 1 || !c1.Replies[0].AfterTermination || c1.CheckIn.Status == grants.CheckInReceived {
		t.Errorf("reply after termination: check-in %s, replies %+v", c1.CheckIn.Status, c1.Replies)
	}
	if thanks := mail("Thank you – we've received your message"); len(thanks) != 1 || !slices.Equal(thanks[0].ReplyTo, []string{owner}) {
		t.Errorf("acknowledgement after termination: %+v", thanks)
	}
	if report := mail("Thank you – we've received your end-of-agreement report"); len(report) != 0 {
		t.Errorf("a reply after termination was thanked as the report")
	}
	if n := mail("Message after termination"); len(n) != 1 || !slices.Equal(n[0].Destination.To, []string{owner}) {
		t.Errorf("officer notice: %+v", n)
	}
}
