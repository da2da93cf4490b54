// Command agreements is the AgreementsFunction: the /agreements routes.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partnership-grants/backend/pkg/app"
)

func main() {
	app.JSONLogs()
	deps, err := app.NewDeps(nil)
	app.ExitOnError(err)
	lambda.Start(deps.AgreementsAPI().Handle)
}
