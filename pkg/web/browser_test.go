package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/partnership-grants/backend/pkg/dev/testenv/chromium"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
	"github.com/partnership-grants/backend/pkg/web/signin"
)

// TestPagesPassAxe opens every page in headless Chromium, signed in as a
// programme officer, and runs axe-core on it: no serious or critical
// accessibility violation, the create form with its errors shown included.
// Each page is opened at a phone's width and a laptop's (issue 26, item
// 13): at both it passes axe and does not scroll sideways.
func TestPagesPassAxe(t *testing.T) {
	a := newApp(t)
	id := a.create("k")
	// A reply with no question headings: the agreement page offers the
	// officer the form to mark its feedback (issue 24), open.
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/agreements/"+id+"/activate", url.Values{}); r.code != http.StatusSeeOther {
		t.Fatalf("activate: %d", r.code)
	}
	if err := a.svc.AcceptReply(context.Background(), grants.Reply{AgreementID: id, CheckIn: 1, MessageID: "m1", From: "amina@levykitchen.org.uk",
		ReceivedAt: a.clock.Now(), Text: "All well, but the forms take long.", FullText: "All well, but the forms take long."}, "amina@levykitchen.org.uk", grants.Effects{}, service.Read{}); err != nil {
		t.Fatal(err)
	}
	officer := grants.Actor{ID: "pool#sub-olu", Name: "olu@funder.example", Groups: []grants.Role{grants.RoleProgramme}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.handler.ServeHTTP(w, r.WithContext(signin.WithActor(r.Context(), officer)))
	}))
	t.Cleanup(srv.Close)
	tab := chromium.Browser(t)
	check := func(what string) {
		t.Helper()
		for _, v := range chromium.Serious(t, tab) {
			t.Errorf("%s: %s", what, v)
		}
		if wide := chromium.Overflow(t, tab); wide != nil {
			t.Errorf("%s scrolls sideways: %s", what, strings.Join(wide, "; "))
		}
	}
	atWidths := func(origin string, paths ...string) {
		t.Helper()
		for _, width := range []int64{chromium.Phone, chromium.Laptop} {
			chromium.AtWidth(t, tab, width)
			for _, path := range paths {
				chromium.Do(t, tab, "open "+path, chromedp.Navigate(origin+path))
				check(fmt.Sprintf("%s at %d px", path, width))
			}
		}
	}
	atWidths(srv.URL, "/app", "/app/agreements", "/app/agreements/"+id, "/app/finance", "/app/quarantine", "/app/agreements/new",
		"/app/feedback", "/app/feedback/reflections", "/app/partners", "/app/stories", "/app/no-such-page")
	chromium.AtWidth(t, tab, chromium.Phone)
	chromium.Do(t, tab, "open the form", chromedp.Navigate(srv.URL+"/app/agreements/new"))
	// The create form sent with mistakes: each shown by its field.
	chromium.Do(t, tab, "fill in the form badly",
		chromedp.SetValue(chromedp.CSS("#partner"), "Hulme Garden"),
		chromedp.SetValue(chromedp.CSS("#amount"), "lots"))
	if _, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.CSS("form.create button[type=submit]"))); err != nil {
		t.Fatal(err)
	}
	errs := chromium.Get(t, tab, "read the errors", chromedp.Text(chromedp.CSS("#err-amount")))
	if !strings.Contains(errs, "must be an amount") {
		t.Errorf("the amount's error reads %q", errs)
	}
	check("the create form with errors")

	// The administrator's pages (issue 25), signed in as an administrator.
	withStaff(t, a)
	admin := grants.Actor{ID: "pool#sub-ada", Name: "ada@funder.example", Groups: []grants.Role{grants.RoleAdmin}}
	adminSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.handler.ServeHTTP(w, r.WithContext(signin.WithActor(r.Context(), admin)))
	}))
	t.Cleanup(adminSrv.Close)
	atWidths(adminSrv.URL, "/app/settings", "/app/programmes", "/app/staff")
}
