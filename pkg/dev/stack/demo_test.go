package stack

import (
	"net/http"
	"net/smtp"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/testenv/chromium"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/reports"
)

// TestDemoProgramme opens the demo programme the stack seeds, as a
// programme officer would after make run: in the web app, in a real
// browser, after a month of the programme's life (an instalment paid,
// check-ins sent, a doubtful reply held). make screenshots refreshes the
// picture, testdata/web-demo-overview.png.
func TestDemoProgramme(t *testing.T) {
	t.Parallel()
	chromium.Need(t)
	st := startStack(t)
	ctx := stackContext(st)
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

	var s reports.Summary
	officer.must(200, "GET", "/programmes/"+DemoProgramme+"/summary", "", &s)
	if s.Status.Active != 4 || s.Currencies["GBP"].Committed.Minor != 4*1_000_000 || s.Currencies["GBP"].Paid.Minor != 1_000_000/4 {
		t.Errorf("summary %+v", s)
	}
	if s.Quarantined != 1 {
		t.Errorf("summary counts %d quarantined replies, want 1", s.Quarantined)
	}

	// As API Gateway's JWT authorizer, the API reads the Authorization
	// header only: a token in the address or a cookie is no sign-in.
	for _, c := range []struct{ path, cookie string }{
		{"/programmes/" + DemoProgramme + "/summary?token=" + officer.token, ""},
		{"/programmes/" + DemoProgramme + "/summary", "token=" + officer.token},
	} {
		req, _ := http.NewRequest("GET", "http://"+api+c.path, nil)
		if c.cookie != "" {
			req.Header.Set("Cookie", c.cookie)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET %s (cookie %t): %d, want 401", c.path, c.cookie != "", resp.StatusCode)
		}
	}

	// The web app shows the same programme.
	olu := signIn(t, st, chromium.Browser(t), "olu")
	olu.open("/app/agreements")
	page := olu.html()
	for _, p := range demoPartners {
		if !strings.Contains(page, p.name) {
			t.Errorf("the agreements page lacks %q", p.name)
		}
	}
	olu.open("/app/quarantine")
	if !strings.Contains(olu.html(), "someone@elsewhere.example") {
		t.Error("the held messages page lacks the doubtful reply")
	}
	olu.open("/app")
	if page := olu.html(); !strings.Contains(page, "£40,000.00") || !strings.Contains(page, "£2,500.00") {
		t.Error("the overview lacks the programme's committed or paid total")
	}
	olu.keep("demo-overview")
}
