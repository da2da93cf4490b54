// Package enqueue puts check-ins on the check-in queue (Amazon SQS) for the
// CheckInSender (package checkinqueue). It is apart from checkinqueue so
// that only the functions that enqueue link the SQS client.
package enqueue

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/partnership-grants/backend/pkg/checkinqueue"
	"github.com/partnership-grants/backend/pkg/grants"
)

// SendAPI is the part of the SQS client that enqueues.
type SendAPI interface {
	SendMessageBatch(context.Context, *sqs.SendMessageBatchInput, ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
}

// Queue puts check-ins on the queue.
type Queue struct {
	API SendAPI
	URL string
}

// batchSize is SQS's most messages a SendMessageBatch.
const batchSize = 10

// sendAttempts bounds the retries of entries SQS reports as failed in an
// otherwise successful batch (its own transient errors).
const sendAttempts = 3

// EnqueueCheckIns queues the check-ins in due, in that order (a standard
// queue keeps it roughly: see docs/scale.md, "Sending check-ins at the account's rate").
// It fails if any could not be queued; queueing one again is harmless.
func (q *Queue) EnqueueCheckIns(ctx context.Context, due []grants.Work) error {
	for chunk := range slices.Chunk(due, batchSize) {
		pending := make([]types.SendMessageBatchRequestEntry, 0, len(chunk))
		for i, w := range chunk {
			body, err := json.Marshal(checkinqueue.Message{AgreementID: w.AgreementID, Number: w.Number})
			if err != nil {
				return err
			}
			pending = append(pending, types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(string(body))})
		}
		for attempt := 1; len(pending) > 0; attempt++ {
			out, err := q.API.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &q.URL, Entries: pending})
			if err != nil {
				return fmt.Errorf("queue check-ins: %w", err)
			}
			if len(out.Failed) > 0 && attempt == sendAttempts {
				f := out.Failed[0]
				return fmt.Errorf("queue check-ins: %d not queued after %d attempts: %s %s", len(out.Failed), attempt, aws.ToString(f.Code), aws.ToString(f.Message))
			}
			failed := map[string]bool{}
			for _, f := range out.Failed {
				failed[aws.ToString(f.Id)] = true
			}
			pending = slices.DeleteFunc(pending, func(e types.SendMessageBatchRequestEntry) bool { return !failed[aws.ToString(e.Id)] })
		}
	}
	return nil
}
