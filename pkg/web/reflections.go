package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/service"
)

// "You said, we did" (issue 24, item 4): once a round an officer writes to
// every active partner's lead contact what partners said and what the
// programme did, starting from words drafted from the themes and their
// actions; the page shows the email as a partner will get it before it is
// sent, and sends it once (the form's key makes a second press, or a
// reload, the same request).

// reflectionForm is the form as the officer sent it (or as drafted).
type reflectionForm struct {
	Round, Message, Key string
}

// reflectionPreview is the email one partner would get: to whom, its
// subject and text (Err says why there is none).
type reflectionPreview struct {
	Partner, To, Subject, Text, Err string
}

func init() {
	fieldLabels["round"], fieldLabels["message"] = "Round", "Message"
	flashes["reflection-sent"] = "\"You said, we did\" is queued: each active partner's lead contact gets it once, at the programme's send time."
}

// reflections is the "You said, we did" page.
func (a *App) reflections(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "You said, we did", "reflections", programmeOnly...)
	if !ok {
		return
	}
	a.showReflections(w, r, v, http.StatusOK, nil)
}

// showReflections renders the page: the draft (or form, as sent), its
// preview, whom it goes to, and the rounds already sent.
func (a *App) showReflections(w http.ResponseWriter, r *http.Request, v *view, code int, form *reflectionForm) {
	d, err := a.Reflections.Draft(r.Context(), v.Programme)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	f := reflectionForm{Round: strconv.Itoa(d.Round), Message: d.Message, Key: newKey()}
	if form != nil {
		f = *form
	}
	a.render(w, r, code, layout(v, reflectionsPage(v, d, f, a.previewReflection(r.Context(), d, f))))
}

// previewReflection words the email the first active agreement's lead
// contact would get, as the courier words it.
func (a *App) previewReflection(_ context.Context, d service.ReflectionDraft, f reflectionForm) reflectionPreview {
	if d.Sample == nil {
		return reflectionPreview{Err: "No agreement is active: there is nobody to send it to."}
	}
	round, _ := strconv.Atoi(strings.TrimSpace(f.Round))
	l := service.PreviewLetter(d.Sample, d.Settings, grants.Reflection{Programme: d.Programme, Round: round, Message: strings.TrimSpace(f.Message)}, a.ReplyDomain)
	p := reflectionPreview{Partner: d.Sample.Partner.Name, To: strings.Join(l.To, ", ")}
	if a.WordLetter == nil {
		p.Subject, p.Text = "You said, we did", l.Reflection.Message
		return p
	}
	subject, text, err := a.WordLetter(l)
	if err != nil {
		p.Err = "The email could not be written: " + err.Error()
		return p
	}
	p.Subject, p.Text = subject, text
	return p
}

// postReflection previews the words as sent (action "preview"), or sends
// them: a refused message shows the page again with why, by field.
func (a *App) postReflection(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "You said, we did", "reflections", programmeOnly...)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		a.fail(w, r, &grants.Error{Code: grants.Malformed, Message: "The form could not be read."})
		return
	}
	g := r.PostForm.Get
	f := reflectionForm{Round: g("round"), Message: g("message"), Key: g("key")}
	if f.Key == "" {
		f.Key = newKey()
	}
	if g("action") == "preview" {
		a.showReflections(w, r, v, http.StatusOK, &f)
		return
	}
	round, err := strconv.Atoi(strings.TrimSpace(f.Round))
	if err != nil {
		round = 0
	}
	in := service.ReflectionInput{Round: round, Message: f.Message}
	payload := url.Values{"round": {f.Round}, "message": {f.Message}}.Encode()
	once := &idempotency.Once[*grants.Reflection]{
		Request: idempotency.Request{Scope: "web reflect " + v.Programme, Caller: v.Actor.ID, Key: f.Key, Payload: []byte(payload)},
		Render: func(x *grants.Reflection) (idempotency.Response, error) {
			return idempotency.Response{StatusCode: http.StatusSeeOther, Body: []byte(strconv.Itoa(x.Round))}, nil
		},
	}
	_, _, err = a.Reflections.Reflect(r.Context(), v.Actor.Name, v.Programme, in, once)
	if errors.Is(err, idempotency.ErrPayloadMismatch) {
		err = &grants.Error{Code: grants.Conflict, Message: "This form was already sent with other words: check the rounds sent below.", Reason: "conflict"}
	}
	if code := status(err); err != nil && (code == http.StatusBadRequest || code == http.StatusConflict) {
		v.Error, v.Fields = "Nothing was sent: "+message(err), fieldsOf(err)
		f.Key = newKey()
		a.showReflections(w, r, v, code, &f)
		return
	} else if err != nil {
		a.fail(w, r, err)
		return
	}
	done(w, r, "/app/feedback/reflections", "reflection-sent")
}
