// Command ses-events is the SesEventsFunction: bounces and complaints that
// the SES configuration set publishes to SNS are recorded on the contact.
package main

import (
	"context"
	"errors"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/app/senders"
	"github.com/partnership-grants/backend/pkg/callmeter"
	"github.com/partnership-grants/backend/pkg/logs"
	"github.com/partnership-grants/backend/pkg/service"
)

func main() {
	cfg, err := app.Load(os.Getenv, app.NeedMail)
	app.JSONLogs(cfg)
	app.ExitOnError(err)
	deps, err := app.NewDeps(cfg, nil)
	app.ExitOnError(err)
	x, err := senders.Automation(context.Background(), deps)
	app.ExitOnError(err)
	lambda.Start(func(ctx context.Context, ev events.SNSEvent) error {
		var errs []error
		for _, r := range ev.Records {
			e, err := service.ParseSESEvent(r.SNS.Message)
			if err != nil {
				slog.WarnContext(ctx, "skipping a message that is not an SES event", "messageId", r.SNS.MessageID)
				continue
			}
			ctx := ctx
			if ids := e.Mail.Tags["agreement-id"]; len(ids) > 0 {
				ctx = logs.WithAgreement(ctx, ids[0])
			}
			errs = append(errs, callmeter.Run(ctx, "SESEvent", func(ctx context.Context) error { return x.RecordSESEvent(ctx, e) }))
		}
		return errors.Join(errs...)
	})
}
