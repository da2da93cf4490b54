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

// A person signs in to the web app as they would in AWS: the app sends the
// browser to the sign-in page (here the local stand-in), they pick finance
// officer B, come back through the callback with a session cookie, and the
// pages see who they are. A spoiled cookie is no session, a sign-out from
// another site is refused, and signing out ends the session.
func TestWebSignIn(t *testing.T) {
	st := startStack(t)
	api := "http://" + st.opts.APIAddr
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	noFollow := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	read := func(resp *http.Response, err error) (*http.Response, string) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}

	resp, page := read(browser.Get(api + "/app"))
	if resp.StatusCode != 200 || resp.Request.URL.Host != st.opts.SignInAddr || resp.Request.URL.Path != "/oauth2/authorize" {
		t.Fatalf("GET /app ends at %s: %d", resp.Request.URL, resp.StatusCode)
	}
	if !strings.Contains(page, "Bob Okafor, finance officer B") || strings.Contains(page, "<script") {
		t.Fatalf("the sign-in page: %s", page)
	}
	form := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(page, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	form.Set("person", "bob")
	resp, page = read(browser.PostForm(resp.Request.URL.String(), form))
	if resp.StatusCode != 200 || resp.Request.URL.String() != api+"/app" || !strings.Contains(page, "Signed in as bob@funder.local (finance)") {
		t.Fatalf("after picking Bob: %s answers %d: %s", resp.Request.URL, resp.StatusCode, page)
	}
	apiURL, _ := url.Parse(api)
	var session *http.Cookie
	for _, c := range jar.Cookies(apiURL) {
		if c.Name == "session" {
			session = c
		}
	}
	if session == nil {
		t.Fatal("no session cookie in the jar")
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
	resp, _ = read((&http.Client{CheckRedirect: noFollow.CheckRedirect}).Do(req))
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
	resp, page = read(browser.Do(req))
	if resp.StatusCode != 200 || resp.Request.URL.String() != api+"/app/signedout" || !strings.Contains(page, "You have signed out") {
		t.Fatalf("sign-out ends at %s: %d", resp.Request.URL, resp.StatusCode)
	}
	if resp, _ := read(noFollow.Get(api + "/app")); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after signing out, /app answers %d, want a redirect to sign in", resp.StatusCode)
	}
}
