package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

// themeForm is a tag or an action as the officer sent it: For is which
// form ("action", or the feedback's "<agreement ID>#<check-in>").
type themeForm struct {
	For                  string
	Theme, What, On, Who string
}

// forEntry is the form key of an entry's tag form.
func forEntry(e grants.FeedbackEntry) string { return e.AgreementID + "#" + strconv.Itoa(e.CheckIn) }

func init() {
	fieldLabels["theme"], fieldLabels["what"], fieldLabels["on"], fieldLabels["who"] = "Theme", "What we did", "Done on", "Who did it"
	fieldLabels["agreementId"], fieldLabels["checkIn"] = "Agreement", "Check-in"
	flashes["theme-tagged"] = "The feedback was tagged with the theme."
	flashes["theme-action"] = "What the programme did about the theme was recorded."
}

// tagFeedback tags a partner's feedback with a theme.
func (a *App) tagFeedback(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "What partners told us", "feedback", programmeOnly...)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		a.fail(w, r, &grants.Error{Code: grants.Malformed, Message: "The form could not be read."})
		return
	}
	in := service.ThemeTagInput{Theme: r.PostForm.Get("theme"), AgreementID: r.PostForm.Get("agreementId")}
	in.CheckIn, _ = strconv.Atoi(strings.TrimSpace(r.PostForm.Get("checkIn")))
	if _, err := a.Themes.Tag(r.Context(), v.Actor.Name, v.Programme, in); err != nil {
		a.themeRefused(w, r, v, err, themeForm{For: in.AgreementID + "#" + strconv.Itoa(in.CheckIn), Theme: in.Theme}, "The feedback was not tagged: ")
		return
	}
	done(w, r, "/app/feedback", "theme-tagged")
}

// recordThemeAction records what the programme did about a theme.
func (a *App) recordThemeAction(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "What partners told us", "feedback", programmeOnly...)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		a.fail(w, r, &grants.Error{Code: grants.Malformed, Message: "The form could not be read."})
		return
	}
	g := r.PostForm.Get
	in := service.ThemeActionInput{Theme: g("theme"), What: g("what"), On: g("on"), Who: g("who")}
	if _, err := a.Themes.Act(r.Context(), v.Actor.Name, v.Programme, in); err != nil {
		a.themeRefused(w, r, v, err, themeForm{For: "action", Theme: in.Theme, What: in.What, On: in.On, Who: in.Who}, "Nothing was recorded: ")
		return
	}
	done(w, r, "/app/feedback", "theme-action")
}

// themeRefused shows the page again with the refused form's fields marked.
func (a *App) themeRefused(w http.ResponseWriter, r *http.Request, v *view, err error, form themeForm, what string) {
	if status(err) != http.StatusBadRequest {
		a.fail(w, r, err)
		return
	}
	v.Error, v.Fields = what+message(err), fieldsOf(err)
	a.showFeedback(w, r, v, status(err), form)
}
