package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
)

// defaultInProgress bounds a claim when the context has no deadline (tests,
// local runs); in Lambda the invocation's deadline is used.
const defaultInProgress = 30 * time.Second

// withIdempotency runs do at most once per caller and Idempotency-Key: a key
// is the caller's own, so another user's request under the same key and body
// is theirs, never answered with the first user's response. do receives a
// function that builds the transaction item completing the key with the
// response, which it must write in the same transaction as its change.
func withIdempotency(ctx context.Context, store Idempotency, r *Request, scope string, payload []byte, now time.Time,
	do func(answer answerer) (events.APIGatewayV2HTTPResponse, error),
) (events.APIGatewayV2HTTPResponse, error) {
	key := r.Header("Idempotency-Key")
	if len(key) > 255 {
		return events.APIGatewayV2HTTPResponse{}, Invalid("Idempotency-Key", "must be at most 255 characters")
	}
	req := idempotency.Request{Scope: scope, Caller: r.Actor.ID, Key: key, Payload: payload}
	until := now.Add(defaultInProgress)
	if dl, ok := ctx.Deadline(); ok {
		until = dl
	}
	stored, err := begin(ctx, store, req, now, until)
	switch {
	case errors.Is(err, idempotency.ErrPayloadMismatch):
		return events.APIGatewayV2HTTPResponse{}, &grants.Error{Code: grants.Invalid,
			Message: "This Idempotency-Key was used with a different request; use a new key for a new request.",
			Fields:  []grants.FieldError{{Field: "Idempotency-Key", Reason: "was used with a different request body"}}, Reason: "idempotency_key_reused"}
	case errors.Is(err, idempotency.ErrInProgress):
		return events.APIGatewayV2HTTPResponse{}, &grants.Error{Code: grants.Conflict,
			Message: "A request with this Idempotency-Key is still being processed; retry shortly.", Reason: "idempotency_in_progress"}
	case err != nil:
		return events.APIGatewayV2HTTPResponse{}, err
	case stored != nil:
		return events.APIGatewayV2HTTPResponse{
			StatusCode: stored.StatusCode,
			Headers:    map[string]string{"Content-Type": "application/json", "Idempotent-Replayed": "true"},
			Body:       string(stored.Body),
		}, nil
	}
	resp, err := do(func(resp events.APIGatewayV2HTTPResponse, err error) (*idempotency.Answer, error) {
		if err != nil {
			return nil, err
		}
		return &idempotency.Answer{Request: req, Response: idempotency.Response{StatusCode: resp.StatusCode, Body: []byte(resp.Body)}}, nil
	})
	if err != nil {
		// Nothing was written: release the key so the client may retry it.
		if aerr := store.AbandonIdempotent(context.WithoutCancel(ctx), req); aerr != nil {
			logError(ctx, "release idempotency key", aerr, "")
		}
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return resp, nil
}

// answerer turns the response a use case's result renders to (inside its
// transaction) into the answer stored under the request's key.
type answerer func(resp events.APIGatewayV2HTTPResponse, err error) (*idempotency.Answer, error)

// inFlightWait is how long a duplicate waits for the first request under
// its key to finish, so concurrent retries get the first response rather
// than a 409; after it, the duplicate gets 409 and retries later.
const inFlightWait = 5 * time.Second

func begin(ctx context.Context, store Idempotency, req idempotency.Request, now, until time.Time) (*idempotency.Response, error) {
	deadline := time.Now().Add(inFlightWait)
	for {
		stored, err := store.BeginIdempotent(ctx, req, now, until)
		if !errors.Is(err, idempotency.ErrInProgress) || time.Now().After(deadline) {
			return stored, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func logError(ctx context.Context, msg string, err error, agreementID string) {
	slog.ErrorContext(ctx, msg, "error", err.Error(), "agreementId", agreementID)
}
