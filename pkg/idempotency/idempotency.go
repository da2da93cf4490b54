// Package idempotency makes a request with an Idempotency-Key take effect at
// most once. As in Powertools for AWS Lambda's idempotency utility (which has
// no Go port), a record per caller and key carries a hash of the request, so
// a reused key with another body is refused, and the first response, so a
// retry gets it back byte for byte.
//
// Unlike Powertools, there is no INPROGRESS claim written before the work:
// every effect of a change is written in one transaction, and the answer is
// written in that same transaction, only where none stands. A request first
// looks for a stored answer (in the same read as the settings it needs);
// of two concurrent requests under one key, one transaction commits and the
// other fails on the answer, and answers with the stored response. A crash
// between commit and response cannot lose the response or let the change
// happen twice. This package holds the storage-neutral parts; the records
// live in the DynamoDB adapter (pkg/dynamo).
package idempotency

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"
)

// StatusCompleted marks a record holding an answer. (Records of the earlier
// design may say INPROGRESS: they answer nothing and are overwritten.)
const StatusCompleted = "COMPLETED"

// DefaultRetention is how long a completed key is honoured; expiry is
// checked in code because DynamoDB's TTL deletes late (up to days).
const DefaultRetention = 24 * time.Hour

var (
	// ErrPayloadMismatch: the key was used before with a different request.
	ErrPayloadMismatch = errors.New("idempotency key reused with a different request")
	// ErrAnswered: another request under the key wrote its answer first, so
	// this one's change was not written; its stored response is the answer.
	ErrAnswered = errors.New("answered by another request under the same key")
)

// Request identifies one idempotent request: the operation's scope (so keys
// of different routes never collide), the caller who sent it (so one user's
// key never answers another's request), the client's key and the request
// body.
type Request struct {
	Scope   string
	Caller  string
	Key     string
	Payload []byte
}

// Hash is the hex SHA-256 of the payload.
func (r Request) Hash() string {
	h := sha256.Sum256(r.Payload)
	return hex.EncodeToString(h[:])
}

// Response is a stored first response. Headers are those that describe the
// result (Location, ETag), so a retry is answered as the first request was.
type Response struct {
	StatusCode int
	Headers    map[string]string
	Body       []byte
}

// Answer completes a request: its first response, written in the same
// transaction as the change it made.
type Answer struct {
	Request  Request
	Response Response
}

// Once makes a change idempotent: Request names it, and Render gives the
// response stored with the change, from the change's result.
type Once[T any] struct {
	Request Request
	Render  func(result T) (Response, error)
}

// Answer is the answer to store with the change that produced result.
func (o *Once[T]) Answer(result T) (*Answer, error) {
	resp, err := o.Render(result)
	return &Answer{Request: o.Request, Response: resp}, err
}
