// Package idempotency makes a request with an Idempotency-Key take effect at
// most once, in the shape of Powertools for AWS Lambda's idempotency utility
// (which has no Go port): a record per key moves INPROGRESS → COMPLETED,
// carries a hash of the request so a reused key with another body is refused,
// and holds the first response so a retry gets it back byte for byte.
//
// Unlike Powertools, completion is not a separate write: the Answer goes into
// the same transaction as the business change, so a crash between commit and
// response cannot lose the response or let the change happen twice. This
// package holds the storage-neutral parts; the records live in the DynamoDB
// adapter (pkg/dynamo).
package idempotency

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"
)

// Record statuses.
const (
	StatusInProgress = "INPROGRESS"
	StatusCompleted  = "COMPLETED"
)

// DefaultRetention is how long a completed key is honoured; expiry is
// checked in code because DynamoDB's TTL deletes late (up to days).
const DefaultRetention = 24 * time.Hour

var (
	// ErrPayloadMismatch: the key was used before with a different request.
	ErrPayloadMismatch = errors.New("idempotency key reused with a different request")
	// ErrInProgress: a request under this key has not finished yet.
	ErrInProgress = errors.New("a request with this idempotency key is still in progress")
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

// Response is a stored first response.
type Response struct {
	StatusCode int
	Body       []byte
}

// Answer completes a request: its first response, written in the same
// transaction as the change it made.
type Answer struct {
	Request  Request
	Response Response
}
