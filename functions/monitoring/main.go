// Command monitoring is the MonitoringFunction: the programme summary,
// agreement timelines, the CSV and 360Giving exports, and the dashboard.
package main

import (
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
	lambda.Start(deps.MonitoringAPI().Handle)
}
