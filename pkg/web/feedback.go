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
	f, err := a.Views.Feedback(r.Context(), a.Programme)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.render(w, r, http.StatusOK, layout(v, feedbackPage(v, f)))
}
