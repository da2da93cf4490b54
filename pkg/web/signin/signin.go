package signin

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/partnership-grants/backend/pkg/grants"
)

// The paths this package serves, as the pages see them (without the stage).
const (
	SignInPath    = "/app/signin"    // GET: starts signing in (?next=/app/...)
	CallbackPath  = "/app/callback"  // GET: where the sign-in page sends the browser back
	SignOutPath   = "/app/signout"   // POST, from a form on the app's own pages
	SignedOutPath = "/app/signedout" // GET: where sign-out ends
	home          = "/app"
)

// Config is a user pool app client and where its pool lives.
type Config struct {
	// Issuer is the pool's, https://cognito-idp.<region>.amazonaws.com/<pool id>;
	// its keys are at Issuer/.well-known/jwks.json.
	Issuer string
	// SignInURL is the pool's domain (managed login), e.g.
	// https://x.auth.eu-west-2.amazoncognito.com: /oauth2/authorize,
	// /oauth2/token and /logout are under it.
	SignInURL              string
	ClientID, ClientSecret string
	// HTTPClient fetches the keys and exchanges codes; nil is a client with a
	// 10-second timeout.
	HTTPClient *http.Client
	// Now tells the time tokens are checked against; nil is time.Now.
	Now func() time.Time
}

// SignOuts keeps, per person, the instant up to which their sessions are
// over: signing out ends every session of theirs issued until then, on any
// device, whoever holds a copy of its cookie.
type SignOuts interface {
	// SessionsEnded is that instant for the person actorID names (the
	// zero time if they never signed out).
	SessionsEnded(ctx context.Context, actorID string) (time.Time, error)
	// EndSessions ends their sessions issued up to at.
	EndSessions(ctx context.Context, actorID string, at time.Time) error
}

// Sessions signs staff in with the authorization-code flow and PKCE, keeps
// the ID token in an HttpOnly cookie, and verifies it on every request:
// signature against the pool's keys, issuer, audience (the client),
// expiry and token_use, and that it was issued after the person last
// signed out.
type Sessions struct {
	cfg      Config
	verifier *oidc.IDTokenVerifier
	client   *http.Client
	now      func() time.Time
	signOuts SignOuts
}

// New builds the sessions of one app client, whose sign-outs are kept in
// signOuts. It makes no request: the pool's keys are fetched on the first
// token verified, and again when a token names a key not seen yet (a
// rotated key).
func New(cfg Config, signOuts SignOuts) *Sessions {
	s := &Sessions{cfg: cfg, client: cfg.HTTPClient, now: cfg.Now, signOuts: signOuts}
	if s.client == nil {
		s.client = &http.Client{Timeout: 10 * time.Second}
	}
	if s.now == nil {
		s.now = time.Now
	}
	keys := oidc.NewRemoteKeySet(oidc.ClientContext(context.Background(), s.client),
		strings.TrimSuffix(cfg.Issuer, "/")+"/.well-known/jwks.json")
	s.verifier = oidc.NewVerifier(cfg.Issuer, keys, &oidc.Config{
		ClientID: cfg.ClientID, SupportedSigningAlgs: []string{oidc.RS256}, Now: s.now,
	})
	return s
}

// Handler serves signing in and out, and hands every other request to pages
// with the signed-in actor in its context (ActorFrom). Without a valid
// session (one signed out counts as none) a GET or HEAD is sent to sign in
// and back; anything else is answered 401, so a form posted after the
// session ended is never acted on.
func (s *Sessions) Handler(pages http.Handler) http.Handler {
	signOut := http.NewCrossOriginProtection().Handler(http.HandlerFunc(s.signOut))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		get := r.Method == http.MethodGet || r.Method == http.MethodHead
		switch {
		case r.URL.Path == SignInPath && get:
			s.start(w, r)
		case r.URL.Path == CallbackPath && get:
			s.callback(w, r)
		case r.URL.Path == SignOutPath && r.Method == http.MethodPost:
			signOut.ServeHTTP(w, r)
		case r.URL.Path == SignedOutPath && get:
			s.signedOut(w, r)
		default:
			s.serve(pages, w, r)
		}
	})
}

// staticPath is where the pages' stylesheet is served: no data, so a
// request for it is not worth a read of its session's sign-out.
const staticPath = home + "/static/"

