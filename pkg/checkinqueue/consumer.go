// Package checkinqueue is the queue of check-ins to send (Amazon SQS). Each
// check-in's one-time schedule, and the daily sweep for any it missed, put
// "send check-in N of agreement A" on it (the sweep through package
// enqueue); the CheckInSender function drains it here, at the account's SES
// sending rate. So a morning with thousands of check-ins due is sent at the
// rate SES allows, never inside one invocation, and a throttled send waits
// on the queue instead of failing.
//
// Each check-in is queued once, by its schedule or by the sweep when the
// schedule is missing or failed (grants.Agreement.SweepQueues). Delivery is
// at least once all the same: a message can arrive twice. The service's
// outbox claim (service.SendCheckIn) makes each check-in go once.
package checkinqueue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
	"golang.org/x/time/rate"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/logs"
)

// Message is a queued check-in. Its JSON is the input a check-in's schedule
// gives its target (schedules.Event), so EventBridge Scheduler can put it on
// the queue itself.
type Message struct {
	AgreementID string `json:"agreementId"`
	Number      int    `json:"number"`
}

// DefaultSendRate is a new SES account's sending rate out of the sandbox:
// 14 emails a second.
const DefaultSendRate = 14

// Consumer is the CheckInSender's handler for the queue's event source. It
// sends each queued check-in through Send, no faster than its Limiter, and
// reports the messages it could not send (ReportBatchItemFailures), so only
// those return to the queue, never the whole batch.
type Consumer struct {
	// Send sends check-in n of an agreement once (service.SendCheckIn).
	Send func(ctx context.Context, agreementID string, n int) error
	// Limiter paces this instance's sends: see Limit.
	Limiter *rate.Limiter
	// Throttled says an error is SES refusing a send over the account's
	// rate (mailer.IsThrottled).
	Throttled func(error) bool
}

// Limit is one instance's share of the account's rate: the event source
// runs at most instances invocations at once (its MaximumConcurrency), each
// with its own limiter, so together they stay within ratePerSecond. The
// burst is one: no instance sends two at once.
func Limit(ratePerSecond float64, instances int) *rate.Limiter {
	if ratePerSecond <= 0 {
		ratePerSecond = DefaultSendRate
	}
	if instances < 1 {
		instances = 1
	}
	return rate.NewLimiter(rate.Limit(ratePerSecond/float64(instances)), 1)
}

// Handle sends a batch of queued check-ins in their order. A throttled send
// is not a failure of the check-in: it and the rest of the batch go back to
// the queue to be tried again after the visibility timeout. So does the
// rest of the batch when the invocation's time would run out waiting for
// the limiter. A message that is not a check-in, or whose check-in keeps
// failing, ends in the dead-letter queue after the queue's receive limit.
func (c *Consumer) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	giveBack := func(recs []events.SQSMessage) {
		for _, r := range recs {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
		}
	}
	for i, rec := range ev.Records {
		var m Message
		if err := json.Unmarshal([]byte(rec.Body), &m); err != nil || m.AgreementID == "" || m.Number < 1 {
			slog.ErrorContext(ctx, "queued message is not a check-in", "messageId", rec.MessageId)
			giveBack(ev.Records[i : i+1])
			continue
		}
		if err := c.Limiter.Wait(ctx); err != nil {
			slog.WarnContext(ctx, "no time left to send the rest of the batch; returned to the queue", "returned", len(ev.Records)-i)
			giveBack(ev.Records[i:])
			break
		}
		ctx := logs.WithAgreement(ctx, m.AgreementID)
		err := c.Send(ctx, m.AgreementID, m.Number)
		if err == nil || isGone(err) {
			continue
		}
		if c.Throttled != nil && c.Throttled(err) {
			slog.WarnContext(ctx, "SES throttled a check-in; it and the rest of the batch return to the queue",
				"checkIn", m.Number, "returned", len(ev.Records)-i)
			giveBack(ev.Records[i:])
			break
		}
		slog.ErrorContext(ctx, "check-in not sent; it returns to the queue", "checkIn", m.Number, "error", err.Error())
		giveBack(ev.Records[i : i+1])
	}
	return resp, nil
}

// isGone reports a check-in that no longer exists (its agreement was
// deleted, or reshaped): retrying cannot send it, and nobody is owed it.
func isGone(err error) bool {
	var ge *grants.Error
	return errors.As(err, &ge) && ge.Code == grants.NotFound
}

// Invoke is the function's entry point: an SQS batch from the event source,
// or, from a check-in schedule created before the queue existed, one
// check-in invoked directly (sent at once, still through the limiter;
// its error goes back to Scheduler, which retries).
func (c *Consumer) Invoke(ctx context.Context, raw json.RawMessage) (*events.SQSEventResponse, error) {
	var probe struct {
		Records []json.RawMessage `json:"Records"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, fmt.Errorf("unreadable event: %w", err)
	}
	if probe.Records != nil {
		var ev events.SQSEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, fmt.Errorf("unreadable SQS event: %w", err)
		}
		resp, err := c.Handle(ctx, ev)
		return &resp, err
	}
	var m Message
	if err := json.Unmarshal(raw, &m); err != nil || m.AgreementID == "" {
		return nil, fmt.Errorf("event is neither an SQS batch nor a check-in")
	}
	if err := c.Limiter.Wait(ctx); err != nil {
		return nil, err
	}
	return nil, c.Send(ctx, m.AgreementID, m.Number)
}
