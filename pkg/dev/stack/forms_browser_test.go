package stack

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/partnership-grants/backend/pkg/dev/testenv/chromium"
	"github.com/partnership-grants/backend/pkg/grants"
)

// TestFormsInTheBrowser is issue 26's done-when for the forms (items 3, 5
// and 7), in headless Chromium on the local stack: an amendment refused
// keeps its edits, with the error summary focused; a message naming no
// agreement is filed by the reference staff see, the page suggesting it;
// a pay run is requested and approved through pages that show its total.
func TestFormsInTheBrowser(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	browser := chromium.Browser(t)
	now := time.Now()
	tok, err := st.Auth.Issue("olu", "programme", now)
	if err != nil {
		t.Fatal(err)
	}
	api := client{t, st.opts.APIAddr, tok}
	domain := fmt.Sprintf("garden-%d.example", now.UnixNano())
	var ids []string
	var first grants.Agreement
	for i, name := range []string{"Hulme Community Garden", "Moss Side Youth Theatre"} {
		var a grants.Agreement
		api.must(201, "POST", "/agreements", fmt.Sprintf(`{"programme": %q,
			"partner": {"name": %q, "registrationNumber": "116123%d", "address": "Old Birley Street, Manchester M15 5RF"},
			"contacts": [{"name": "Sam Taylor", "email": "sam%d@%s", "role": "lead"}],
			"amount": 1000000, "startDate": %q, "terms": ["Open the garden for four seasonal events"], "support": ["Volunteer training"]}`,
			DemoProgramme, name, i, i, domain, grants.Today(st.Clock.Now(), time.UTC)), &a)
		api.must(200, "POST", "/agreements/"+a.ID+"/activate", "", nil)
		ids = append(ids, a.ID)
		if i == 0 {
			first = a
		}
	}
	// A day on: the first instalments are due.
	if _, err := st.Runner.Advance(stackContext(st), 1); err != nil {
		t.Fatal(err)
	}
	officer := signIn(t, st, browser, "olu")

	// A refused amendment keeps every edit, and the summary has the focus.
	page := "/app/agreements/" + ids[0]
	officer.open(page)
	chromium.Do(t, officer.tab, "amend, with a mistake",
		chromedp.Click(chromedp.CSS(`details#amend summary`)),
		chromedp.SetValue(chromedp.CSS("#amend-terms"), "Open the garden for five seasonal events"),
		chromedp.SetValue(chromedp.CSS("#amend-contacts"), "Sam Taylor, sam0@"+domain+", lead\nJo Patel, jo@"+domain+", finance"),
		chromedp.SetValue(chromedp.CSS("#amend-amount-2"), "two and a half thousand"))
	if code := chromium.Submit(t, officer.tab, "amend", `form[action$="/amend"] button[type=submit]`); code != 400 {
		t.Fatalf("a refused amendment: %d", code)
	}
	if focused := chromium.Get(t, officer.tab, "focus", chromedp.Evaluate[string](`document.activeElement.id`)); focused != "error-summary" {
		t.Errorf("after a refusal the focus is on %q, not the error summary", focused)
	}
	for css, want := range map[string]string{"#amend-terms": "five seasonal events", "#amend-contacts": "Jo Patel", "#amend-amount-2": "two and a half thousand"} {
		if got := chromium.Get(t, officer.tab, "read "+css, chromedp.Evaluate[string](`document.querySelector('`+css+`').value`)); !strings.Contains(got, want) {
			t.Errorf("after a refusal %s holds %q, want %q kept", css, got, want)
		}
	}
	if got := officer.text("#error-summary"); !strings.Contains(got, "Instalment 2's amount") || strings.Contains(got, "[") {
		t.Errorf("the error summary says %q", got)
	}
	officer.keep("amend-refused")

	// A message to a reply address with no valid token is held; the page
	// suggests the agreement whose contact writes from its domain, and it
	// is filed by the reference.
	reply(t, st.opts.SMTPAddr, "volunteer@"+domain, "checkin+nottoken@reply.funder.local", "Our season", "Our volunteers loved the training.", nil)
	var held string
	for range 50 {
		officer.open("/app/quarantine")
		if strings.Contains(officer.html(), "Our volunteers loved the training.") {
			held = officer.html()
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(held, first.Reference) || !strings.Contains(held, "It may be about:") {
		t.Fatalf("the held message's page does not suggest %s", first.Reference)
	}
	accept := `article.held:has(blockquote) form[action$="/accept"]`
	chromium.Do(t, officer.tab, "file by reference",
		chromedp.SetValue(chromedp.CSS(accept+` input[name=agreement]`), strings.ToLower(first.Reference)),
		chromedp.SetValue(chromedp.CSS(accept+` input[name=checkIn]`), "1"),
		chromedp.SetValue(chromedp.CSS(accept+` input[name=note]`), "A volunteer there"))
	officer.keep("quarantine-suggested")
	if code := chromium.Submit(t, officer.tab, "accept", accept+` button`); code != 200 {
		t.Fatalf("filing by reference: %d", code)
	}
	officer.open(page)
	if !strings.Contains(officer.html(), "Our volunteers loved the training.") {
		t.Error("the message filed by reference is not on the agreement's page")
	}

	// A pay run of both first instalments: its total on the form, the
	// question, the run page and the approval.
	alice, bob := signIn(t, st, browser, "alice"), signIn(t, st, browser, "bob")
	alice.open("/app/finance")
	// (the held-messages page is the default programme's, where the
	// agreements are: DemoProgramme)
	if got := alice.text(".run-due"); !strings.Contains(got, "in all") || !strings.Contains(got, "£") {
		t.Errorf("the run form says %q", got)
	}
	var ticks []chromedp.Action[chromedp.Void]
	for i, id := range ids {
		ticks = append(ticks, chromedp.Click(chromedp.CSS(`#run-`+id+`-1`)),
			chromedp.SetValue(chromedp.CSS(`input[name="ref-`+id+`-1"]`), fmt.Sprintf("RUN-%d", i)))
	}
	chromium.Do(t, alice.tab, "tick the run", ticks...)
	if code := chromium.Submit(t, alice.tab, "request run", `form[action$="/payment-runs"] button[type=submit]`); code != 200 {
		t.Fatalf("request run: %d", code)
	}
	if got := alice.text(".confirm-total"); !strings.Contains(got, "£5,000.00") || !strings.Contains(got, "2 instalments") {
		t.Errorf("the run's question says %q", got)
	}
	alice.keep("payrun-confirm")
	if code := chromium.Submit(t, alice.tab, "confirm run", `.confirm button[type=submit]`); code != 200 {
		t.Fatalf("confirm run: %d", code)
	}
	runPage := chromium.Get(t, alice.tab, "where", chromedp.Location())
	if got := alice.text(".run-total"); !strings.Contains(got, "2 instalments, £5,000.00 in all") {
		t.Errorf("the run page says %q", got)
	}
	bob.open(strings.TrimPrefix(strings.SplitN(runPage, "?", 2)[0], "http://"+st.opts.APIAddr))
	if code := chromium.Submit(t, bob.tab, "approve run", `form[action$="/approve"] button`); code != 200 {
		t.Fatalf("approve run: %d", code)
	}
	if got := bob.text(".confirm-total"); !strings.Contains(got, "£5,000.00") {
		t.Errorf("the approval's question says %q", got)
	}
	bob.keep("payrun-approve-confirm")
	if code := chromium.Submit(t, bob.tab, "confirm approval", `.confirm button[type=submit]`); code != 200 {
		t.Fatalf("confirm approval: %d", code)
	}
	if got := bob.text(".run-total"); !strings.Contains(got, "£5,000.00 in all") || !strings.Contains(got, "paid") {
		t.Errorf("after approval the run page says %q", got)
	}
	for _, id := range ids {
		var a grants.Agreement
		api.must(200, "GET", "/agreements/"+id, "", &a)
		if a.Instalments[0].Status != grants.InstalmentPaid {
			t.Errorf("%s instalment 1 after the confirmed run: %s", a.Reference, a.Instalments[0].Status)
		}
	}
}
