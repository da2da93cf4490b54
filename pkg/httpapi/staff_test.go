package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/dev/testenv/apigw"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/service"
)

// memPool is a user pool in memory for the staff routes.
type memPool struct {
	people map[string]service.PoolPerson
	groups map[string][]string
}

func (m *memPool) Invite(_ context.Context, email, name string) (service.PoolPerson, bool, error) {
	if p, ok := m.people[email]; ok {
		return p, false, nil
	}
	p := service.PoolPerson{ID: apigw.Issuer + "#sub-" + email, Email: email, Name: name, Enabled: true}
	m.people[email] = p
	return p, true, nil
}

func (m *memPool) Find(_ context.Context, email string) (service.PoolPerson, bool, error) {
	p, ok := m.people[email]
	return p, ok, nil
}

func (m *memPool) Groups(_ context.Context, email string) ([]grants.Role, error) {
	var out []grants.Role
	for g, ms := range m.groups {
		if slices.Contains(ms, email) {
			out = append(out, grants.Role(g))
		}
	}
	return out, nil
}

func (m *memPool) AddToGroup(_ context.Context, email string, g grants.Role) error {
	if !slices.Contains(m.groups[string(g)], email) {
		m.groups[string(g)] = append(m.groups[string(g)], email)
	}
	return nil
}

func (m *memPool) RemoveFromGroup(_ context.Context, email string, g grants.Role) error {
	m.groups[string(g)] = slices.DeleteFunc(m.groups[string(g)], func(e string) bool { return e == email })
	return nil
}

func (m *memPool) Members(_ context.Context, g grants.Role) ([]service.PoolPerson, error) {
	var out []service.PoolPerson
	for _, e := range m.groups[string(g)] {
		out = append(out, m.people[e])
	}
	return out, nil
}

func (m *memPool) Disable(_ context.Context, email string) error {
	p := m.people[email]
	p.Enabled = false
	m.people[email] = p
	return nil
}

// The staff routes (issue 25, item 4) as each role, every answer checked
// against the OpenAPI document.
func TestStaffRoutes(t *testing.T) {
	store, pool := memstore.New(), &memPool{people: map[string]service.PoolPerson{}, groups: map[string][]string{}}
	f := &fixture{api: (&Staff{Staff: service.NewStaff(pool, store, service.Env{Now: tick()})}).Routes(), store: store}
	prog := map[string]string{"programme": "north"}
	const invite = `{"email": "fin@funder.example", "name": "Fin Officer", "role": "finance"}`

	for _, role := range []Role{RoleProgramme, RoleFinance, RoleViewer} {
		if r := f.do(t, event("POST", "/programmes/{programme}/staff", prog, invite, role)); r.StatusCode != 403 {
			t.Errorf("invite as %s: %d", role, r.StatusCode)
		}
		if r := f.do(t, event("GET", "/programmes/{programme}/staff", prog, "", role)); r.StatusCode != 403 {
			t.Errorf("list as %s: %d", role, r.StatusCode)
		}
	}
	// A group of one programme named like the administrator's is not it,
	// even in that programme.
	if r := f.do(t, event("POST", "/programmes/{programme}/staff", prog, invite, RoleAdmin.In("north"))); r.StatusCode != 403 {
		t.Errorf("invite as admin:north: %d %s", r.StatusCode, r.Body)
	}
	for _, bad := range []struct{ what, body, field string }{
		{"a bad email", `{"email": "fin", "name": "F", "role": "finance"}`, "email"},
		{"an unknown role", `{"email": "fin@funder.example", "name": "F", "role": "treasurer"}`, "role"},
		{"admin per programme", `{"email": "fin@funder.example", "name": "F", "role": "admin"}`, "role"},
	} {
		wantField(t, bad.what, f.do(t, event("POST", "/programmes/{programme}/staff", prog, bad.body, RoleAdmin)), bad.field)
	}
	wantField(t, "a bad programme", f.do(t, event("POST", "/programmes/{programme}/staff", map[string]string{"programme": "no/such"}, invite, RoleAdmin)), "programme")
	for i, want := range []bool{true, false} {
		r := f.do(t, event("POST", "/programmes/{programme}/staff", prog, invite, RoleAdmin))
		var got service.Invited
		if err := json.Unmarshal([]byte(r.Body), &got); err != nil || r.StatusCode != 201 || got.Invitation != want {
			t.Fatalf("invite %d: %d %s; want 201 with invitation %v", i+1, r.StatusCode, r.Body, want)
		}
	}
	if len(pool.people) != 1 || len(pool.groups["finance:north"]) != 1 {
		t.Fatalf("after two invites: %v %v", pool.people, pool.groups)
	}
	r := f.do(t, event("GET", "/programmes/{programme}/staff", prog, "", RoleAdmin))
	if r.StatusCode != 200 || !strings.Contains(r.Body, `"email":"fin@funder.example"`) || !strings.Contains(r.Body, `{"role":"finance","everywhere":false}`) {
		t.Fatalf("list: %d %s", r.StatusCode, r.Body)
	}
	del := func(email, role string) events.APIGatewayV2HTTPResponse {
		return f.do(t, event("DELETE", "/programmes/{programme}/staff/{email}/roles/{role}",
			map[string]string{"programme": "north", "email": email, "role": role}, "", RoleAdmin))
	}
	wantField(t, "removing admin", del("fin@funder.example", "admin"), "role")
	if r := del("nobody@funder.example", "finance"); r.StatusCode != 404 {
		t.Errorf("removing from nobody: %d %s", r.StatusCode, r.Body)
	}
	if r := del("fin%40funder.example", "finance"); r.StatusCode != 204 || len(pool.groups["finance:north"]) != 0 {
		t.Fatalf("remove with the @ escaped: %d %s; finance:north %v", r.StatusCode, r.Body, pool.groups["finance:north"])
	}
	if ended, _ := store.SessionsEnded(context.Background(), pool.people["fin@funder.example"].ID); ended.IsZero() {
		t.Error("removing a role ended no session")
	}
	if r := f.do(t, event("POST", "/staff/{email}/disable", map[string]string{"email": "fin@funder.example"}, "", RoleFinance)); r.StatusCode != 403 {
		t.Errorf("disable as finance: %d", r.StatusCode)
	}
	if r := f.do(t, event("POST", "/staff/{email}/disable", map[string]string{"email": "fin@funder.example"}, "", RoleAdmin)); r.StatusCode != 204 || pool.people["fin@funder.example"].Enabled {
		t.Fatalf("disable: %d %s", r.StatusCode, r.Body)
	}
}

