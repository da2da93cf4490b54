// Command web is the WebFunction: the staff's pages, behind Cognito sign-in.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/app/web"
)

func main() {
	cfg, err := app.Load(os.Getenv, app.NeedMail, app.NeedSchedules, app.NeedAccountingBus, app.NeedMailBucket, app.NeedSignIn, app.NeedUserPool)
	app.JSONLogs(cfg)
	app.ExitOnError(err)
	deps, err := app.NewDeps(cfg, nil)
	app.ExitOnError(err)
	h, err := web.Handler(context.Background(), deps)
	app.ExitOnError(err)
	lambda.Start(h)
}
