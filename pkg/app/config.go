package app

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/logs"
	"github.com/partnership-grants/backend/pkg/metrics"
	"github.com/partnership-grants/backend/pkg/schedules"
)

// Config is one function's configuration: the variables template.yaml
// gives it, parsed and checked once, in main (Load), and passed down as a
// value. Nothing below main and this package reads the environment; the
// local stack builds its Config from its own settings, not from the
// process's environment.
type Config struct {
	// The Lambda runtime's region and execution role's credentials
	// (AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
	// AWS_SESSION_TOKEN).
	Region                                     string
	AccessKeyID, SecretAccessKey, SessionToken string
	// Endpoints are the services' endpoints by SDK service ID ("DynamoDB"),
	// and under "" the one for every service, as the SDK's
	// AWS_ENDPOINT_URL_<SERVICE> and AWS_ENDPOINT_URL name them (see
	// endpointServices); none in AWS, sam local's and the local stack's
	// emulators locally.
	Endpoints map[string]string

	LogLevel         slog.Level // AWS_LAMBDA_LOG_LEVEL, as Lambda sets it
	MetricsNamespace string     // METRICS_NAMESPACE

	TableName string         // TABLE_NAME
	TimeZone  string         // TIME_ZONE: the programme's zone
	Location  *time.Location // TimeZone, loaded

	// The programme and its default settings (a programme's own override them).
	ProgrammeCode     string        // PROGRAMME_CODE
	Programmes        []string      // PROGRAMME_CODE, as a comma-separated list
	ProgrammeName     string        // PROGRAMME_NAME
	OfficerEmails     []string      // OFFICER_EMAILS
	OfficerName       string        // OFFICER_NAME
	FinanceEmails     []string      // FINANCE_EMAILS
	ReminderDays      int           // REMINDER_DAYS (default 7)
	MaxReminders      int           // MAX_REMINDERS (default 2)
	TwoPersonRule     bool          // TWO_PERSON_RULE: on unless "false"
	SendTime          string        // SEND_TIME
	BankHolidayRegion string        // BANK_HOLIDAY_REGION
	QuietPeriod       string        // QUIET_PERIOD
	ExtraBankHolidays []grants.Date // EXTRA_BANK_HOLIDAYS
	CheckInLeadDays   int           // CHECKIN_LEAD_DAYS
	FinalReportDays   int           // FINAL_REPORT_DAYS
	OnTimeWorkingDays int           // ON_TIME_WORKING_DAYS
	AppURL            string        // APP_URL
	// SES_DAILY_QUOTA and INBOUND_MAIL_QUOTA_PERCENT (see AutoMailCap).
	SESDailyQuota, InboundMailQuotaPercent int

	// Mail.
	SenderEmail         string // SENDER_EMAIL
	SESConfigurationSet string // SES_CONFIGURATION_SET
	ReplyDomain         string // REPLY_DOMAIN
	// ReplyTokenSecret names the Secrets Manager secret holding the reply
	// addresses' key (REPLY_TOKEN_SECRET); only the functions that sign or
	// verify reply addresses are given it.
	ReplyTokenSecret string
	// The CheckInSender's pace: SES_SEND_RATE emails a second shared among
	// CHECKIN_SENDERS instances; 0 for the defaults.
	SESSendRate    float64
	CheckInSenders int

	Schedules       schedules.Config // SCHEDULE_GROUP, SCHEDULER_ROLE_ARN, SCHEDULE_DLQ_ARN, INSTALMENT_DUE_FUNCTION_ARN, CHECKIN_QUEUE_ARN
	CheckInQueueURL string           // CHECKIN_QUEUE_URL
	EventBusName    string           // EVENT_BUS_NAME: the accounting bus
	MailBucket      string           // MAIL_BUCKET
	RawPrefix       string           // RAW_PREFIX (default raw/)
	// S3UsePathStyle is for local S3 stand-ins (S3_USE_PATH_STYLE); the SDK
	// has no variable of its own for it.
	S3UsePathStyle bool

	// The publisher of the 360Giving file (FUNDER_360G_PREFIX,
	// FUNDER_ORG_ID, FUNDER_NAME) and its public copy (GRANTS_DATA_BUCKET,
	// GRANTS_DATA_KEY).
	Funder360GPrefix, FunderOrgID, FunderName string
	GrantsDataBucket, GrantsDataKey           string

	// The web app's sign-in (SIGNIN_ISSUER, SIGNIN_URL) and the secret
	// holding its client (WEB_CLIENT_SECRET).
	SignInIssuer, SignInURL, WebClientSecret string

	// UserPoolID (USER_POOL_ID) is the pool asked whether a person is
	// still in finance before money moves.
	UserPoolID string

	// PaymentPolicy (PAYMENT_POLICY, the template's PaymentPolicy):
	// onSchedule (the default) or afterCheckIn, for programmes whose
	// settings do not choose (issue 23, money on trust).
	PaymentPolicy grants.PaymentPolicy
	// FirstInstalmentAwaitsAcceptance (FIRST_INSTALMENT_AWAITS_ACCEPTANCE):
	// instalment 1 is not paid before the partner accepts the agreement.
	FirstInstalmentAwaitsAcceptance bool

	// Enquiries (issue 24, item 6): EnquiryAddress (ENQUIRY_ADDRESS, the
	// template's EnquiryAddress; "enquiries@" REPLY_DOMAIN when unset) is
	// the address organisations write to, received by the replies' receipt
	// rule; its enquiries are ProgrammeCode's. EnquiryAnswerDays
	// (ENQUIRY_ANSWER_DAYS, default 5) is the working days the
	// acknowledgement promises an answer within.
	EnquiryAddress    string
	EnquiryAnswerDays int
}

