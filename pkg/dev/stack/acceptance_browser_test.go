package stack

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/dev/testenv/chromium"
	"github.com/partnership-grants/backend/pkg/grants"
)

// TestAgreementAcceptedInTheBrowser is issue 23's browser walk for items 4
// and 5: the partner accepts the agreement by replying to its email, and
// the officer's page says so; the officer proposes a change on the page,
// which shows it proposed and pending; the partner accepts it by reply,
// and the page shows it accepted.
func TestAgreementAcceptedInTheBrowser(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	ctx := stackContext(st)
	browser := chromium.Browser(t)
	now := time.Now()
	tok, err := st.Auth.Issue("olu", "programme", now)
	if err != nil {
		t.Fatal(err)
	}
	api := client{t, st.opts.APIAddr, tok}
	lead := fmt.Sprintf("sam-%d@hulme-garden.example", now.UnixNano())
	var a grants.Agreement
	api.must(201, "POST", "/agreements", fmt.Sprintf(`{"programme": "accepting",
		"partner": {"name": "Hulme Community Garden", "registrationNumber": "1161234", "address": "Old Birley Street, Manchester M15 5RF"},
		"contacts": [{"name": "Sam Taylor", "email": %q, "role": "lead"}],
		"amount": 1000000, "startDate": %q, "terms": ["Open the garden for four seasonal events"], "support": ["Volunteer management training"]}`,
		lead, grants.Today(st.Clock.Now(), time.UTC).AddDays(7)), &a)
	officer := signIn(t, st, browser, "olu")
	page := "/app/agreements/" + a.ID
	officer.open(page)
	chromium.Submit(t, officer.tab, "activate", `form[action$="/activate"] button`)
	if got := officer.text(".acceptance-status"); !strings.Contains(got, "acceptance pending") {
		t.Fatalf("after activating, the page says %q", got)
	}

	sesURL := fmt.Sprintf("http://127.0.0.1:%d", st.opts.SESPort)
	answer := func(subject, words string) {
		t.Helper()
		if _, err := st.Runner.Advance(ctx, 1); err != nil {
			t.Fatal(err)
		}
		msgs, err := emulator.SESMessages(ctx, sesURL)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if len(m.Destination.To) == 1 && m.Destination.To[0] == lead && strings.HasPrefix(m.Subject, subject) && len(m.ReplyTo) == 1 {
				reply(t, st.opts.SMTPAddr, lead, m.ReplyTo[0], m.Subject, words, nil)
				return
			}
		}
		t.Fatalf("no email to the partner starting %q", subject)
	}
	answer("Your agreement with", "Yes, happy with this")
	officer.open(page)
	// As every page shows a date (issue 26, item 4): "16 Apr 2026".
	d := grants.Today(st.Clock.Now(), a.Location())
	today := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Format("2 Jan 2006")
	if got := officer.text(".acceptance-status"); got != "Accepted by Sam Taylor on "+today {
		t.Errorf("after the partner's yes, the page says %q", got)
	}
	if !strings.Contains(officer.html(), "Yes, happy with this") {
		t.Error("the page does not show the message the acceptance came in")
	}

	// The officer changes the terms on the page: a proposal, pending.
	chromium.Do(t, officer.tab, "change the terms",
		chromedp.Click(chromedp.CSS(`details:has(form[action$="/amend"]) summary`)),
		chromedp.SetValue(chromedp.CSS("#amend-terms"), "Open the garden for five seasonal events"))
	if code := chromium.Submit(t, officer.tab, "amend", `form[action$="/amend"] button[type=submit]`); code != 200 {
		t.Fatalf("amend: %d", code)
	}
	if got := officer.text(".acceptance"); !strings.Contains(got, "agreed by partner: pending") || !strings.Contains(got, "five seasonal events") {
		t.Errorf("after proposing, the page says %q", got)
	}
	officer.keep("acceptance-proposed")

	answer("A change to your agreement", "We agree, thank you")
	officer.open(page)
	if got := officer.text(".acceptance"); !strings.HasPrefix(got, "Agreed by the partner") || !strings.Contains(got, "Accepted by Sam Taylor") || strings.Contains(got, "pending") {
		t.Errorf("after the partner accepted the change, the page says %q", got)
	}
}
