// Command payments is the PaymentsFunction: finance's instalment routes
// (list, request, approve) and programme staff's hold and release.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/app/accounting"
	"github.com/partnership-grants/backend/pkg/app/senders"
	"github.com/partnership-grants/backend/pkg/app/userpool"
)

func main() {
	cfg, err := app.Load(os.Getenv, app.NeedMail, app.NeedAccountingBus, app.NeedUserPool)
	app.JSONLogs(cfg)
	app.ExitOnError(err)
	deps, err := app.NewDeps(cfg, nil)
	app.ExitOnError(err)
	pool, err := userpool.Directory(deps)
	app.ExitOnError(err)
	api, err := senders.PaymentsAPI(context.Background(), deps, accounting.Bus(deps), pool)
	app.ExitOnError(err)
	lambda.Start(api.Checking(deps.Store).Handle)
}
