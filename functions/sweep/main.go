// Command sweep is the SweepFunction: every morning it does whatever is due
// and was missed, sends reminders and recreates missing schedules.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partnership-grants/backend/pkg/app"
)

func main() {
	app.JSONLogs()
	ctx := context.Background()
	deps, err := app.NewDeps(nil)
	if err != nil {
		slog.Error("start", "error", err.Error())
		os.Exit(1)
	}
	x, err := deps.Automation(ctx, true)
	if err != nil {
		slog.Error("start", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(func(ctx context.Context) error {
		_, err := x.Sweep(ctx)
		return err
	})
}
