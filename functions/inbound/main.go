// Command inbound is the InboundFunction: SES's receipt rule stores a
// partner's reply in S3 and invokes this, which parses, verifies and stores
// it, or quarantines it for a person. Invoked with {"reprocess": {}} (make
// reprocess-replies), it handles the stored messages that never were.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/app/receiver"
	"github.com/partnership-grants/backend/pkg/callmeter"
	"github.com/partnership-grants/backend/pkg/reply/receive"
)

func main() {
	cfg, err := app.Load(os.Getenv, app.NeedMail, app.NeedReplyTokens, app.NeedMailBucket)
	app.JSONLogs(cfg)
	app.ExitOnError(err)
	deps, err := app.NewDeps(cfg, nil)
	app.ExitOnError(err)
	rc, err := receiver.New(context.Background(), deps)
	app.ExitOnError(err)
	lambda.Start(func(ctx context.Context, inv receive.Invocation) (report *receive.ReprocessReport, err error) {
		err = callmeter.Run(ctx, "Inbound", func(ctx context.Context) error {
			report, err = rc.Invoke(ctx, inv)
			return err
		})
		return report, err
	})
}
