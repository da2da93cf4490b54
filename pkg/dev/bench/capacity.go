// Package bench measures what the store's reads cost at scale: it seeds a
// table in DynamoDB Local with many agreements and reports the read units
// each staff-facing read consumed, as DynamoDB reports them
// (ReturnConsumedCapacity), and how fast concurrent creators go. The
// scalebench command (make bench) prints one table of it.
package bench

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
)

// Meter adds up the read capacity of every read call a DynamoDB client
// makes. It asks for the consumed capacity on reads that did not ask for it
// themselves, so the store's methods are measured as they are, unchanged.
type Meter struct {
	mu       sync.Mutex
	units    float64
	requests int
}

// Reading is what the reads since a Reset consumed.
type Reading struct {
	Units    float64
	Requests int
}

// Reset starts a new measurement.
func (m *Meter) Reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.units, m.requests = 0, 0
}

// Read reports the reads since the last Reset.
func (m *Meter) Read() Reading {
	m.mu.Lock()
	defer m.mu.Unlock()
	return Reading{Units: m.units, Requests: m.requests}
}

// Option installs the meter on a DynamoDB client.
func (m *Meter) Option(o *dynamodb.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("bench.Meter", m.handle), middleware.After)
	})
}

func (m *Meter) handle(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	read := true
	switch p := in.Parameters.(type) {
	case *dynamodb.QueryInput:
		p.ReturnConsumedCapacity = orTotal(p.ReturnConsumedCapacity)
	case *dynamodb.GetItemInput:
		p.ReturnConsumedCapacity = orTotal(p.ReturnConsumedCapacity)
	case *dynamodb.BatchGetItemInput:
		p.ReturnConsumedCapacity = orTotal(p.ReturnConsumedCapacity)
	case *dynamodb.ScanInput:
		p.ReturnConsumedCapacity = orTotal(p.ReturnConsumedCapacity)
	case *dynamodb.TransactGetItemsInput:
		p.ReturnConsumedCapacity = orTotal(p.ReturnConsumedCapacity)
	default:
		read = false
	}
	out, md, err := next.HandleInitialize(ctx, in)
	if !read || err != nil || ctx.Value(uncountedKey{}) != nil {
		return out, md, err
	}
	m.record(out.Result)
	return out, md, err
}

// uncountedKey marks a request the Meter leaves out: one the Pager may ask
// again, which records the page it returns itself.
type uncountedKey struct{}

func uncounted(ctx context.Context) context.Context {
	return context.WithValue(ctx, uncountedKey{}, true)
}

// record counts one read request and the capacity its result reports.
func (m *Meter) record(result any) {
	var consumed []types.ConsumedCapacity
	switch r := result.(type) {
	case *dynamodb.QueryOutput:
		consumed = one(r.ConsumedCapacity)
	case *dynamodb.GetItemOutput:
		consumed = one(r.ConsumedCapacity)
	case *dynamodb.ScanOutput:
		consumed = one(r.ConsumedCapacity)
	case *dynamodb.BatchGetItemOutput:
		consumed = r.ConsumedCapacity
	case *dynamodb.TransactGetItemsOutput:
		consumed = r.ConsumedCapacity
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests++
	for _, c := range consumed {
		m.units += aws.ToFloat64(c.CapacityUnits)
	}
}

func orTotal(v types.ReturnConsumedCapacity) types.ReturnConsumedCapacity {
	if v == "" || v == types.ReturnConsumedCapacityNone {
		return types.ReturnConsumedCapacityTotal
	}
	return v
}

func one(c *types.ConsumedCapacity) []types.ConsumedCapacity {
	if c == nil {
		return nil
	}
	return []types.ConsumedCapacity{*c}
}
