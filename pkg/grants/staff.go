package grants

import (
	"slices"
	"strings"
)

// Role is a staff group (a Cognito group) that grants a set of actions.
type Role string

const (
	RoleProgramme Role = "programme"
	RoleFinance   Role = "finance"
	RoleViewer    Role = "viewer"
)

// Readers may read agreements and the programme's state.
var Readers = []Role{RoleProgramme, RoleFinance, RoleViewer}

// Actor is a signed-in member of staff. ID is who they are, for every
// comparison of people (the two-person rule, idempotency): their token's
// issuer and subject, which no one can change or choose. Name is how
// they are shown and what history records: their email address, a display
// value only, since a user could once change it.
type Actor struct {
	ID     string
	Name   string
	Groups []Role
}

// StaffActor is the actor an ID token names: issuer and subject make the
// ID; the email (else the username) is the name.
func StaffActor(issuer, subject, email, username string, groups []Role) Actor {
	a := Actor{Name: email, Groups: groups}
	if subject != "" {
		a.ID = issuer + "#" + subject
	}
	if a.Name == "" {
		a.Name = username
	}
	if a.Name == "" {
		a.Name = subject
	}
	return a
}

// Subject is the token's subject the actor's ID carries: the person's
// username in a user pool whose sign-in name is their email (Cognito then
// makes the sub the username), so it is how the pool is asked about them.
// An issuer holds no "#" (OpenID Connect forbids a fragment in it), so the
// subject is all after the first one; empty for an actor with no ID.
func (a Actor) Subject() string {
	_, sub, _ := strings.Cut(a.ID, "#")
	return sub
}

// Is reports whether the actor is the person a record names: by ID, or,
// for a record kept before IDs were (id empty), by the name it was kept
// under.
func (a Actor) Is(id, name string) bool {
	if id != "" {
		return a.ID == id
	}
	return a.Name != "" && strings.EqualFold(a.Name, name)
}

// A group is a role in every programme ("finance") or in one programme
// ("finance:community-2026", issue 25): Cognito's groups are the pool's,
// so a role held for one programme is a group of its own, and a token's
// groups claim carries both kinds.
const scopeSeparator = ":"

// In is the group that gives role in programme only.
func (r Role) In(programme string) Role { return r + scopeSeparator + Role(programme) }

// Split is the role a group gives and the programme it holds in ("": all).
// A group "finance:" names no programme and gives nothing.
func (r Role) Split() (Role, string) {
	role, programme, scoped := strings.Cut(string(r), scopeSeparator)
	if scoped && programme == "" {
		return "", ""
	}
	return Role(role), programme
}

// Has reports whether the actor holds any of the roles, in any programme:
// whether a route or page is open to them at all. What they may do in one
// programme is In(programme)'s.
func (a Actor) Has(roles ...Role) bool {
	for _, g := range a.Groups {
		role, _ := g.Split()
		if slices.Contains(roles, role) {
			return true
		}
	}
	return false
}

// HasIn reports whether the actor holds any of the roles in programme.
func (a Actor) HasIn(programme string, roles ...Role) bool {
	return a.In(programme).Has(roles...)
}

// In is the actor as they act in programme: the roles they hold there (in
// every programme or in it alone), each by its plain name, so every check
// made on it (Has, what a reply shows to whom) is a check in programme.
func (a Actor) In(programme string) Actor {
	in := a
	in.Groups = nil
	for _, g := range a.Groups {
		role, p := g.Split()
		if role != "" && (p == "" || p == programme) && !slices.Contains(in.Groups, role) {
			in.Groups = append(in.Groups, role)
		}
	}
	return in
}

// Everywhere reports whether every role the actor holds holds in every
// programme (no group of theirs names one): In is then the actor as is.
func (a Actor) Everywhere() bool {
	for _, g := range a.Groups {
		if _, p := g.Split(); p != "" {
			return false
		}
	}
	return true
}

// Sees reports whether the actor holds a role in programme that reads it
// (a reader's, or the administrator's, who reads its settings).
func (a Actor) Sees(programme string) bool {
	return a.HasIn(programme, append(slices.Clone(Readers), RoleAdmin)...)
}
