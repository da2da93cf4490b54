package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/dynamo"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// PaymentStore is what the instalment routes need from storage.
type PaymentStore interface {
	GetAgreement(ctx context.Context, id string) (*grants.Agreement, error)
	UpdateAgreement(ctx context.Context, id string, expectVersion int, mutate dynamo.Mutation, extra dynamo.Extra) (*grants.Agreement, error)
	ListInstalments(ctx context.Context, f dynamo.InstalmentFilter, cursor string, limit int) (dynamo.Page[dynamo.InstalmentRow], error)
	ProgrammeSettings(ctx context.Context, programme string) (grants.ProgrammeSettings, error)
	Enqueue(agreementID, key string, now time.Time) types.TransactWriteItem
}

// Deliverer performs an outbox side effect (remittance email, accounting event).
type Deliverer interface {
	Deliver(ctx context.Context, agreementID, key string) error
}

// Payments serves finance's instalment routes.
type Payments struct {
	Store       PaymentStore
	Idempotency Idempotency
	Outbox      Deliverer
	Defaults    grants.ProgrammeSettings
	Now         func() time.Time
	NewID       func() string
}

// Routes is the function's route table; the keys match template.yaml.
func (h *Payments) Routes() Router {
	return Router{
		"GET /instalments": {Roles: Readers, Handler: h.list},
		"POST /agreements/{id}/instalments/{n}/payments":                     {Roles: []Role{RoleFinance}, Handler: h.pay},
		"POST /agreements/{id}/instalments/{n}/payments/{paymentId}/approve": {Roles: []Role{RoleFinance}, Handler: h.approve},
		"POST /agreements/{id}/instalments/{n}/hold":                         {Roles: []Role{RoleProgramme}, Handler: h.hold},
		"POST /agreements/{id}/instalments/{n}/release":                      {Roles: []Role{RoleProgramme}, Handler: h.release},
	}
}

func (h *Payments) list(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	f := dynamo.InstalmentFilter{Status: grants.InstalmentStatus(r.Query("status")), Programme: r.Query("programme")}
	switch f.Status {
	case "":
		f.Status = grants.InstalmentDue
	case grants.InstalmentDue, grants.InstalmentHeld, grants.InstalmentPaid, grants.InstalmentScheduled, grants.InstalmentCancelled:
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
	page, err := h.Store.ListInstalments(ctx, f, r.Query("cursor"), limit)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusOK, listResponse[dynamo.InstalmentRow]{Items: page.Items, NextCursor: page.NextCursor})
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
}

// paymentResponse is the body of a payment request or approval.
type paymentResponse struct {
	AgreementID string            `json:"agreementId"`
	Reference   string            `json:"reference"`
	Instalment  grants.Instalment `json:"instalment"`
	Payment     grants.Payment    `json:"payment"`
	Agreement   string            `json:"agreementStatus"`
}

func (h *Payments) twoPeople(ctx context.Context, programme string) (bool, error) {
	p, err := h.Store.ProgrammeSettings(ctx, programme)
	if err != nil {
		return true, err
	}
	return p.Defaults(h.Defaults).RequiresTwoPeople(), nil
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
	req := grants.PaymentRequest{PaymentReference: body.PaymentReference, PaidOn: body.PaidOn}
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
	now := h.Now()
	paymentID := h.NewID()
	var paid bool
	resp, err := withIdempotency(ctx, h.Idempotency, r, "payments.request", canonical, now,
		func(complete func(status int, body []byte) dynamo.Extra) (events.APIGatewayV2HTTPResponse, error) {
			var resp events.APIGatewayV2HTTPResponse
			_, err := h.Store.UpdateAgreement(ctx, id, 0, func(a *grants.Agreement) ([]grants.AuditEntry, error) {
				two, err := h.twoPeople(ctx, a.Programme)
				if err != nil {
					return nil, err
				}
				_, entries, err := a.RequestPayment(n, req, paymentID, two, now, r.Actor.ID)
				paid = err == nil && !two
				return entries, err
			}, func(a *grants.Agreement) ([]types.TransactWriteItem, error) {
				in := a.Instalment(n)
				var err error
				resp, err = JSONResponse(http.StatusCreated, paymentResponse{AgreementID: a.ID, Reference: a.Reference, Instalment: *in, Payment: *in.Payment, Agreement: string(a.Status)})
				if err != nil {
					return nil, err
				}
				items, err := complete(resp.StatusCode, []byte(resp.Body))(a)
				if paid {
					items = append(items, h.Store.Enqueue(a.ID, outbox.RemittanceKey(n).String(), now), h.Store.Enqueue(a.ID, outbox.PaidEventKey(n).String(), now))
				}
				return items, err
			})
			return resp, err
		})
	if err == nil && paid {
		h.deliverPaid(ctx, id, n)
	}
	return resp, err
}

func (h *Payments) approve(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	n, err := instalmentNumber(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	id, paymentID := r.Param("id"), r.Param("paymentId")
	now := h.Now()
	a, err := h.Store.UpdateAgreement(ctx, id, 0, func(a *grants.Agreement) ([]grants.AuditEntry, error) {
		two, err := h.twoPeople(ctx, a.Programme)
		if err != nil {
			return nil, err
		}
		return a.ApprovePayment(n, paymentID, two, now, r.Actor.ID)
	}, func(a *grants.Agreement) ([]types.TransactWriteItem, error) {
		return []types.TransactWriteItem{h.Store.Enqueue(a.ID, outbox.RemittanceKey(n).String(), now), h.Store.Enqueue(a.ID, outbox.PaidEventKey(n).String(), now)}, nil
	})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	h.deliverPaid(ctx, id, n)
	in := a.Instalment(n)
	return JSONResponse(http.StatusOK, paymentResponse{AgreementID: a.ID, Reference: a.Reference, Instalment: *in, Payment: *in.Payment, Agreement: string(a.Status)})
}

// deliverPaid sends the remittance and publishes the accounting event. The
// payment is committed by now; a failure here is retried by the sweep, which
// finds the pending outbox entries, so it is logged and not returned.
func (h *Payments) deliverPaid(ctx context.Context, id string, n int) {
	for _, key := range []string{outbox.RemittanceKey(n).String(), outbox.PaidEventKey(n).String()} {
		if err := h.Outbox.Deliver(ctx, id, key); err != nil {
			logError(ctx, fmt.Sprintf("deliver %s; the sweep will retry", key), err, id)
		}
	}
}

func (h *Payments) hold(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	return h.holdOrRelease(ctx, r, (*grants.Agreement).Hold)
}

func (h *Payments) release(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	return h.holdOrRelease(ctx, r, (*grants.Agreement).Release)
}

func (h *Payments) holdOrRelease(ctx context.Context, r *Request, change func(*grants.Agreement, int, string, time.Time, string) (grants.AuditEntry, error)) (events.APIGatewayV2HTTPResponse, error) {
	n, err := instalmentNumber(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var body reasonBody
	if err := decode(r, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	now := h.Now()
	a, err := h.Store.UpdateAgreement(ctx, r.Param("id"), 0, func(a *grants.Agreement) ([]grants.AuditEntry, error) {
		e, err := change(a, n, body.Reason, now, r.Actor.ID)
		return []grants.AuditEntry{e}, err
	}, nil)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusOK, a.Instalment(n))
}
