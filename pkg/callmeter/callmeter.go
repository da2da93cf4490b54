// Package callmeter measures one invocation: which AWS calls it made and the
// DynamoDB capacity they consumed, reported as one JSON log line when the
// invocation ends. Middleware counts the calls (pkg/app adds it to every
// client, with DynamoDB's consumed capacity); the entry points (HTTP routes,
// event handlers) open the meter and write the line. It knows no AWS service.
// (pkg/metrics counts business events; pkg/reports is what staff read.)
package callmeter

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// Meter counts one invocation's AWS calls.
type Meter struct {
	mu      sync.Mutex
	calls   map[string]int
	read    float64
	written float64
	started time.Time
	// billed: a billing model (pkg/dev/billing, in the local stack) added
	// the request units AWS would bill, beside what the emulator reported.
	// In AWS the reported figures are the billed ones and this stays unset.
	billed                    bool
	billedRead, billedWritten float64
}

type key struct{}

// Start opens a meter for an invocation.
func Start(ctx context.Context) (context.Context, *Meter) {
	m := &Meter{calls: map[string]int{}, started: time.Now()}
	return context.WithValue(ctx, key{}, m), m
}

// From is the invocation's meter, or nil outside one.
func From(ctx context.Context) *Meter {
	m, _ := ctx.Value(key{}).(*Meter)
	return m
}

// Call counts one call of operation (e.g. "DynamoDB.Query").
func (m *Meter) Call(operation string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls[operation]++
}

// Consumed adds the read and write capacity units a call consumed.
func (m *Meter) Consumed(read, written float64) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.read += read
	m.written += written
}

// Billed adds the read and write request units a call would be billed,
// as a billing model computed them.
func (m *Meter) Billed(read, written float64) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.billed = true
	m.billedRead += read
	m.billedWritten += written
}

// BilledUnits are the request units billed so far.
func (m *Meter) BilledUnits() (read, written float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.billedRead, m.billedWritten
}

// Middleware counts each call an SDK client makes on the meter of its
// context, as "<service ID>.<operation>". Add it to a client's APIOptions
// (pkg/app adds it to every client; test harnesses to theirs).
func Middleware(st *middleware.Stack) error {
	return st.Initialize.Add(middleware.InitializeMiddlewareFunc("callmeter.calls", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		From(ctx).Call(awsmiddleware.GetServiceID(ctx) + "." + awsmiddleware.GetOperationName(ctx))
		return next.HandleInitialize(ctx, in)
	}), middleware.After)
}

// Calls is a copy of the counts so far, by operation.
func (m *Meter) Calls() map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]int, len(m.calls))
	for k, v := range m.calls {
		out[k] = v
	}
	return out
}

// Log writes the invocation's line: what ran (the route or event), its
// outcome, the calls it made and the capacity they consumed.
func (m *Meter) Log(ctx context.Context, attrs ...any) {
	m.mu.Lock()
	read, written := m.read, m.written
	billed, billedRead, billedWritten := m.billed, m.billedRead, m.billedWritten
	m.mu.Unlock()
	attrs = append(attrs, "awsCalls", m.Calls(), "readUnits", read, "writeUnits", written,
		"durationMs", time.Since(m.started).Milliseconds())
	if billed {
		attrs = append(attrs, "billedReadUnits", billedRead, "billedWriteUnits", billedWritten)
	}
	slog.InfoContext(ctx, "invocation", attrs...)
}

// Run runs one event's handling under a meter and logs its line.
func Run(ctx context.Context, event string, handle func(context.Context) error) error {
	ctx, m := Start(ctx)
	err := handle(ctx)
	attrs := []any{"event", event, "requestId", RequestID(ctx)}
	if err != nil {
		attrs = append(attrs, "error", err.Error())
	}
	m.Log(ctx, attrs...)
	return err
}

// RequestID is the Lambda request ID of the invocation, or "" outside Lambda.
func RequestID(ctx context.Context) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return lc.AwsRequestID
	}
	return ""
}
