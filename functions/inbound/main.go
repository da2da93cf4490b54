// Command inbound is the InboundFunction: SES's receipt rule stores a
// partner's reply in S3 and invokes this, which parses, verifies and stores
// it, or quarantines it for a person.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partnership-grants/backend/pkg/app"
)

func main() {
	app.JSONLogs()
	deps := app.Must(app.NewDeps(nil))
	rc := app.Must(deps.Receiver(context.Background()))
	lambda.Start(rc.Handle)
}
