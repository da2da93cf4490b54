package web

import "net/http"

// feedback is "What partners told us": partners' words across the
// programme by check-in round, for programme staff only (partners write
// more honestly when those who approve their payments are not the readers).
func (a *App) feedback(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "What partners told us", "feedback", programmeOnly...)
	if !ok {
		return
	}
	a.showFeedback(w, r, v, http.StatusOK, themeForm{})
}

// showFeedback renders the feedback page with its themes (issue 24, item
// 3); form is what a refused tag or action held, to show again by field.
func (a *App) showFeedback(w http.ResponseWriter, r *http.Request, v *view, status int, form themeForm) {
	f, err := a.Views.Feedback(r.Context(), v.Programme)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	themes, err := a.Themes.List(r.Context(), v.Programme)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.render(w, r, status, layout(v, feedbackPage(v, f, themes, form)))
}
