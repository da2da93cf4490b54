package grants

// Role is a staff group (a Cognito group) that grants a set of actions.
type Role string

const (
	RoleProgramme Role = "programme"
	RoleFinance   Role = "finance"
	RoleViewer    Role = "viewer"
)

// Readers may read agreements and the programme's state.
var Readers = []Role{RoleProgramme, RoleFinance, RoleViewer}

// Actor is a signed-in member of staff: who they are (the ID history
// records) and their groups.
type Actor struct {
	ID     string
	Groups []Role
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
