package idp

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Person is someone the local sign-in page offers.
type Person struct {
	Username, Name, Email string
	Role                  string // their usual group: programme, finance or viewer
	Label                 string // how the page describes them, e.g. "finance officer A"
}

// Client is an app client of the pool: its secret and where it may send
// people back to, which Cognito matches exactly.
type Client struct {
	Secret                   string
	CallbackURLs, LogoutURLs []string
}

// Provider serves what Cognito's managed login and user pool serve to the
// web app: /oauth2/authorize (a page where you pick a demo person and a
// role, in place of a password), /oauth2/token, /logout, and the issuer's
// /.well-known/jwks.json. Codes are single use, live five minutes, and are
// bound to the client, the redirect URI and the PKCE challenge, as
// Cognito's are.
//
// It also answers the user pool's administration API (cognito-idp's JSON
// protocol, POST / with X-Amz-Target) for the group operations the
// product and its tests call: AdminListGroupsForUser,
// AdminAddUserToGroup and AdminRemoveUserFromGroup (admin.go). Who is in
// which group starts as each person's Role and changes only through them,
// and a sign-in's token names the groups the person is in then, so a
// token can name a group its holder has since left, as in Cognito.
type Provider struct {
	Issuer   string // e.g. http://127.0.0.1:9229/eu-west-2_local; its path prefixes the JWKS
	Key      *Key
	Clients  map[string]Client
	People   []Person
	Lifetime time.Duration // of ID tokens
	Now      func() time.Time

	mu      sync.Mutex
	codes   map[string]grant
	members map[string][]string // groups by username; see admin.go

	// The pool's people by username (demo and invited, admin.go), the
	// order the sign-in page lists them in, its groups (name to
	// description), the invitations made, and the refresh tokens not
	// revoked.
	users       map[string]*user
	order       []string
	groups      map[string]string
	invitations []Invitation
	refresh     map[string]grant
}

type grant struct {
	client, redirectURI, challenge, nonce string
	person                                Person
	groups                                []string
	expires                               time.Time
}

func (p *Provider) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	iss, _ := url.Parse(p.Issuer)
	switch {
	case r.URL.Path == "/oauth2/authorize" && r.Method == http.MethodGet:
		p.authorizePage(w, r)
	case r.URL.Path == "/oauth2/authorize" && r.Method == http.MethodPost:
		p.authorize(w, r)
	case r.URL.Path == "/oauth2/token" && r.Method == http.MethodPost:
		p.token(w, r)
	case r.URL.Path == "/oauth2/revoke" && r.Method == http.MethodPost:
		p.revoke(w, r)
	case r.URL.Path == "/logout" && r.Method == http.MethodGet:
		p.logout(w, r)
	case r.URL.Path == "/" && r.Method == http.MethodPost && r.Header.Get("X-Amz-Target") != "":
		p.admin(w, r)
	case iss != nil && r.URL.Path == iss.Path+"/.well-known/jwks.json" && r.Method == http.MethodGet:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(p.Key.JWKS())
	default:
		http.NotFound(w, r)
	}
}

// request is an authorization request's parameters, from the query (the
// page) or the form (the person's choice).
type request struct {
	ClientID, RedirectURI, State, Challenge, Nonce, Scope string
}

func (p *Provider) checkRequest(v url.Values) (request, string) {
	req := request{ClientID: v.Get("client_id"), RedirectURI: v.Get("redirect_uri"), State: v.Get("state"),
		Challenge: v.Get("code_challenge"), Nonce: v.Get("nonce"), Scope: v.Get("scope")}
	c, ok := p.Clients[req.ClientID]
	switch {
	case !ok:
		return req, "unknown client_id"
	case !slices.Contains(c.CallbackURLs, req.RedirectURI):
		return req, "redirect_uri is not one of the client's callback URLs"
	case v.Get("response_type") != "code":
		return req, "response_type must be code"
	case req.Challenge == "" || v.Get("code_challenge_method") != "S256":
		return req, "a PKCE code_challenge with code_challenge_method=S256 is required"
	case !slices.Contains(strings.Fields(req.Scope), "openid"):
		return req, "scope must include openid"
	}
	return req, ""
}

