package stack

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/dev/testenv/chromium"
	"github.com/partnership-grants/backend/pkg/grants"
)

// staff is a browser tab signed in to the web app as one person.
type staff struct {
	t    *testing.T
	tab  context.Context
	base string
}

// open loads a page of the app and fails unless it answers 200.
func (s staff) open(path string) {
	s.t.Helper()
	resp := chromium.Get(s.t, s.tab, "open "+path, chromedp.NavigateResponse(s.base+path))
	if resp.Status != 200 {
		s.t.Fatalf("GET %s: %d", path, resp.Status)
	}
}

func (s staff) text(css string) string {
	s.t.Helper()
	return chromium.Get(s.t, s.tab, "read "+css, chromedp.Text(chromedp.CSS(css)))
}

func (s staff) html() string {
	s.t.Helper()
	return chromium.HTML(s.t, s.tab)
}

// keep checks the page with axe-core (no serious or critical violation)
// and, with make screenshots, keeps a picture of it as testdata/web-<name>.png.
func (s staff) keep(name string) {
	s.t.Helper()
	for _, v := range chromium.Serious(s.t, s.tab) {
		s.t.Errorf("%s: %s", name, v)
	}
	chromium.KeepPage(s.t, s.tab, "web-"+name+".png")
}

// signIn opens the app in a browser of the person's own, is sent to the
// sign-in page, picks the person and lands back in the app; with a name in
// keep, the sign-in page is kept as web-<name>.png.
func signIn(t *testing.T, st *Stack, browser context.Context, username string, keep ...string) staff {
	t.Helper()
	base := "http://" + st.opts.APIAddr
	s := staff{t: t, tab: chromium.Person(t, browser), base: base}
	chromium.Do(t, s.tab, "open the app", chromedp.Navigate(base+"/app"))
	if at := chromium.Get(t, s.tab, "where", chromedp.Location()); !strings.Contains(at, st.opts.SignInAddr+"/oauth2/authorize") {
		t.Fatalf("opening the app signed out leads to %s, not the sign-in page", at)
	}
	for _, name := range keep {
		s.keep(name)
	}
	chromium.Do(t, s.tab, "pick "+username, chromedp.Click(chromedp.CSS(`input[name=person][value="`+username+`"]`)))
	if code := chromium.Submit(t, s.tab, "sign in as "+username, "button[type=submit]"); code != 200 {
		t.Fatalf("sign in as %s: %d", username, code)
	}
	if got := s.text("form.signout span"); !strings.Contains(got, username+"@funder.local") {
		t.Fatalf("signed in as %q, want %s", got, username)
	}
	return s
}

