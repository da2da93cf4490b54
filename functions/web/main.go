// Command web is the WebFunction: the staff's pages, behind Cognito sign-in.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/app/web"
)

func main() {
	app.JSONLogs()
	deps, err := app.NewDeps(nil)
	app.ExitOnError(err)
	h, err := web.Handler(context.Background(), deps)
	app.ExitOnError(err)
	lambda.Start(h)
}
