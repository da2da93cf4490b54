package web

import (
	"net/http"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
	"github.com/partnership-grants/backend/pkg/web/signin"
)

// The staff page (issue 25, item 4): the administrator sees who holds which
// role in the programme, invites a person by email with a role here,
// removes a role, and disables a person. Removing a role or disabling ends
// the person's sessions (service.Staff), so their next page is refused.

// staffForm is the invitation form as shown: what was typed when it was
// refused.
type staffForm struct {
	Email, Name, Role string
}

func init() {
	for k, l := range map[string]string{"email": "Email", "name": "Name", "role": "Role"} {
		if _, taken := fieldLabels[k]; !taken {
			fieldLabels[k] = l
		}
	}
	flashes["staff-invited"] = "The person was invited: Cognito has emailed them a temporary password. They hold the role here."
	flashes["staff-role-given"] = "The person was in the user pool already and now holds the role here (no invitation was sent)."
	flashes["staff-role-removed"] = "The role was removed. Their sessions have ended: they sign in again with the roles they still hold."
	flashes["staff-disabled"] = "The person was disabled and signed out everywhere: they can no longer sign in."
}

// staffRoleNames are the roles the invitation form offers.
func staffRoleNames() []string {
	out := make([]string, len(grants.StaffRoles))
	for i, r := range grants.StaffRoles {
		out[i] = string(r)
	}
	return out
}

// staff shows the programme's staff and the invitation form.
func (a *App) staff(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "Staff", "staff", service.StaffEditors...)
	if !ok {
		return
	}
	a.showStaff(w, r, v, http.StatusOK, staffForm{Role: string(grants.RoleFinance)})
}

// showStaff renders the page with the list as the pool has it now.
func (a *App) showStaff(w http.ResponseWriter, r *http.Request, v *view, status int, form staffForm) {
	l, err := a.Staff.List(r.Context(), unplaced(r), v.Programme)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.render(w, r, status, layout(v, staffPage(v, l, form)))
}

// refused shows the page again with why an action was not taken: a
// mistake of the form's (by its field) or of the state of things (a role
// held everywhere, oneself); anything else is the error page.
func (a *App) refused(w http.ResponseWriter, r *http.Request, v *view, err error, form staffForm) {
	switch grants.ErrorCode(err) {
	case grants.Invalid, grants.Conflict, grants.NotFound:
	default:
		a.fail(w, r, err)
		return
	}
	v.Error, v.Fields = "Nothing was changed: "+message(err), fieldsOf(err)
	a.showStaff(w, r, v, status(err), form)
}

// inviteStaff invites the person the form names with the role here.
func (a *App) inviteStaff(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "Staff", "staff", service.StaffEditors...)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		a.fail(w, r, &grants.Error{Code: grants.Malformed, Message: "The form could not be read."})
		return
	}
	form := staffForm{Email: r.PostForm.Get("email"), Name: r.PostForm.Get("name"), Role: r.PostForm.Get("role")}
	x, err := a.Staff.Invite(r.Context(), unplaced(r), v.Programme, grants.StaffInvite{Email: form.Email, Name: form.Name, Role: grants.Role(form.Role)})
	if err != nil {
		a.refused(w, r, v, err, form)
		return
	}
	if x.Invitation {
		done(w, r, "/app/staff", "staff-invited")
		return
	}
	done(w, r, "/app/staff", "staff-role-given")
}

// removeStaffRole takes a role here from a person.
func (a *App) removeStaffRole(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "Staff", "staff", service.StaffEditors...)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		a.fail(w, r, &grants.Error{Code: grants.Malformed, Message: "The form could not be read."})
		return
	}
	if err := a.Staff.RemoveRole(r.Context(), unplaced(r), v.Programme, r.PostForm.Get("email"), grants.Role(r.PostForm.Get("role"))); err != nil {
		a.refused(w, r, v, err, staffForm{Role: string(grants.RoleFinance)})
		return
	}
	done(w, r, "/app/staff", "staff-role-removed")
}

// disableStaff disables a person.
func (a *App) disableStaff(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "Staff", "staff", service.StaffEditors...)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		a.fail(w, r, &grants.Error{Code: grants.Malformed, Message: "The form could not be read."})
		return
	}
	if err := a.Staff.Disable(r.Context(), unplaced(r), r.PostForm.Get("email")); err != nil {
		a.refused(w, r, v, err, staffForm{Role: string(grants.RoleFinance)})
		return
	}
	done(w, r, "/app/staff", "staff-disabled")
}

// unplaced is the signed-in person with the groups their token names, not
// as they act in the page's programme (view.Actor): the staff's use cases
// admit the administrator's own group, which holds in every programme,
// and a group of one programme named like it must not pass for it.
func unplaced(r *http.Request) grants.Actor {
	a, _ := signin.ActorFrom(r.Context())
	return a
}
