package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/export"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
)

// payRunBody is the body of POST /payment-runs. Items are read one by one,
// so a mistake is named by its place ("items[3].instalment").
type payRunBody struct {
	PaidOn string            `json:"paidOn"`
	Items  []json.RawMessage `json:"items"`
}

type payRunItemBody struct {
	AgreementID      string `json:"agreementId"`
	Instalment       int    `json:"instalment"`
	PaymentReference string `json:"paymentReference"`
	Override         *struct {
		Reason string `json:"reason"`
	} `json:"override,omitempty"`
}

// payRunRequest reads the run a body asks for.
func payRunRequest(body payRunBody) (grants.PayRunRequest, error) {
	req := grants.PayRunRequest{PaidOn: body.PaidOn}
	if len(body.Items) > grants.MaxPayRunItems {
		return req, Invalid("items", fmt.Sprintf("has %d items; at most %d are allowed in one run", len(body.Items), grants.MaxPayRunItems))
	}
	for i, raw := range body.Items {
		var it payRunItemBody
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&it); err != nil {
			return req, inItem(i, jsonError(err))
		}
		if _, err := dec.Token(); err != io.EOF {
			return req, Invalid(fmt.Sprintf("items[%d]", i), "must be one JSON object")
		}
		r := grants.PayRunItemRequest{AgreementID: it.AgreementID, Instalment: it.Instalment, PaymentReference: it.PaymentReference}
		if it.Override != nil {
			r.OverrideReason = it.Override.Reason
		}
		req.Items = append(req.Items, r)
	}
	return req, nil
}

// inItem names an item's field errors by the item's place in the list.
func inItem(i int, err error) error {
	var e *grants.Error
	if !errors.As(err, &e) {
		return err
	}
	c := *e
	c.Fields = nil
	for _, f := range e.Fields {
		c.Fields = append(c.Fields, grants.FieldError{Field: fmt.Sprintf("items[%d].%s", i, f.Field), Reason: f.Reason})
	}
	if len(c.Fields) == 0 {
		c.Fields = []grants.FieldError{{Field: fmt.Sprintf("items[%d]", i), Reason: "must be an object"}}
	}
	return &c
}

// requestRun requests a pay run. The Idempotency-Key is required: it names
// the run, so a retry finishes the run it started and never pays twice.
func (h *Payments) requestRun(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	if r.Header("Idempotency-Key") == "" {
		return events.APIGatewayV2HTTPResponse{}, &grants.Error{Code: grants.Invalid, Message: "Send an Idempotency-Key header (a new random value per pay run, reused on retries).",
			Fields: []grants.FieldError{{Field: "Idempotency-Key", Reason: "is required"}}, Reason: "idempotency_key_required"}
	}
	var body payRunBody
	if err := decode(r, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	req, err := payRunRequest(body)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	canonical, _ := json.Marshal(req)
	return withIdempotency(r, "payruns.request", canonical, func(run *grants.PayRun) (events.APIGatewayV2HTTPResponse, error) { return runCreated(r, run) },
		func(once *idempotency.Once[*grants.PayRun]) (*grants.PayRun, *idempotency.Response, error) {
			return h.Payments.RequestPayRun(ctx, r.Actor, req, once)
		})
}

func runCreated(r *Request, run *grants.PayRun) (events.APIGatewayV2HTTPResponse, error) {
	resp, err := JSONResponse(http.StatusCreated, run)
	if err == nil {
		resp.Headers["Location"] = r.Location("/payment-runs/" + run.ID)
	}
	return resp, err
}

func (h *Payments) approveRun(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	run, err := h.Payments.ApprovePayRun(ctx, r.Actor, r.Param("id"))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusOK, run)
}

func (h *Payments) getRun(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	run, err := h.Payments.PayRun(ctx, r.Param("id"))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusOK, run)
}

// listRuns lists the latest runs, newest first (?limit=, at most 200).
func (h *Payments) listRuns(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	limit, err := pageLimit(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	runs, err := h.Payments.RecentPayRuns(ctx, limit)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusOK, listResponse[grants.PayRunLine]{Items: runs})
}

// runCSV downloads a run for the finance system (export.PayRunCSV).
func (h *Payments) runCSV(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	run, err := h.Payments.PayRun(ctx, r.Param("id"))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var b strings.Builder
	if err := export.PayRunCSV(&b, run); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: http.StatusOK,
		Headers: map[string]string{"Content-Type": "text/csv; charset=utf-8",
			"Content-Disposition": `attachment; filename="payment-run-` + run.ID + `.csv"`, "Content-Length": strconv.Itoa(b.Len())},
		Body: b.String(),
	}, nil
}
