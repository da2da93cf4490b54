package web

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/web/signin"
)

// AgreementPlaces tells the programme an agreement belongs to (NotFound
// for none).
type AgreementPlaces interface {
	AgreementProgramme(ctx context.Context, id string) (string, error)
}

// programmeCookie keeps the programme a person last switched to.
const programmeCookie = "programme"

// visible is the programmes the actor may switch between.
func (a *App) visible(ctx context.Context, actor grants.Actor) ([]grants.Programme, error) {
	if a.Programmes != nil {
		return a.Programmes.Visible(ctx, actor)
	}
	if a.Programme == "" || !actor.Sees(a.Programme) {
		return nil, nil
	}
	return []grants.Programme{{Code: a.Programme, Name: a.ProgrammeName}}, nil
}

// place sets the programme v's page is of, and v.Actor to the person as
// they act there (issue 25, item 6):
//   - an agreement's pages are of its programme; where the person holds no
//     role, the agreement is as absent as one that does not exist;
//   - partners, pay runs and held messages span programmes: they act there
//     with the roles they hold in every programme;
//   - enquiries are the enquiry address's programme's;
//   - on the programmes page they act as they are (its use case asks);
//   - every other page is of the programme they chose (?programme=, else
//     the one last switched to, else the first they may see).
func (a *App) place(r *http.Request, v *view) error {
	actor := v.Actor
	v.Everywhere = actor.Everywhere()
	programmes, err := a.visible(r.Context(), actor)
	if err != nil {
		return err
	}
	v.Programmes = programmes
	path := strings.TrimPrefix(r.URL.Path, base(r))
	acting := func() grants.Actor { return actor.In(v.Programme) }
	switch id := r.PathValue("id"); {
	case id != "" && strings.HasPrefix(path, "/app/agreements/"):
		if a.Places == nil {
			if !actor.Everywhere() {
				return &grants.Error{Code: grants.Forbidden, Message: "Your roles hold in some programmes only, and this deployment cannot tell this agreement's."}
			}
			v.Programme = a.Programme
			break
		}
		p, err := a.Places.AgreementProgramme(r.Context(), id)
		if err != nil {
			return err
		}
		if len(actor.In(p).Groups) == 0 {
			return &grants.Error{Code: grants.NotFound, Message: "Agreement " + id + " does not exist.", Reason: "agreement_not_found"}
		}
		v.Programme = p
	case strings.HasPrefix(path, "/app/partners") || strings.HasPrefix(path, "/app/payment-runs") || strings.HasPrefix(path, "/app/quarantine"):
		v.Programme = a.chosen(r, programmes)
		acting = func() grants.Actor { return actor.In("") }
	case strings.HasPrefix(path, "/app/programmes"):
		// The programmes page lists each programme by what the person
		// holds in it, as its use case asks: they act as they are.
		v.Programme = a.chosen(r, programmes)
		acting = func() grants.Actor { return actor }
	case strings.HasPrefix(path, "/app/enquiries") && a.Enquiries != nil:
		v.Programme = a.Enquiries.Programme()
	default:
		v.Programme = a.chosen(r, programmes)
	}
	v.ProgrammeName = nameOf(programmes, v.Programme)
	if v.ProgrammeName == "" {
		v.ProgrammeName = v.Programme
	}
	v.Actor = acting()
	return nil
}

// chosen is the programme the person chose among programmes: by the
// query, else the cookie, else the first; "" for none.
func (a *App) chosen(r *http.Request, programmes []grants.Programme) string {
	want := r.URL.Query().Get("programme")
	if want == "" {
		if c, err := r.Cookie(signin.CookieName(r, programmeCookie)); err == nil {
			want = c.Value
		}
	}
	if i := slices.IndexFunc(programmes, func(p grants.Programme) bool { return p.Code == want }); i >= 0 {
		return programmes[i].Code
	}
	if len(programmes) > 0 {
		return programmes[0].Code
	}
	return ""
}

func nameOf(programmes []grants.Programme, code string) string {
	if i := slices.IndexFunc(programmes, func(p grants.Programme) bool { return p.Code == code }); i >= 0 {
		return programmes[i].Name
	}
	return ""
}

// switchProgramme keeps the programme chosen on the switcher for the
// pages that follow; one the person may not see is refused.
func (a *App) switchProgramme(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "Programme", "")
	if !ok {
		return
	}
	want := r.PostFormValue("programme")
	if !slices.ContainsFunc(v.Programmes, func(p grants.Programme) bool { return p.Code == want }) {
		a.fail(w, r, &grants.Error{Code: grants.Forbidden, Message: "You hold no role in that programme."})
		return
	}
	http.SetCookie(w, &http.Cookie{Name: signin.CookieName(r, programmeCookie), Value: want, Path: "/",
		HttpOnly: true, Secure: !signin.PlainLoopback(r), SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, base(r)+"/app", http.StatusSeeOther)
}
