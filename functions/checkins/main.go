// Command checkins is the CheckInsFunction: check-ins, replies and the
// quarantine, for programme staff.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partnership-grants/backend/pkg/app"
)

func main() {
	app.JSONLogs()
	deps := app.Must(app.NewDeps(nil))
	api := app.Must(deps.CheckInsAPI(context.Background()))
	lambda.Start(api.Handle)
}