// Need is a part of the Config that only some functions use: each main
// names its needs, and Load reports every variable they leave unset.
type Need int

const (
	NeedMail          Need = iota + 1 // SENDER_EMAIL
	NeedReplyTokens                   // REPLY_TOKEN_SECRET: signing or verifying reply addresses
	NeedSchedules                     // the Scheduler's group, role, dead-letter queue and targets
	NeedAccountingBus                 // EVENT_BUS_NAME
	NeedMailBucket                    // MAIL_BUCKET
	NeedCheckInQueue                  // CHECKIN_QUEUE_URL
	NeedSignIn                        // SIGNIN_ISSUER, SIGNIN_URL, WEB_CLIENT_SECRET
	NeedGrantsData                    // GRANTS_DATA_BUCKET, GRANTS_DATA_KEY
	NeedUserPool                      // USER_POOL_ID: asking who is in finance now, before money moves
	// NeedStaff: USER_POOL_ID and SIGNIN_ISSUER, the pool whose staff an
	// administrator manages and its issuer, which with a person's sub
	// makes the actor ID their sessions are ended by (issue 25, item 4).
	NeedStaff
)

// endpointServices are the SDK service IDs of the services the functions
// call, whose AWS_ENDPOINT_URL_<SERVICE> Load reads. A function that calls
// a new service adds its ID here.
var endpointServices = []string{"DynamoDB", "SES", "S3", "Scheduler", "Secrets Manager", "EventBridge", "SQS", "Cognito Identity Provider"}