func (s *Sessions) serve(pages http.Handler, w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie(r)); err == nil {
		t, err := s.verify(r.Context(), c.Value)
		if err == nil && !strings.HasPrefix(r.URL.Path, staticPath) {
			live, lerr := s.live(r.Context(), t)
			if lerr != nil {
				s.unavailable(w, r, t, lerr)
				return
			}
			if !live {
				err = errors.New("the session was signed out")
			}
		}
		if err == nil {
			pages.ServeHTTP(w, r.WithContext(WithActor(r.Context(), t.actor)))
			return
		}
		slog.InfoContext(r.Context(), "session refused", "error", err.Error())
		s.clear(w, r, sessionCookie(r))
	}
	securityHeaders(w)
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		http.Redirect(w, r, Prefix(r)+SignInPath+"?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	http.Error(w, "Not signed in, or the session has ended: sign in again.", http.StatusUnauthorized)
}

// pending is what the state cookie holds between the start of signing in and
// the callback.
type pending struct {
	State    string `json:"s"`
	Verifier string `json:"v"`
	Nonce    string `json:"n"`
	Next     string `json:"next"`
}

func (s *Sessions) start(w http.ResponseWriter, r *http.Request) {
	p := pending{State: random(), Verifier: oauth2.GenerateVerifier(), Nonce: random(), Next: LocalPath(r.URL.Query().Get("next"))}
	b, _ := json.Marshal(p)
	http.SetCookie(w, &http.Cookie{Name: stateCookie(r), Value: base64.RawURLEncoding.EncodeToString(b), Path: "/",
		MaxAge: 600, HttpOnly: true, Secure: !PlainLoopback(r), SameSite: http.SameSiteLaxMode})
	securityHeaders(w)
	http.Redirect(w, r, s.oauth(r).AuthCodeURL(p.State, oauth2.S256ChallengeOption(p.Verifier),
		oauth2.SetAuthURLParam("nonce", p.Nonce)), http.StatusSeeOther)
}

func (s *Sessions) callback(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w)
	q := r.URL.Query()
	var p pending
	c, err := r.Cookie(stateCookie(r))
	if err == nil {
		var b []byte
		if b, err = base64.RawURLEncoding.DecodeString(c.Value); err == nil {
			err = json.Unmarshal(b, &p)
		}
	}
	s.clear(w, r, stateCookie(r)) // one use, whatever the outcome
	if err != nil || p.State == "" || subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(p.State)) != 1 {
		s.failed(w, r, "This sign-in was not started here, or took too long.")
		return
	}
	if e := q.Get("error"); e != "" {
		s.failed(w, r, "The sign-in page answered: "+e+".")
		return
	}
	ctx := context.WithValue(r.Context(), oauth2.HTTPClient, s.client)
	tok, err := s.oauth(r).Exchange(ctx, q.Get("code"), oauth2.VerifierOption(p.Verifier))
	if err != nil {
		slog.WarnContext(ctx, "sign-in: code exchange failed", "error", err.Error())
		s.failed(w, r, "The sign-in could not be completed.")
		return
	}
	// Only the ID token is kept. The refresh token the exchange also
	// returns is revoked here, at once (issue 25, item 5): kept by no one,
	// it would yet stay valid for its lifetime, a way to new tokens for
	// whoever saw the exchange's answer. So signing out has none left to
	// revoke: the session it ends is the ID token, ended by the sign-out's
	// record.
	if tok.RefreshToken != "" {
		s.revoke(ctx, tok.RefreshToken)
	}
	raw, _ := tok.Extra("id_token").(string)
	t, err := s.verify(ctx, raw)
	if err == nil && subtle.ConstantTimeCompare([]byte(t.nonce), []byte(p.Nonce)) != 1 {
		err = errors.New("nonce does not match")
	}
	if err != nil {
		slog.WarnContext(ctx, "sign-in: ID token refused", "error", err.Error())
		s.failed(w, r, "The sign-in could not be completed.")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie(r), Value: raw, Path: "/", Expires: t.expiry,
		MaxAge: int(t.expiry.Sub(s.now()).Seconds()), HttpOnly: true, Secure: !PlainLoopback(r), SameSite: http.SameSiteLaxMode})
	slog.InfoContext(ctx, "signed in", "actor", t.actor.ID, "groups", t.actor.Groups)
	http.Redirect(w, r, Prefix(r)+LocalPath(p.Next), http.StatusSeeOther)
}

