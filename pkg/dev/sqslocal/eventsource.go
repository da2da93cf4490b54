package sqslocal

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Handler is a function's handler for SQS batches, as the Lambda runtime
// calls it.
type Handler func(context.Context, events.SQSEvent) (events.SQSEventResponse, error)

// EventSource plays Lambda's SQS event source mapping, as the template
// declares it (batch size, MaximumConcurrency, ReportBatchItemFailures): each
// instance receives a batch, invokes its handler, and deletes the messages
// the handler did not report as failed. Failed ones stay in flight until the
// queue's visibility timeout and then come back (past the redrive policy's
// receive count, to the dead-letter queue), as in AWS. An error from the
// handler fails the whole batch, as Lambda treats it.
type EventSource struct {
	Client    *sqs.Client
	QueueURL  string
	QueueARN  string
	Region    string
	BatchSize int
	// Instances are the concurrent function instances, one handler each
	// (each with its own state, as each Lambda instance has its own).
	Instances []Handler
	// Timeout is the function's, given to each invocation as its deadline.
	Timeout time.Duration
}

// Drain runs every instance until the queue shows it no message, and
// returns how many messages were handed to the handlers. Messages a handler
// failed are not waited for: they come back after the visibility timeout,
// for a later Drain.
func (e *EventSource) Drain(ctx context.Context) (int, error) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	var firstErr error
	for _, h := range e.Instances {
		wg.Go(func() {
			for {
				n, err := e.poll(ctx, h, 0)
				mu.Lock()
				total += n
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				if n == 0 || err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	return total, firstErr
}

// DrainAll drains until the queue holds nothing, visible or in flight:
// it waits out the visibility timeout of batches a handler failed and hands
// them over again. It returns how many messages were handed to the
// handlers, a redelivered message counting each time.
func (e *EventSource) DrainAll(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := e.Drain(ctx)
		total += n
		if err != nil {
			return total, err
		}
		left, err := e.messagesLeft(ctx)
		if err != nil || left == 0 {
			return total, err
		}
		select {
		case <-ctx.Done():
			return total, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// messagesLeft counts the queue's messages, visible and in flight.
func (e *EventSource) messagesLeft(ctx context.Context) (int, error) {
	out, err := e.Client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &e.QueueURL, AttributeNames: []types.QueueAttributeName{
		types.QueueAttributeNameApproximateNumberOfMessages, types.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		return 0, err
	}
	total := 0
	for _, v := range out.Attributes {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, fmt.Errorf("queue attribute %q: %w", v, err)
		}
		total += n
	}
	return total, nil
}

// Run polls with long polls until ctx ends, while make run is up.
func (e *EventSource) Run(ctx context.Context) {
	for _, h := range e.Instances {
		go func() {
			for ctx.Err() == nil {
				if _, err := e.poll(ctx, h, 5); err != nil && ctx.Err() == nil {
					slog.Error("check-in queue poll", "error", err.Error())
					time.Sleep(time.Second)
				}
			}
		}()
	}
}

// poll receives one batch, invokes h with it and deletes what succeeded.
func (e *EventSource) poll(ctx context.Context, h Handler, waitSeconds int32) (int, error) {
	out, err := e.Client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl: &e.QueueURL, MaxNumberOfMessages: int32(e.BatchSize), WaitTimeSeconds: waitSeconds,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
	})
	if err != nil || len(out.Messages) == 0 {
		return 0, err
	}
	ev := events.SQSEvent{Records: make([]events.SQSMessage, len(out.Messages))}
	for i, m := range out.Messages {
		ev.Records[i] = events.SQSMessage{
			MessageId: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle), Body: aws.ToString(m.Body),
			Md5OfBody: aws.ToString(m.MD5OfBody), Attributes: m.Attributes,
			EventSource: "aws:sqs", EventSourceARN: e.QueueARN, AWSRegion: e.Region,
		}
	}
	ictx, cancel := context.WithTimeout(ctx, e.Timeout)
	resp, err := h(ictx, ev)
	cancel()
	if err != nil {
		slog.WarnContext(ctx, "check-in batch failed; every message returns to the queue", "messages", len(ev.Records), "error", err.Error())
		return len(ev.Records), nil
	}
	failed := map[string]bool{}
	for _, f := range resp.BatchItemFailures {
		failed[f.ItemIdentifier] = true
	}
	var done []types.DeleteMessageBatchRequestEntry
	for i, r := range ev.Records {
		if !failed[r.MessageId] {
			done = append(done, types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(r.ReceiptHandle)})
		}
	}
	if len(done) > 0 {
		del, err := e.Client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: &e.QueueURL, Entries: done})
		if err != nil {
			return len(ev.Records), fmt.Errorf("delete handled messages: %w", err)
		}
		if len(del.Failed) > 0 {
			return len(ev.Records), fmt.Errorf("delete handled messages: %d failed", len(del.Failed))
		}
	}
	return len(ev.Records), nil
}
