// Command checkin-sender is the CheckInSenderFunction: it drains the check-in
// queue (SQS), emailing each partner their check-in exactly once, at the
// account's SES rate.
package main

import (
	"context"
	"encoding/json"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/app/senders"
	"github.com/partnership-grants/backend/pkg/callmeter"
)

func main() {
	cfg, err := app.Load(os.Getenv, app.NeedMail, app.NeedReplyTokens)
	app.JSONLogs(cfg)
	app.ExitOnError(err)
	deps, err := app.NewDeps(cfg, nil)
	app.ExitOnError(err)
	x, err := senders.CheckInMail(context.Background(), deps)
	app.ExitOnError(err)
	consumer := senders.CheckInConsumer(deps, x)
	lambda.Start(func(ctx context.Context, raw json.RawMessage) (resp *events.SQSEventResponse, err error) {
		err = callmeter.Run(ctx, "SendCheckIn", func(ctx context.Context) error {
			resp, err = consumer.Invoke(ctx, raw)
			return err
		})
		return resp, err
	})
}
