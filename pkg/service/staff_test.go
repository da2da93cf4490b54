package service_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/service"
)

// fakePool is a user pool in memory: people by email, groups by name.
type fakePool struct {
	people      map[string]*service.PoolPerson
	groups      map[string][]string // members' emails by group
	invitations int
	signedOut   []string
	fail        error
}

func newFakePool() *fakePool {
	return &fakePool{people: map[string]*service.PoolPerson{}, groups: map[string][]string{}}
}

func (f *fakePool) Invite(_ context.Context, email, name string) (service.PoolPerson, bool, error) {
	if f.fail != nil {
		return service.PoolPerson{}, false, f.fail
	}
	if p, ok := f.people[email]; ok {
		return *p, false, nil
	}
	f.invitations++
	p := &service.PoolPerson{ID: "iss#sub-" + email, Email: email, Name: name, Enabled: true, Status: "FORCE_CHANGE_PASSWORD"}
	f.people[email] = p
	return *p, true, nil
}

func (f *fakePool) Find(_ context.Context, email string) (service.PoolPerson, bool, error) {
	p, ok := f.people[email]
	if !ok {
		return service.PoolPerson{}, false, f.fail
	}
	return *p, true, f.fail
}

func (f *fakePool) Groups(_ context.Context, email string) ([]grants.Role, error) {
	var out []grants.Role
	for g, ms := range f.groups {
		if slices.Contains(ms, email) {
			out = append(out, grants.Role(g))
		}
	}
	return out, f.fail
}

func (f *fakePool) AddToGroup(_ context.Context, email string, group grants.Role) error {
	if !slices.Contains(f.groups[string(group)], email) {
		f.groups[string(group)] = append(f.groups[string(group)], email)
	}
	return f.fail
}

func (f *fakePool) RemoveFromGroup(_ context.Context, email string, group grants.Role) error {
	f.groups[string(group)] = slices.DeleteFunc(f.groups[string(group)], func(e string) bool { return e == email })
	return f.fail
}

func (f *fakePool) Members(_ context.Context, group grants.Role) ([]service.PoolPerson, error) {
	var out []service.PoolPerson
	for _, e := range f.groups[string(group)] {
		out = append(out, *f.people[e])
	}
	return out, f.fail
}

func (f *fakePool) Disable(_ context.Context, email string) error {
	f.people[email].Enabled = false
	f.signedOut = append(f.signedOut, email)
	return f.fail
}

var staffNow = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

func staffFixture(t *testing.T) (*service.Staff, *fakePool, *memstore.Store) {
	t.Helper()
	pool, store := newFakePool(), memstore.New()
	return service.NewStaff(pool, store, service.Env{Now: func() time.Time { return staffNow }}), pool, store
}

var staffAdmin = grants.Actor{ID: "iss#ada", Name: "ada@funder.local", Groups: []grants.Role{grants.RoleAdmin}}

func TestStaffInviteIsIdempotent(t *testing.T) {
	ctx := context.Background()
	x, pool, _ := staffFixture(t)
	in := grants.StaffInvite{Email: "Fin@Funder.example", Name: "Fin Officer", Role: grants.RoleFinance}
	first, err := x.Invite(ctx, staffAdmin, "north", in)
	if err != nil || !first.Invitation || first.Email != "fin@funder.example" {
		t.Fatalf("first invite = %+v, %v; want an invitation to fin@funder.example", first, err)
	}
	in.Email = " fin@funder.example"
	again, err := x.Invite(ctx, staffAdmin, "north", in)
	if err != nil || again.Invitation {
		t.Fatalf("second invite = %+v, %v; want no error and no second invitation", again, err)
	}
	if pool.invitations != 1 || len(pool.people) != 1 || !slices.Equal(pool.groups["finance:north"], []string{"fin@funder.example"}) {
		t.Fatalf("pool after two invites: %d invitations, people %v, finance:north %v", pool.invitations, pool.people, pool.groups["finance:north"])
	}
	// The same person, another role in another programme: no invitation.
	if got, err := x.Invite(ctx, staffAdmin, "south", grants.StaffInvite{Email: "fin@funder.example", Name: "F", Role: grants.RoleViewer}); err != nil || got.Invitation {
		t.Fatalf("invite to another programme = %+v, %v", got, err)
	}
	if pool.invitations != 1 || len(pool.groups["viewer:south"]) != 1 {
		t.Fatalf("want one invitation and viewer:south: %d, %v", pool.invitations, pool.groups)
	}
}