// signOut ends the person's sessions (every one issued until now, not only
// this browser's), clears the cookie and sends the browser on to managed
// login's /logout, which ends the Cognito session too. A cookie that is no
// live session ends nothing: whoever holds an old copy of it cannot sign
// the person out of their newer sessions. If the sign-out cannot be
// recorded the person is told and stays signed in, to try again, rather
// than believe a copied cookie dead.
func (s *Sessions) signOut(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w)
	if c, err := r.Cookie(sessionCookie(r)); err == nil {
		if t, err := s.verify(r.Context(), c.Value); err == nil {
			live, err := s.live(r.Context(), t)
			if err == nil && live {
				err = s.signOuts.EndSessions(r.Context(), t.actor.ID, s.now())
			}
			if err != nil {
				slog.ErrorContext(r.Context(), "sign-out not recorded", "actor", t.actor.ID, "error", err.Error())
				s.page(w, http.StatusServiceUnavailable, "Not signed out", "Signing out could not be recorded, so you are still signed in. Please try again in a moment.")
				_, _ = fmt.Fprintf(w, `<p><a href="%s">Back to the app</a></p></main></body></html>`, html.EscapeString(Prefix(r)+home))
				return
			}
			if live {
				slog.InfoContext(r.Context(), "signed out", "actor", t.actor.ID)
			}
		}
	}
	s.clear(w, r, sessionCookie(r))
	q := url.Values{"client_id": {s.cfg.ClientID}, "logout_uri": {origin(r) + Prefix(r) + SignedOutPath}}
	http.Redirect(w, r, strings.TrimSuffix(s.cfg.SignInURL, "/")+"/logout?"+q.Encode(), http.StatusSeeOther)
}

func (s *Sessions) signedOut(w http.ResponseWriter, r *http.Request) {
	s.page(w, http.StatusOK, "Signed out", "You have signed out.")
	_, _ = fmt.Fprintf(w, `<p><a href="%s">Sign in again</a></p></main></body></html>`, html.EscapeString(Prefix(r)+home))
}

func (s *Sessions) failed(w http.ResponseWriter, r *http.Request, why string) {
	s.page(w, http.StatusBadRequest, "Sign-in failed", why)
	_, _ = fmt.Fprintf(w, `<p><a href="%s">Try again</a></p></main></body></html>`, html.EscapeString(Prefix(r)+SignInPath))
}

