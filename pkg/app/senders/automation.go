// Package senders wires the functions that send email: the scheduled
// handlers, payments and check-ins (and, through pkg/app/receiver, the reply
// receiver), on top of app.Deps; pkg/app's doc says why it is apart.
package senders

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/checkinqueue"
	"github.com/partnership-grants/backend/pkg/httpapi"
	"github.com/partnership-grants/backend/pkg/mailer"
	"github.com/partnership-grants/backend/pkg/reply/token"
	"github.com/partnership-grants/backend/pkg/service"
)

// Mailer builds the SES sender (throttling retried with backoff).
func Mailer(d *app.Deps) (*mailer.Sender, error) {
	// One SES endpoint serves both APIs: AWS_ENDPOINT_URL_SES names it for
	// the v2 client too (then AWS_ENDPOINT_URL, as for every service).
	client := sesv2.NewFromConfig(d.AWS, mailer.RetryOptions, func(o *sesv2.Options) { o.BaseEndpoint = d.Endpoint("SES") })
	return mailer.NewSender(sesOps{client.SendEmail}, d.Config.SenderEmail, d.Config.SESConfigurationSet)
}

// ReplyTokens loads the HMAC key for reply addresses: the string of the
// Secrets Manager secret REPLY_TOKEN_SECRET names, which the stack generates,
// so the key never sits in the template, a parameter or an environment.
// The key is read once per Deps, however many parts of a function ask. Only
// the functions that sign reply addresses (CheckInMail) or verify them (the
// InboundFunction's receiver) load it.
func ReplyTokens(ctx context.Context, d *app.Deps) (*token.Signer, error) {
	id := d.Config.ReplyTokenSecret
	if id == "" {
		return nil, fmt.Errorf("REPLY_TOKEN_SECRET is not set")
	}
	key, err := Secret(ctx, d, id)
	if err != nil {
		return nil, fmt.Errorf("read reply token key: %w", err)
	}
	return token.NewSigner([]byte(key))
}

// Secret is the string of the Secrets Manager secret id, read once per Deps.
func Secret(ctx context.Context, d *app.Deps, id string) (string, error) {
	return d.Secret(ctx, id, func(ctx context.Context, id string) (string, error) {
		client := secretsmanager.NewFromConfig(d.AWS, func(o *secretsmanager.Options) { o.BaseEndpoint = d.Endpoint("Secrets Manager") })
		out, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
		if err != nil {
			return "", fmt.Errorf("read secret %s: %w", id, err)
		}
		return aws.ToString(out.SecretString), nil
	})
}

// Automation builds the scheduled handlers' shared core. Functions that do
// not create schedules need no Scheduler rights; the sweep, which repairs
// them, sets Schedules to d.Schedules() itself (so that only its bootstrap
// links the Scheduler client). Likewise only the functions that publish on
// the accounting bus set Events (pkg/app/accounting), and only those that
// send check-ins and reminders sign their Reply-To addresses (CheckInMail).
func Automation(ctx context.Context, d *app.Deps) (*service.Service, error) {
	mail, err := Mailer(d)
	if err != nil {
		return nil, err
	}
	x := d.Service()
	x.Letters, x.Location = mailer.Letters{Sender: mail}, d.Config.Location
	return x, nil
}

// CheckInMail is Automation for the functions that send check-ins and
// reminders, the only emails with a signed Reply-To address: the
// CheckInSender and the Sweep. The others never read the reply-token key.
func CheckInMail(ctx context.Context, d *app.Deps) (*service.Service, error) {
	x, err := Automation(ctx, d)
	if err != nil {
		return nil, err
	}
	tokens, err := ReplyTokens(ctx, d)
	if err != nil {
		return nil, err
	}
	x.Replies, x.ReplyDomain = tokens, d.Config.ReplyDomain
	return x, nil
}

// PaymentsAPI is the PaymentsFunction's handler; events is the accounting
// bus (pkg/app/accounting), pool the user pool (pkg/app/userpool), asked
// before a payment is requested or approved.
func PaymentsAPI(ctx context.Context, d *app.Deps, events service.Events, pool service.Directory) (httpapi.Router, error) {
	svc, err := Automation(ctx, d)
	if err != nil {
		return nil, err
	}
	svc.Events, svc.Directory = events, pool
	return (&httpapi.Payments{Service: svc}).Routes(), nil
}

// CheckInConsumer is the CheckInSender's handler: it sends queued check-ins
// through x at SES_SEND_RATE emails a second (the account's rate, default
// 14) shared among CHECKIN_SENDERS instances (the event source's
// MaximumConcurrency, default 2).
func CheckInConsumer(d *app.Deps, x *service.Service) *checkinqueue.Consumer {
	perSecond := d.Config.SESSendRate
	if perSecond <= 0 {
		perSecond = checkinqueue.DefaultSendRate
	}
	senders := d.Config.CheckInSenders
	if senders < 1 {
		senders = 2
	}
	return &checkinqueue.Consumer{
		Send:      x.SendCheckIn,
		Limiter:   checkinqueue.Limit(perSecond, senders),
		Throttled: mailer.IsThrottled,
	}
}
