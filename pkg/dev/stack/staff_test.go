package stack

import (
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

// pickOnSignInPage walks the local sign-in page as a browser would: /app
// sends it there, it picks person (the stand-in's username), and comes back
// through the callback. It returns the browser and the last page.
func pickOnSignInPage(t *testing.T, st *Stack, browser *http.Client, person string) (*http.Response, string) {
	t.Helper()
	api := "http://" + st.opts.APIAddr
	read := reader(t)
	resp, page := read(browser.Get(api + "/app"))
	if resp.StatusCode != 200 || resp.Request.URL.Host != st.opts.SignInAddr {
		t.Fatalf("GET /app ends at %s: %d", resp.Request.URL, resp.StatusCode)
	}
	if !strings.Contains(page, `value="`+person+`"`) {
		t.Fatalf("the sign-in page does not offer %s: %s", person, page)
	}
	form := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(page, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	form.Set("person", person)
	return read(browser.PostForm(resp.Request.URL.String(), form))
}

// nextSecond waits for the next whole second: a token's iat is in whole
// seconds, and one issued in the second sessions ended counts as before.
func nextSecond() {
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second + 10*time.Millisecond)))
}

// Issue 25, items 4 and 5, end to end: the administrator invites a finance
// officer for the demo programme through the JSON API; the officer signs
// in on the local sign-in page and works (pages and API); the
// administrator removes the role, and the officer's next API request and
// next page are refused; then the administrator disables them, and they
// cannot sign in again.
func TestStaffInvitedThenRemovedThenDisabled(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	api := "http://" + st.opts.APIAddr
	read := reader(t)
	adminToken, err := st.Auth.Issue("ada", "admin", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	admin := client{t, st.opts.APIAddr, adminToken}
	const email = "fin.officer@funder.local"
	staff := "/programmes/" + DemoProgramme + "/staff"

	// Bad input, by its field; then the invitation, twice: one person.
	for _, bad := range []struct{ body, field string }{
		{`{"email": "nope", "name": "Fin", "role": "finance"}`, `"email"`},
		{`{"email": "` + email + `", "name": "Fin", "role": "admin"}`, `"role"`},
	} {
		if code, body := admin.do("POST", staff, bad.body); code != 422 || !strings.Contains(string(body), bad.field) {
			t.Errorf("invite %s: %d %s", bad.body, code, body)
		}
	}
	var invited service.Invited
	admin.must(201, "POST", staff, `{"email": "`+email+`", "name": "Fin Officer", "role": "finance"}`, &invited)
	if !invited.Invitation {
		t.Fatalf("first invitation: %+v", invited)
	}
	admin.must(201, "POST", staff, `{"email": "`+email+`", "name": "Fin Officer", "role": "finance"}`, &invited)
	if invited.Invitation {
		t.Fatalf("second invitation sent again: %+v", invited)
	}
	var list service.StaffList
	admin.must(200, "GET", staff, "", &list)
	found := false
	for _, m := range list.Staff {
		if m.Email == email {
			found = len(m.Roles) == 1 && m.Roles[0] == service.StaffRole{Role: grants.RoleFinance}
		}
	}
	if !found {
		t.Fatalf("the staff list lacks %s in finance here: %+v", email, list)
	}

	// The officer signs in on the local page, with the group given.
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, page := pickOnSignInPage(t, st, browser, email)
	if resp.StatusCode != 200 || !strings.Contains(page, "Signed in as "+email) || !strings.Contains(page, "finance") {
		t.Fatalf("the officer's first page: %d %s", resp.StatusCode, page)
	}
	// And calls the API with a token the pool would issue them now.
	officerToken, err := st.Auth.IssueGroups(email, []string{string(grants.RoleFinance.In(DemoProgramme))}, IDToken, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	officer := client{t, st.opts.APIAddr, officerToken}
	due := "/instalments?status=due&programme=" + DemoProgramme
	officer.must(200, "GET", due, "", nil)

	// The administrator removes the role: the officer's next API request
	// and next page are refused.
	admin.must(204, "DELETE", staff+"/"+url.PathEscape(email)+"/roles/finance", "", nil)
	if code, body := officer.do("GET", due, ""); code != 401 || !strings.Contains(string(body), "session_ended") {
		t.Errorf("the officer's API request after removal: %d %s", code, body)
	}
	noFollow := noRedirects(browser)
	if resp, _ := read(noFollow.Get(api + "/app/finance")); resp.StatusCode != http.StatusSeeOther ||
		!strings.HasPrefix(resp.Header.Get("Location"), "/app/signin") {
		t.Errorf("the officer's next page after removal: %d to %q, want sent to sign in", resp.StatusCode, resp.Header.Get("Location"))
	}
	req, _ := http.NewRequest("POST", api+"/app/payment-runs", strings.NewReader("x=1"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", api)
	if resp, _ := read(noFollow.Do(req)); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the officer's next form after removal: %d, want 401", resp.StatusCode)
	}
	admin.must(200, "GET", staff, "", &list)
	for _, m := range list.Staff {
		if m.Email == email {
			t.Errorf("still on the staff list after removal: %+v", m)
		}
	}

	// A token issued after the removal is a session again (with no role
	// here); then the administrator disables the officer: refused again,
	// and the sign-in page will not sign them in.
	nextSecond()
	later, err := st.Auth.IssueGroups(email, nil, IDToken, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if code, body := (client{t, st.opts.APIAddr, later}).do("GET", due, ""); code != 403 {
		t.Errorf("a new token with no role: %d %s, want 403 (a session, no role)", code, body)
	}
	if code, _ := officer.do("POST", "/staff/"+url.PathEscape(email)+"/disable", ""); code != 401 {
		t.Errorf("the officer disables themselves with an ended token: %d", code)
	}
	admin.must(204, "POST", "/staff/"+url.PathEscape(email)+"/disable", "", nil)
	if code, body := (client{t, st.opts.APIAddr, later}).do("GET", due, ""); code != 401 || !strings.Contains(string(body), "session_ended") {
		t.Errorf("the API after disabling: %d %s", code, body)
	}
	jar2, _ := cookiejar.New(nil)
	if resp, page := pickOnSignInPage(t, st, &http.Client{Jar: jar2}, email); resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "User is disabled") {
		t.Errorf("a disabled person signs in: %d %s", resp.StatusCode, page)
	}
}
