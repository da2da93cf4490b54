package web

import "net/http"

// recordAcceptance records the partner's acceptance given another way (a
// signed paper copy, a meeting, a call), with the officer's note: the
// same use case as POST /agreements/{id}/acceptance.
func (a *App) recordAcceptance(w http.ResponseWriter, r *http.Request) {
	a.act(w, r, "acceptance-recorded", programmeOnly, func(v *view) error {
		_, err := a.Agreements.RecordAcceptance(r.Context(), v.Actor.Name, r.PathValue("id"), r.PostForm.Get("channel"), r.PostForm.Get("note"))
		return err
	})
}
