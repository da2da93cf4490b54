package service

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
)

// Staff (issue 25, items 4 and 5): an administrator invites people by
// email, gives and removes their roles per programme and disables them;
// removing a role or disabling a person ends their sessions, so their next
// request is refused rather than served until their token expires.

// PoolPerson is a person as the user pool has them.
type PoolPerson struct {
	// ID is the ID their tokens give them as an actor (grants.Actor.ID):
	// what their sessions are ended by.
	ID      string
	Email   string
	Name    string
	Enabled bool
	// Status is the pool's word for where their account stands, e.g.
	// FORCE_CHANGE_PASSWORD until they first sign in.
	Status string
}

// UserPool is the staff's accounts and groups (Cognito in AWS). A group is
// a role in every programme ("finance") or in one ("finance:CODE").
type UserPool interface {
	// Invite creates the person and sends them the pool's invitation;
	// invited is false if the pool had them already (nothing is sent).
	Invite(ctx context.Context, email, name string) (p PoolPerson, invited bool, err error)
	// Find is the person with this email, if the pool has them.
	Find(ctx context.Context, email string) (PoolPerson, bool, error)
	// Groups are the groups the person is in now.
	Groups(ctx context.Context, email string) ([]grants.Role, error)
	// AddToGroup puts the person in group, creating the group if the pool
	// has none by that name.
	AddToGroup(ctx context.Context, email string, group grants.Role) error
	// RemoveFromGroup takes the person out of group.
	RemoveFromGroup(ctx context.Context, email string, group grants.Role) error
	// Members are the people in group (none if there is no such group).
	Members(ctx context.Context, group grants.Role) ([]PoolPerson, error)
	// Disable stops the person signing in and ends what the pool issued
	// them (their refresh tokens).
	Disable(ctx context.Context, email string) error
}

// SessionEnder ends a person's sessions (pkg/web/signin's SignOuts): every
// token issued to them up to at is refused by the web app and the API.
type SessionEnder interface {
	EndSessions(ctx context.Context, actorID string, at time.Time) error
}

// Staff is the staff administration's use cases.
type Staff struct {
	pool     UserPool
	sessions SessionEnder
	now      func() time.Time
	// names are the pool's names as last read (names.go): the Staff's
	// own, so each deployment (each local stack) keeps its own.
	names namesCache
}

// NewStaff builds the staff's use cases on the pool and the sessions'
// record.
func NewStaff(pool UserPool, sessions SessionEnder, env Env) *Staff {
	return &Staff{pool: pool, sessions: sessions, now: env.Now}
}

// StaffEditors may use every staff use case: the administrator, whose
// group holds in every programme.
var StaffEditors = []grants.Role{grants.RoleAdmin}

// StaffRole is a role a person holds where a programme's staff list shows
// it: in the programme only, or in every programme.
type StaffRole struct {
	Role       grants.Role `json:"role"`
	Everywhere bool        `json:"everywhere"`
}

// StaffMember is one person on a programme's staff list.
type StaffMember struct {
	Email   string      `json:"email"`
	Name    string      `json:"name"`
	Enabled bool        `json:"enabled"`
	Status  string      `json:"status,omitempty"`
	Roles   []StaffRole `json:"roles"`
}

// StaffList is who holds which role in a programme.
type StaffList struct {
	Programme string        `json:"programme"`
	Staff     []StaffMember `json:"staff"`
}

// Invited is what an invitation did.
type Invited struct {
	Programme string      `json:"programme"`
	Email     string      `json:"email"`
	Name      string      `json:"name"`
	Role      grants.Role `json:"role"`
	// Invitation is whether the pool's invitation email went now: false
	// for a person the pool had already, who just got the role.
	Invitation bool `json:"invitation"`
}

// allowed admits the administrator only: the group "admin" itself, which
// holds in every programme (no programme's group may make one).
func (x *Staff) allowed(actor grants.Actor) error {
	if !slices.Contains(actor.Groups, grants.RoleAdmin) {
		return &grants.Error{Code: grants.Forbidden, Message: "Only an administrator may manage staff.", Reason: "forbidden"}
	}
	return nil
}

func checkProgramme(programme string) error {
	if !grants.ValidProgramme(programme) {
		return grants.Validation([]grants.FieldError{{Field: "programme", Reason: "must be a programme code: 1 to 64 letters, digits, '-' or '_'"}})
	}
	return nil
}

// Invite gives the person in.Role in programme, inviting them first if the
// pool does not have them. Sent twice, it makes one person and one
// membership, and sends one invitation.
func (x *Staff) Invite(ctx context.Context, actor grants.Actor, programme string, in grants.StaffInvite) (Invited, error) {
	if err := x.allowed(actor); err != nil {
		return Invited{}, err
	}
	if err := checkProgramme(programme); err != nil {
		return Invited{}, err
	}
	in, err := in.Check()
	if err != nil {
		return Invited{}, err
	}
	p, invited, err := x.pool.Invite(ctx, in.Email, in.Name)
	if err != nil {
		return Invited{}, fmt.Errorf("invite: %w", err)
	}
	if err := x.pool.AddToGroup(ctx, in.Email, in.Role.In(programme)); err != nil {
		return Invited{}, fmt.Errorf("give a role: %w", err)
	}
	name := p.Name
	if name == "" {
		name = in.Name
	}
	return Invited{Programme: programme, Email: in.Email, Name: name, Role: in.Role, Invitation: invited}, nil
}

