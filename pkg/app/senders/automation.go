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
	token "github.com/partnership-grants/backend/pkg/replytoken"
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

// Courier delivers the outbox's side effects by SES: events is the
// accounting bus (pkg/app/accounting) for the functions that publish on it,
// else service.NoEvents; replies signs check-ins' Reply-To addresses for
// the functions that send them (ReplyTokens, in CheckInMail and Sweep), else
// service.NoReplyAddresses.
func Courier(d *app.Deps, events service.Events, replies service.ReplyAddresses) (*service.Courier, error) {
	return courier(d, events, replies, nil)
}

// courier is Courier with the agreement's PDF writer (pdf), for the
// function that sends the agreement and its changes to accept by reply
// (Sweep, which signs their reply addresses, at the send time); nil for the
// others, which then link no PDF library.
func courier(d *app.Deps, events service.Events, replies service.ReplyAddresses, pdf mailer.PDF) (*service.Courier, error) {
	mail, err := Mailer(d)
	if err != nil {
		return nil, err
	}
	opts := service.CourierOptions{ReplyDomain: d.Config.ReplyDomain, AppURL: d.Config.AppURL, AutoMailCap: d.Config.AutoMailCap(),
		EnquiryAddress: d.Config.EnquiryAddress, EnquiryAnswerDays: d.Config.EnquiryAnswerDays}
	return service.NewCourier(d.Store, mailer.Letters{Sender: mail, PDF: pdf}, events, replies, d.Metrics, d.Env(), opts), nil
}

// Automation builds the scheduled handlers' shared core, for the functions
// that neither repair schedules, nor publish on the accounting bus, nor
// send check-ins (InstalmentDue, SESEvents). Only the sweep (Sweep) links
// the Scheduler client and the bus (pkg/app/accounting), and only the
// functions that send check-ins and reminders read the reply-token key
// (CheckInMail).
func Automation(ctx context.Context, d *app.Deps) (*service.Automation, error) {
	c, err := Courier(d, service.NoEvents, service.NoReplyAddresses)
	if err != nil {
		return nil, err
	}
	return service.NewAutomation(d.Store, c, service.NoSchedules, d.Metrics, d.Env(), automationOptions(d)), nil
}

func automationOptions(d *app.Deps) service.AutomationOptions {
	return service.AutomationOptions{Programmes: d.Config.Programmes}
}

// CheckInMail is Automation for the CheckInSender, which sends check-ins
// and reminders, the only emails with a signed Reply-To address besides the
// agreement and its changes, which the sweep sends (Sweep).
func CheckInMail(ctx context.Context, d *app.Deps) (*service.Automation, error) {
	tokens, err := ReplyTokens(ctx, d)
	if err != nil {
		return nil, err
	}
	c, err := Courier(d, service.NoEvents, tokens)
	if err != nil {
		return nil, err
	}
	return service.NewAutomation(d.Store, c, service.NoSchedules, d.Metrics, d.Env(), automationOptions(d)), nil
}

// Sweep is the SweepFunction's automation: it sends reminders (signing
// their Reply-To addresses), publishes on the accounting bus (events),
// repairs schedules (d.Schedules(), passed in so that only the sweep's
// bootstrap links the Scheduler client), and queues the check-ins it finds
// due on queue (pkg/app/queue); pdf (pkg/mailer/agreementpdf's Render)
// writes the PDF of the agreement and its changes, which it sends.
func Sweep(ctx context.Context, d *app.Deps, schedules service.Schedules, events service.Events, queue service.CheckInQueue, pdf mailer.PDF) (*service.Automation, error) {
	tokens, err := ReplyTokens(ctx, d)
	if err != nil {
		return nil, err
	}
	c, err := courier(d, events, tokens, pdf)
	if err != nil {
		return nil, err
	}
	return service.NewQueueingAutomation(d.Store, c, schedules, queue, d.Metrics, d.Env(), automationOptions(d)), nil
}

// PaymentsAPI is the PaymentsFunction's handler; events is the accounting
// bus (pkg/app/accounting), pool the user pool (pkg/app/userpool), asked
// before a payment is requested or approved.
func PaymentsAPI(ctx context.Context, d *app.Deps, events service.Events, pool service.Directory) (httpapi.Placed, error) {
	c, err := Courier(d, events, service.NoReplyAddresses)
	if err != nil {
		return httpapi.Placed{}, err
	}
	payments := service.NewPayments(d.Store, c, pool, d.Metrics, d.Env())
	return (&httpapi.Payments{Payments: payments}).Routes().Placing(d.Store), nil
}

// CheckInConsumer is the CheckInSender's handler: it sends queued check-ins
// through x at SES_SEND_RATE emails a second (the account's rate, default
// 14) shared among CHECKIN_SENDERS instances (the event source's
// MaximumConcurrency, default 2).
func CheckInConsumer(d *app.Deps, x *service.Automation) *checkinqueue.Consumer {
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