func TestStaffRefusesBadInputByField(t *testing.T) {
	ctx := context.Background()
	x, pool, _ := staffFixture(t)
	for _, tt := range []struct {
		name, programme string
		in              grants.StaffInvite
		field           string
	}{
		{"bad email", "north", grants.StaffInvite{Email: "not-an-address", Name: "X", Role: grants.RoleFinance}, "email"},
		{"no email", "north", grants.StaffInvite{Name: "X", Role: grants.RoleFinance}, "email"},
		{"unknown role", "north", grants.StaffInvite{Email: "x@funder.example", Name: "X", Role: "treasurer"}, "role"},
		{"admin per programme", "north", grants.StaffInvite{Email: "x@funder.example", Name: "X", Role: grants.RoleAdmin}, "role"},
		{"scoped role named", "north", grants.StaffInvite{Email: "x@funder.example", Name: "X", Role: "finance:south"}, "role"},
		{"no name", "north", grants.StaffInvite{Email: "x@funder.example", Role: grants.RoleFinance}, "name"},
		{"bad programme", "no such/code", grants.StaffInvite{Email: "x@funder.example", Name: "X", Role: grants.RoleFinance}, "programme"},
	} {
		_, err := x.Invite(ctx, staffAdmin, tt.programme, tt.in)
		var e *grants.Error
		if !errors.As(err, &e) || e.Code != grants.Invalid || !slices.ContainsFunc(e.Fields, func(f grants.FieldError) bool { return f.Field == tt.field }) {
			t.Errorf("%s: %v; want invalid naming %s", tt.name, err, tt.field)
		}
	}
	if len(pool.people) != 0 {
		t.Fatalf("a refused invitation made people: %v", pool.people)
	}
	if err := x.RemoveRole(ctx, staffAdmin, "north", "x@funder.example", grants.RoleAdmin); grants.ErrorCode(err) != grants.Invalid {
		t.Errorf("removing admin per programme: %v; want invalid", err)
	}
}

func TestStaffOnlyAdministrators(t *testing.T) {
	ctx := context.Background()
	x, _, _ := staffFixture(t)
	for _, a := range []grants.Actor{
		{ID: "iss#olu", Groups: []grants.Role{grants.RoleProgramme}},
		{ID: "iss#fin", Groups: []grants.Role{grants.RoleFinance}},
		// An admin group for one programme is not the administrator.
		{ID: "iss#x", Groups: []grants.Role{grants.RoleAdmin.In("north")}},
	} {
		if _, err := x.Invite(ctx, a, "north", grants.StaffInvite{Email: "x@funder.example", Name: "X", Role: grants.RoleViewer}); grants.ErrorCode(err) != grants.Forbidden {
			t.Errorf("invite by %v: %v; want forbidden", a.Groups, err)
		}
		if _, err := x.List(ctx, a, "north"); grants.ErrorCode(err) != grants.Forbidden {
			t.Errorf("list by %v: %v; want forbidden", a.Groups, err)
		}
		if err := x.Disable(ctx, a, "x@funder.example"); grants.ErrorCode(err) != grants.Forbidden {
			t.Errorf("disable by %v: %v; want forbidden", a.Groups, err)
		}
	}
}

func TestStaffListShowsProgrammeAndEverywhereRoles(t *testing.T) {
	ctx := context.Background()
	x, pool, _ := staffFixture(t)
	for _, inv := range []struct {
		programme string
		in        grants.StaffInvite
	}{
		{"north", grants.StaffInvite{Email: "fin@funder.example", Name: "Fin", Role: grants.RoleFinance}},
		{"north", grants.StaffInvite{Email: "fin@funder.example", Name: "Fin", Role: grants.RoleViewer}},
		{"south", grants.StaffInvite{Email: "sid@funder.example", Name: "Sid", Role: grants.RoleFinance}},
	} {
		if _, err := x.Invite(ctx, staffAdmin, inv.programme, inv.in); err != nil {
			t.Fatal(err)
		}
	}
	pool.people["olu@funder.example"] = &service.PoolPerson{ID: "iss#olu", Email: "olu@funder.example", Name: "Olu", Enabled: true}
	pool.groups["programme"] = []string{"olu@funder.example"}
	l, err := x.List(ctx, staffAdmin, "north")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range l.Staff {
		var rs []string
		for _, r := range m.Roles {
			s := string(r.Role)
			if r.Everywhere {
				s += "(everywhere)"
			}
			rs = append(rs, s)
		}
		got = append(got, m.Email+": "+strings.Join(rs, ","))
	}
	want := []string{"fin@funder.example: finance,viewer", "olu@funder.example: programme(everywhere)"}
	if !slices.Equal(got, want) {
		t.Fatalf("north's staff = %q; want %q (sid is south's only)", got, want)
	}
}

