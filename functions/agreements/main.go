// Command agreements is the AgreementsFunction: the /agreements routes.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"os"

	"github.com/partnership-grants/backend/pkg/app"
)

func main() {
	cfg, err := app.Load(os.Getenv, app.NeedSchedules)
	app.JSONLogs(cfg)
	app.ExitOnError(err)
	deps, err := app.NewDeps(cfg, nil)
	app.ExitOnError(err)
	lambda.Start(deps.AgreementsAPI().Handle)
}
