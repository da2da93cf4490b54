package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/web/signin"
)

// An officer emails the partner from the agreement's page (issue 26, item
// 16; Agreements.MessagePartner). The email is queued in the agreement's
// outbox: this function's courier signs no reply addresses, and the email
// needs one (its message+ Reply-To threads the answer back to the
// agreement), so the sweep sends it, on a working day after the
// programme's send time. The sweep runs every half hour (template.yaml,
// SweepFunction's cron(0/30 * * * ? *)), which is what the page promises.

// messageQueued says what happened, and when the email goes, truthfully.
const messageQueued = "The message is queued for the partner. It goes out within half an hour on a working day after the programme's send time (else at the next working day's send time), and appears in the history, with its words, once sent. Their reply will show here under “Messages from the partner”."

// messageForm is the message form as drawn: its own Idempotency-Key (a
// double click sends once) and, after a refusal, the words as typed.
type messageForm struct {
	Key, Words string
}

func messageFormOf(r *http.Request) messageForm {
	return messageForm{Key: newKey(), Words: r.PostForm.Get("message")}
}

// messagePartner queues the officer's message to the partner. The service
// checks the role in the agreement's own programme, so it is given the
// person as signed in, not as placed.
func (a *App) messagePartner(w http.ResponseWriter, r *http.Request) {
	a.act(w, r, "message-queued", programmeOnly, func(v *view) error {
		words := r.PostForm.Get("message")
		actor, _ := signin.ActorFrom(r.Context())
		once := &idempotency.Once[*grants.Agreement]{
			Request: idempotency.Request{Scope: "web message " + r.PathValue("id"), Caller: v.Actor.ID, Key: r.PostForm.Get("key"), Payload: []byte(strings.TrimSpace(words))},
			Render: func(ag *grants.Agreement) (idempotency.Response, error) {
				return idempotency.Response{StatusCode: http.StatusSeeOther, Body: []byte(ag.ID)}, nil
			},
		}
		if once.Request.Key == "" {
			return &grants.Error{Code: grants.Malformed, Message: "The form could not be read."}
		}
		_, _, err := a.Agreements.MessagePartner(r.Context(), actor, r.PathValue("id"), words, once)
		if errors.Is(err, idempotency.ErrPayloadMismatch) {
			return &grants.Error{Code: grants.Conflict, Message: "This form was sent before with other words; nothing more was sent. Reload the page to write another message."}
		}
		return err
	})
}
