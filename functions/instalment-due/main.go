// Command instalment-due is the InstalmentDueFunction: an instalment's
// one-time schedule (or the sweep) makes it due and tells finance.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/schedules"
)

func main() {
	app.JSONLogs()
	deps := app.Must(app.NewDeps(nil))
	x := app.Must(deps.Automation(context.Background(), false))
	lambda.Start(func(ctx context.Context, e schedules.Event) error {
		return x.InstalmentDue(ctx, e.AgreementID, e.Number)
	})
}
