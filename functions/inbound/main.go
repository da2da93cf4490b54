// Command inbound is the InboundFunction: SES's receipt rule stores a
// partner's reply in S3 and invokes this, which parses, verifies and stores
// it, or quarantines it for a person.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partnership-grants/backend/pkg/app"
)

func main() {
	app.JSONLogs()
	deps, err := app.NewDeps(nil)
	if err != nil {
		slog.Error("start", "error", err.Error())
		os.Exit(1)
	}
	rc, err := deps.Receiver(context.Background())
	if err != nil {
		slog.Error("start", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(rc.Handle)
}
