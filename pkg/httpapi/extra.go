package httpapi

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
)

// toldBody is the body of a change the partner is told of (hold, release,
// waive, complete): the internal reason, and the officer's words for the
// partner (absent: the default words).
type toldBody struct {
	Reason         string  `json:"reason"`
	PartnerMessage *string `json:"partnerMessage,omitempty"`
}

// extraBody is an extra payment's request (issue 23, item 3).
type extraBody struct {
	Kind                 string  `json:"kind"`
	Purpose              string  `json:"purpose,omitempty"`
	Amount               int64   `json:"amount"`
	Reason               string  `json:"reason"`
	DueDate              string  `json:"dueDate"`
	FromLaterInstalments bool    `json:"fromLaterInstalments"`
	PartnerMessage       *string `json:"partnerMessage,omitempty"`
}

// extraResponse is the answer to an extra payment: the new instalment's
// number, the instalment, and the plan as it now stands.
type extraResponse struct {
	AgreementID string              `json:"agreementId"`
	Reference   string              `json:"reference"`
	Number      int                 `json:"number"`
	Instalment  grants.Instalment   `json:"instalment"`
	Amount      int64               `json:"amount"`
	Currency    string              `json:"currency"`
	Instalments []grants.Instalment `json:"instalments"`
}

// addExtra adds an extra payment to an agreement's plan: 201 with the new
// instalment's number, then paid as any instalment is (the payment routes,
// two people). The Idempotency-Key is required: a retry adds nothing twice.
func (h *Payments) addExtra(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	if r.Header("Idempotency-Key") == "" {
		return events.APIGatewayV2HTTPResponse{}, &grants.Error{Code: grants.Invalid, Message: "Send an Idempotency-Key header (a new random value per extra payment, reused on retries).",
			Fields: []grants.FieldError{{Field: "Idempotency-Key", Reason: "is required"}}, Reason: "idempotency_key_required"}
	}
	var body extraBody
	if err := decode(r, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	id := r.Param("id")
	req := grants.ExtraPaymentRequest{Kind: body.Kind, Purpose: body.Purpose, Amount: body.Amount, Reason: body.Reason,
		DueDate: body.DueDate, FromLaterInstalments: body.FromLaterInstalments}
	canonical, _ := json.Marshal(struct {
		Agreement string
		Body      extraBody
	}{id, body})
	return withIdempotency(r, "instalments.extra", canonical,
		func(a *grants.Agreement) (events.APIGatewayV2HTTPResponse, error) {
			// The new instalment is the last: the answer is rendered in the
			// write that added it.
			in := a.Instalments[len(a.Instalments)-1]
			resp, err := JSONResponse(http.StatusCreated, extraResponse{AgreementID: a.ID, Reference: a.Reference, Number: in.Number,
				Instalment: in, Amount: a.Amount, Currency: a.Currency, Instalments: a.Instalments})
			if err == nil {
				resp.Headers["Location"] = r.Location("/agreements/" + a.ID)
			}
			return resp, err
		},
		func(once *idempotency.Once[*grants.Agreement]) (*grants.Agreement, *idempotency.Response, error) {
			a, _, replay, err := h.Payments.AddExtraPayment(ctx, r.Actor.Name, id, req, body.PartnerMessage, once)
			return a, replay, err
		})
}
