// Command monitoring is the MonitoringFunction: the programme summary,
// agreement timelines, the CSV and 360Giving exports, and the dashboard.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"os"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/app/monitoring"
)

func main() {
	cfg, err := app.Load(os.Getenv)
	app.JSONLogs(cfg)
	app.ExitOnError(err)
	deps, err := app.NewDeps(cfg, nil)
	app.ExitOnError(err)
	lambda.Start(monitoring.API(deps).Checking(deps.Store).Handle)
}
