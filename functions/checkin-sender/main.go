// Command checkin-sender is the CheckInSenderFunction: a check-in's
// one-time schedule emails the partner, exactly once.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/schedules"
)

func main() {
	app.JSONLogs()
	ctx := context.Background()
	deps, err := app.NewDeps(nil)
	if err != nil {
		slog.Error("start", "error", err.Error())
		os.Exit(1)
	}
	x, err := deps.Automation(ctx, false)
	if err != nil {
		slog.Error("start", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(func(ctx context.Context, e schedules.Event) error {
		return x.SendCheckIn(ctx, e.AgreementID, e.Number)
	})
}
