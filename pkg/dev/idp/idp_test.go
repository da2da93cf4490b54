package idp

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// signIn walks the stand-in's authorization-code flow for person and
// returns the token endpoint's answer (status and body).
func signIn(t *testing.T, srv *httptest.Server, person string) (int, map[string]any) {
	t.Helper()
	verifier := "a-verifier-of-enough-length-for-pkce-0123456789"
	sum := sha256.Sum256([]byte(verifier))
	form := url.Values{"response_type": {"code"}, "client_id": {"web"}, "redirect_uri": {"http://app/cb"}, "scope": {"openid email"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}, "person": {person}}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(srv.URL+"/oauth2/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return resp.StatusCode, nil
	}
	back, _ := url.Parse(resp.Header.Get("Location"))
	return post(t, srv, "/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {back.Query().Get("code")},
		"redirect_uri": {"http://app/cb"}, "code_verifier": {verifier}})
}

func post(t *testing.T, srv *httptest.Server, path string, form url.Values) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("web", "s3cret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func admin(t *testing.T, srv *httptest.Server, op string, in map[string]any) (int, map[string]any) {
	t.Helper()
	in["UserPoolId"] = "eu-west-2_test"
	b, _ := json.Marshal(in)
	req, _ := http.NewRequest("POST", srv.URL+"/", strings.NewReader(string(b)))
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// An invited person signs in with the groups given; a refresh token lives
// until revoked or until the person is signed out everywhere; a disabled
// person cannot sign in or refresh.
func TestInvitedPersonSignsInUntilDisabled(t *testing.T) {
	key, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	p := &Provider{Key: key, Clients: map[string]Client{"web": {Secret: "s3cret", CallbackURLs: []string{"http://app/cb"}}}}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	p.Issuer = srv.URL + "/eu-west-2_test"
	const email = "fin@funder.example"

	if code, out := admin(t, srv, "AdminCreateUser", map[string]any{"Username": email,
		"UserAttributes": []map[string]string{{"Name": "email", "Value": email}, {"Name": "name", "Value": "Fin"}}}); code != 200 {
		t.Fatalf("AdminCreateUser: %d %v", code, out)
	}
	if code, out := admin(t, srv, "AdminCreateUser", map[string]any{"Username": email}); code != 400 || out["__type"] != "UsernameExistsException" {
		t.Fatalf("AdminCreateUser again: %d %v", code, out)
	}
	if code, out := admin(t, srv, "AdminAddUserToGroup", map[string]any{"Username": email, "GroupName": "finance:north"}); out["__type"] != "ResourceNotFoundException" {
		t.Fatalf("a group not made yet: %d %v", code, out)
	}
	admin(t, srv, "CreateGroup", map[string]any{"GroupName": "finance:north"})
	if code, out := admin(t, srv, "CreateGroup", map[string]any{"GroupName": "finance:north"}); out["__type"] != "GroupExistsException" {
		t.Fatalf("CreateGroup again: %d %v", code, out)
	}
	if code, out := admin(t, srv, "AdminAddUserToGroup", map[string]any{"Username": email, "GroupName": "finance:north"}); code != 200 {
		t.Fatalf("AdminAddUserToGroup: %d %v", code, out)
	}

	code, tok := signIn(t, srv, email)
	if code != 200 || tok["refresh_token"] == nil {
		t.Fatalf("sign-in: %d %v", code, tok)
	}
	claims := map[string]any{}
	part := strings.Split(tok["id_token"].(string), ".")[1]
	b, _ := base64.RawURLEncoding.DecodeString(part)
	_ = json.Unmarshal(b, &claims)
	if groups, _ := claims["cognito:groups"].([]any); len(groups) != 1 || groups[0] != "finance:north" || claims["email"] != email {
		t.Fatalf("the ID token's claims: %v", claims)
	}
	refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)}}
	if code, _ := post(t, srv, "/oauth2/token", refresh); code != 200 || p.RefreshTokens(email) != 1 {
		t.Fatalf("refresh: %d, %d live", code, p.RefreshTokens(email))
	}
	if code, out := post(t, srv, "/oauth2/revoke", url.Values{"token": {tok["refresh_token"].(string)}}); code != 200 || p.RefreshTokens(email) != 0 {
		t.Fatalf("revoke: %d %v, %d live", code, out, p.RefreshTokens(email))
	}
	if code, _ := post(t, srv, "/oauth2/token", refresh); code != 400 {
		t.Fatalf("a revoked refresh token: %d", code)
	}
	if code, _ := signIn(t, srv, email); code != 200 || p.RefreshTokens(email) != 1 {
		t.Fatalf("sign-in again: %d", code)
	}
	admin(t, srv, "AdminUserGlobalSignOut", map[string]any{"Username": email})
	if n := p.RefreshTokens(email); n != 0 {
		t.Fatalf("%d refresh tokens live after a global sign-out", n)
	}
	if code, out := admin(t, srv, "AdminDisableUser", map[string]any{"Username": email}); code != 200 {
		t.Fatalf("AdminDisableUser: %d %v", code, out)
	}
	if code, _ := signIn(t, srv, email); code != http.StatusBadRequest {
		t.Fatalf("a disabled person signs in: %d", code)
	}
	if _, out := admin(t, srv, "AdminGetUser", map[string]any{"Username": email}); out["Enabled"] != false || out["Username"] != email {
		t.Fatalf("AdminGetUser after disabling: %v", out)
	}
	if _, out := admin(t, srv, "AdminGetUser", map[string]any{"Username": "nobody@funder.example"}); out["__type"] != "UserNotFoundException" {
		t.Fatalf("AdminGetUser of nobody: %v", out)
	}
}
