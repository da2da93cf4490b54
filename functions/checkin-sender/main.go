// Command checkin-sender is the CheckInSenderFunction: a check-in's
// one-time schedule emails the partner, exactly once.
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
		return x.SendCheckIn(ctx, e.AgreementID, e.Number)
	})
}
