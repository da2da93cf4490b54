package web

import (
	"net/http"

	"github.com/partnership-grants/backend/pkg/grants"

	"github.com/partnership-grants/backend/pkg/web/signin"
)

// deleteDraft deletes a draft created by mistake (issue 26, item 16), once
// the officer has ticked that they understand nothing of it is kept; then
// the agreements list says so. The service checks the role in the draft's
// own programme, so it is given the person as signed in, not as placed.
// The draft's documents' files go with it (service.Drafts).
func (a *App) deleteDraft(w http.ResponseWriter, r *http.Request) {
	a.post(w, r, "agreements", programmeOnly, "/app/agreements", "draft-deleted", a.showAgreement, func(v *view) error {
		if r.PostForm.Get("understood") != "yes" {
			return &grants.Error{Code: grants.Invalid, Message: "Tick the box to confirm that the draft and its history are deleted for good."}
		}
		actor, _ := signin.ActorFrom(r.Context())
		return a.Drafts.DeleteDraft(r.Context(), actor, r.PathValue("id"))
	})
}
