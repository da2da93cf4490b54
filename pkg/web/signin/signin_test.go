package signin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/idp"
)

// fixture is the sign-in handler against a fake user pool (the local
// stack's stand-in, on an httptest server): its key set, managed login's
// authorize page and the token endpoint.
type fixture struct {
	t        *testing.T
	pool     *httptest.Server
	provider *idp.Provider
	issuer   string
	h        http.Handler
	seen     []string // what pages saw: actor ID and groups
	signOuts *signOuts
	// at is the time of the pool and of the app (time.Now when zero).
	at time.Time
}

func (f *fixture) now() time.Time {
	if f.at.IsZero() {
		return time.Now()
	}
	return f.at
}

// signOuts keeps sign-outs in memory, as the table does (pkg/dynamo,
// tested there against DynamoDB Local), and can be made to fail.
type signOuts struct {
	ended map[string]time.Time
	reads int
	fail  error
}

func (s *signOuts) SessionsEnded(_ context.Context, actorID string) (time.Time, error) {
	s.reads++
	return s.ended[actorID], s.fail
}

func (s *signOuts) EndSessions(_ context.Context, actorID string, at time.Time) error {
	if s.fail != nil {
		return s.fail
	}
	if s.ended == nil {
		s.ended = map[string]time.Time{}
	}
	s.ended[actorID] = at.Truncate(time.Second)
	return nil
}

var bob = idp.Person{Username: "bob", Name: "Bob", Email: "bob@funder.local", Role: "finance", Label: "finance B"}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	key, err := idp.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, provider: &idp.Provider{Key: key, People: []idp.Person{bob}, Lifetime: 10 * time.Hour}, signOuts: &signOuts{}}
	f.provider.Now = f.now
	f.pool = httptest.NewServer(f.provider)
	t.Cleanup(f.pool.Close)
	f.issuer = f.pool.URL + "/eu-west-2_test"
	f.provider.Issuer = f.issuer
	f.provider.Clients = map[string]idp.Client{"web": {Secret: "s3cret",
		CallbackURLs: []string{"http://127.0.0.1/app/callback", "https://grants.example.org/dev/app/callback"},
		LogoutURLs:   []string{"http://127.0.0.1/app/signedout"}}}
	s := New(Config{Issuer: f.issuer, SignInURL: f.pool.URL, ClientID: "web", ClientSecret: "s3cret", HTTPClient: f.pool.Client(), Now: f.now}, f.signOuts)
	f.h = s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, _ := ActorFrom(r.Context())
		f.seen = append(f.seen, fmt.Sprintf("%s %v", a.Name, a.Groups))
		_, _ = fmt.Fprint(w, "page ", r.URL.Path)
	}))
	return f
}

