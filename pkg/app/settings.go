package app

import (
	"net/mail"
	"os"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/scheduler"

	"github.com/partnership-grants/backend/pkg/export"
	"github.com/partnership-grants/backend/pkg/grants"
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

// Schedules builds the EventBridge Scheduler adapter.
func (d *Deps) Schedules() *schedules.Schedules {
	client := scheduler.NewFromConfig(d.AWS, func(o *scheduler.Options) { o.BaseEndpoint = d.Endpoint("Scheduler") })
	return &schedules.Schedules{
		API:   scheduleOps{client.CreateSchedule, client.GetSchedule, client.DeleteSchedule},
		Store: d.Store,
		Now:   d.Clock,
		Cfg: schedules.Config{
			Group:            os.Getenv("SCHEDULE_GROUP"),
			RoleArn:          os.Getenv("SCHEDULER_ROLE_ARN"),
			DeadLetterArn:    os.Getenv("SCHEDULE_DLQ_ARN"),
			InstalmentTarget: os.Getenv("INSTALMENT_DUE_FUNCTION_ARN"),
			CheckInTarget:    os.Getenv("CHECKIN_QUEUE_ARN"),
		},
	}
}

// ProgrammeDefaults are the deployment's settings for programmes that have
// none of their own.
func (d *Deps) ProgrammeDefaults() grants.ProgrammeSettings {
	two := os.Getenv("TWO_PERSON_RULE") != "false"
	p := grants.ProgrammeSettings{
		Name:          os.Getenv("PROGRAMME_NAME"),
		OfficerEmails: envList("OFFICER_EMAILS"),
		FinanceEmails: envList("FINANCE_EMAILS"),
		ReminderDays:  envInt("REMINDER_DAYS", 7),
		MaxReminders:  envInt("MAX_REMINDERS", 2),
		TwoPersonRule: &two,
		// Timing: the template's SendTime, BankHolidayRegion, QuietPeriod and
		// ExtraBankHolidays parameters (a programme's settings override them).
		SendTime:          os.Getenv("SEND_TIME"),
		Region:            os.Getenv("BANK_HOLIDAY_REGION"),
		QuietPeriod:       os.Getenv("QUIET_PERIOD"),
		ExtraBankHolidays: envDates("EXTRA_BANK_HOLIDAYS"),
		CheckInLeadDays:   envDays("CHECKIN_LEAD_DAYS", grants.DefaultCheckInLeadDays),
		FinalReportDays:   envDays("FINAL_REPORT_DAYS", grants.DefaultFinalReportDays),
		OnTimeWorkingDays: envDays("ON_TIME_WORKING_DAYS", grants.DefaultOnTimeWorkingDays),
	}
	// The default officer: OFFICER_NAME at the first officer address.
	if name := os.Getenv("OFFICER_NAME"); name != "" && len(p.OfficerEmails) > 0 {
		p.Owner = grants.Officer{Name: name, Email: p.OfficerEmails[0]}
	}
	return p
}

// The template's defaults for SesDailyQuota and InboundMailQuotaPercent.
const (
	defaultSESDailyQuota       = 50_000
	defaultInboundQuotaPercent = 25
)

// AutoMailCap is the most automatic emails inbound mail may cause in a
// day: INBOUND_MAIL_QUOTA_PERCENT of the account's SES daily quota,
// SES_DAILY_QUOTA (the template's InboundMailQuotaPercent and
// SesDailyQuota). The quota is configured, as the send rate is, rather than
// read from SES (GetAccount): that would be a call at every cold start and
// an IAM right on every resource, for a figure that changes only when AWS
// raises the account's quota.
func AutoMailCap() int {
	return grants.AutoMailCap(envInt("SES_DAILY_QUOTA", defaultSESDailyQuota), envInt("INBOUND_MAIL_QUOTA_PERCENT", defaultInboundQuotaPercent))
}

// envDays reads a number of days that may be 0.
func envDays(name string, def int) *int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v >= 0 {
		return &v
	}
	return &def
}

// envDates reads comma-separated YYYY-MM-DD dates, skipping any that do not parse.
func envDates(name string) []grants.Date {
	var out []grants.Date
	for _, v := range envList(name) {
		if d, err := grants.ParseDate(v); err == nil {
			out = append(out, d)
		}
	}
	return out
}

// OwnDomains are the deployment's own mail domains, at which no partner
// contact may be: REPLY_DOMAIN, where replies to check-ins arrive, and the
// domain of SENDER_EMAIL, the From address partners write to with an
// enquiry. The domain rule is given them (grants.NewAgreementInput's
// OwnDomains); it never reads the environment itself.
func OwnDomains() []string {
	var out []string
	if d := strings.TrimSpace(os.Getenv("REPLY_DOMAIN")); d != "" {
		out = append(out, d)
	}
	if from, err := mail.ParseAddress(os.Getenv("SENDER_EMAIL")); err == nil {
		out = append(out, from.Address[strings.LastIndexByte(from.Address, '@')+1:])
	}
	return out
}

// Funder is the publisher of the deployment's 360Giving file, from the
// template's Funder360GPrefix, FunderOrgId and FunderName; the deployment's
// programme is published under ProgrammeName. The exports and the daily
// publication share it, so every copy of the file says the same.
func Funder() export.Funder {
	titles := map[string]string{}
	if code, name := os.Getenv("PROGRAMME_CODE"), os.Getenv("PROGRAMME_NAME"); code != "" && name != "" {
		titles[code] = name
	}
	return export.Funder{
		Prefix:          os.Getenv("FUNDER_360G_PREFIX"),
		OrgID:           os.Getenv("FUNDER_ORG_ID"),
		OrgName:         os.Getenv("FUNDER_NAME"),
		ProgrammeTitles: titles,
	}
}
