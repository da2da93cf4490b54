package stack

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/grants"
)

// TestCloseEarlySendsOneThankYou closes an agreement past its end date with
// its instalments unpaid, through the API as an officer would: the sweep
// then sends the partner one thank-you saying what was left, seen in the
// mail viewer, in the officer's words for them (not the internal reason),
// and closing again is refused.
func TestCloseEarlySendsOneThankYou(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	ctx := stackContext(st)
	now := time.Now()
	tok, err := st.Auth.Issue("olu", "programme", now)
	if err != nil {
		t.Fatal(err)
	}
	officer := client{t, st.opts.APIAddr, tok}
	contact := fmt.Sprintf("lead-%d@closed-early.example", now.UnixNano())
	start := grants.Today(st.Clock.Now(), time.UTC).AddMonths(-14)
	var a grants.Agreement
	officer.must(201, "POST", "/agreements", fmt.Sprintf(`{"programme": "closed-early",
		"partner": {"name": "Openshaw Men's Shed", "registrationNumber": "1190777", "address": "2 Ashton Old Road, Manchester M11 1JG"},
		"contacts": [{"name": "Sam Ellis", "email": %q, "role": "lead"}],
		"amount": 800000, "startDate": %q, "terms": ["Open the shed two days a week"], "support": ["Volunteer coordination"]}`,
		contact, start), &a)
	officer.must(200, "POST", "/agreements/"+a.ID+"/activate", "", &a)
	officer.must(422, "POST", "/agreements/"+a.ID+"/complete", `{}`, nil)
	var closed grants.Agreement
	officer.must(200, "POST", "/agreements/"+a.ID+"/complete",
		`{"reason": "Internal: the shed lost its premises", "partnerMessage": "We know losing the shed was hard; thank you for all you did."}`, &closed)
	if closed.Status != grants.AgreementCompleted || closed.Closure == nil || !closed.Closure.Early || len(closed.Closure.InstalmentsCancelled) != 4 {
		t.Fatalf("closed: %s %+v", closed.Status, closed.Closure)
	}
	officer.must(409, "POST", "/agreements/"+a.ID+"/complete", `{"reason": "again"}`, nil)
	if _, err := st.Runner.Advance(ctx, 4); err != nil {
		t.Fatal(err)
	}
	msgs, err := emulator.SESMessagesTo(ctx, fmt.Sprintf("http://127.0.0.1:%d", st.opts.SESPort), contact)
	if err != nil {
		t.Fatal(err)
	}
	var thanks []emulator.SESMessage
	for _, m := range msgs {
		if strings.HasPrefix(m.Subject, "Thank you") {
			thanks = append(thanks, m)
		}
	}
	if len(thanks) != 1 {
		t.Fatalf("the partner got %d thank-yous", len(thanks))
	}
	for _, want := range []string{"before everything we planned together was done", "What was left: instalments 1, 2, 3, 4 (£8,000.00) not paid", "We know losing the shed was hard"} {
		if !strings.Contains(thanks[0].Body.Text, want) {
			t.Errorf("the thank-you does not say %q:\n%s", want, thanks[0].Body.Text)
		}
	}
	// Issue 23, item 6: the officer's words, never the internal reason.
	if strings.Contains(thanks[0].Body.Text+thanks[0].Body.HTML, "Internal") {
		t.Errorf("the thank-you says the internal reason:\n%s", thanks[0].Body.Text)
	}
}