// do sends a request to the handler as the Lambda adapter would hand it
// over: host, stage prefix header, cookies.
func (f *fixture) do(method, target, host, prefix string, cookies []*http.Cookie, header ...string) *http.Response {
	r := httptest.NewRequest(method, target, nil)
	r.Host = host
	if prefix != "" {
		r.Header.Set("X-Forwarded-Prefix", prefix)
	}
	for _, c := range cookies {
		r.AddCookie(c)
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return w.Result()
}

// signIn walks the whole flow for bob and returns the callback's response.
func (f *fixture) signIn(next, host, prefix string) *http.Response {
	f.t.Helper()
	start := f.do("GET", "/app/signin?next="+url.QueryEscape(next), host, prefix, nil)
	if start.StatusCode != http.StatusSeeOther {
		f.t.Fatalf("start: %d", start.StatusCode)
	}
	auth, _ := url.Parse(start.Header.Get("Location"))
	q := auth.Query()
	if !strings.HasPrefix(auth.String(), f.pool.URL+"/oauth2/authorize?") || q.Get("code_challenge_method") != "S256" ||
		q.Get("scope") != "openid email profile" || q.Get("nonce") == "" || q.Get("client_id") != "web" {
		f.t.Fatalf("start redirects to %s", auth)
	}
	form := url.Values{}
	for k, v := range q {
		form[k] = v
	}
	form.Set("person", "bob")
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	picked, err := noFollow.PostForm(f.pool.URL+"/oauth2/authorize", form)
	if err != nil {
		f.t.Fatal(err)
	}
	picked.Body.Close()
	back, err := url.Parse(picked.Header.Get("Location"))
	if picked.StatusCode != http.StatusFound || err != nil {
		f.t.Fatalf("sign-in page: %d to %q", picked.StatusCode, picked.Header.Get("Location"))
	}
	path := strings.TrimPrefix(back.Path, prefix)
	return f.do("GET", path+"?"+back.RawQuery, host, prefix, start.Cookies())
}

func cookie(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func TestSignInOnLoopback(t *testing.T) {
	f := newFixture(t)
	done := f.signIn("/app/agreements?status=due", "127.0.0.1", "")
	if done.StatusCode != http.StatusSeeOther || done.Header.Get("Location") != "/app/agreements?status=due" {
		t.Fatalf("callback: %d to %q", done.StatusCode, done.Header.Get("Location"))
	}
	c := cookie(done, "session")
	if c == nil || !c.HttpOnly || c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" ||
		c.MaxAge < int((10*time.Hour-time.Minute).Seconds()) || c.MaxAge > int((10*time.Hour).Seconds()) {
		t.Fatalf("session cookie %v", c)
	}
	if st := cookie(done, "signin"); st == nil || st.MaxAge >= 0 {
		t.Errorf("the sign-in state cookie is not cleared: %v", st)
	}
	page := f.do("GET", "/app/agreements", "127.0.0.1", "", []*http.Cookie{c})
	if page.StatusCode != http.StatusOK || len(f.seen) != 1 || f.seen[0] != "bob@funder.local [finance]" {
		t.Fatalf("page with the session: %d, pages saw %v", page.StatusCode, f.seen)
	}
}

// Behind a named stage, every address carries it and cookies are Secure,
// with the __Host- prefix.
func TestSignInBehindAStage(t *testing.T) {
	f := newFixture(t)
	start := f.do("GET", "/app/signin?next=/app/finance", "grants.example.org", "/dev", nil)
	loc, _ := url.Parse(start.Header.Get("Location"))
	if got := loc.Query().Get("redirect_uri"); got != "https://grants.example.org/dev/app/callback" {
		t.Fatalf("redirect_uri %q", got)
	}
	if c := cookie(start, "__Host-signin"); c == nil || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
		t.Fatalf("state cookie %v", start.Cookies())
	}
	done := f.signIn("/app/finance", "grants.example.org", "/dev")
	if done.Header.Get("Location") != "/dev/app/finance" {
		t.Fatalf("callback to %q", done.Header.Get("Location"))
	}
	c := cookie(done, "__Host-session")
	if c == nil || !c.Secure {
		t.Fatalf("session cookie %v", done.Cookies())
	}
	// Without a session, a page sends the browser to sign in under the stage.
	resp := f.do("GET", "/app/agreements?x=1", "grants.example.org", "/dev", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/dev/app/signin?next=%2Fapp%2Fagreements%3Fx%3D1" {
		t.Fatalf("no session: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// Only a token the pool signed, for this client, unexpired and an ID token
// is a session; anything else sends a GET to sign in and refuses a POST.
func TestSessionsRefused(t *testing.T) {
	f := newFixture(t)
	now := time.Now()
	claims := func(change func(map[string]any)) string {
		c := f.provider.IDClaims(bob, "web", "", now)
		change(c)
		tok, err := f.provider.Key.Sign(c)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	good := claims(func(map[string]any) {})
	other, _ := idp.NewKey()
	otherTok, _ := other.Sign(f.provider.IDClaims(bob, "web", "", now))
	parts := strings.Split(good, ".")
	sig := []byte(parts[2])
	sig[10] ^= 1
	for name, tok := range map[string]string{
		"tampered signature": parts[0] + "." + parts[1] + "." + string(sig),
		"tampered claims": parts[0] + "." + strings.Split(claims(func(c map[string]any) {
			c["cognito:groups"] = []string{"programme"}
		}), ".")[1] + "." + parts[2],
		"another key":    otherTok,
		"wrong audience": claims(func(c map[string]any) { c["aud"] = "api" }),
		"wrong issuer":   claims(func(c map[string]any) { c["iss"] = "https://cognito-idp.eu-west-2.amazonaws.com/other" }),
		"expired":        claims(func(c map[string]any) { c["exp"] = now.Add(-time.Minute).Unix() }),
		"access token":   claims(func(c map[string]any) { c["token_use"] = "access" }),
		"no token_use":   claims(func(c map[string]any) { delete(c, "token_use") }),
		"not a JWT":      "hello",
	} {
		c := []*http.Cookie{{Name: "session", Value: tok}}
		get := f.do("GET", "/app/x", "127.0.0.1", "", c)
		post := f.do("POST", "/app/x", "127.0.0.1", "", c)
		if get.StatusCode != http.StatusSeeOther || get.Header.Get("Location") != "/app/signin?next=%2Fapp%2Fx" ||
			post.StatusCode != http.StatusUnauthorized || len(f.seen) != 0 {
			t.Errorf("%s: GET %d to %q, POST %d, pages saw %v", name, get.StatusCode, get.Header.Get("Location"), post.StatusCode, f.seen)
		}
	}
	if resp := f.do("GET", "/app/x", "127.0.0.1", "", []*http.Cookie{{Name: "session", Value: good}}); resp.StatusCode != 200 {
		t.Errorf("the good token: %d", resp.StatusCode)
	}
}

func TestCallbackRefusesAStateItDidNotStart(t *testing.T) {
	f := newFixture(t)
	start := f.do("GET", "/app/signin", "127.0.0.1", "", nil)
	for name, c := range map[string][]*http.Cookie{"no state cookie": nil, "another sign-in's state": start.Cookies()} {
		resp := f.do("GET", "/app/callback?code=x&state=forged", "127.0.0.1", "", c)
		if resp.StatusCode != http.StatusBadRequest || cookie(resp, "session") != nil {
			t.Errorf("%s: %d, cookies %v", name, resp.StatusCode, resp.Cookies())
		}
	}
	// Refused callbacks leave nothing behind: a proper sign-in still works.
	done := f.signIn("/app", "127.0.0.1", "")
	if done.StatusCode != http.StatusSeeOther {
		t.Fatalf("a proper sign-in after refused ones: %d", done.StatusCode)
	}
}

func TestNoOpenRedirect(t *testing.T) {
	for next, want := range map[string]string{
		"/app/agreements/1?tab=history": "/app/agreements/1?tab=history",
		"/app":                          "/app",
		"//evil.example/app":            "/app",
		"https://evil.example/app":      "/app",
		"/app/../evil":                  "/app",
		"/app/%2e%2e/evil":              "/app",
		"/app\\evil":                    "/app",
		"/\\evil.example":               "/app",
		"/apple":                        "/app",
		"/other":                        "/app",
		"":                              "/app",
		"/app/signin":                   "/app",
		"/app/callback?code=1":          "/app",
		"javascript:alert(1)":           "/app",
	} {
		if got := LocalPath(next); got != want {
			t.Errorf("LocalPath(%q) = %q, want %q", next, got, want)
		}
	}
	f := newFixture(t)
	if loc := f.signIn("//evil.example/app", "127.0.0.1", "").Header.Get("Location"); loc != "/app" {
		t.Errorf("after signing in with next=//evil.example: to %q", loc)
	}
}

func TestSignOut(t *testing.T) {
	f := newFixture(t)
	session := cookie(f.signIn("/app", "127.0.0.1", ""), "session")
	forged := f.do("POST", "/app/signout", "127.0.0.1", "", []*http.Cookie{session}, "Sec-Fetch-Site", "cross-site")
	if forged.StatusCode != http.StatusForbidden || cookie(forged, "session") != nil {
		t.Fatalf("cross-site sign-out: %d", forged.StatusCode)
	}
	if resp := f.do("GET", "/app/signout", "127.0.0.1", "", []*http.Cookie{session}); resp.StatusCode == http.StatusSeeOther && strings.Contains(resp.Header.Get("Location"), "/logout") {
		t.Fatal("a GET signs out")
	}
	out := f.do("POST", "/app/signout", "127.0.0.1", "", []*http.Cookie{session}, "Sec-Fetch-Site", "same-origin")
	want := f.pool.URL + "/logout?client_id=web&logout_uri=" + url.QueryEscape("http://127.0.0.1/app/signedout")
	if out.StatusCode != http.StatusSeeOther || out.Header.Get("Location") != want {
		t.Fatalf("sign-out: %d to %q, want %q", out.StatusCode, out.Header.Get("Location"), want)
	}
	if c := cookie(out, "session"); c == nil || c.MaxAge >= 0 || c.Value != "" {
		t.Fatalf("sign-out leaves the session cookie: %v", c)
	}
	if resp := f.do("GET", "/app/signedout", "127.0.0.1", "", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("signed-out page: %d", resp.StatusCode)
	}
}

// Signing out ends every session of the person issued until then, not
// only the cookie of the browser that signed out: a copy of a cookie (or
// the person's other browser) gets the sign-in page on a GET and 401 on a
// POST. A sign-in after it is a session again, and an ended session's
// cookie cannot sign the person out of that one.
func TestSignOutEndsEarlierSessions(t *testing.T) {
	f := newFixture(t)
	f.at = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	session := cookie(f.signIn("/app", "127.0.0.1", ""), "session")
	f.at = f.at.Add(time.Hour)
	otherBrowser := cookie(f.signIn("/app", "127.0.0.1", ""), "session")
	copied := *session
	state := func(c *http.Cookie) (int, int) {
		t.Helper()
		return f.do("GET", "/app/x", "127.0.0.1", "", []*http.Cookie{c}).StatusCode,
			f.do("POST", "/app/x", "127.0.0.1", "", []*http.Cookie{c}).StatusCode
	}
	if get, post := state(&copied); get != 200 || post != 200 {
		t.Fatalf("before signing out, a copy of the cookie: GET %d, POST %d", get, post)
	}

	f.at = f.at.Add(time.Hour)
	out := f.do("POST", "/app/signout", "127.0.0.1", "", []*http.Cookie{session}, "Sec-Fetch-Site", "same-origin")
	if out.StatusCode != http.StatusSeeOther || !strings.Contains(out.Header.Get("Location"), "/logout?") {
		t.Fatalf("sign-out: %d to %q", out.StatusCode, out.Header.Get("Location"))
	}
	f.at = f.at.Add(time.Second)
	for name, c := range map[string]*http.Cookie{"the copied cookie": &copied, "the other browser's": otherBrowser} {
		get := f.do("GET", "/app/x", "127.0.0.1", "", []*http.Cookie{c})
		post := f.do("POST", "/app/x", "127.0.0.1", "", []*http.Cookie{c})
		if get.StatusCode != http.StatusSeeOther || get.Header.Get("Location") != "/app/signin?next=%2Fapp%2Fx" || post.StatusCode != http.StatusUnauthorized {
			t.Errorf("after signing out, %s: GET %d to %q, POST %d", name, get.StatusCode, get.Header.Get("Location"), post.StatusCode)
		}
	}

	f.at = f.at.Add(time.Minute)
	again := cookie(f.signIn("/app", "127.0.0.1", ""), "session")
	if get, post := state(again); get != 200 || post != 200 {
		t.Fatalf("signed in again after signing out: GET %d, POST %d", get, post)
	}
	ended := f.signOuts.ended[f.issuer+"#local-bob"]
	f.at = f.at.Add(time.Minute)
	stale := f.do("POST", "/app/signout", "127.0.0.1", "", []*http.Cookie{&copied}, "Sec-Fetch-Site", "same-origin")
	if got := f.signOuts.ended[f.issuer+"#local-bob"]; stale.StatusCode != http.StatusSeeOther || !got.Equal(ended) {
		t.Errorf("a sign-out with an ended session's cookie: %d, moved the sign-out from %s to %s", stale.StatusCode, ended, got)
	}
	if get, post := state(again); get != 200 || post != 200 {
		t.Errorf("an ended session's cookie signed out the new session: GET %d, POST %d", get, post)
	}
}

// Where the sign-outs cannot be read, a request is neither let in nor sent
// round to sign in again: 503. A sign-out that cannot be recorded says so
// and leaves the person signed in, to try again. The stylesheet, which
// holds no data, costs no read.
func TestSignOutsUnavailable(t *testing.T) {
	f := newFixture(t)
	session := cookie(f.signIn("/app", "127.0.0.1", ""), "session")
	f.signOuts.reads = 0
	if resp := f.do("GET", "/app/static/style.css", "127.0.0.1", "", []*http.Cookie{session}); resp.StatusCode != 200 || f.signOuts.reads != 0 {
		t.Errorf("the stylesheet: %d after %d reads of the sign-outs, want 200 after none", resp.StatusCode, f.signOuts.reads)
	}
	if resp := f.do("GET", "/app/x", "127.0.0.1", "", []*http.Cookie{session}); resp.StatusCode != 200 || f.signOuts.reads != 1 {
		t.Errorf("a page: %d after %d reads of the sign-outs, want 200 after one", resp.StatusCode, f.signOuts.reads)
	}
	f.signOuts.fail = errors.New("table unavailable")
	seen := len(f.seen)
	for _, method := range []string{"GET", "POST"} {
		if resp := f.do(method, "/app/x", "127.0.0.1", "", []*http.Cookie{session}); resp.StatusCode != http.StatusServiceUnavailable || len(f.seen) != seen || cookie(resp, "session") != nil {
			t.Errorf("%s with the sign-outs unreadable: %d, pages saw %v, cookies %v", method, resp.StatusCode, f.seen[seen:], resp.Cookies())
		}
	}
	out := f.do("POST", "/app/signout", "127.0.0.1", "", []*http.Cookie{session}, "Sec-Fetch-Site", "same-origin")
	if out.StatusCode != http.StatusServiceUnavailable || cookie(out, "session") != nil {
		t.Errorf("a sign-out that cannot be recorded: %d, cookies %v; want 503 and the session kept", out.StatusCode, out.Cookies())
	}
	f.signOuts.fail = nil
	if resp := f.do("GET", "/app/x", "127.0.0.1", "", []*http.Cookie{session}); resp.StatusCode != 200 {
		t.Errorf("after a failed sign-out, the session: %d, want still 200", resp.StatusCode)
	}
}

// The refresh token the code exchange returns is kept by no one, so it is
// revoked at once (issue 25, item 5): the pool has no live refresh token
// of the person's after they sign in.
func TestSignInRevokesTheRefreshToken(t *testing.T) {
	f := newFixture(t)
	done := f.signIn("/app", "127.0.0.1", "")
	if done.StatusCode != http.StatusSeeOther || cookie(done, "session") == nil {
		t.Fatalf("callback: %d", done.StatusCode)
	}
	if n := f.provider.RefreshTokens(bob.Username); n != 0 {
		t.Fatalf("%d refresh tokens of bob's live after signing in, want 0", n)
	}
}
