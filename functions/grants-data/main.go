// Command grants-data is the GrantsDataFunction, which exists only when the
// stack's PublishGrantsData is on: every morning it rewrites the
// programme's public 360Giving file.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/app/publish"
	"github.com/partnership-grants/backend/pkg/callmeter"
)

func main() {
	cfg, err := app.Load(os.Getenv, app.NeedGrantsData)
	app.JSONLogs(cfg)
	app.ExitOnError(err)
	deps, err := app.NewDeps(cfg, nil)
	app.ExitOnError(err)
	file, err := publish.GrantsFile(deps)
	app.ExitOnError(err)
	lambda.Start(func(ctx context.Context) error {
		return callmeter.Run(ctx, "GrantsData", func(ctx context.Context) error {
			_, err := file.Publish(ctx)
			return err
		})
	})
}
