// Package eventbus publishes the events other systems integrate with (the
// accounting system listens for InstalmentPaid) on a custom EventBridge bus.
package eventbus

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/partnership-grants/backend/pkg/service"
)

// Source is the events' source field; accounting rules match on it.
const Source = "partnership-grants"

// DetailTypeInstalmentPaid is the detail-type of the event published when an
// instalment is paid.
const DetailTypeInstalmentPaid = "InstalmentPaid"

// InstalmentPaidSchema is the JSON Schema (draft 2020-12) of the
// InstalmentPaid event as the accounting system receives it: the envelope's
// source and detail-type and the detail in full, with the versioning rule.
// Tests validate what the product publishes against it (eventbustest).
//
//go:embed instalment-paid.schema.json
var InstalmentPaidSchema []byte

// API is the part of the EventBridge client used here.
type API interface {
	PutEvents(context.Context, *eventbridge.PutEventsInput, ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

// Bus publishes to one event bus.
type Bus struct {
	API  API
	Name string
}

var _ service.Events = (*Bus)(nil)

// InstalmentPaid publishes an InstalmentPaid event and returns its event ID.
func (b *Bus) InstalmentPaid(ctx context.Context, e service.InstalmentPaidEvent) (string, error) {
	detail, err := json.Marshal(e)
	if err != nil {
		return "", err
	}
	out, err := b.API.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{
		EventBusName: aws.String(b.Name),
		Source:       aws.String(Source),
		DetailType:   aws.String(DetailTypeInstalmentPaid),
		Detail:       aws.String(string(detail)),
		Resources:    []string{},
	}}})
	if err != nil {
		return "", fmt.Errorf("put InstalmentPaid: %w", err)
	}
	// PutEvents answers 200 even when an entry failed; the entry says so.
	if out.FailedEntryCount > 0 || len(out.Entries) != 1 || out.Entries[0].EventId == nil {
		code, msg := "", ""
		if len(out.Entries) == 1 {
			code, msg = aws.ToString(out.Entries[0].ErrorCode), aws.ToString(out.Entries[0].ErrorMessage)
		}
		return "", fmt.Errorf("InstalmentPaid not accepted: %s %s", code, msg)
	}
	return aws.ToString(out.Entries[0].EventId), nil
}
