package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/service"
)

// Payments serves finance's instalment and pay run routes.
type Payments struct {
	Payments *service.Payments
}

// Routes is the function's route table; the keys match template.yaml.
func (h *Payments) Routes() Router {
	return Router{
		"GET /instalments": {Roles: Readers, Handler: h.list, InQuery: true},
		"POST /agreements/{id}/instalments/{n}/payments":                     {Roles: []Role{RoleFinance}, Handler: h.pay},
		"POST /agreements/{id}/instalments/{n}/payments/{paymentId}/approve": {Roles: []Role{RoleFinance}, Handler: h.approve},
		"POST /agreements/{id}/instalments/{n}/hold":                         {Roles: []Role{RoleProgramme}, Handler: h.hold},
		"POST /agreements/{id}/instalments/{n}/release":                      {Roles: []Role{RoleProgramme}, Handler: h.release},
		"POST /payment-runs":              {Roles: []Role{RoleFinance}, Handler: h.requestRun},
		"GET /payment-runs":               {Roles: Readers, Handler: h.listRuns},
		"GET /payment-runs/{id}":          {Roles: Readers, Handler: h.getRun},
		"GET /payment-runs/{id}/csv":      {Roles: Readers, Handler: h.runCSV},
		"POST /payment-runs/{id}/approve": {Roles: []Role{RoleFinance}, Handler: h.approveRun},

		// An extra payment (extra.go): the programme gives support at a time
		// of need, or finance brings money forward; finance pays it.
		"POST /agreements/{id}/instalments": {Roles: []Role{RoleProgramme, RoleFinance}, Handler: h.addExtra},
	}
}

func (h *Payments) list(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	f := grants.InstalmentFilter{Status: grants.InstalmentStatus(r.Query("status")), Programme: r.Query("programme")}
	switch f.Status {
	case "", grants.InstalmentDue, grants.InstalmentHeld, grants.InstalmentPaid, grants.InstalmentScheduled, grants.InstalmentCancelled:
	default:
		return events.APIGatewayV2HTTPResponse{}, Invalid("status", "must be one of due, held, paid, scheduled, cancelled")
	}
	for name, d := range map[string]*grants.Date{"from": &f.From, "to": &f.To} {
		if v := r.Query(name); v != "" {
			p, err := grants.ParseDate(v)
			if err != nil {
				return events.APIGatewayV2HTTPResponse{}, Invalid(name, "must be a date as YYYY-MM-DD")
			}
			*d = p
		}
	}
	limit, err := pageLimit(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	page, err := h.Payments.Instalments(ctx, f, r.Query("cursor"), limit)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusOK, listResponse[grants.InstalmentRow]{Items: page.Items, NextCursor: page.NextCursor})
}

func instalmentNumber(r *Request) (int, error) {
	n, err := strconv.Atoi(r.Param("n"))
	if err != nil || n < 1 || n > 60 {
		return 0, &grants.Error{Code: grants.NotFound, Message: "There is no instalment " + r.Param("n") + ".", Reason: "instalment_not_found"}
	}
	return n, nil
}

type paymentBody struct {
	PaymentReference string `json:"paymentReference"`
	PaidOn           string `json:"paidOn"`
	Override         *struct {
		Reason string `json:"reason"`
	} `json:"override,omitempty"`
	// PartnerMessage is optional words for the partner's remittance.
	PartnerMessage string `json:"partnerMessage,omitempty"`
}

// paymentResponse is the body of a payment request or approval.
type paymentResponse struct {
	AgreementID string            `json:"agreementId"`
	Reference   string            `json:"reference"`
	Instalment  grants.Instalment `json:"instalment"`
	Payment     grants.Payment    `json:"payment"`
	Agreement   string            `json:"agreementStatus"`
}

func paid(a *grants.Agreement, n int) paymentResponse {
	in := a.Instalment(n)
	return paymentResponse{AgreementID: a.ID, Reference: a.Reference, Instalment: *in, Payment: *in.Payment, Agreement: string(a.Status)}
}

// pay requests (or, without the two-person rule, makes) the payment of an
// instalment. The Idempotency-Key is required: a payment must never be made
// twice because a request was retried.
func (h *Payments) pay(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	if r.Header("Idempotency-Key") == "" {
		return events.APIGatewayV2HTTPResponse{}, &grants.Error{Code: grants.Invalid, Message: "Send an Idempotency-Key header (a new random value per payment, reused on retries).",
			Fields: []grants.FieldError{{Field: "Idempotency-Key", Reason: "is required"}}, Reason: "idempotency_key_required"}
	}
	n, err := instalmentNumber(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var body paymentBody
	if err := decode(r, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	req := grants.PaymentRequest{PaymentReference: body.PaymentReference, PaidOn: body.PaidOn, PartnerMessage: body.PartnerMessage}
	if body.Override != nil {
		req.OverrideReason = body.Override.Reason
	}
	id := r.Param("id")
	// The key covers the instalment too: the same body for another instalment is another request.
	canonical, _ := json.Marshal(struct {
		Agreement string
		N         int
		Body      paymentBody
	}{id, n, body})
	return withIdempotency(r, "payments.request", canonical,
		func(a *grants.Agreement) (events.APIGatewayV2HTTPResponse, error) {
			return JSONResponse(http.StatusCreated, paid(a, n))
		},
		func(once *idempotency.Once[*grants.Agreement]) (*grants.Agreement, *idempotency.Response, error) {
			return h.Payments.RequestPayment(ctx, r.Actor, id, n, req, once)
		})
}

func (h *Payments) approve(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	n, err := instalmentNumber(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	a, err := h.Payments.ApprovePayment(ctx, r.Actor, r.Param("id"), n, r.Param("paymentId"))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusOK, paid(a, n))
}

func (h *Payments) hold(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	return h.holdOrRelease(ctx, r, h.Payments.Hold)
}

func (h *Payments) release(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	return h.holdOrRelease(ctx, r, h.Payments.Release)
}

func (h *Payments) holdOrRelease(ctx context.Context, r *Request, change func(ctx context.Context, actor, id string, n int, reason string, message *string) (*grants.Agreement, error)) (events.APIGatewayV2HTTPResponse, error) {
	n, err := instalmentNumber(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var body toldBody
	if err := decode(r, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	a, err := change(ctx, r.Actor.Name, r.Param("id"), n, body.Reason, body.PartnerMessage)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusOK, h.Payments.Measured(a).Instalment(n))
}
