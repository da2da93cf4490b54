package grants

import "strings"

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

// Has reports whether the actor is in any of the roles.
func (a Actor) Has(roles ...Role) bool {
	for _, g := range a.Groups {
		for _, r := range roles {
			if g == r {
				return true
			}
		}
	}
	return false
}
