package grants

import (
	"errors"
	"fmt"
)

// Code classifies an Error for the transport layers, which map codes to
// statuses (invalid → 422, not_found → 404, …). Anything that is not an *Error
// is an internal failure and is never shown to a caller.
type Code string

const (
	Malformed          Code = "malformed" // the request cannot be read at all
	Invalid            Code = "invalid"
	NotFound           Code = "not_found"
	Conflict           Code = "conflict"
	PreconditionFailed Code = "precondition_failed"
	Unauthorized       Code = "unauthorized"
	Forbidden          Code = "forbidden"
	TooLarge           Code = "too_large" // the request is over a stated size
)

// PreconditionRequired: a conditional request came without its condition
// (a change of an agreement without If-Match), so it could overwrite another
// person's change unseen.
const PreconditionRequired Code = "precondition_required"

// FieldError says what is wrong with one input field, by its JSON path.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Error is the application's error: a code, a message a person can act on,
// and the fields at fault.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	// Reason is a stable machine-readable cause, e.g. "illegal_transition".
	Reason string
}

// ReasonBusy is the Reason of a Conflict that is only contention: other
// requests were writing the same records at the same moment and this one
// gave up after its retries. Nothing was changed; the same request sent
// again shortly will most likely go through (or find the other's answer).
const ReasonBusy = "busy"

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.Message)
	}
	return fmt.Sprintf("%s: %s %v", e.Code, e.Message, e.Fields)
}

// Errorf builds an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the Code of err's *Error, or "" for internal errors.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// fieldErrors collects field-level validation failures.
type fieldErrors []FieldError

func (f *fieldErrors) add(field, format string, args ...any) {
	*f = append(*f, FieldError{Field: field, Reason: fmt.Sprintf(format, args...)})
}

func (f fieldErrors) err() error {
	if len(f) == 0 {
		return nil
	}
	return Validation(f)
}

// Validation is the error of a request with fields at fault.
func Validation(fields []FieldError) *Error {
	return &Error{Code: Invalid, Message: "The request has invalid fields.", Fields: fields, Reason: "validation"}
}

// TransitionError refuses an illegal state change, e.g. paying a cancelled
// instalment. It unwraps to a Conflict *Error for the HTTP layer.
type TransitionError struct {
	Entity string // "agreement", "instalment", "check-in"
	From   string
	To     string
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("%s cannot move from %s to %s", e.Entity, e.From, e.To)
}

// Unwrap exposes the transport-facing classification.
func (e *TransitionError) Unwrap() error {
	return &Error{Code: Conflict, Message: e.Error() + ".", Reason: "illegal_transition"}
}
