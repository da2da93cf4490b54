package stack

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/smtp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/dev/testenv/chromium"
	"github.com/partnership-grants/backend/pkg/grants"
)

// TestEveryPageAtPhoneWidth is issue 26, items 13 to 15, on the local
// stack in the browser. The demo programme is given a month of life (a
// partner's reply with a photo, a held message, an enquiry, a pay run);
// then every page of the web app, in the role that uses it, is opened at a
// phone's width (375 px) and a laptop's (1280 px): none scrolls sideways,
// and axe finds nothing serious at either. At the phone's width a second
// member of finance approves one of the run's payments from the finance
// list: the browser lands back on the list, the message saying what
// happened in view, and the run's page shows the payment paid. The
// photo's link on the agreement page is an app route that signs the
// download when followed. make screenshots keeps the run's page as Bob
// then sees it, testdata/web-phone-pay-run.png.
func TestEveryPageAtPhoneWidth(t *testing.T) {
	t.Parallel()
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
	officerAPI := client{t, st.opts.APIAddr, token("olu", "programme")}
	aliceAPI := client{t, st.opts.APIAddr, token("alice", "finance")}

	// A month of the demo programme: check-ins go out.
	if _, err := st.Runner.Advance(ctx, 30); err != nil {
		t.Fatal(err)
	}
	sesURL := fmt.Sprintf("http://127.0.0.1:%d", st.opts.SESPort)
	msgs, err := emulator.SESMessages(ctx, sesURL)
	if err != nil {
		t.Fatal(err)
	}
	agreementID := ""
	for _, m := range msgs {
		if agreementID != "" || len(m.ReplyTo) == 0 || !strings.HasPrefix(m.ReplyTo[0], "checkin+") || len(m.Destination.To) == 0 {
			continue
		}
		for _, p := range demoPartners {
			if m.Destination.To[0] == p.email {
				agreementID = p.id
				reply(t, st.opts.SMTPAddr, p.email, m.ReplyTo[0], m.Subject,
					"The first family cooking event was full, with a waiting list. We are struggling to find volunteers for the next one: could you help?", []byte("photo"))
				reply(t, st.opts.SMTPAddr, "volunteer@elsewhere.example", m.ReplyTo[0], m.Subject, "Our volunteers loved the event.", nil)
			}
		}
	}
	if agreementID == "" {
		t.Fatal("no check-in email reached a demo partner in a month")
	}
	enquiry := enquiryMail("amina@garden.example", "Could we work with you?", "We run a community garden in Hulme and would love to talk.",
		fmt.Sprintf("<enquiry-%d@garden.example>", now.UnixNano()), "", []byte("%PDF-1.4 leaflet"))
	if err := smtp.SendMail(st.opts.SMTPAddr, nil, "amina@garden.example", []string{enquiryAddress}, enquiry); err != nil {
		t.Fatalf("SMTP: %v", err)
	}
	var enquiries struct{ Items []grants.Enquiry }
	officerAPI.must(200, "GET", "/enquiries?programme="+DemoProgramme, "", &enquiries)
	if len(enquiries.Items) == 0 {
		t.Fatal("the enquiry did not land")
	}

	// Alice requests the due instalments as one pay run.
	var items []string
	for _, p := range demoPartners {
		var a grants.Agreement
		officerAPI.must(200, "GET", "/agreements/"+p.id, "", &a)
		for _, in := range a.Instalments {
			if in.Status == grants.InstalmentDue {
				items = append(items, fmt.Sprintf(`{"agreementId": %q, "instalment": %d, "paymentReference": "RUN-%s-%d", "override": {"reason": "Paid at the start"}}`, a.ID, in.Number, a.ID[4:10], in.Number))
			}
		}
	}
	if len(items) < 2 {
		t.Fatalf("%d instalments due in the demo programme, want 2 or more", len(items))
	}
	var run grants.PayRun
	aliceAPI.must(201, "POST", "/payment-runs", `{"paidOn": "`+grants.Today(st.Clock.Now(), time.UTC).String()+`", "items": [`+strings.Join(items, ", ")+`]}`,
		&run, "Idempotency-Key", "phone-run")
	runPage := "/app/payment-runs/" + run.ID

	browser := chromium.Browser(t)
	// The sign-in page, at both widths.
	signInTab := chromium.Person(t, browser)
	for _, width := range []int64{chromium.Phone, chromium.Laptop} {
		chromium.AtWidth(t, signInTab, width)
		chromium.Do(t, signInTab, "open the app signed out", chromedp.Navigate("http://"+st.opts.APIAddr+"/app"))
		fits(t, signInTab, fmt.Sprintf("the sign-in page at %d px", width))
	}

	officer, bob, vic, ada := signIn(t, st, browser, "olu"), signIn(t, st, browser, "bob"), signIn(t, st, browser, "vic"), signIn(t, st, browser, "ada")
	officer.open("/app/partners")
	partner := chromium.Get(t, officer.tab, "find a partner", chromedp.Evaluate[string](`document.querySelector('main a[href*="/app/partners/"]').getAttribute('href')`))
	agreementPage := "/app/agreements/" + agreementID

	// At the phone's width, Bob approves one of the run's payments from
	// the finance list (issue 26, items 14 and 15).
	chromium.AtWidth(t, bob.tab, chromium.Phone)
	bob.open("/app/finance")
	approve := `form[action$="/agreements/` + run.Items[0].AgreementID + `/instalments/` + fmt.Sprint(run.Items[0].Instalment) + `/approve"] button`
	chromium.Do(t, bob.tab, "scroll to the approval", chromedp.ScrollIntoView(chromedp.CSS(approve)))
	if code := chromium.Submit(t, bob.tab, "approve one payment", approve); code != 200 {
		t.Fatalf("approve: %d", code)
	}
	// It is asked first (issue 26, item 7).
	if code := chromium.Submit(t, bob.tab, "confirm the approval", ".confirm form button"); code != 200 {
		t.Fatalf("confirm the approval: %d", code)
	}
	if at := chromium.Get(t, bob.tab, "where", chromedp.Location()); !strings.HasSuffix(at, "/app/finance?done=approved#list-Due%20for%20payment") {
		t.Errorf("after approving, the browser is at %s", at)
	}
	inView := chromium.Get(t, bob.tab, "is the message in view", chromedp.Evaluate[bool](
		`(() => { const f = document.querySelector('.flash'); if (!f) return false; const r = f.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight && scrollY > 0; })()`))
	if !inView || !strings.Contains(bob.text(".flash"), "The payment was approved") {
		t.Errorf("after approving, the message is not in view where the browser landed (%t): %q", inView, bob.text(".flash"))
	}
	bob.open(runPage)
	bob.keep("phone-pay-run") // the docs' picture of a phone's width (make screenshots)
	if page := bob.html(); strings.Count(page, "Approved on its own by ") != 1 || !strings.Contains(page, "Requested: awaiting approval") {
		t.Error("the run's page does not show the payment approved from the finance list as paid, and the rest awaiting the run's approval")
	}

	// The photo's link signs the download when it is followed.
	officer.open(agreementPage)
	href := chromium.Get(t, officer.tab, "read the photo's link", chromedp.Evaluate[string](`(document.querySelector('a[download="event.jpg"]') || {getAttribute: () => ""}).getAttribute('href')`))
	if !strings.HasPrefix(href, "/app/agreements/"+agreementID+"/replies/") || strings.Contains(href, "X-Amz") {
		t.Errorf("the photo's link is %q, not the app's route", href)
	} else {
		follow(t, st, "olu", href)
	}

	for _, c := range []struct {
		who   staff
		pages []string
	}{
		{officer, []string{"/app", "/app/agreements", "/app/agreements/new", agreementPage, "/app/feedback", "/app/feedback/reflections", "/app/finance",
			"/app/quarantine", "/app/enquiries", "/app/enquiries/" + enquiries.Items[0].ID, "/app/partners", partner, "/app/stories", "/app/settings", runPage}},
		{bob, []string{"/app/finance", agreementPage, runPage}},
		{vic, []string{"/app", "/app/agreements", agreementPage, "/app/finance", "/app/partners", "/app/stories", runPage}},
		{ada, []string{"/app/settings", "/app/programmes", "/app/staff"}},
	} {
		for _, width := range []int64{chromium.Phone, chromium.Laptop} {
			chromium.AtWidth(t, c.who.tab, width)
			for _, path := range c.pages {
				c.who.open(path)
				fits(t, c.who.tab, fmt.Sprintf("%s at %d px as %s", path, width, c.who.name()))
			}
		}
	}
	// An error page too.
	chromium.AtWidth(t, vic.tab, chromium.Phone)
	chromium.Do(t, vic.tab, "open a page that is not there", chromedp.Navigate(vic.base+"/app/no-such-page"))
	fits(t, vic.tab, "the error page at 375 px")
}

