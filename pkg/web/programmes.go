package web

import (
	"net/http"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

// The programmes on a page (issue 25, item 2): an administrator creates
// programmes and archives them. The form's fields are the JSON API's
// names, so an error names the field it is shown by.

// programmeFields are the create form's fields in page order.
var programmeFields = []string{"code", "name", "currency", "timeZone", "region", "funderName", "funderOrgId", "funder360GPrefix"}

// programmeHelp is each field's help text on the programmes page.
var programmeHelp = map[string]string{
	"code":             "How the programme is named in addresses, exports and roles (e.g. finance:community-2026): 1 to 64 letters, digits, '-' or '_'. It cannot be changed later.",
	"name":             "The programme's name as pages and emails show it: one line, at most 120 characters.",
	"currency":         "The ISO 4217 code of the programme's awards, e.g. GBP (the default).",
	"timeZone":         "The IANA time zone its dates are in, e.g. Europe/London (the default).",
	"region":           "Whose bank holidays are not working days: nothing goes out on them.",
	"funderName":       "For the programme's 360Giving file, if it is published as a funder other than the deployment's: the funder's name. Give all three funder details, or none.",
	"funderOrgId":      "The funder's org-id, e.g. GB-CHC-1234567.",
	"funder360GPrefix": "The funder's registered 360Giving prefix, e.g. 360G-example.",
}

func init() {
	for k, l := range map[string]string{
		"code": "Programme code", "name": "Programme name", "currency": "Currency", "timeZone": "Time zone", "region": "Bank holidays of",
		"funderName": "Funder's name", "funderOrgId": "Funder's org-id", "funder360GPrefix": "360Giving prefix",
	} {
		if _, taken := fieldLabels[k]; !taken {
			fieldLabels[k] = l
		}
	}
	flashes["programme-created"] = "The programme was created. Its settings start with its name and region; the rest are the deployment's until changed."
	flashes["programme-archived"] = "The programme is archived: it takes no new agreements, and what it holds stays readable."
}

// programmesView is what the page shows: every programme the person sees
// (archived ones marked) and the create form as typed.
type programmesView struct {
	Programmes []grants.Programme
	Form       map[string]string
}

// canCreate reports whether the person may create programmes: an
// administrator of every programme.
func (pv programmesView) canCreate(v *view) bool {
	for _, g := range v.Actor.Groups {
		if g == grants.RoleAdmin {
			return true
		}
	}
	return false
}

// programmes shows the programmes page, for an administrator.
func (a *App) programmes(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "Programmes", "programmes", service.ProgrammeAdmins...)
	if !ok {
		return
	}
	a.renderProgrammes(w, r, v, http.StatusOK, map[string]string{"currency": "GBP", "timeZone": grants.DefaultTimeZone, "region": grants.DefaultRegion})
}

func (a *App) renderProgrammes(w http.ResponseWriter, r *http.Request, v *view, status int, form map[string]string) {
	all, err := a.Programmes.List(r.Context(), v.Actor, true)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.render(w, r, status, layout(v, programmesPage(v, programmesView{Programmes: all, Form: form})))
}

// createProgramme creates a programme from the form; refused, the page
// shows again with what was typed and each error by its field.
func (a *App) createProgramme(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "Programmes", "programmes", service.ProgrammeAdmins...)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		a.fail(w, r, &grants.Error{Code: grants.Malformed, Message: "The form could not be read."})
		return
	}
	typed := map[string]string{}
	for _, f := range programmeFields {
		typed[f] = r.PostForm.Get(f)
	}
	_, err := a.Programmes.Create(r.Context(), v.Actor, grants.NewProgrammeInput{Code: typed["code"], Name: typed["name"], Currency: typed["currency"],
		TimeZone: typed["timeZone"], Region: typed["region"], FunderName: typed["funderName"], FunderOrgID: typed["funderOrgId"], Funder360GPrefix: typed["funder360GPrefix"]})
	if err != nil {
		switch grants.ErrorCode(err) {
		case grants.Invalid, grants.Conflict:
		default:
			a.fail(w, r, err)
			return
		}
		v.Error, v.Fields = "The programme was not created: "+message(err), fieldsOf(err)
		a.renderProgrammes(w, r, v, status(err), typed)
		return
	}
	done(w, r, "/app/programmes", "programme-created")
}

// archiveProgramme archives a programme, for its administrator.
func (a *App) archiveProgramme(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "Programmes", "programmes", service.ProgrammeAdmins...)
	if !ok {
		return
	}
	code := r.PathValue("programme")
	if !grants.ValidProgramme(code) {
		a.fail(w, r, &grants.Error{Code: grants.NotFound, Message: "There is no such programme."})
		return
	}
	if _, err := a.Programmes.Archive(r.Context(), v.Actor, code); err != nil {
		a.fail(w, r, err)
		return
	}
	done(w, r, "/app/programmes", "programme-archived")
}
