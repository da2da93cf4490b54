// Package queue wires the check-in queue (SQS) for the only function that
// puts check-ins on it, the Sweep (each check-in's schedule is queued by
// EventBridge Scheduler itself); the other functions do not carry the SQS
// client (pkg/app's doc says why).
package queue

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/checkinqueue/enqueue"
)

// CheckIns is the queue CHECKIN_QUEUE_URL names.
func CheckIns(d *app.Deps) *enqueue.Queue {
	client := sqs.NewFromConfig(d.AWS, func(o *sqs.Options) { o.BaseEndpoint = d.Endpoint("SQS") })
	return &enqueue.Queue{API: sendBatchOp{client.SendMessageBatch}, URL: d.Config.CheckInQueueURL}
}

// sendBatchOp holds the one operation used, for the reason given in
// pkg/app/clients.go: only the operations called are linked.
type sendBatchOp struct {
	send app.Op[sqs.SendMessageBatchInput, sqs.SendMessageBatchOutput, sqs.Options]
}

func (p sendBatchOp) SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, o ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	return p.send(ctx, in, o...)
}