// TestStaffYearInTheBrowser is a year of one agreement done by people with
// a browser, on the local stack: a programme officer signs in, creates and
// activates the agreement; time walks on; each check-in email goes out and
// the partner answers it by SMTP; the officer reads the answer on the
// agreement page; finance A requests each payment and finance B approves
// it; a reply from an address the agreement does not know is held, and the
// officer accepts it; a viewer sees no action; a form posted from another
// site changes nothing.
func TestStaffYearInTheBrowser(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	ctx := stackContext(st)
	browser := chromium.Browser(t)
	base := "http://" + st.opts.APIAddr
	signIn := func(username string, keep ...string) staff { return signIn(t, st, browser, username, keep...) }

	officer := signIn("olu", "signin")
	officer.open("/app")
	officer.keep("overview")

	// Create, with a mistake first: the error shows by its field.
	officer.open("/app/agreements/new")
	contact := fmt.Sprintf("sam-%d@hulme-garden.example", time.Now().UnixNano())
	start := grants.Today(st.Clock.Now(), time.UTC)
	chromium.Do(t, officer.tab, "fill in the form",
		chromedp.SetValue(chromedp.CSS("#partner"), "Hulme Community Garden"),
		chromedp.SetValue(chromedp.CSS("#registration"), "1161234"),
		chromedp.SetValue(chromedp.CSS("#address"), "Old Birley Street, Manchester M15 5RF"),
		chromedp.SetValue(chromedp.CSS("#contact0Name"), "Sam Taylor"),
		chromedp.SetValue(chromedp.CSS("#contact0Email"), contact),
		chromedp.SetValue(chromedp.CSS("#contact0Role"), "lead"),
		chromedp.SetValue(chromedp.CSS("#amount"), "ten thousand"),
		chromedp.SetValue(chromedp.CSS("#startDate"), start.String()),
		chromedp.SetValue(chromedp.CSS("#terms"), "Open the garden for four seasonal events"),
		chromedp.SetValue(chromedp.CSS("#support"), "Volunteer management training"))
	if code := chromium.Submit(t, officer.tab, "create", "form.create button[type=submit]"); code != 400 {
		t.Fatalf("a form with a bad amount: %d", code)
	}
	if got := officer.text("#err-amount"); !strings.Contains(got, "must be an amount") {
		t.Errorf("the amount's error: %q", got)
	}
	officer.keep("create-errors")
	chromium.Do(t, officer.tab, "correct the amount", chromedp.SetValue(chromedp.CSS("#amount"), "10,000"))
	if code := chromium.Submit(t, officer.tab, "create", "form.create button[type=submit]"); code != 200 {
		t.Fatalf("create: %d", code)
	}
	loc, _ := url.Parse(chromium.Get(t, officer.tab, "where", chromedp.Location()))
	id := strings.TrimPrefix(loc.Path, "/app/agreements/")
	if len(id) != 16 {
		t.Fatalf("after creating, the browser is at %s", loc)
	}
	agreementPage := "/app/agreements/" + id
	chromium.Submit(t, officer.tab, "activate", `form[action$="/activate"] button`)
	if got := officer.text(".flash"); !strings.Contains(got, "active") {
		t.Fatalf("after activating: %q", got)
	}

	financeA, financeB := signIn("alice"), signIn("bob")
	sesURL := fmt.Sprintf("http://127.0.0.1:%d", st.opts.SESPort)
	answered := map[string]bool{}
	paid := map[int]bool{}
	heldSent := false
	// Alice opens the finance page on the days it has something for her:
	// it offers a payment only for a due instalment, which the test reads
	// from the JSON API first (a page load a day in a browser was most of
	// the walk's time).
	tok, err := st.Auth.Issue("olu", "programme", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	api := client{t, st.opts.APIAddr, tok}
	dueUnpaid := func() bool {
		var a grants.Agreement
		api.must(200, "GET", "/agreements/"+id, "", &a)
		for _, in := range a.Instalments {
			if in.Status == grants.InstalmentDue && !paid[in.Number] {
				return true
			}
		}
		return false
	}
	// 420 days: the final report is due 30 days after the end date.
	for day := 0; day < 420 && (len(paid) < 4 || len(answered) < 4); day++ {
		if day > 0 {
			if _, err := st.Runner.Advance(ctx, 1); err != nil {
				t.Fatalf("day %d: %v", day, err)
			}
		}
		msgs, err := emulator.SESMessages(ctx, sesURL)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if len(m.Destination.To) == 0 || m.Destination.To[0] != contact || len(m.ReplyTo) == 0 || answered[m.Subject] ||
				!strings.HasPrefix(m.ReplyTo[0], "checkin+") { // remittances and thanks reply to the officer (issue 14, item 5)
				continue
			}
			answered[m.Subject] = true
			n := len(answered)
			reply(t, st.opts.SMTPAddr, contact, m.ReplyTo[0], m.Subject, fmt.Sprintf("Update %d: the garden is thriving.", n), nil)
			officer.open(agreementPage)
			if !strings.Contains(officer.html(), fmt.Sprintf("Update %d: the garden is thriving.", n)) {
				t.Errorf("check-in %d: the partner's answer is not on the agreement page", n)
			}
			if !heldSent {
				// A colleague at the partner answers too, from an address
				// the agreement does not know: held for a person.
				heldSent = true
				reply(t, st.opts.SMTPAddr, "volunteer@hulme-garden.example", m.ReplyTo[0], m.Subject, "Our volunteers loved the training.", nil)
				officer.keep("agreement")
			}
		}
		if !dueUnpaid() {
			continue
		}
		financeA.open("/app/finance")
		for n := 1; n <= 4; n++ {
			pay := fmt.Sprintf(`form[action$="/agreements/%s/instalments/%d/pay"]`, id, n)
			if paid[n] || !strings.Contains(financeA.html(), pay[len(`form[action$="`):len(pay)-2]) {
				continue
			}
			chromium.Do(t, financeA.tab, "fill in the payment",
				chromedp.Click(chromedp.CSS(`details:has(`+pay+`) summary`)),
				chromedp.SetValue(chromedp.CSS(pay+` input[name=paymentReference]`), fmt.Sprintf("BACS-%d", n)))
			if code := chromium.Submit(t, financeA.tab, "request payment", pay+" button"); code != 200 {
				t.Fatalf("request payment %d: %d", n, code)
			}
			if n == 1 {
				financeA.keep("finance")
			}
			approve := fmt.Sprintf(`form[action$="/agreements/%s/instalments/%d/approve"]`, id, n)
			if strings.Contains(financeA.html(), approve[len(`form[action$="`):len(approve)-2]) {
				t.Errorf("instalment %d: finance A is offered the approval of their own request", n)
			}
			financeB.open("/app/finance")
			if code := chromium.Submit(t, financeB.tab, "approve", approve+" button"); code != 200 {
				t.Fatalf("approve payment %d: %d", n, code)
			}
			// Asked first, with the amount (issue 26, item 7).
			if got := financeB.text(".confirm-total"); !strings.Contains(got, "£2,500.00") {
				t.Errorf("approving payment %d asks %q", n, got)
			}
			if code := chromium.Submit(t, financeB.tab, "confirm approval", ".confirm button[type=submit]"); code != 200 {
				t.Fatalf("confirm payment %d: %d", n, code)
			}
			paid[n] = true
			financeA.open("/app/finance")
		}
	}

	officer.open(agreementPage)
	page := officer.html()
	for _, want := range []string{"status-completed", "Paid ", "Update 4: the garden is thriving."} {
		if !strings.Contains(page, want) {
			t.Errorf("after the year the agreement page lacks %q", want)
		}
	}

	// The held reply: accepted by the officer, it joins the conversation.
	officer.open("/app/quarantine")
	if !strings.Contains(officer.html(), "Our volunteers loved the training.") {
		t.Fatal("the held reply is not on the held messages page")
	}
	officer.keep("quarantine")
	chromium.Do(t, officer.tab, "say why", chromedp.SetValue(chromedp.CSS(`form[action$="/accept"] input[name=note]`), "A volunteer coordinator there"))
	chromium.Submit(t, officer.tab, "accept", `form[action$="/accept"] button`)
	officer.open(agreementPage)
	if !strings.Contains(officer.html(), "Our volunteers loved the training.") {
		t.Error("the accepted reply is not on the agreement page")
	}

	viewer := signIn("vic")
	viewer.open(agreementPage)
	if forms := chromium.Get(t, viewer.tab, "count forms", chromedp.Evaluate[int](`document.querySelectorAll('main form[method=post]').length`)); forms != 0 {
		t.Errorf("a viewer is offered %d actions", forms)
	}
	viewer.open("/app/agreements")
	viewer.keep("agreements")

	// Issue 26: the list searches (any case, accents and all) and counts
	// what it found; the attention list is one click from the overview.
	chromium.Do(t, viewer.tab, "search", chromedp.SetValue(chromedp.CSS("#q"), "HULME garden"))
	if code := chromium.Submit(t, viewer.tab, "search", "form.filters button[type=submit]"); code != 200 {
		t.Fatalf("search: %d", code)
	}
	if got := viewer.text("p.count"); !strings.Contains(got, "1 agreement") || !strings.Contains(viewer.text("main table"), "Hulme Community Garden") {
		t.Errorf("the search for the garden: %q", got)
	}
	viewer.keep("agreements-search")
	viewer.open("/app")
	chromium.Do(t, viewer.tab, "open what needs attention", chromedp.Click(chromedp.CSS(`main a[href$="/app/attention"]`)), chromedp.WaitVisible(chromedp.CSS("h2#due")))
	if got := viewer.text("h2#messages"); !strings.HasPrefix(got, "Held messages") {
		t.Errorf("the attention list's held messages: %q", got)
	}
	viewer.keep("attention")

	// Another site's page posting to the app, in the officer's browser.
	forged := `<!doctype html><html lang="en"><title>x</title><form method="post" action="` + base + agreementPage + `/terminate"><input name="reason" value="forged"><button>Go</button></form></html>`
	chromium.Do(t, officer.tab, "open another site", chromedp.Navigate("data:text/html,"+url.PathEscape(forged)))
	if code := chromium.Submit(t, officer.tab, "forged post", "button"); code < 400 {
		t.Errorf("a form from another site was answered %d", code)
	}
	officer.open(agreementPage)
	if strings.Contains(officer.html(), "forged") {
		t.Error("a form posted from another site changed the agreement")
	}
	t.Logf("walked %d check-ins and %d payments in the browser", len(answered), len(paid))
}