// Removing a role and disabling end the person's sessions at that moment;
// a removal of a role not held ends nothing (a retry does not sign them
// out again), and a role held everywhere is not silently left in place.
func TestStaffRemovalAndDisableEndSessions(t *testing.T) {
	ctx := context.Background()
	x, pool, store := staffFixture(t)
	if _, err := x.Invite(ctx, staffAdmin, "north", grants.StaffInvite{Email: "fin@funder.example", Name: "Fin", Role: grants.RoleFinance}); err != nil {
		t.Fatal(err)
	}
	id := pool.people["fin@funder.example"].ID
	ended := func() time.Time {
		t.Helper()
		at, err := store.SessionsEnded(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return at
	}
	if !ended().IsZero() {
		t.Fatal("sessions ended by an invitation")
	}
	if err := x.RemoveRole(ctx, staffAdmin, "south", "fin@funder.example", grants.RoleFinance); err != nil || !ended().IsZero() {
		t.Fatalf("removing a role not held: %v, sessions ended %v; want nothing done", err, ended())
	}
	if err := x.RemoveRole(ctx, staffAdmin, "north", "FIN@funder.example", grants.RoleFinance); err != nil {
		t.Fatal(err)
	}
	if len(pool.groups["finance:north"]) != 0 || !ended().Equal(staffNow) {
		t.Fatalf("after removal: finance:north %v, sessions ended %v; want none and %v", pool.groups["finance:north"], ended(), staffNow)
	}
	if err := x.RemoveRole(ctx, staffAdmin, "north", "nobody@funder.example", grants.RoleFinance); grants.ErrorCode(err) != grants.NotFound {
		t.Errorf("removing from someone the pool lacks: %v; want not found", err)
	}
	pool.groups["viewer"] = []string{"fin@funder.example"}
	if err := x.RemoveRole(ctx, staffAdmin, "north", "fin@funder.example", grants.RoleViewer); grants.ErrorCode(err) != grants.Conflict {
		t.Errorf("removing a role held everywhere from one programme: %v; want conflict", err)
	}

	later := staffNow.Add(time.Hour)
	staffNow = later
	t.Cleanup(func() { staffNow = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) })
	if err := x.Disable(ctx, staffAdmin, "fin@funder.example"); err != nil {
		t.Fatal(err)
	}
	if pool.people["fin@funder.example"].Enabled || !slices.Equal(pool.signedOut, []string{"fin@funder.example"}) || !ended().Equal(later) {
		t.Fatalf("after disable: enabled %v, signed out %v, sessions ended %v", pool.people["fin@funder.example"].Enabled, pool.signedOut, ended())
	}
	pool.people["ada@funder.local"] = &service.PoolPerson{ID: staffAdmin.ID, Email: "ada@funder.local", Enabled: true}
	if err := x.Disable(ctx, staffAdmin, "ada@funder.local"); grants.ErrorCode(err) != grants.Conflict || !pool.people["ada@funder.local"].Enabled {
		t.Errorf("disabling oneself: %v; want conflict and still enabled", err)
	}
}

// A pool that fails is an internal error, never taken for "no one".
func TestStaffPoolFailure(t *testing.T) {
	x, pool, _ := staffFixture(t)
	pool.fail = errors.New("pool down")
	if _, err := x.Invite(context.Background(), staffAdmin, "north", grants.StaffInvite{Email: "x@funder.example", Name: "X", Role: grants.RoleViewer}); err == nil || grants.ErrorCode(err) != "" {
		t.Fatalf("invite with the pool down: %v; want an internal error", err)
	}
	if err := x.Disable(context.Background(), staffAdmin, "x@funder.example"); err == nil || grants.ErrorCode(err) != "" {
		t.Fatalf("disable with the pool down: %v; want an internal error", err)
	}
}
