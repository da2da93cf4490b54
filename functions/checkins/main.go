// Command checkins is the CheckInsFunction: check-ins, replies and the
// quarantine, for programme staff.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/app/senders"
)

func main() {
	cfg, err := app.Load(os.Getenv, app.NeedMail, app.NeedMailBucket)
	app.JSONLogs(cfg)
	app.ExitOnError(err)
	deps, err := app.NewDeps(cfg, nil)
	app.ExitOnError(err)
	api, err := senders.CheckInsAPI(context.Background(), deps)
	app.ExitOnError(err)
	lambda.Start(api.Checking(deps.Store).Handle)
}
