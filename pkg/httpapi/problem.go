// Package httpapi maps API Gateway HTTP API (payload 2.0) requests to the
// domain and back: routing within a function's route family, JWT group
// checks, strict JSON decoding, and RFC 9457 problem responses.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/grants"
)

// Problem is an RFC 9457 problem details body.
type Problem struct {
	Type   string              `json:"type"`
	Title  string              `json:"title"`
	Status int                 `json:"status"`
	Detail string              `json:"detail,omitempty"`
	Errors []grants.FieldError `json:"errors,omitempty"`
}

// problemBase prefixes problem types; they are documented in docs/api.md.
const problemBase = "https://partnership-grants.github.io/problems/"

var codeStatus = map[grants.Code]int{
	grants.Malformed:            http.StatusBadRequest,
	grants.Invalid:              http.StatusUnprocessableEntity,
	grants.NotFound:             http.StatusNotFound,
	grants.Conflict:             http.StatusConflict,
	grants.PreconditionFailed:   http.StatusPreconditionFailed,
	grants.PreconditionRequired: http.StatusPreconditionRequired,
	grants.Unauthorized:         http.StatusUnauthorized,
	grants.Forbidden:            http.StatusForbidden,
	grants.TooLarge:             http.StatusRequestEntityTooLarge,
}

// errorResponse turns an error into a problem response. Application errors
// say what is wrong; anything else is logged and shown as "Internal error" so
// no internal detail leaks to a caller.
func errorResponse(ctx context.Context, err error) events.APIGatewayV2HTTPResponse {
	var e *grants.Error
	if !errors.As(err, &e) {
		slog.ErrorContext(ctx, "internal error", "error", err.Error())
		return problem(Problem{Type: problemBase + "internal", Title: "Internal error", Status: http.StatusInternalServerError,
			Detail: "Something went wrong on our side. It has been logged; please try again."})
	}
	status := codeStatus[e.Code]
	if status == 0 {
		status = http.StatusBadRequest
	}
	reason := e.Reason
	if reason == "" {
		reason = string(e.Code)
	}
	resp := problem(Problem{Type: problemBase + reason, Title: http.StatusText(status), Status: status, Detail: e.Message, Errors: e.Fields})
	if e.Code == grants.Conflict && e.Reason == grants.ReasonBusy {
		resp.Headers["Retry-After"] = busyRetryAfter
	}
	return resp
}

// busyRetryAfter is the Retry-After, in seconds, of a 409 answered because
// other requests were writing the same agreement (or programme) at that
// moment. They finish in tens of milliseconds and the store has already
// retried, so the wait is the shortest a whole number of seconds can say; a
// retry under the same Idempotency-Key then gets the change, or the stored
// answer of the request that won.
const busyRetryAfter = "1"

func problem(p Problem) events.APIGatewayV2HTTPResponse {
	b, _ := json.Marshal(p)
	return events.APIGatewayV2HTTPResponse{
		StatusCode: p.Status,
		Headers:    map[string]string{"Content-Type": "application/problem+json"},
		Body:       string(b),
	}
}

// Invalid is a validation error on one field (422, naming the field).
func Invalid(field, reason string) error {
	return &grants.Error{Code: grants.Invalid, Message: "The request has invalid fields.",
		Fields: []grants.FieldError{{Field: field, Reason: reason}}, Reason: "validation"}
}

// JSONResponse is a JSON body with status.
func JSONResponse(status int, v any) (events.APIGatewayV2HTTPResponse, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(b),
	}, nil
}