// List is who holds a role in programme: each staff role held there only,
// each held everywhere, and the administrators.
func (x *Staff) List(ctx context.Context, actor grants.Actor, programme string) (StaffList, error) {
	if err := x.allowed(actor); err != nil {
		return StaffList{}, err
	}
	if err := checkProgramme(programme); err != nil {
		return StaffList{}, err
	}
	byEmail := map[string]*StaffMember{}
	var groups []grants.Role
	for _, r := range grants.StaffRoles {
		groups = append(groups, r.In(programme), r)
	}
	groups = append(groups, grants.RoleAdmin)
	for _, g := range groups {
		people, err := x.pool.Members(ctx, g)
		if err != nil {
			return StaffList{}, fmt.Errorf("list group %s: %w", g, err)
		}
		role, in := g.Split()
		for _, p := range people {
			m := byEmail[p.Email]
			if m == nil {
				m = &StaffMember{Email: p.Email, Name: p.Name, Enabled: p.Enabled, Status: p.Status}
				byEmail[p.Email] = m
			}
			m.Roles = append(m.Roles, StaffRole{Role: role, Everywhere: in == ""})
		}
	}
	l := StaffList{Programme: programme, Staff: []StaffMember{}}
	for _, m := range byEmail {
		l.Staff = append(l.Staff, *m)
	}
	slices.SortFunc(l.Staff, func(a, b StaffMember) int { return strings.Compare(a.Email, b.Email) })
	return l, nil
}

// RemoveRole takes role in programme from the person and ends their
// sessions, so their next request (page or API) is refused and they sign
// in again with what they hold now. A role they do not hold there is
// nothing to do (a retry ends nothing again); one they hold in every
// programme cannot be narrowed to one here, and is refused as such.
func (x *Staff) RemoveRole(ctx context.Context, actor grants.Actor, programme, email string, role grants.Role) error {
	if err := x.allowed(actor); err != nil {
		return err
	}
	if err := checkProgramme(programme); err != nil {
		return err
	}
	var errs []grants.FieldError
	email, bad := grants.StaffEmail("email", email)
	if bad != nil {
		errs = append(errs, *bad)
	}
	if bad := grants.StaffRole("role", role); bad != nil {
		errs = append(errs, *bad)
	}
	if len(errs) > 0 {
		return grants.Validation(errs)
	}
	p, err := x.person(ctx, email)
	if err != nil {
		return err
	}
	groups, err := x.pool.Groups(ctx, email)
	if err != nil {
		return fmt.Errorf("read the groups: %w", err)
	}
	group := role.In(programme)
	if !slices.Contains(groups, group) {
		if slices.Contains(groups, role) {
			return &grants.Error{Code: grants.Conflict, Reason: "held_everywhere",
				Message: "This person holds " + string(role) + " in every programme, not in this one alone; disable them, or change their groups in the user pool."}
		}
		return nil
	}
	if err := x.pool.RemoveFromGroup(ctx, email, group); err != nil {
		return fmt.Errorf("remove a role: %w", err)
	}
	return x.end(ctx, p)
}

// Disable stops the person signing in, ends what the pool issued them and
// ends their sessions here. Disabling oneself is refused: the last
// administrator would lock everyone out.
func (x *Staff) Disable(ctx context.Context, actor grants.Actor, email string) error {
	if err := x.allowed(actor); err != nil {
		return err
	}
	email, bad := grants.StaffEmail("email", email)
	if bad != nil {
		return grants.Validation([]grants.FieldError{*bad})
	}
	p, err := x.person(ctx, email)
	if err != nil {
		return err
	}
	if p.ID != "" && p.ID == actor.ID {
		return &grants.Error{Code: grants.Conflict, Reason: "self", Message: "You cannot disable yourself: ask another administrator."}
	}
	if err := x.pool.Disable(ctx, email); err != nil {
		return fmt.Errorf("disable: %w", err)
	}
	return x.end(ctx, p)
}

func (x *Staff) person(ctx context.Context, email string) (PoolPerson, error) {
	p, found, err := x.pool.Find(ctx, email)
	if err != nil {
		return PoolPerson{}, fmt.Errorf("find a person: %w", err)
	}
	if !found {
		return PoolPerson{}, &grants.Error{Code: grants.NotFound, Reason: "no_such_person", Message: "The user pool has no one with this email."}
	}
	return p, nil
}

// end ends p's sessions now: after the pool's change, so a token issued
// before it (naming what they held) is refused, and one issued after it
// names what they hold now.
func (x *Staff) end(ctx context.Context, p PoolPerson) error {
	if p.ID == "" {
		return nil
	}
	if err := x.sessions.EndSessions(ctx, p.ID, x.now()); err != nil {
		return fmt.Errorf("end the sessions: %w", err)
	}
	return nil
}
