// Command sweep is the SweepFunction: every morning it does whatever is due
// and was missed, sends reminders and recreates missing schedules.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/app/accounting"
	"github.com/partnership-grants/backend/pkg/app/queue"
	"github.com/partnership-grants/backend/pkg/app/senders"
	"github.com/partnership-grants/backend/pkg/callmeter"
	"github.com/partnership-grants/backend/pkg/mailer/agreementpdf"
)

func main() {
	cfg, err := app.Load(os.Getenv, app.NeedMail, app.NeedReplyTokens, app.NeedSchedules, app.NeedAccountingBus, app.NeedCheckInQueue)
	app.JSONLogs(cfg)
	app.ExitOnError(err)
	deps, err := app.NewDeps(cfg, nil)
	app.ExitOnError(err)
	x, err := senders.Sweep(context.Background(), deps, deps.Schedules(), accounting.Bus(deps), queue.CheckIns(deps), agreementpdf.Render)
	app.ExitOnError(err)
	lambda.Start(func(ctx context.Context) error {
		return callmeter.Run(ctx, "Sweep", func(ctx context.Context) error {
			_, err := x.Sweep(ctx)
			return err
		})
	})
}
