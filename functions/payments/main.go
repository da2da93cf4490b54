// Command payments is the PaymentsFunction: finance's instalment routes
// (list, request, approve) and programme staff's hold and release.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partnership-grants/backend/pkg/app"
)

func main() {
	app.JSONLogs()
	deps := app.Must(app.NewDeps(nil))
	api := app.Must(deps.PaymentsAPI(context.Background()))
	lambda.Start(api.Handle)
}
