// Command grants-data is the GrantsDataFunction, which exists only when the
// stack's PublishGrantsData is on: every morning it rewrites the
// programme's public 360Giving file.
package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/app/publish"
	"github.com/partnership-grants/backend/pkg/meter"
)

func main() {
	app.JSONLogs()
	deps, err := app.NewDeps(nil)
	app.ExitOnError(err)
	file, err := publish.GrantsFile(deps)
	app.ExitOnError(err)
	if file == nil {
		app.ExitOnError(fmt.Errorf("GRANTS_DATA_BUCKET is not set"))
	}
	lambda.Start(func(ctx context.Context) error {
		return meter.Run(ctx, "GrantsData", func(ctx context.Context) error {
			_, err := file.Publish(ctx)
			return err
		})
	})
}
