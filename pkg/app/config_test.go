package app

import (
	"log/slog"
	"strings"
	"testing"
	"time"
)

// lambdaEnv is what every function is given: the runtime's region and
// credentials, and the table.
func lambdaEnv() env {
	return env{"AWS_REGION": "eu-west-2", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret", "TABLE_NAME": "t"}
}

// A function that cannot start says at once every variable it lacks or
// cannot read, each by name with what is wrong, not the first alone.
func TestLoadNamesEveryMissingOrBadVariable(t *testing.T) {
	e := env{
		"TIME_ZONE":           "Mars/Olympus",
		"SEND_TIME":           "9am",
		"BANK_HOLIDAY_REGION": "atlantis",
		"QUIET_PERIOD":        "christmas",
		"EXTRA_BANK_HOLIDAYS": "2026-05-04,tomorrow",
		"REMINDER_DAYS":       "0",
		"CHECKIN_LEAD_DAYS":   "-1",
		"SES_SEND_RATE":       "fast",
		"GRANTS_DATA_BUCKET":  "public",
	}
	_, err := Load(e.get, NeedMail, NeedReplyTokens, NeedSignIn)
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{
		"AWS_REGION: not set", "AWS_ACCESS_KEY_ID: not set", "AWS_SECRET_ACCESS_KEY: not set", "TABLE_NAME: not set",
		`TIME_ZONE: not a time zone: "Mars/Olympus"`,
		`SEND_TIME: must be a time of day such as 09:00, got "9am"`,
		`BANK_HOLIDAY_REGION: must be one of`,
		`QUIET_PERIOD: must be MM-DD/MM-DD (e.g. 12-24/01-01) or none, got "christmas"`,
		`EXTRA_BANK_HOLIDAYS: must be YYYY-MM-DD dates separated by commas, got "tomorrow"`,
		`REMINDER_DAYS: must be a whole number of at least 1, got "0"`,
		`CHECKIN_LEAD_DAYS: must be a whole number of at least 0, got "-1"`,
		`SES_SEND_RATE: must be a number of emails a second above 0, got "fast"`,
		"GRANTS_DATA_KEY: not set, but GRANTS_DATA_BUCKET is",
		"SENDER_EMAIL: not set", "REPLY_TOKEN_SECRET: not set",
		"SIGNIN_ISSUER: not set", "SIGNIN_URL: not set", "WEB_CLIENT_SECRET: not set",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "EVENT_BUS_NAME") || strings.Contains(err.Error(), "MAIL_BUCKET") {
		t.Errorf("what the function does not need is not required:\n%v", err)
	}
}

// What the template leaves unset (or sets empty) takes the defaults the
// functions have always applied.
func TestLoadDefaults(t *testing.T) {
	c, err := Load(lambdaEnv().get)
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/London")
	if c.TimeZone != "Europe/London" || c.Location.String() != loc.String() || c.RawPrefix != "raw/" || !c.TwoPersonRule ||
		c.ReminderDays != 7 || c.MaxReminders != 2 || c.MetricsNamespace != "PartnershipGrants" || c.LogLevel != slog.LevelInfo ||
		c.AutoMailCap() != 12_500 || len(c.Endpoints) != 0 {
		t.Errorf("defaults: %+v", c)
	}
	p := c.ProgrammeDefaults()
	if *p.CheckInLeadDays != 14 || *p.FinalReportDays != 30 || *p.OnTimeWorkingDays != 10 || !*p.TwoPersonRule {
		t.Errorf("programme defaults: %+v", p)
	}
}

func TestLoadReadsTheSettings(t *testing.T) {
	e := lambdaEnv()
	for k, v := range map[string]string{
		"PROGRAMME_CODE": "cpp, pilot", "PROGRAMME_NAME": "Pilot", "OFFICER_EMAILS": "a@f.example, b@f.example", "OFFICER_NAME": "Olu",
		"TWO_PERSON_RULE": "false", "EXTRA_BANK_HOLIDAYS": "2026-05-04", "CHECKIN_LEAD_DAYS": "0", "AWS_LAMBDA_LOG_LEVEL": "debug",
		"SES_SEND_RATE": "2.5", "CHECKIN_SENDERS": "3", "S3_USE_PATH_STYLE": "true",
	} {
		e[k] = v
	}
	c, err := Load(e.get)
	if err != nil {
		t.Fatal(err)
	}
	p := c.ProgrammeDefaults()
	if len(c.Programmes) != 2 || c.Programmes[1] != "pilot" || p.Owner.Name != "Olu" || p.Owner.Email != "a@f.example" || *p.TwoPersonRule ||
		len(p.ExtraBankHolidays) != 1 || *p.CheckInLeadDays != 0 || c.LogLevel != slog.LevelDebug ||
		c.SESSendRate != 2.5 || c.CheckInSenders != 3 || !c.S3UsePathStyle {
		t.Errorf("got %+v, programme defaults %+v", c, p)
	}
}

// The enquiry address (issue 24, item 6) is enquiries@ the reply domain
// unless set; one that is no address, or a signed reply address's shape,
// is refused by name; the acknowledgement's working days default to 5.
func TestEnquiryAddress(t *testing.T) {
	e := lambdaEnv()
	e["REPLY_DOMAIN"] = "Reply.Funder.Example"
	c, err := Load(e.get)
	if err != nil || c.EnquiryAddress != "enquiries@reply.funder.example" || c.EnquiryAnswerDays != 5 {
		t.Errorf("the default: %q %d %v", c.EnquiryAddress, c.EnquiryAnswerDays, err)
	}
	e["ENQUIRY_ADDRESS"], e["ENQUIRY_ANSWER_DAYS"] = " Hello@Funder.Example ", "3"
	if c, err := Load(e.get); err != nil || c.EnquiryAddress != "hello@funder.example" || c.EnquiryAnswerDays != 3 {
		t.Errorf("set: %q %d %v", c.EnquiryAddress, c.EnquiryAnswerDays, err)
	}
	for _, bad := range []string{"enquiries", "checkin+x@reply.funder.example", "@funder.example"} {
		e["ENQUIRY_ADDRESS"] = bad
		if _, err := Load(e.get); err == nil || !strings.Contains(err.Error(), "ENQUIRY_ADDRESS") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	e["ENQUIRY_ADDRESS"], e["ENQUIRY_ANSWER_DAYS"] = "", "0"
	if _, err := Load(e.get); err == nil || !strings.Contains(err.Error(), "ENQUIRY_ANSWER_DAYS") {
		t.Errorf("no working days: %v", err)
	}
}
