package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/money"
)

// partnerMessage is a form's words for the partner: nil (the default
// words) when the form has none or they are blank.
func partnerMessage(r *http.Request) *string {
	m := strings.TrimSpace(r.PostForm.Get("partnerMessage"))
	if m == "" {
		return nil
	}
	return &m
}

// addExtra adds an extra payment to an agreement (Payments.AddExtraPayment).
// The form carries its own Idempotency-Key: a double click adds it once.
func (a *App) addExtra(w http.ResponseWriter, r *http.Request) {
	a.act(w, r, "extra", []grants.Role{grants.RoleProgramme, grants.RoleFinance}, func(v *view) error {
		f := r.PostForm
		ag, err := a.Agreements.Agreement(r.Context(), r.PathValue("id"))
		if err != nil {
			return err
		}
		v.Currency = ag.Currency // the problems' amounts are in it
		amountText := strings.TrimSpace(f.Get("amount"))
		minor, err := money.ParseMajor(amountText, ag.Currency)
		if err != nil {
			return &grants.Error{Code: grants.Invalid, Message: "The request has invalid fields.", Reason: "validation",
				Fields: []grants.FieldError{{Field: "amount", Reason: "must be an amount such as 500 or 1,250.00"}}}
		}
		req := grants.ExtraPaymentRequest{Kind: grants.ExtraKind, Purpose: f.Get("purpose"), Amount: minor, Reason: f.Get("reason"),
			DueDate: strings.TrimSpace(f.Get("dueDate")), FromLaterInstalments: f.Get("fromLaterInstalments") != "false"}
		words := partnerMessage(r)
		payload := amountText + "\n" + req.Purpose + "\n" + req.DueDate + "\n" + f.Get("fromLaterInstalments") + "\n" + req.Reason
		if words != nil {
			payload += "\n" + *words
		}
		once := &idempotency.Once[*grants.Agreement]{
			Request: idempotency.Request{Scope: "web extra " + r.PathValue("id"), Caller: v.Actor.ID, Key: f.Get("key"), Payload: []byte(payload)},
			Render: func(ag *grants.Agreement) (idempotency.Response, error) {
				return idempotency.Response{StatusCode: http.StatusSeeOther, Body: []byte(ag.ID)}, nil
			},
		}
		if once.Request.Key == "" {
			return &grants.Error{Code: grants.Malformed, Message: "The form could not be read."}
		}
		_, _, _, err = a.Payments.AddExtraPayment(r.Context(), v.Actor.Name, r.PathValue("id"), req, words, once)
		if errors.Is(err, idempotency.ErrPayloadMismatch) {
			return &grants.Error{Code: grants.Conflict, Message: "This form was sent before with other values; nothing more was added. Reload the page to add another extra payment."}
		}
		return err
	})
}
