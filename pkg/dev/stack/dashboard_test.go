package stack

import (
	"context"
	"net/http"
	"net/smtp"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/testenv/chromium"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/monitoring"
)

// TestDemoDashboard opens the dashboard of the demo programme the stack
// seeds, as a programme officer would from the link make run prints: in a
// real browser, signed in through that link, after a month of the
// programme's life (an instalment paid, check-ins sent, a doubtful reply
// held). make screenshots refreshes the picture, testdata/demo-dashboard.png.
func TestDemoDashboard(t *testing.T) {
	chromium.Need(t)
	st := startStack(t)
	ctx := context.Background()
	now := time.Now()
	token := func(user, role string) string {
		tok, err := st.Auth.Issue(user, role, now)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	api := st.opts.APIAddr
	officer := client{t, api, token("olu@funder.local", "programme")}
	alice := client{t, api, token("alice", "finance")}
	bob := client{t, api, token("bob", "finance")}

	if _, err := st.Runner.Advance(ctx, 1); err != nil {
		t.Fatal(err)
	}
	var list struct{ Items []grants.Agreement }
	officer.must(200, "GET", "/agreements?programme="+DemoProgramme, "", &list)
	if len(list.Items) != 4 {
		t.Fatalf("demo programme has %d agreements, want 4", len(list.Items))
	}
	// Pay the first instalment of the partnership that started two months ago.
	var first *grants.Agreement
	for i := range list.Items {
		if list.Items[i].Partner.Name == demoPartners[0].name {
			first = &list.Items[i]
		}
	}
	if first == nil {
		t.Fatalf("no agreement for %s", demoPartners[0].name)
	}
	var req struct{ Payment grants.Payment }
	alice.must(201, "POST", "/agreements/"+first.ID+"/instalments/1/payments", `{"paymentReference": "BACS-DEMO-1", "paidOn": "`+grants.Today(st.Clock.Now(), time.UTC).String()+`"}`,
		&req, "Idempotency-Key", "demo-pay-1")
	bob.must(200, "POST", "/agreements/"+first.ID+"/instalments/1/payments/"+req.Payment.ID+"/approve", "", nil)

	// A reply whose address was tampered with is held for a person.
	msg := "From: someone@elsewhere.example\r\nTo: checkin+not-a-real-token@reply.funder.local\r\nSubject: Re: How is it going?\r\n\r\nHello, here is our update.\r\n"
	if err := smtp.SendMail(st.opts.SMTPAddr, nil, "someone@elsewhere.example", []string{"checkin+not-a-real-token@reply.funder.local"}, []byte(msg)); err != nil {
		t.Fatalf("SMTP: %v", err)
	}
	if _, err := st.Runner.Advance(ctx, 30); err != nil {
		t.Fatal(err)
	}

	var s monitoring.Summary
	officer.must(200, "GET", "/programmes/"+DemoProgramme+"/summary", "", &s)
	if s.Status.Active != 4 || s.Currencies["GBP"].Committed.Minor != 4*1_000_000 || s.Currencies["GBP"].Paid.Minor != 1_000_000/4 {
		t.Errorf("summary %+v", s)
	}
	if s.Quarantined != 1 {
		t.Errorf("summary counts %d quarantined replies, want 1", s.Quarantined)
	}

	// Without a token, or with the sign-in link's token spoiled, no page.
	if code, _ := (client{t, api, ""}).do("GET", "/dashboard", ""); code != http.StatusUnauthorized {
		t.Errorf("dashboard without a token: %d, want 401", code)
	}
	code, page := officer.do("GET", "/dashboard", "")
	if code != 200 {
		t.Fatalf("dashboard: %d %s", code, page)
	}

	// A real browser, signed in by the link make run prints.
	link := "http://" + api + "/dashboard?token=" + officer.token
	dom := string(chromium.Run(t, "--dump-dom", link))
	for _, p := range demoPartners {
		if !strings.Contains(dom, p.name) {
			t.Errorf("the dashboard a browser shows lacks %q", p.name)
		}
	}
	for _, want := range []string{"someone@elsewhere.example", "£10,000.00"} {
		if !strings.Contains(dom, want) {
			t.Errorf("the dashboard a browser shows lacks %q", want)
		}
	}
	// The page's policy lets its stylesheet in and the browser blocked
	// nothing: the page painted in the stylesheet's colours (the page's
	// grey ground, #f3f5f7), which it would not with its styles refused.
	for _, msg := range chromium.Console(t, link) {
		if strings.Contains(msg, "Content Security Policy") {
			t.Errorf("the browser reports a policy violation: %s", msg)
		}
	}
	shot := chromium.Screenshot(t, link)
	if share := chromium.Share(t, shot, "#f3f5f7"); share < 0.2 {
		t.Errorf("%.0f%% of the page is its stylesheet's ground colour: the styles did not apply", share*100)
	}
	chromium.Keep(t, "demo-dashboard.png", shot)
}