// page starts a small page of this package's own: no scripts, no styles.
func (s *Sessions) page(w http.ResponseWriter, status int, title, text string) {
	securityHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>%s</title></head><body><main><h1>%s</h1><p>%s</p>`,
		html.EscapeString(title), html.EscapeString(title), html.EscapeString(text))
}

// unavailable answers a request whose session could not be checked
// against its person's sign-out: neither let in nor sent to sign in again
// (which would come straight back here).
func (s *Sessions) unavailable(w http.ResponseWriter, r *http.Request, t token, err error) {
	slog.ErrorContext(r.Context(), "session not checked", "actor", t.actor.ID, "error", err.Error())
	s.page(w, http.StatusServiceUnavailable, "Try again", "Your session could not be checked just now. Please try again in a moment.")
	_, _ = fmt.Fprint(w, `</main></body></html>`)
}

// live reports whether t was issued after its person last signed out. A
// token's iat is in whole seconds, so one issued in the second of a
// sign-out counts as before it: a sign-in straight after signing out may
// be asked to sign in once more, a session from before it never passes.
// (Cognito's clock and this function's are both kept to within
// milliseconds by AWS, well inside that second.)
func (s *Sessions) live(ctx context.Context, t token) (bool, error) {
	ended, err := s.signOuts.SessionsEnded(ctx, t.actor.ID)
	if err != nil {
		return false, err
	}
	return t.issued.After(ended), nil
}

// token is what a verified ID token says.
type token struct {
	actor          grants.Actor
	issued, expiry time.Time
	nonce          string
}

// verify checks an ID token and reads the actor from it.
func (s *Sessions) verify(ctx context.Context, raw string) (token, error) {
	if raw == "" {
		return token{}, errors.New("no ID token")
	}
	t, err := s.verifier.Verify(ctx, raw)
	if err != nil {
		return token{}, err
	}
	var c struct {
		TokenUse string   `json:"token_use"`
		Email    string   `json:"email"`
		Username string   `json:"cognito:username"`
		Groups   []string `json:"cognito:groups"`
	}
	if err := t.Claims(&c); err != nil {
		return token{}, err
	}
	// An access token from the same pool and client is signed by the same
	// key: only an ID token says who the person is.
	if c.TokenUse != "id" {
		return token{}, fmt.Errorf("token_use is %q, not id", c.TokenUse)
	}
	var groups []grants.Role
	for _, g := range c.Groups {
		groups = append(groups, grants.Role(g))
	}
	a := grants.StaffActor(t.Issuer, t.Subject, c.Email, c.Username, groups)
	return token{actor: a, issued: t.IssuedAt, expiry: t.Expiry, nonce: t.Nonce}, nil
}

// revoke revokes a refresh token at the pool's /oauth2/revoke (Cognito's
// RevokeToken over HTTP; the client enables token revocation), the client
// authenticated with its secret. A failure is logged and the sign-in goes
// on: the token is kept nowhere, and the web client's refresh tokens live
// the shortest time Cognito allows.
func (s *Sessions) revoke(ctx context.Context, refresh string) {
	form := url.Values{"token": {refresh}, "client_id": {s.cfg.ClientID}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(s.cfg.SignInURL, "/")+"/oauth2/revoke", strings.NewReader(form.Encode()))
	if err != nil {
		slog.WarnContext(ctx, "sign-in: refresh token not revoked", "error", err.Error())
		return
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// client_secret_basic: both parts form-encoded (RFC 6749, 2.3.1).
	req.SetBasicAuth(url.QueryEscape(s.cfg.ClientID), url.QueryEscape(s.cfg.ClientSecret))
	resp, err := s.client.Do(req)
	if err != nil {
		slog.WarnContext(ctx, "sign-in: refresh token not revoked", "error", err.Error())
		return
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		slog.WarnContext(ctx, "sign-in: refresh token not revoked", "status", resp.StatusCode)
	}
}

// oauth is the client as this request reaches it: the redirect URI carries
// the host and the stage the browser used, which must be one of the
// client's callback URLs.
func (s *Sessions) oauth(r *http.Request) *oauth2.Config {
	base := strings.TrimSuffix(s.cfg.SignInURL, "/")
	return &oauth2.Config{
		ClientID: s.cfg.ClientID, ClientSecret: s.cfg.ClientSecret,
		Endpoint: oauth2.Endpoint{AuthURL: base + "/oauth2/authorize", TokenURL: base + "/oauth2/token",
			AuthStyle: oauth2.AuthStyleInHeader},
		RedirectURL: origin(r) + Prefix(r) + CallbackPath,
		Scopes:      []string{oidc.ScopeOpenID, "email", "profile"},
	}
}

func (s *Sessions) clear(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: !PlainLoopback(r), SameSite: http.SameSiteLaxMode})
}

// Cookie names carry the __Host- prefix wherever the cookie is Secure: a
// browser then refuses the cookie unless it is Secure, has Path=/ and no
// Domain, so no sibling subdomain can plant a session or a sign-in state.
// Plain-http loopback cannot have the prefix.
func sessionCookie(r *http.Request) string { return CookieName(r, "session") }
func stateCookie(r *http.Request) string   { return CookieName(r, "signin") }

// CookieName is the name a cookie of the app goes by: with the __Host-
// prefix (secure, this host, every path) except on plain-http loopback.
func CookieName(r *http.Request, name string) string {
	if PlainLoopback(r) {
		return name
	}
	return "__Host-" + name
}

var stage = regexp.MustCompile(`^/[A-Za-z0-9_-]{1,128}$`)

// Prefix is the path the API's stage adds in front of every page
// ("/dev"), from the X-Forwarded-Prefix header the Lambda adapter sets, or
// "" for the $default stage and locally. Links and redirects carry it.
func Prefix(r *http.Request) string {
	if p := r.Header.Get("X-Forwarded-Prefix"); stage.MatchString(p) {
		return p
	}
	return ""
}

// origin is the scheme and host the browser used: https everywhere but
// plain-http loopback.
func origin(r *http.Request) string {
	if PlainLoopback(r) {
		return "http://" + r.Host
	}
	return "https://" + r.Host
}

// LocalPath is next if it is a page of the app (/app or under it, with no
// scheme, host, dot segments or backslashes), else /app: the page a
// sign-in returns to can never be another site.
func LocalPath(next string) string {
	if next != home && !strings.HasPrefix(next, home+"/") && !strings.HasPrefix(next, home+"?") {
		return home
	}
	if strings.ContainsAny(next, "\\\r\n\t") || strings.HasPrefix(next, "//") {
		return home
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.User != nil {
		return home
	}
	if clean := path.Clean(u.Path); clean != strings.TrimSuffix(u.Path, "/") || clean == SignInPath || clean == CallbackPath || clean == SignOutPath {
		return home
	}
	return u.RequestURI()
}

func securityHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
}

func random() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
