package stack

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// The link make run prints signs a browser in on the dashboard's path only:
// a ?token= anywhere else is not exchanged for a cookie. The cookie is
// Secure unless the browser is on plain-http loopback, where a Secure
// cookie would never come back. The page arrives with the product's
// browser headers, through the gateway as in AWS.
func TestSignInLinkOnlyOnTheDashboard(t *testing.T) {
	st := startStack(t)
	token, err := st.Auth.Issue("olu@funder.local", "programme", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	api := "http://" + st.opts.APIAddr
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path, host string, cookies ...*http.Cookie) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", api+path, nil)
		if host != "" {
			req.Host = host
		}
		for _, c := range cookies {
			req.AddCookie(c)
		}
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}

	for path, want := range map[string]int{
		"/agreements?programme=" + DemoProgramme + "&token=" + token:  http.StatusUnauthorized,
		"/programmes/" + DemoProgramme + "/summary?token=" + token:    http.StatusUnauthorized,
		"/programmes/" + DemoProgramme + "/export.csv?token=" + token: http.StatusUnauthorized,
		"/dashboard/x?token=" + token:                                 http.StatusNotFound,
		"/?token=" + token:                                            http.StatusNotFound,
	} {
		resp := get(path, "")
		if resp.StatusCode != want || len(resp.Cookies()) != 0 {
			t.Errorf("GET %s: %d with %d cookies; want %d and no sign-in", strings.Split(path, "?")[0], resp.StatusCode, len(resp.Cookies()), want)
		}
	}

	resp := get("/dashboard?programme="+DemoProgramme+"&token="+token, "")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/dashboard?programme="+DemoProgramme {
		t.Fatalf("sign-in link: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	cookies := resp.Cookies()
	if len(cookies) != 1 || cookies[0].Value != token || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteStrictMode || cookies[0].Secure {
		t.Fatalf("sign-in on plain-http loopback: %d cookies (%+v); want one HttpOnly, SameSite=Strict token cookie, not Secure", len(cookies), cookieFlags(cookies))
	}
	for _, host := range []string{"grants.example.org", "grants.example.org:3000", "192.0.2.7:3000"} {
		c := get("/dashboard?token="+token, host).Cookies()
		if len(c) != 1 || !c[0].Secure || !c[0].HttpOnly {
			t.Errorf("sign-in through %s: %d cookies (%+v); want a Secure one", host, len(c), cookieFlags(c))
		}
	}

	page := get("/dashboard?programme="+DemoProgramme, "", cookies[0])
	if page.StatusCode != http.StatusOK {
		t.Fatalf("dashboard with the cookie: %d", page.StatusCode)
	}
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"} {
		if got := page.Header.Get(h); got != want {
			t.Errorf("dashboard %s: %q, want %q", h, got, want)
		}
	}
	if csp := page.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "style-src 'sha256-") {
		t.Errorf("dashboard Content-Security-Policy %q", csp)
	}
}

// cookieFlags is what a failure shows of cookies: their attributes, not the token.
func cookieFlags(cs []*http.Cookie) []string {
	var out []string
	for _, c := range cs {
		c := *c
		c.Value = "…"
		out = append(out, c.String())
	}
	return out
}
