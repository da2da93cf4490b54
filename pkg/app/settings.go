package app

import (
	"net/mail"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/scheduler"

	"github.com/partnership-grants/backend/pkg/export"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/schedules"
)

// Schedules builds the EventBridge Scheduler adapter.
func (d *Deps) Schedules() *schedules.Schedules {
	client := scheduler.NewFromConfig(d.AWS, func(o *scheduler.Options) { o.BaseEndpoint = d.Endpoint("Scheduler") })
	return &schedules.Schedules{
		API:   scheduleOps{client.CreateSchedule, client.GetSchedule, client.DeleteSchedule},
		Store: d.Store,
		Now:   d.Clock,
		Cfg:   d.Config.Schedules,
	}
}

// ProgrammeDefaults are the deployment's settings for programmes that have
// none of their own.
func (d *Deps) ProgrammeDefaults() grants.ProgrammeSettings { return d.Config.ProgrammeDefaults() }

// ProgrammeDefaults are the deployment's settings for programmes that have
// none of their own: fresh each call (the settings hold pointers).
func (c Config) ProgrammeDefaults() grants.ProgrammeSettings {
	two := c.TwoPersonRule
	days := func(n int) *int { return &n }
	p := grants.ProgrammeSettings{
		Name:          c.ProgrammeName,
		OfficerEmails: slices.Clone(c.OfficerEmails),
		FinanceEmails: slices.Clone(c.FinanceEmails),
		ReminderDays:  c.ReminderDays,
		MaxReminders:  c.MaxReminders,
		TwoPersonRule: &two,
		// Timing: the template's SendTime, BankHolidayRegion, QuietPeriod and
		// ExtraBankHolidays parameters (a programme's settings override them).
		SendTime:          c.SendTime,
		Region:            c.BankHolidayRegion,
		QuietPeriod:       c.QuietPeriod,
		ExtraBankHolidays: slices.Clone(c.ExtraBankHolidays),
		CheckInLeadDays:   days(c.CheckInLeadDays),
		FinalReportDays:   days(c.FinalReportDays),
		OnTimeWorkingDays: days(c.OnTimeWorkingDays),
	}
	p.PaymentPolicy = c.PaymentPolicy
	p.FirstInstalmentAwaitsAcceptance = c.FirstInstalmentAwaitsAcceptance
	// The deployment's zone (TIME_ZONE) is a programme's until it sets its own.
	p.TimeZone = c.TimeZone
	// The default officer: OFFICER_NAME at the first officer address.
	if c.OfficerName != "" && len(p.OfficerEmails) > 0 {
		p.Owner = grants.Officer{Name: c.OfficerName, Email: p.OfficerEmails[0]}
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
func (c Config) AutoMailCap() int {
	return grants.AutoMailCap(c.SESDailyQuota, c.InboundMailQuotaPercent)
}

// OwnDomains are the deployment's own mail domains, at which no partner
// contact may be: REPLY_DOMAIN, where replies to check-ins arrive, and the
// domain of SENDER_EMAIL, the From address partners write to with an
// enquiry. The domain rule is given them (grants.NewAgreementInput's
// OwnDomains); it never reads the configuration itself.
func (c Config) OwnDomains() []string {
	var out []string
	if d := strings.TrimSpace(c.ReplyDomain); d != "" {
		out = append(out, d)
	}
	if from, err := mail.ParseAddress(c.SenderEmail); err == nil {
		out = append(out, from.Address[strings.LastIndexByte(from.Address, '@')+1:])
	}
	return out
}

// Funder is the publisher of the deployment's 360Giving file, from the
// template's Funder360GPrefix, FunderOrgId and FunderName; the deployment's
// programme is published under ProgrammeName. The exports and the daily
// publication share it, so every copy of the file says the same.
func (c Config) Funder() export.Funder {
	titles := map[string]string{}
	if code, name := c.ProgrammeCode, c.ProgrammeName; code != "" && name != "" {
		titles[code] = name
	}
	return export.Funder{
		Prefix:          c.Funder360GPrefix,
		OrgID:           c.FunderOrgID,
		OrgName:         c.FunderName,
		ProgrammeTitles: titles,
	}
}
