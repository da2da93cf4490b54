package grants

import (
	"slices"
	"strings"
	"unicode"
)

// Staff (issue 25, item 4): an administrator invites people by email and
// gives and removes their roles per programme.

// StaffRoles are the roles an administrator gives in one programme. The
// administrator's own role is not one: it holds in every programme, given
// by the deploy runbook's command, so no administrator can make another
// for one programme only and no programme's page can make one at all.
var StaffRoles = []Role{RoleProgramme, RoleFinance, RoleViewer}

// MaxStaffName bounds a person's name as the invitation shows it (Cognito
// allows 2048; nobody's name needs that).
const MaxStaffName = 120

// StaffInvite is an invitation: who (their email, their sign-in name) and
// the role they get in the programme it is sent for.
type StaffInvite struct {
	Email string `json:"email"`
	Name  string `json:"name"`
	Role  Role   `json:"role"`
}

// StaffEmail is email as the pool keys people, or a field error: trimmed
// and in lower case, so that an invitation sent twice with different
// capitals makes one person.
func StaffEmail(field, email string) (string, *FieldError) {
	e := strings.ToLower(strings.TrimSpace(email))
	if e == "" {
		return "", &FieldError{Field: field, Reason: "is required"}
	}
	if why := emailProblem(e, nil); why != "" {
		return "", &FieldError{Field: field, Reason: why}
	}
	return e, nil
}

// StaffRole is role if an administrator may give or remove it in one
// programme, else a field error saying why not.
func StaffRole(field string, role Role) *FieldError {
	switch {
	case role == "":
		return &FieldError{Field: field, Reason: "is required"}
	case role == RoleAdmin:
		return &FieldError{Field: field, Reason: "admin is held in every programme and given by the deploy runbook, not per programme"}
	case !slices.Contains(StaffRoles, role):
		return &FieldError{Field: field, Reason: "must be one of programme, finance, viewer"}
	}
	return nil
}

// Check reads the invitation as the pool keeps it (see StaffEmail), each
// bad field an error by its name.
func (i StaffInvite) Check() (StaffInvite, error) {
	var errs fieldErrors
	email, bad := StaffEmail("email", i.Email)
	if bad != nil {
		errs = append(errs, *bad)
	}
	name := strings.TrimSpace(i.Name)
	switch {
	case name == "":
		errs.add("name", "is required")
	case len([]rune(name)) > MaxStaffName:
		errs.add("name", "must be at most %d characters", MaxStaffName)
	case strings.IndexFunc(name, func(r rune) bool { return unicode.IsControl(r) || unicode.In(r, unicode.Cf) }) >= 0:
		errs.add("name", "must not contain control or invisible characters")
	}
	if bad := StaffRole("role", i.Role); bad != nil {
		errs = append(errs, *bad)
	}
	return StaffInvite{Email: email, Name: name, Role: i.Role}, errs.err()
}
