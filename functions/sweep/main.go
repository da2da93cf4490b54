// Command sweep is the SweepFunction: every morning it does whatever is due
// and was missed, sends reminders and recreates missing schedules.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partnership-grants/backend/pkg/app"
)

func main() {
	app.JSONLogs()
	deps := app.Must(app.NewDeps(nil))
	x := app.Must(deps.Automation(context.Background(), true))
	lambda.Start(func(ctx context.Context) error {
		_, err := x.Sweep(ctx)
		return err
	})
}
