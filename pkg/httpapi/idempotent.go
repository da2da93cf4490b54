package httpapi

import (
	"errors"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
)

// withIdempotency runs an idempotent use case under the request's
// Idempotency-Key. A key is the caller's own, so another user's request
// under the same key and body is theirs, never answered with the first
// user's response. do gets the Once to hand the use case; respond turns its
// result into the response, whose body is stored with the change and
// replayed byte for byte to any retry (package idempotency has the design).
func withIdempotency[T any](r *Request, scope string, payload []byte, respond func(T) (events.APIGatewayV2HTTPResponse, error),
	do func(once *idempotency.Once[T]) (T, *idempotency.Response, error),
) (events.APIGatewayV2HTTPResponse, error) {
	key := r.Header("Idempotency-Key")
	if len(key) > 255 {
		return events.APIGatewayV2HTTPResponse{}, Invalid("Idempotency-Key", "must be at most 255 characters")
	}
	var resp events.APIGatewayV2HTTPResponse
	once := &idempotency.Once[T]{
		Request: idempotency.Request{Scope: scope, Caller: r.Actor.ID, Key: key, Payload: payload},
		Render: func(result T) (idempotency.Response, error) {
			var err error
			resp, err = respond(result)
			return idempotency.Response{StatusCode: resp.StatusCode, Headers: replayedHeaders(resp.Headers), Body: []byte(resp.Body)}, err
		},
	}
	result, replay, err := do(once)
	switch {
	case errors.Is(err, idempotency.ErrPayloadMismatch):
		return events.APIGatewayV2HTTPResponse{}, &grants.Error{Code: grants.Invalid,
			Message: "This Idempotency-Key was used with a different request; use a new key for a new request.",
			Fields:  []grants.FieldError{{Field: "Idempotency-Key", Reason: "was used with a different request body"}}, Reason: "idempotency_key_reused"}
	case err != nil:
		return events.APIGatewayV2HTTPResponse{}, err
	case replay != nil:
		headers := map[string]string{"Content-Type": "application/json", "Idempotent-Replayed": "true"}
		for k, v := range replay.Headers {
			headers[k] = v
		}
		return events.APIGatewayV2HTTPResponse{StatusCode: replay.StatusCode, Headers: headers, Body: string(replay.Body)}, nil
	case resp.StatusCode == 0:
		// A result with no answer stored for it (a pay run finished under
		// this key long ago, its answer lapsed): the result is the answer.
		return respond(result)
	}
	return resp, nil
}

// replayedHeaders are the headers of a first response stored for its
// retries: those that say where the result is and which version it is.
func replayedHeaders(h map[string]string) map[string]string {
	out := map[string]string{}
	for _, k := range []string{"Location", "ETag"} {
		if v, ok := h[k]; ok {
			out[k] = v
		}
	}
	return out
}
