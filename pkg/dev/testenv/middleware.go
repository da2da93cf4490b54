package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Calls counts a client's AWS operations by name, through SDK middleware:
// add Middleware to the client's APIOptions.
type Calls struct {
	mu sync.Mutex
	n  map[string]int
}

// Middleware counts each operation the client starts (retries are not
// operations of their own).
func (c *Calls) Middleware(st *middleware.Stack) error {
	return st.Initialize.Add(middleware.InitializeMiddlewareFunc("testenv.Calls", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		c.mu.Lock()
		if c.n == nil {
			c.n = map[string]int{}
		}
		c.n[middleware.GetOperationName(ctx)]++
		c.mu.Unlock()
		return next.HandleInitialize(ctx, in)
	}), middleware.After)
}

// Take returns the counts since the last Take and starts again from none.
func (c *Calls) Take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.n
	c.n = map[string]int{}
	if old == nil {
		old = map[string]int{}
	}
	return old
}

// SESThrottle answers SES attempts with its throttling response (429
// TooManyRequests) while Remaining is above zero, and counts the attempts.
// It sits at the innermost end of the Deserialize step, so the SDK's own
// deserializer turns the canned body into the error and its own retry
// middleware decides what to do with it: a test exercises the real retry
// path, with only the network answer faked.
type SESThrottle struct {
	// Remaining is how many attempts are still to be throttled.
	Remaining atomic.Int64
	// Message is the error's message; "" is the per-second rate's.
	Message string
	// Attempts counts every attempt; Reached those let through to SES.
	Attempts atomic.Int64
	Reached  atomic.Int64
}

// NewSESThrottle throttles the first n attempts.
func NewSESThrottle(n int64, message string) *SESThrottle {
	th := &SESThrottle{Message: message}
	th.Remaining.Store(n)
	return th
}

// ID names the middleware in the stack.
func (*SESThrottle) ID() string { return "testenv.SESThrottle" }

// HandleDeserialize answers in SES's place while attempts remain throttled.
func (th *SESThrottle) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (
	middleware.DeserializeOutput, middleware.Metadata, error,
) {
	th.Attempts.Add(1)
	if th.Remaining.Add(-1) >= 0 {
		msg := th.Message
		if msg == "" {
			msg = "Maximum sending rate exceeded."
		}
		body, _ := json.Marshal(map[string]string{"message": msg}) // a map of strings always marshals
		return middleware.DeserializeOutput{RawResponse: &smithyhttp.Response{Response: &http.Response{
			StatusCode: http.StatusTooManyRequests, Status: "429 Too Many Requests",
			Header:        http.Header{"Content-Type": {"application/json"}, "X-Amzn-Errortype": {"TooManyRequestsException:http://internal.amazon.com/coral/com.amazonaws.sesv2/"}},
			Body:          io.NopCloser(bytes.NewReader(body)),
			ContentLength: int64(len(body)),
		}}}, middleware.Metadata{}, nil
	}
	th.Reached.Add(1)
	return next.HandleDeserialize(ctx, in)
}

// Install puts the throttle on an SES client (an option for SESv2).
func (th *SESThrottle) Install(o *sesv2.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error { return s.Deserialize.Add(th, middleware.After) })
}