// Load parses the configuration from getenv (os.Getenv in main; a map's
// lookup in tests and the local stack) and checks it, with what the needs
// require. Its error names every variable that is missing or bad, not only
// the first; the Config is returned even then (its LogLevel to log the
// error with).
func Load(getenv func(string) string, needs ...Need) (Config, error) {
	var errs problems
	bad := errs.add
	// count reads a whole number of at least min, def when unset.
	count := func(name string, min, def int) int {
		s := strings.TrimSpace(getenv(name))
		if s == "" {
			return def
		}
		v, err := strconv.Atoi(s)
		if err != nil || v < min {
			bad(name, "must be a whole number of at least %d, got %q", min, s)
			return def
		}
		return v
	}
	c := Config{
		Region:           getenv("AWS_REGION"),
		AccessKeyID:      getenv("AWS_ACCESS_KEY_ID"),
		SecretAccessKey:  getenv("AWS_SECRET_ACCESS_KEY"),
		SessionToken:     getenv("AWS_SESSION_TOKEN"),
		Endpoints:        endpoints(getenv),
		LogLevel:         logs.ParseLevel(getenv("AWS_LAMBDA_LOG_LEVEL")),
		MetricsNamespace: metrics.Namespace(getenv("METRICS_NAMESPACE")),

		TableName:     getenv("TABLE_NAME"),
		TimeZone:      getenv("TIME_ZONE"),
		ProgrammeCode: getenv("PROGRAMME_CODE"),
		Programmes:    list(getenv("PROGRAMME_CODE")),
		ProgrammeName: getenv("PROGRAMME_NAME"),
		OfficerEmails: list(getenv("OFFICER_EMAILS")),
		OfficerName:   getenv("OFFICER_NAME"),
		FinanceEmails: list(getenv("FINANCE_EMAILS")),
		ReminderDays:  count("REMINDER_DAYS", 1, 7),
		MaxReminders:  count("MAX_REMINDERS", 1, 2),
		TwoPersonRule: getenv("TWO_PERSON_RULE") != "false",
		// FIRST_INSTALMENT_AWAITS_ACCEPTANCE: off unless "true" (issue 23, item 4).
		FirstInstalmentAwaitsAcceptance: getenv("FIRST_INSTALMENT_AWAITS_ACCEPTANCE") == "true",
		// Timing: the template's SendTime, BankHolidayRegion, QuietPeriod
		// and ExtraBankHolidays parameters.
		SendTime:          getenv("SEND_TIME"),
		BankHolidayRegion: getenv("BANK_HOLIDAY_REGION"),
		QuietPeriod:       getenv("QUIET_PERIOD"),
		CheckInLeadDays:   count("CHECKIN_LEAD_DAYS", 0, grants.DefaultCheckInLeadDays),
		FinalReportDays:   count("FINAL_REPORT_DAYS", 0, grants.DefaultFinalReportDays),
		OnTimeWorkingDays: count("ON_TIME_WORKING_DAYS", 0, grants.DefaultOnTimeWorkingDays),
		AppURL:            getenv("APP_URL"),
		// Not checked: nonsense falls back to the template's default, as
		// TestAutoMailCapReadsTheQuotaAndTheShare holds.
		SESDailyQuota:           positive(getenv("SES_DAILY_QUOTA"), defaultSESDailyQuota),
		InboundMailQuotaPercent: positive(getenv("INBOUND_MAIL_QUOTA_PERCENT"), defaultInboundQuotaPercent),

		SenderEmail:         getenv("SENDER_EMAIL"),
		SESConfigurationSet: getenv("SES_CONFIGURATION_SET"),
		ReplyDomain:         getenv("REPLY_DOMAIN"),
		ReplyTokenSecret:    getenv("REPLY_TOKEN_SECRET"),
		CheckInSenders:      count("CHECKIN_SENDERS", 1, 0),

		Schedules: schedules.Config{
			Group:            getenv("SCHEDULE_GROUP"),
			RoleArn:          getenv("SCHEDULER_ROLE_ARN"),
			DeadLetterArn:    getenv("SCHEDULE_DLQ_ARN"),
			InstalmentTarget: getenv("INSTALMENT_DUE_FUNCTION_ARN"),
			CheckInTarget:    getenv("CHECKIN_QUEUE_ARN"),
		},
		CheckInQueueURL: getenv("CHECKIN_QUEUE_URL"),
		EventBusName:    getenv("EVENT_BUS_NAME"),
		MailBucket:      getenv("MAIL_BUCKET"),
		RawPrefix:       getenv("RAW_PREFIX"),
		S3UsePathStyle:  getenv("S3_USE_PATH_STYLE") == "true",

		Funder360GPrefix: getenv("FUNDER_360G_PREFIX"),
		FunderOrgID:      getenv("FUNDER_ORG_ID"),
		FunderName:       getenv("FUNDER_NAME"),
		GrantsDataBucket: getenv("GRANTS_DATA_BUCKET"),
		GrantsDataKey:    getenv("GRANTS_DATA_KEY"),

		SignInIssuer:    getenv("SIGNIN_ISSUER"),
		SignInURL:       getenv("SIGNIN_URL"),
		WebClientSecret: getenv("WEB_CLIENT_SECRET"),
		UserPoolID:      getenv("USER_POOL_ID"),
	}
	if c.RawPrefix == "" {
		c.RawPrefix = "raw/"
	}
	c.EnquiryAnswerDays = count("ENQUIRY_ANSWER_DAYS", 1, grants.DefaultEnquiryAnswerDays)
	c.EnquiryAddress = strings.ToLower(strings.TrimSpace(getenv("ENQUIRY_ADDRESS")))
	if c.EnquiryAddress == "" && c.ReplyDomain != "" {
		c.EnquiryAddress = "enquiries@" + strings.ToLower(c.ReplyDomain)
	}
	if local, domain, ok := strings.Cut(c.EnquiryAddress, "@"); c.EnquiryAddress != "" && (!ok || local == "" || domain == "" || strings.ContainsAny(c.EnquiryAddress, " +<>")) {
		bad("ENQUIRY_ADDRESS", "must be an address such as enquiries@reply.example.org (no '+': those are signed reply addresses), got %q", c.EnquiryAddress)
	}

	// What every function needs.
	require := func(names ...string) { errs.require(getenv, names...) }
	require("AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "TABLE_NAME")
	if c.TimeZone == "" {
		c.TimeZone = grants.DefaultTimeZone
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		bad("TIME_ZONE", "not a time zone: %q", c.TimeZone)
		loc = time.UTC
	}
	c.Location = loc
	timing := map[string]string{"sendTime": "SEND_TIME", "region": "BANK_HOLIDAY_REGION", "quietPeriod": "QUIET_PERIOD"}
	var invalid *grants.Error
	if err := (grants.Timing{SendTime: c.SendTime, Region: c.BankHolidayRegion, QuietPeriod: c.QuietPeriod}).Validate(); errors.As(err, &invalid) {
		for _, f := range invalid.Fields {
			bad(timing[f.Field], "%s, got %q", f.Reason, getenv(timing[f.Field]))
		}
	}
	for _, v := range list(getenv("EXTRA_BANK_HOLIDAYS")) {
		d, err := grants.ParseDate(v)
		if err != nil {
			bad("EXTRA_BANK_HOLIDAYS", "must be YYYY-MM-DD dates separated by commas, got %q", v)
			continue
		}
		c.ExtraBankHolidays = append(c.ExtraBankHolidays, d)
	}
	if s := getenv("SES_SEND_RATE"); s != "" {
		if v, err := strconv.ParseFloat(s, 64); err != nil || v <= 0 {
			bad("SES_SEND_RATE", "must be a number of emails a second above 0, got %q", s)
		} else {
			c.SESSendRate = v
		}
	}
	if p, err := grants.ParsePaymentPolicy(getenv("PAYMENT_POLICY"), grants.DefaultPaymentPolicy); err != nil {
		bad("PAYMENT_POLICY", "must be onSchedule or afterCheckIn, got %q", getenv("PAYMENT_POLICY"))
		c.PaymentPolicy = grants.DefaultPaymentPolicy
	} else {
		c.PaymentPolicy = p
	}
	if c.GrantsDataBucket != "" && c.GrantsDataKey == "" {
		bad("GRANTS_DATA_KEY", "not set, but GRANTS_DATA_BUCKET is")
	}

	// What this function needs.
	for _, n := range needs {
		switch n {
		case NeedMail:
			require("SENDER_EMAIL")
		case NeedReplyTokens:
			require("REPLY_TOKEN_SECRET")
		case NeedSchedules:
			require("SCHEDULE_GROUP", "SCHEDULER_ROLE_ARN", "SCHEDULE_DLQ_ARN", "INSTALMENT_DUE_FUNCTION_ARN", "CHECKIN_QUEUE_ARN")
		case NeedAccountingBus:
			require("EVENT_BUS_NAME")
		case NeedMailBucket:
			require("MAIL_BUCKET")
		case NeedCheckInQueue:
			require("CHECKIN_QUEUE_URL")
		case NeedSignIn:
			require("SIGNIN_ISSUER", "SIGNIN_URL", "WEB_CLIENT_SECRET")
		case NeedGrantsData:
			require("GRANTS_DATA_BUCKET", "GRANTS_DATA_KEY")
		case NeedUserPool:
			require("USER_POOL_ID")
		case NeedStaff:
			require("USER_POOL_ID", "SIGNIN_ISSUER")
		}
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("configuration: %w", errors.Join(errs...))
	}
	return c, nil
}

// problems are what Load found wrong, each naming its variable. Its
// methods are kept out of line: inlined at each of Load's checks they cost
// every bootstrap 5 KB, which pushed the WebFunction past its budget.
type problems []error

//go:noinline
func (p *problems) add(name, format string, args ...any) {
	*p = append(*p, fmt.Errorf("%s: "+format, append([]any{name}, args...)...))
}

//go:noinline
func (p *problems) require(getenv func(string) string, names ...string) {
	for _, name := range names {
		if getenv(name) == "" {
			p.add(name, "not set")
		}
	}
}

// endpoints reads the SDK's own variables, as the SDK's shared config does
// (AWS_ENDPOINT_URL_<SERVICE ID>, upper case, spaces as underscores; then
// AWS_ENDPOINT_URL), unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true.
// An empty variable is unset. sam local sets them; in AWS none is set.
func endpoints(getenv func(string) string) map[string]string {
	if strings.EqualFold(getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true") {
		return nil
	}
	out := map[string]string{}
	for _, id := range endpointServices {
		if v := getenv(endpointVariable(id)); v != "" {
			out[id] = v
		}
	}
	if v := getenv("AWS_ENDPOINT_URL"); v != "" {
		out[""] = v
	}
	return out
}

// endpointVariable is the SDK's variable for one service's endpoint.
func endpointVariable(sdkID string) string {
	return "AWS_ENDPOINT_URL_" + strings.ToUpper(strings.ReplaceAll(sdkID, " ", "_"))
}

// list reads comma-separated values, skipping empty ones.
func list(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// positive is s as a number above 0, else def.
func positive(s string, def int) int {
	if v, err := strconv.Atoi(s); err == nil && v > 0 {
		return v
	}
	return def
}
