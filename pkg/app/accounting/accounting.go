// Package accounting wires the accounting bus (EventBridge) for the only
// functions that publish on it, Payments and the Sweep; the other emailing
// functions never publish an InstalmentPaid event and do not carry
// EventBridge's init (pkg/app's doc says why).
package accounting

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/eventbus"
	"github.com/partnership-grants/backend/pkg/service"
)

// Bus is the accounting bus EVENT_BUS_NAME names.
func Bus(d *app.Deps) service.Events {
	client := eventbridge.NewFromConfig(d.AWS, func(o *eventbridge.Options) { o.BaseEndpoint = d.Endpoint("EventBridge") })
	return &eventbus.Bus{API: putEventsOp{client.PutEvents}, Name: d.Config.EventBusName}
}

// putEventsOp holds the one operation used, for the reason given in
// pkg/app/clients.go: only the operations called are linked.
type putEventsOp struct {
	put app.Op[eventbridge.PutEventsInput, eventbridge.PutEventsOutput, eventbridge.Options]
}

func (p putEventsOp) PutEvents(ctx context.Context, in *eventbridge.PutEventsInput, o ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error) {
	return p.put(ctx, in, o...)
}
