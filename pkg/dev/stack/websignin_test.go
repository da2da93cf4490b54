package stack

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// reader reads a response's body, failing t on a request's error.
func reader(t *testing.T) func(*http.Response, error) (*http.Response, string) {
	return func(resp *http.Response, err error) (*http.Response, string) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
}

// noRedirects makes c answer a redirect rather than follow it.
func noRedirects(c *http.Client) *http.Client {
	return &http.Client{Jar: c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// webSignIn signs username in to the web app in a browser of their own, as
// they would in AWS: /app sends the browser to the sign-in page (here the
// local stand-in), they pick themselves, and come back through the
// callback with a session cookie. It returns the browser (following
// redirects, with the cookie in its jar) and the session cookie.
func webSignIn(t *testing.T, st *Stack, username string) (*http.Client, *http.Cookie) {
	t.Helper()
	api := "http://" + st.opts.APIAddr
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	read := reader(t)
	resp, page := read(browser.Get(api + "/app"))
	if resp.StatusCode != 200 || resp.Request.URL.Host != st.opts.SignInAddr || resp.Request.URL.Path != "/oauth2/authorize" {
		t.Fatalf("GET /app ends at %s: %d", resp.Request.URL, resp.StatusCode)
	}
	if strings.Contains(page, "<script") {
		t.Fatalf("the sign-in page: %s", page)
	}
	form := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(page, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	form.Set("person", username)
	resp, page = read(browser.PostForm(resp.Request.URL.String(), form))
	if resp.StatusCode != 200 || resp.Request.URL.String() != api+"/app" || !strings.Contains(page, "Signed in as "+username+"@funder.local") {
		t.Fatalf("after picking %s: %s answers %d: %s", username, resp.Request.URL, resp.StatusCode, page)
	}
	apiURL, _ := url.Parse(api)
	for _, c := range jar.Cookies(apiURL) {
		if c.Name == "session" {
			return browser, c
		}
	}
	t.Fatal("no session cookie in the jar")
	return nil, nil
}

// A person signs in to the web app as they would in AWS: the app sends the
// browser to the sign-in page (here the local stand-in), they pick finance
// officer B, come back through the callback with a session cookie, and the
// pages see who they are. A spoiled cookie is no session, a sign-out from
// another site is refused, and signing out ends the session: in this
// browser, and for a copy of its cookie taken before (which worked until
// then).
func TestWebSignIn(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	api := "http://" + st.opts.APIAddr
	browser, session := webSignIn(t, st, "bob")
	noFollow := noRedirects(browser)
	read := reader(t)
	if _, page := read(browser.Get(api + "/app")); !strings.Contains(page, "Signed in as bob@funder.local (finance)") {
		t.Fatalf("the pages do not see Bob in finance: %s", page)
	}
	// Someone copies the cookie (another machine, a stolen laptop's
	// profile): it is a session, for GETs and forms alike, until Bob signs
	// out.
	copied := func(method string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, api+"/app/agreements", nil)
		req.AddCookie(&http.Cookie{Name: session.Name, Value: session.Value})
		req.Header.Set("Origin", api)
		resp, _ := read(noRedirects(&http.Client{}).Do(req))
		return resp
	}
	if resp := copied("GET"); resp.StatusCode != 200 {
		t.Fatalf("the copied cookie before signing out: GET %d", resp.StatusCode)
	}

	// The web app's ID token is not a bearer token for the JSON API: its
	// audience is the web client, as in AWS.
	req, _ := http.NewRequest("GET", api+"/agreements?programme="+DemoProgramme, nil)
	req.Header.Set("Authorization", "Bearer "+session.Value)
	if resp, _ := read(http.DefaultClient.Do(req)); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the JSON API with the web session's token: %d, want 401", resp.StatusCode)
	}

	// A spoiled session is no session.
	parts := strings.Split(session.Value, ".")
	claims := []byte(parts[1])
	claims[5] ^= 1
	req, _ = http.NewRequest("GET", api+"/app", nil)
	req.AddCookie(&http.Cookie{Name: "session", Value: parts[0] + "." + string(claims) + "." + parts[2]})
	resp, _ := read((&http.Client{CheckRedirect: noFollow.CheckRedirect}).Do(req))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/app/signin?next=%2Fapp" {
		t.Errorf("a spoiled session: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	// Another site's page cannot sign you out (or post anything else).
	req, _ = http.NewRequest("POST", api+"/app/signout", nil)
	req.Header.Set("Origin", "http://evil.example")
	if resp, _ := read(noFollow.Do(req)); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a cross-origin sign-out: %d, want 403", resp.StatusCode)
	}
	if resp, _ := read(noFollow.Get(api + "/app")); resp.StatusCode != 200 {
		t.Fatalf("still signed in after the refused sign-out? %d", resp.StatusCode)
	}

	// The sign-out button: through the sign-in stand-in's /logout to the
	// signed-out page, and the session is gone.
	req, _ = http.NewRequest("POST", api+"/app/signout", nil)
	req.Header.Set("Origin", api)
	resp, page := read(browser.Do(req))
	if resp.StatusCode != 200 || resp.Request.URL.String() != api+"/app/signedout" || !strings.Contains(page, "You have signed out") {
		t.Fatalf("sign-out ends at %s: %d", resp.Request.URL, resp.StatusCode)
	}
	if resp, _ := read(noFollow.Get(api + "/app")); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after signing out, /app answers %d, want a redirect to sign in", resp.StatusCode)
	}
	if resp := copied("GET"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/app/signin?next=%2Fapp%2Fagreements" {
		t.Errorf("the copied cookie after signing out: GET %d to %q, want the sign-in redirect", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := copied("POST"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the copied cookie after signing out: POST %d, want 401", resp.StatusCode)
	}
}
