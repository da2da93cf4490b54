package receive_test

import (
	"context"
	"maps"
	"testing"

	"github.com/partnership-grants/backend/pkg/callmeter"
	"github.com/partnership-grants/backend/pkg/dev/testenv/replyworld"
)

// What receiving a reply and sending a check-in cost, in calls, as the
// invocation's log line reports them (issue 12's "one read per operation").
func TestReceiveAndSendCalls(t *testing.T) {
	e := newEnv(t)
	a, rcpt := e.ActiveAgreement(t)

	ctx, m := callmeter.Start(context.Background())
	e.clock.Set(e.Get(t, a.ID).CheckIn(2).DueDate.At(9, 0, a.Location()))
	if err := e.Automation.SendCheckIn(ctx, a.ID, 2); err != nil {
		t.Fatal(err)
	}
	send := m.Calls()

	ctx, m = callmeter.Start(context.Background())
	e.ReceiveIn(ctx, t, e.Corpus(t, "plain_text", replyworld.TokenOf(t, rcpt)), e.Partner, rcpt, replyworld.Pass)
	receive := m.Calls()

	for _, c := range []struct {
		useCase   string
		got, want map[string]int
	}{
		// Read the agreement (is the check-in due?), claim the email, read the
		// programme's settings, record it sent with the check-in's move.
		{"send a check-in", send, map[string]int{"DynamoDB.Query": 1, "DynamoDB.UpdateItem": 1, "DynamoDB.GetItem": 1,
			"DynamoDB.TransactWriteItems": 1, "SESv2.SendEmail": 1}},
		// Claim the message, fetch it, read the agreement (its contacts), the
		// email's first copy with the programme's settings, write the reply
		// with the thanks and the officer's notice enqueued already claimed;
		// take each email's place in the day's limits (the sender's one
		// answer, a Put; the day's count, an Update each), send both, record
		// both.
		{"receive a reply", receive, map[string]int{"DynamoDB.UpdateItem": 3, "DynamoDB.PutItem": 1, "S3.GetObject": 1, "DynamoDB.Query": 1, "DynamoDB.BatchGetItem": 1,
			"DynamoDB.TransactWriteItems": 2, "SESv2.SendEmail": 2}},
	} {
		if !maps.Equal(c.got, c.want) {
			t.Errorf("%s made %v, want %v", c.useCase, c.got, c.want)
		}
	}
}
