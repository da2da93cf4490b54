package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
)

// The partner pages (issue 23: a partner known across its agreements):
// the list with a search by name, a partner's page with its agreements,
// history and amend form, and the ways an agreement from before partner
// records gets one (its own button, or the whole programme's at once).

// partnerPickerSize is how many partners the new-agreement form offers to
// pick from (by name; the partners page searches the rest).
const partnerPickerSize = 200

func (a *App) partners(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "Partners", "partners", grants.Readers...)
	if !ok {
		return
	}
	q := r.URL.Query()
	page, err := a.Partners.List(r.Context(), q.Get("q"), q.Get("cursor"), listPageSize)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	next := ""
	if page.NextCursor != "" {
		next = "/app/partners?" + url.Values{"cursor": {page.NextCursor}, "q": {q.Get("q")}}.Encode()
	}
	a.render(w, r, http.StatusOK, layout(v, partnersPage(v, q.Get("q"), page.Items, next, q.Get("linked"))))
}

func (a *App) partner(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "Partner", "partners", grants.Readers...)
	if !ok {
		return
	}
	a.showPartner(w, r, v, http.StatusOK, nil)
}

// partnerForm is the amend form as typed, kept to show again with errors.
type partnerForm struct {
	Name, Type, Registration, Address, Version string
}

func (a *App) showPartner(w http.ResponseWriter, r *http.Request, v *view, code int, f *partnerForm) {
	p, err := a.Partners.Partner(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v.Title = p.Name
	if f == nil {
		f = &partnerForm{Name: p.Name, Type: string(p.Type), Registration: p.RegistrationNumber, Address: p.Address, Version: strconv.Itoa(p.Version)}
	}
	a.render(w, r, code, layout(v, partnerPage(v, p, *f)))
}

// amendPartner changes a partner record at the version the form was drawn
// at; a problem is shown next to its field, what was typed kept.
func (a *App) amendPartner(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "Partner", "partners", programmeOnly...)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		a.fail(w, r, &grants.Error{Code: grants.Malformed, Message: "The form could not be read."})
		return
	}
	g := func(k string) string { return strings.TrimSpace(r.PostForm.Get(k)) }
	f := partnerForm{Name: g("name"), Type: g("type"), Registration: g("registration"), Address: g("address"), Version: g("version")}
	version, _ := strconv.Atoi(f.Version)
	typ := grants.PartnerType(f.Type)
	_, err := a.Partners.Amend(r.Context(), v.Actor.Name, r.PathValue("id"), version, grants.PartnerAmendment{
		Name: &f.Name, Type: &typ, RegistrationNumber: &f.Registration, Address: &f.Address})
	if err != nil {
		if status(err) == http.StatusInternalServerError || status(err) == http.StatusNotFound {
			a.fail(w, r, err)
			return
		}
		v.Error, v.Fields = "The partner was not changed: "+message(err), fieldsOf(err)
		a.showPartner(w, r, v, status(err), &f)
		return
	}
	done(w, r, "/app/partners/"+r.PathValue("id"), "partner-saved")
}

// partnerOfAgreement opens the partner page of an agreement, making its
// partner record first if it was made before partner records (lazily).
func (a *App) partnerOfAgreement(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "Partner", "partners", programmeOnly...)
	if !ok {
		return
	}
	p, err := a.Partners.OfAgreement(r.Context(), v.Actor.Name, r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	done(w, r, "/app/partners/"+p.ID, "partner-found")
}

// linkProgramme gives every agreement of the programme from before partner
// records its record (the back-fill), and says how many it linked.
func (a *App) linkProgramme(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "Partners", "partners", programmeOnly...)
	if !ok {
		return
	}
	n, err := a.Partners.LinkProgramme(r.Context(), v.Actor.Name, v.Programme)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	http.Redirect(w, r, base(r)+"/app/partners?linked="+strconv.Itoa(n), http.StatusSeeOther)
}

// fieldsOf is an error's field reasons by field.
func fieldsOf(err error) map[string]string {
	out := map[string]string{}
	if e, ok := err.(*grants.Error); ok {
		for _, f := range e.Fields {
			out[f.Field] = f.Reason
		}
	}
	return out
}