// fits fails the test if the tab's page scrolls sideways or axe finds a
// serious violation on it.
func fits(t *testing.T, tab context.Context, what string) {
	t.Helper()
	if wide := chromium.Overflow(t, tab); wide != nil {
		t.Errorf("%s scrolls sideways: %s", what, strings.Join(wide, "; "))
	}
	for _, v := range chromium.Serious(t, tab) {
		t.Errorf("%s: %s", what, v)
	}
}

// name is who the tab is signed in as.
func (s staff) name() string { return s.text("form.signout span") }

// follow fetches a download link of the app as username, signed in with a
// browser of their own: a redirect to a URL presigned then, which serves
// the file.
func follow(t *testing.T, st *Stack, username, href string) {
	t.Helper()
	browser, _ := webSignIn(t, st, username)
	resp, err := noRedirects(browser).Get("http://" + st.opts.APIAddr + href)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	to := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(to, "X-Amz-Signature=") {
		t.Fatalf("following %s: %d to %q, want a redirect to a presigned URL", href, resp.StatusCode, to)
	}
	file, err := http.Get(to)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Body.Close()
	body, _ := io.ReadAll(file.Body)
	if file.StatusCode != 200 || len(body) == 0 {
		t.Errorf("the presigned URL answers %d, %d bytes", file.StatusCode, len(body))
	}
}
