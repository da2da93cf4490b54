// Command agreements is the AgreementsFunction: the /agreements routes,
// and the programme's settings and staff.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"os"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/app/userpool"
)

func main() {
	cfg, err := app.Load(os.Getenv, app.NeedSchedules, app.NeedStaff)
	app.JSONLogs(cfg)
	app.ExitOnError(err)
	deps, err := app.NewDeps(cfg, nil)
	app.ExitOnError(err)
	api, err := userpool.AgreementsAPI(deps)
	app.ExitOnError(err)
	lambda.Start(api.Handle)
}
