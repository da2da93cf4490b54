// Command instalment-due is the InstalmentDueFunction: an instalment's
// one-time schedule (or the sweep) makes it due and tells finance.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/app/senders"
	"github.com/partnership-grants/backend/pkg/callmeter"
	"github.com/partnership-grants/backend/pkg/logs"
	"github.com/partnership-grants/backend/pkg/schedules"
)

func main() {
	cfg, err := app.Load(os.Getenv, app.NeedMail)
	app.JSONLogs(cfg)
	app.ExitOnError(err)
	deps, err := app.NewDeps(cfg, nil)
	app.ExitOnError(err)
	x, err := senders.Automation(context.Background(), deps)
	app.ExitOnError(err)
	lambda.Start(func(ctx context.Context, e schedules.Event) error {
		// The invocation's line names the agreement too.
		ctx = logs.WithAgreement(ctx, e.AgreementID)
		return callmeter.Run(ctx, "InstalmentDue", func(ctx context.Context) error { return x.InstalmentDue(ctx, e.AgreementID, e.Number) })
	})
}
