// Command checkins is the CheckInsFunction: check-ins, replies and the
// quarantine, for programme staff.
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
	deps, err := app.NewDeps(nil)
	if err != nil {
		slog.Error("start", "error", err.Error())
		os.Exit(1)
	}
	api, err := deps.CheckInsAPI(context.Background())
	if err != nil {
		slog.Error("start", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(api.Handle)
}