// signOuts is a sessions' record that may fail.
type signOuts struct {
	ended map[string]time.Time
	err   error
}

func (s *signOuts) SessionsEnded(_ context.Context, id string) (time.Time, error) {
	return s.ended[id], s.err
}

// A function's handler (Router.Checking) refuses a token issued at or
// before its person's sessions ended, with the reason session_ended, and
// serves one issued after; a record it cannot read serves nothing.
func TestCheckedRefusesEndedSessions(t *testing.T) {
	served := 0
	routes := Router{"GET /ping": {Roles: Readers, Handler: func(context.Context, *Request) (events.APIGatewayV2HTTPResponse, error) {
		served++
		return JSONResponse(200, map[string]bool{"ok": true})
	}}}
	ended := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	rec := &signOuts{ended: map[string]time.Time{apigw.Issuer + "#sub-programme": ended}}
	h := routes.Checking(rec)
	call := func(iat string) events.APIGatewayV2HTTPResponse {
		t.Helper()
		ev := event("GET", "/ping", nil, "", RoleProgramme)
		if iat != "" {
			ev.RequestContext.Authorizer.JWT.Claims["iat"] = iat
		}
		resp, err := h.Handle(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	unix := func(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }
	for _, tt := range []struct {
		what, iat string
		status    int
		reason    string
	}{
		{"issued before", unix(ended.Add(-time.Hour)), 401, "session_ended"},
		{"issued in the second they ended", unix(ended), 401, "session_ended"},
		{"issued after", unix(ended.Add(time.Second)), 200, ""},
		{"no iat", "", 401, "unauthenticated"},
	} {
		resp := call(tt.iat)
		if resp.StatusCode != tt.status {
			t.Errorf("%s: %d %s; want %d", tt.what, resp.StatusCode, resp.Body, tt.status)
		}
		if tt.reason != "" && !strings.HasSuffix(problemOf(t, tt.what, resp, tt.status).Type, "/"+tt.reason) {
			t.Errorf("%s: %s; want reason %s", tt.what, resp.Body, tt.reason)
		}
	}
	if served != 1 {
		t.Errorf("served %d requests, want 1", served)
	}
	rec.err = errors.New("table unavailable")
	if resp := call(unix(ended.Add(time.Hour))); resp.StatusCode != 500 || served != 1 {
		t.Errorf("record unreadable: %d (served %d); want 500, not served", resp.StatusCode, served)
	}
}
