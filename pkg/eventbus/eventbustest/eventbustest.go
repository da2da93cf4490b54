// Package eventbustest checks the events the product publishes against
// their schemas (pkg/eventbus/*.schema.json), so a test anywhere, from a
// payment handler's to the local stack's year walk, checks them one way.
// Only tests import it: the schema compiler stays out of the functions.
package eventbustest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/partnership-grants/backend/pkg/eventbus"
	"github.com/partnership-grants/backend/pkg/service"
)

const schemaURL = "https://partnership-grants.github.io/schemas/instalment-paid.schema.json"

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(eventbus.InstalmentPaidSchema))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	// paidOn is "format": "date": assert it, not only annotate it.
	c.AssertFormat()
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, err
	}
	return c.Compile(schemaURL)
})

// Validate checks one event as EventBridge delivers it to a consumer: an
// object with at least source, detail-type and detail (an object).
func Validate(event any) error {
	sch, err := compiled()
	if err != nil {
		return fmt.Errorf("compile the InstalmentPaid schema: %w", err)
	}
	// Round-trip through JSON so Go values (structs, int64) read as the
	// schema library's JSON values.
	b, err := json.Marshal(event)
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return err
	}
	return sch.Validate(v)
}

// ValidateEntry checks a PutEvents entry, read as the event its consumer
// receives (EventBridge puts Detail, a string on the wire, in as JSON).
func ValidateEntry(e types.PutEventsRequestEntry) error {
	var detail any
	if err := json.Unmarshal([]byte(aws.ToString(e.Detail)), &detail); err != nil {
		return fmt.Errorf("detail is not JSON: %w", err)
	}
	return Validate(map[string]any{"source": aws.ToString(e.Source), "detail-type": aws.ToString(e.DetailType), "detail": detail})
}

// Recorder is an EventBridge PutEvents that keeps what it is sent and
// accepts every entry.
type Recorder struct {
	mu      sync.Mutex
	Entries []types.PutEventsRequestEntry
}

// PutEvents records the entries.
func (r *Recorder) PutEvents(_ context.Context, in *eventbridge.PutEventsInput, _ ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := &eventbridge.PutEventsOutput{}
	for _, e := range in.Entries {
		r.Entries = append(r.Entries, e)
		out.Entries = append(out.Entries, types.PutEventsResultEntry{EventId: aws.String(fmt.Sprintf("recorded-%d", len(r.Entries)))})
	}
	return out, nil
}

// CheckPublished publishes ev through the product's publisher
// (eventbus.Bus) onto a Recorder, and validates the entry it sent.
func CheckPublished(ev service.InstalmentPaidEvent) error {
	rec := &Recorder{}
	bus := &eventbus.Bus{API: rec, Name: "accounting"}
	if _, err := bus.InstalmentPaid(context.Background(), ev); err != nil {
		return err
	}
	if len(rec.Entries) != 1 {
		return fmt.Errorf("%d entries published, want 1", len(rec.Entries))
	}
	return ValidateEntry(rec.Entries[0])
}
