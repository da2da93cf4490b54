package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/partnership-grants/backend/pkg/cognito"
	"github.com/partnership-grants/backend/pkg/dev/idp"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

// withStaff gives the app the staff page on the local Cognito stand-in, the
// sign-outs kept in the app's store.
func withStaff(t *testing.T, a *app) *idp.Provider {
	t.Helper()
	p := &idp.Provider{People: []idp.Person{{Username: "ada", Email: "ada@funder.example", Name: "Ada", Role: "admin"}}}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	p.Issuer = srv.URL + "/eu-west-2_test"
	client := cip.NewFromConfig(aws.Config{Region: "eu-west-2", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")},
		func(o *cip.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	ender, ok := a.store.(service.SessionEnder)
	if !ok {
		t.Fatal("the store keeps no sign-outs")
	}
	a.pages.Staff = service.NewStaff(&cognito.Pool{API: client, PoolID: "eu-west-2_test", Issuer: p.Issuer}, ender, service.Env{Now: a.clock.Now})
	return p
}

// The staff page (issue 25, item 4): the administrator alone; invite by
// email with a role here (a mistake shown by its field, what was typed
// kept), the list with each role and its remove button, removing a role
// and disabling ending the person's sessions; a cross-site post is refused.
func TestStaffPage(t *testing.T) {
	a := newApp(t)
	pool := withStaff(t, a)
	const admin = "ada@funder.example"
	for _, role := range []grants.Role{grants.RoleProgramme, grants.RoleFinance, grants.RoleViewer} {
		if r := a.as("x@funder.example", role, "GET", "/app/staff", nil); r.code != http.StatusForbidden {
			t.Errorf("staff page as %s: %d", role, r.code)
		}
		if r := a.as("x@funder.example", role, "POST", "/app/staff", url.Values{"email": {"a@b.example"}, "name": {"A"}, "role": {"viewer"}}); r.code != http.StatusForbidden {
			t.Errorf("invite as %s: %d", role, r.code)
		}
	}
	page := a.as(admin, grants.RoleAdmin, "GET", "/app/staff", nil)
	if page.code != http.StatusOK || !strings.Contains(page.body, `href="/app/staff" aria-current="page"`) || !strings.Contains(page.body, `action="/app/staff"`) {
		t.Fatalf("staff page as admin: %d %s", page.code, page.body)
	}
	bad := a.as(admin, grants.RoleAdmin, "POST", "/app/staff", url.Values{"email": {"not-an-address"}, "name": {"Fin Officer"}, "role": {"finance"}})
	if bad.code != http.StatusBadRequest || !strings.Contains(bad.body, `id="err-email"`) || !strings.Contains(bad.body, `value="Fin Officer"`) {
		t.Fatalf("a bad email: %d %s", bad.code, bad.body)
	}
	invite := url.Values{"email": {"fin@funder.example"}, "name": {"Fin Officer"}, "role": {"finance"}}
	if r := a.as(admin, grants.RoleAdmin, "POST", "/app/staff", invite); r.code != http.StatusSeeOther || r.location != "/app/staff?done=staff-invited#staff-list" {
		t.Fatalf("invite: %d %s %s", r.code, r.location, r.body)
	}
	if r := a.as(admin, grants.RoleAdmin, "POST", "/app/staff", invite); r.code != http.StatusSeeOther || r.location != "/app/staff?done=staff-role-given#staff-list" {
		t.Fatalf("invite again: %d %s", r.code, r.location)
	}
	if n := len(pool.Invitations()); n != 1 {
		t.Fatalf("%d invitations, want 1", n)
	}
	page = a.as(admin, grants.RoleAdmin, "GET", "/app/staff", nil)
	for _, want := range []string{"fin@funder.example", "invited, not signed in yet", "Remove finance here", "ada@funder.example", "(every programme)", "Disable fin@funder.example"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the list lacks %q", want)
		}
	}
	if strings.Contains(page.body, "Disable ada@funder.example") {
		t.Error("the administrator is offered to disable themselves")
	}
	if r := a.as(admin, grants.RoleAdmin, "POST", "/app/staff/remove", url.Values{"email": {"fin@funder.example"}, "role": {"finance"}},
		"Sec-Fetch-Site", "cross-site"); r.code != http.StatusForbidden {
		t.Errorf("a cross-site removal: %d", r.code)
	}
	fin := grants.StaffActor(pool.Issuer, idp.Subject("fin@funder.example"), "", "", nil).ID
	ended := func() bool {
		at, err := a.store.(signOutsReader).SessionsEnded(context.Background(), fin)
		if err != nil {
			t.Fatal(err)
		}
		return !at.IsZero()
	}
	if r := a.as(admin, grants.RoleAdmin, "POST", "/app/staff/remove", url.Values{"email": {"fin@funder.example"}, "role": {"finance"}}); r.code != http.StatusSeeOther || !ended() {
		t.Fatalf("remove: %d %s; sessions ended %v", r.code, r.location, ended())
	}
	if r := a.as(admin, grants.RoleAdmin, "POST", "/app/staff/disable", url.Values{"email": {"fin@funder.example"}}); r.code != http.StatusSeeOther || r.location != "/app/staff?done=staff-disabled#staff-list" {
		t.Fatalf("disable: %d %s", r.code, r.location)
	}
}

type signOutsReader interface {
	SessionsEnded(ctx context.Context, actorID string) (time.Time, error)
}
