package web

import (
	"net/http"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
)

// markFeedback records which part of a reply is its feedback for the
// programme team (issue 24): the passage in the form, or none when the
// officer ticks that the reply holds none. A blank passage without the tick
// is refused, so a cleared box is never taken to mean "no feedback".
func (a *App) markFeedback(w http.ResponseWriter, r *http.Request) {
	a.act(w, r, "feedback-marked", programmeOnly, func(v *view) error {
		n, err := number(r.PathValue("n"))
		if err != nil {
			return err
		}
		passage := r.PostForm.Get("passage")
		if r.PostForm.Get("none") != "" {
			passage = ""
		} else if strings.TrimSpace(passage) == "" {
			return grants.Validation([]grants.FieldError{{Field: "passage", Reason: "paste the part of the reply that is feedback, or tick that it holds none"}})
		}
		_, err = a.Replies.MarkFeedback(r.Context(), v.Actor, r.PathValue("id"), n, r.PostForm.Get("messageId"), &passage)
		return err
	})
}
