package app

import (
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/partnership-grants/backend/pkg/automation"
	"github.com/partnership-grants/backend/pkg/dynamo"
	"github.com/partnership-grants/backend/pkg/eventbus"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/httpapi"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/mailer"
	"github.com/partnership-grants/backend/pkg/replytoken"
	"github.com/partnership-grants/backend/pkg/schedules"
)

func envList(name string) []string {
	var out []string
	for _, v := range strings.Split(os.Getenv(name), ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// Mailer builds the SES sender (throttling retried with backoff).
func (d *Deps) Mailer() (*mailer.Sender, error) {
	client := ses.NewFromConfig(d.AWS, mailer.RetryOptions, func(o *ses.Options) { o.BaseEndpoint = endpoint(d.AWSEnv, "SES") })
	return mailer.NewSender(client, os.Getenv("SENDER_EMAIL"), os.Getenv("SES_CONFIGURATION_SET"))
}

// ReplyTokens loads the HMAC key for reply addresses from Parameter Store
// (a SecureString named by REPLY_TOKEN_KEY_PARAMETER, hex-encoded): the key
// never sits in the template or the function's environment.
func (d *Deps) ReplyTokens(ctx context.Context) (*replytoken.Signer, error) {
	name := os.Getenv("REPLY_TOKEN_KEY_PARAMETER")
	if name == "" {
		return nil, fmt.Errorf("REPLY_TOKEN_KEY_PARAMETER is not set")
	}
	client := ssm.NewFromConfig(d.AWS, func(o *ssm.Options) { o.BaseEndpoint = endpoint(d.AWSEnv, "SSM") })
	out, err := client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read reply token key %s: %w", name, err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(aws.ToString(out.Parameter.Value)))
	if err != nil {
		return nil, fmt.Errorf("reply token key %s is not hex: %w", name, err)
	}
	return replytoken.NewSigner(key)
}

// Schedules builds the EventBridge Scheduler adapter.
func (d *Deps) Schedules() *schedules.Schedules {
	client := scheduler.NewFromConfig(d.AWS, func(o *scheduler.Options) { o.BaseEndpoint = endpoint(d.AWSEnv, "Scheduler") })
	return &schedules.Schedules{
		API:   client,
		Store: d.Store,
		Now:   d.Clock,
		Cfg: schedules.Config{
			Group:            os.Getenv("SCHEDULE_GROUP"),
			RoleArn:          os.Getenv("SCHEDULER_ROLE_ARN"),
			DeadLetterArn:    os.Getenv("SCHEDULE_DLQ_ARN"),
			InstalmentTarget: os.Getenv("INSTALMENT_DUE_FUNCTION_ARN"),
			CheckInTarget:    os.Getenv("CHECKIN_SENDER_FUNCTION_ARN"),
			HourOfDay:        envInt("SCHEDULE_HOUR", 9),
		},
	}
}

// Automation builds the scheduled handlers' shared core. Functions that do
// not create schedules pass withSchedules false and need no Scheduler rights.
func (d *Deps) Automation(ctx context.Context, withSchedules bool) (*automation.Automation, error) {
	mail, err := d.Mailer()
	if err != nil {
		return nil, err
	}
	tokens, err := d.ReplyTokens(ctx)
	if err != nil {
		return nil, err
	}
	loc, _ := time.LoadLocation(d.Env.TimeZone)
	x := &automation.Automation{
		Store:       d.Store,
		Mail:        mail,
		Replies:     tokens,
		ReplyDomain: os.Getenv("REPLY_DOMAIN"),
		Now:         d.Clock,
		Location:    loc,
		Defaults:    d.ProgrammeDefaults(),
	}
	x.Events = &eventbus.Bus{
		API:  eventbridge.NewFromConfig(d.AWS, func(o *eventbridge.Options) { o.BaseEndpoint = endpoint(d.AWSEnv, "EventBridge") }),
		Name: os.Getenv("EVENT_BUS_NAME"),
	}
	if withSchedules {
		x.Schedules = d.Schedules()
	}
	return x, nil
}

// ProgrammeDefaults are the deployment's settings for programmes that have
// none of their own.
func (d *Deps) ProgrammeDefaults() grants.ProgrammeSettings {
	two := os.Getenv("TWO_PERSON_RULE") != "false"
	return grants.ProgrammeSettings{
		Name:          os.Getenv("PROGRAMME_NAME"),
		OfficerEmails: envList("OFFICER_EMAILS"),
		FinanceEmails: envList("FINANCE_EMAILS"),
		ReminderDays:  envInt("REMINDER_DAYS", 7),
		MaxReminders:  envInt("MAX_REMINDERS", 2),
		TwoPersonRule: &two,
	}
}

// PaymentsAPI is the PaymentsFunction's handler.
func (d *Deps) PaymentsAPI(ctx context.Context) (httpapi.Router, error) {
	x, err := d.Automation(ctx, false)
	if err != nil {
		return nil, err
	}
	h := &httpapi.Payments{
		Store:       d.Store,
		Idempotency: idempotency.NewStore(d.DB, d.Env.TableName),
		Outbox:      x,
		Defaults:    d.ProgrammeDefaults(),
		Now:         d.Clock,
		NewID:       dynamo.NewID,
	}
	return h.Routes(), nil
}