var page = template.Must(template.New("signin").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in (local)</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main>
<h1>Sign in</h1>
<p>This is the local stack's stand-in for the Cognito sign-in page: pick a demo person instead of typing a password.</p>
<form method="post" action="authorize">
<input type="hidden" name="response_type" value="code">
<input type="hidden" name="client_id" value="{{.Req.ClientID}}">
<input type="hidden" name="redirect_uri" value="{{.Req.RedirectURI}}">
<input type="hidden" name="state" value="{{.Req.State}}">
<input type="hidden" name="scope" value="{{.Req.Scope}}">
<input type="hidden" name="nonce" value="{{.Req.Nonce}}">
<input type="hidden" name="code_challenge" value="{{.Req.Challenge}}">
<input type="hidden" name="code_challenge_method" value="S256">
<fieldset><legend>Who are you?</legend>
{{range $i, $p := .People}}<p><label><input type="radio" name="person" value="{{$p.Username}}"{{if eq $i 0}} checked{{end}}> {{$p.Name}}, {{$p.Label}} ({{$p.Email}}){{if not $p.Enabled}} (disabled){{end}}</label></p>
{{end}}</fieldset>
<p><label for="role">Role</label>
<select id="role" name="role"><option value="">their own</option><option>programme</option><option>finance</option><option>viewer</option><option>admin</option></select></p>
<p><button type="submit">Sign in</button></p>
</form></main></body></html>
`))

func (p *Provider) authorizePage(w http.ResponseWriter, r *http.Request) {
	req, problem := p.checkRequest(r.URL.Query())
	if problem != "" {
		http.Error(w, "invalid_request: "+problem, http.StatusBadRequest)
		return
	}
	// The form posts here, and the browser is then redirected to the app:
	// form-action must allow both, as browsers apply it to the redirect.
	back, _ := url.Parse(req.RedirectURI)
	w.Header().Set("Content-Security-Policy", "default-src 'none'; form-action 'self' "+back.Scheme+"://"+back.Host+"; frame-ancestors 'none'; base-uri 'none'")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	type offered struct {
		Person
		Enabled bool
	}
	var people []offered
	p.mu.Lock()
	for _, u := range p.peopleLocked() {
		people = append(people, offered{Person: u.Person, Enabled: u.enabled})
	}
	p.mu.Unlock()
	_ = page.Execute(w, map[string]any{"Req": req, "People": people})
}

func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "invalid_request", http.StatusBadRequest)
		return
	}
	req, problem := p.checkRequest(r.PostForm)
	if problem != "" {
		http.Error(w, "invalid_request: "+problem, http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	p.membersLocked()
	u, listed := p.users[r.PostForm.Get("person")]
	listed = listed && slices.Contains(p.order, r.PostForm.Get("person"))
	var person Person
	enabled := false
	if listed {
		person, enabled = u.Person, u.enabled
	}
	p.mu.Unlock()
	if !listed {
		http.Error(w, "pick one of the people listed", http.StatusBadRequest)
		return
	}
	// As managed login answers a disabled user's password (issue 25,
	// item 4: a disabled person cannot sign in).
	if !enabled {
		http.Error(w, "User is disabled.", http.StatusBadRequest)
		return
	}
	var groups []string
	switch role := r.PostForm.Get("role"); role {
	case "":
		groups = p.groupsOf(person.Username)
	case "programme", "finance", "viewer", "admin":
		// Acting in one role is a demo's shortcut: the person joins the
		// group (as an administrator would add them) and the token names
		// that group alone.
		p.addToGroup(person.Username, role)
		groups = []string{role}
	default:
		http.Error(w, "unknown role", http.StatusBadRequest)
		return
	}
	code := random()
	p.mu.Lock()
	if p.codes == nil {
		p.codes = map[string]grant{}
	}
	p.codes[code] = grant{client: req.ClientID, redirectURI: req.RedirectURI, challenge: req.Challenge,
		nonce: req.Nonce, person: person, groups: groups, expires: p.now().Add(5 * time.Minute)}
	p.mu.Unlock()
	back, _ := url.Parse(req.RedirectURI)
	q := back.Query()
	q.Set("code", code)
	if req.State != "" {
		q.Set("state", req.State)
	}
	back.RawQuery = q.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, kind string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": kind})
	}
	if err := r.ParseForm(); err != nil {
		fail(http.StatusBadRequest, "invalid_request")
		return
	}
	id, secret, ok := r.BasicAuth()
	if ok {
		// client_secret_basic: both parts are form-encoded (RFC 6749, 2.3.1).
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	c, known := p.Clients[id]
	if !known || subtle.ConstantTimeCompare([]byte(secret), []byte(c.Secret)) != 1 {
		fail(http.StatusUnauthorized, "invalid_client")
		return
	}
	var g grant
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		code := r.PostForm.Get("code")
		p.mu.Lock()
		var found bool
		g, found = p.codes[code]
		delete(p.codes, code) // single use, whatever happens next
		p.mu.Unlock()
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		if !found || p.now().After(g.expires) || g.client != id || g.redirectURI != r.PostForm.Get("redirect_uri") ||
			subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(g.challenge)) != 1 {
			fail(http.StatusBadRequest, "invalid_grant")
			return
		}
	case "refresh_token":
		// A refresh names the groups the person is in now, and is refused
		// once the token is revoked or the person disabled, as Cognito's.
		p.mu.Lock()
		var found bool
		g, found = p.refresh[r.PostForm.Get("refresh_token")]
		u := p.users[g.person.Username]
		found = found && g.client == id && p.now().Before(g.expires) && u != nil && u.enabled
		if found {
			g.groups = slices.Clone(p.membersLocked()[g.person.Username])
			g.nonce = ""
		}
		p.mu.Unlock()
		if !found {
			fail(http.StatusBadRequest, "invalid_grant")
			return
		}
	default:
		fail(http.StatusBadRequest, "unsupported_grant_type")
		return
	}
	now := p.now()
	idToken, err := p.Key.Sign(p.idClaims(g.person, g.groups, id, g.nonce, now))
	if err != nil {
		fail(http.StatusInternalServerError, "server_error")
		return
	}
	accessClaims := map[string]any{
		"iss": p.Issuer, "sub": Subject(g.person.Username), "client_id": id, "token_use": "access",
		"scope": "openid email profile", "username": g.person.Username,
		"auth_time": now.Unix(), "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "jti": random(),
	}
	if len(g.groups) > 0 {
		accessClaims["cognito:groups"] = g.groups
	}
	access, err := p.Key.Sign(accessClaims)
	if err != nil {
		fail(http.StatusInternalServerError, "server_error")
		return
	}
	out := map[string]any{"id_token": idToken, "access_token": access, "token_type": "Bearer", "expires_in": 3600}
	if r.PostForm.Get("grant_type") == "authorization_code" {
		// A refresh token, as the web client's (RefreshTokenValidity).
		refresh := random()
		g.expires = now.Add(time.Hour)
		p.mu.Lock()
		if p.refresh == nil {
			p.refresh = map[string]grant{}
		}
		p.refresh[refresh] = g
		p.mu.Unlock()
		out["refresh_token"] = refresh
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// client is the app client a request authenticates as (client_secret_basic,
// else client_id and client_secret in the form), if its secret is right.
func (p *Provider) client(r *http.Request) (string, bool) {
	id, secret, ok := r.BasicAuth()
	if ok {
		// client_secret_basic: both parts are form-encoded (RFC 6749, 2.3.1).
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	c, known := p.Clients[id]
	return id, known && subtle.ConstantTimeCompare([]byte(secret), []byte(c.Secret)) == 1
}

// revoke is Cognito's /oauth2/revoke (RevokeToken over HTTP): a client
// revokes a refresh token it was issued. As RFC 7009 says, a token it
// does not know is no error; another client's is, and stays live.
func (p *Provider) revoke(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, kind string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": kind})
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("token") == "" {
		fail(http.StatusBadRequest, "invalid_request")
		return
	}
	id, ok := p.client(r)
	if !ok {
		fail(http.StatusUnauthorized, "invalid_client")
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	t := r.PostForm.Get("token")
	if g, found := p.refresh[t]; found {
		if g.client != id {
			fail(http.StatusBadRequest, "invalid_request")
			return
		}
		delete(p.refresh, t)
	}
	w.WriteHeader(http.StatusOK)
}

// RefreshTokens is how many refresh tokens issued to username are live
// (neither revoked nor expired).
func (p *Provider) RefreshTokens(username string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, g := range p.refresh {
		if g.person.Username == username && p.now().Before(g.expires) {
			n++
		}
	}
	return n
}

// IDClaims are the claims of an ID token Cognito issues to clientID for
// person in their Role's group (with the nonce of the sign-in, if one was
// sent).
func (p *Provider) IDClaims(person Person, clientID, nonce string, now time.Time) map[string]any {
	return p.idClaims(person, []string{person.Role}, clientID, nonce, now)
}

func (p *Provider) idClaims(person Person, groups []string, clientID, nonce string, now time.Time) map[string]any {
	life := p.Lifetime
	if life == 0 {
		life = time.Hour
	}
	c := map[string]any{
		"iss": p.Issuer, "aud": clientID, "sub": Subject(person.Username),
		"email": person.Email, "email_verified": true, "name": person.Name,
		"cognito:username": person.Username, "token_use": "id",
		"auth_time": now.Unix(), "iat": now.Unix(), "exp": now.Add(life).Unix(), "jti": random(),
	}
	if len(groups) > 0 { // Cognito leaves the claim out for someone in no group
		c["cognito:groups"] = groups
	}
	if nonce != "" {
		c["nonce"] = nonce
	}
	return c
}

func (p *Provider) logout(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c, ok := p.Clients[q.Get("client_id")]
	if !ok || !slices.Contains(c.LogoutURLs, q.Get("logout_uri")) {
		http.Error(w, "logout_uri is not one of the client's sign-out URLs", http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, q.Get("logout_uri"), http.StatusFound)
}

func random() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
