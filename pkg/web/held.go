package web

import (
	"net/http"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

// heldView is what the held-messages page shows beside the messages
// (issue 26, items 3 and 5): the agreements each sender may be writing
// about, and a refused form's fields as they were typed.
type heldView struct {
	Suggestions map[string][]service.Suggestion // by sender address
	// Typed is the refused form's values, of message TypedID.
	TypedID string
	Typed   map[string]string
}

// typed is what was typed in the named field of message id's form, if its
// form was the one refused.
func (h heldView) typed(id, name string) string {
	if h.TypedID != id {
		return ""
	}
	return h.Typed[name]
}

// heldView reads the suggestions for the messages that name no agreement,
// each programme's in one bounded read (service.Agreements.Suggest), and
// keeps a refused form's fields.
func (a *App) heldView(r *http.Request, v *view, held []grants.Quarantined) (heldView, error) {
	hv := heldView{Suggestions: map[string][]service.Suggestion{}}
	if r.Method == http.MethodPost && r.PostForm != nil {
		hv.TypedID, hv.Typed = r.PathValue("id"), map[string]string{}
		for _, k := range []string{"agreement", "checkIn", "note", "reason"} {
			hv.Typed[k] = r.PostForm.Get(k)
		}
	}
	senders := map[string][]string{}
	for _, q := range held {
		if q.AgreementID == "" && q.Detail != grants.HeldEnquiry {
			p := q.Programme
			if p == "" {
				p = v.Programme
			}
			senders[p] = append(senders[p], q.Reply.From)
		}
	}
	for p, from := range senders {
		found, err := a.Agreements.Suggest(r.Context(), p, from)
		if err != nil {
			return hv, err
		}
		for k, s := range found {
			hv.Suggestions[k] = s
		}
	}
	return hv, nil
}
