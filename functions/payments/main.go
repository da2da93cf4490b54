// Command payments is the PaymentsFunction: finance's instalment routes
// (list, request, approve) and programme staff's hold and release.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/app/accounting"
	"github.com/partnership-grants/backend/pkg/app/senders"
	"github.com/partnership-grants/backend/pkg/app/userpool"
)

func main() {
	app.JSONLogs()
	deps, err := app.NewDeps(nil)
	app.ExitOnError(err)
	pool, err := userpool.Directory(deps)
	app.ExitOnError(err)
	api, err := senders.PaymentsAPI(context.Background(), deps, accounting.Bus(deps), pool)
	app.ExitOnError(err)
	lambda.Start(api.Handle)
}
