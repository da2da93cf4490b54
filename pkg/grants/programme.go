package grants

// ProgrammeSettings are the choices a programme makes about its automation
// and its people. Unset fields fall back to the deployment's defaults.
type ProgrammeSettings struct {
	Name          string   `json:"name"`
	OfficerEmails []string `json:"officerEmails"`
	FinanceEmails []string `json:"financeEmails"`
	// ReminderDays is how long after a check-in is sent (and after each
	// reminder) an unanswered check-in gets the next reminder.
	ReminderDays int `json:"reminderDays"`
	// MaxReminders is how many reminders go out before the check-in becomes overdue.
	MaxReminders int `json:"maxReminders"`
	// TwoPersonRule: a payment requested by one finance user is approved by another.
	TwoPersonRule *bool `json:"twoPersonRule,omitempty"`

	// The timing of emails (see Timing): send time ("09:00"), bank-holiday
	// region, quiet period ("12-24/01-01" or "none") and one-off holidays
	// added to the region's.
	SendTime          string `json:"sendTime,omitempty"`
	Region            string `json:"region,omitempty"`
	QuietPeriod       string `json:"quietPeriod,omitempty"`
	ExtraBankHolidays []Date `json:"extraBankHolidays,omitempty"`
	// CheckInLeadDays is how long before an instalment its check-in is due,
	// and FinalReportDays how long after the end date the final report is,
	// for agreements that do not say (nil: the deployment's default).
	CheckInLeadDays *int `json:"checkInLeadDays,omitempty"`
	FinalReportDays *int `json:"finalReportDays,omitempty"`
	// OnTimeWorkingDays is how many working days after its due date an
	// instalment may be paid and still count as on time (nil: the
	// deployment's default, else DefaultOnTimeWorkingDays).
	OnTimeWorkingDays *int `json:"onTimeWorkingDays,omitempty"`
	// Owner is the officer new agreements get when none is named.
	Owner Officer `json:"owner,omitempty"`

	// Money on trust and reporting in proportion (issue 23).
	// PaymentPolicy: onSchedule or afterCheckIn (empty: the deployment's
	// default, else DefaultPaymentPolicy; see Policy). New agreements are
	// made under it. CheckInQuestions are what the programme's check-in
	// emails ask (at most MaxCheckInQuestions; none: DefaultCheckInQuestions).
	PaymentPolicy    PaymentPolicy     `json:"paymentPolicy,omitempty"`
	CheckInQuestions []CheckInQuestion `json:"checkInQuestions,omitempty"`
	// FirstInstalmentAwaitsAcceptance: instalment 1 of an agreement is not
	// paid until the partner has accepted the agreement (default: no).
	FirstInstalmentAwaitsAcceptance bool `json:"firstInstalmentAwaitsAcceptance,omitempty"`

	// Issue 25, item 3: Version counts the changes made from the settings
	// page (0 on settings never changed there: read as 1, SettingsVersion).
	Version int `json:"version,omitempty"`

	// ProgrammeArchived is read with the settings from the programme's own
	// record (issue 25, item 2) where a new agreement is planned
	// (CreatePlanned), never stored with them: an archived programme takes
	// no new agreement.
	ProgrammeArchived bool `json:"-"`

	// Issue 25, item 3: LateDigest is how often finance gets the digest of
	// late instalments (empty: daily, as before it could be set).
	// SenderName is the display name in From of the programme's emails
	// (empty: the deployment's, SENDER_EMAIL's). TimeZone is the
	// programme's: new agreements are made in it, and its digest's day and
	// send time are read in it (empty: the deployment's TIME_ZONE).
	LateDigest DigestFrequency `json:"lateDigest,omitempty"`
	SenderName string          `json:"senderName,omitempty"`
	TimeZone   string          `json:"timeZone,omitempty"`
}

// Timing is the programme's email timing.
func (p ProgrammeSettings) Timing() Timing {
	return Timing{SendTime: p.SendTime, Region: p.Region, QuietPeriod: p.QuietPeriod, ExtraBankHolidays: p.ExtraBankHolidays}.Normalized()
}

// PlanDefaults gives a new agreement's input the programme's windows where
// the officer left them out.
func (p ProgrammeSettings) PlanDefaults(in NewAgreementInput) NewAgreementInput {
	if in.CheckInLeadDays == nil {
		in.CheckInLeadDays = p.CheckInLeadDays
	}
	if in.FinalReportDays == nil {
		in.FinalReportDays = p.FinalReportDays
	}
	if in.PaymentPolicy == nil {
		policy := p.Policy()
		in.PaymentPolicy = &policy
	}
	if in.TimeZone == nil && p.TimeZone != "" {
		tz := p.TimeZone
		in.TimeZone = &tz
	}
	return in
}

// Defaults fills unset fields from d.
func (p ProgrammeSettings) Defaults(d ProgrammeSettings) ProgrammeSettings {
	if p.Name == "" {
		p.Name = d.Name
	}
	if len(p.OfficerEmails) == 0 {
		p.OfficerEmails = d.OfficerEmails
	}
	if len(p.FinanceEmails) == 0 {
		p.FinanceEmails = d.FinanceEmails
	}
	if p.ReminderDays == 0 {
		p.ReminderDays = d.ReminderDays
	}
	if p.MaxReminders == 0 {
		p.MaxReminders = d.MaxReminders
	}
	if p.TwoPersonRule == nil {
		p.TwoPersonRule = d.TwoPersonRule
	}
	if p.SendTime == "" {
		p.SendTime = d.SendTime
	}
	if p.Region == "" {
		p.Region = d.Region
	}
	if p.QuietPeriod == "" {
		p.QuietPeriod = d.QuietPeriod
	}
	if len(p.ExtraBankHolidays) == 0 {
		p.ExtraBankHolidays = d.ExtraBankHolidays
	}
	if p.CheckInLeadDays == nil {
		p.CheckInLeadDays = d.CheckInLeadDays
	}
	if p.FinalReportDays == nil {
		p.FinalReportDays = d.FinalReportDays
	}
	if p.OnTimeWorkingDays == nil {
		p.OnTimeWorkingDays = d.OnTimeWorkingDays
	}
	if p.Owner.IsZero() {
		p.Owner = d.Owner
	}
	// Out of bounds (stored by hand) reads as unset.
	if !p.PaymentPolicy.Valid() {
		p.PaymentPolicy = d.PaymentPolicy
	}
	if qs, err := CheckQuestions(p.CheckInQuestions); err != nil || len(qs) == 0 {
		p.CheckInQuestions = d.CheckInQuestions
	} else {
		p.CheckInQuestions = qs
	}
	if !p.LateDigest.Valid() {
		p.LateDigest = d.LateDigest
	}
	if p.SenderName == "" {
		p.SenderName = d.SenderName
	}
	if _, err := LoadTimeZone(p.TimeZone); err != nil {
		p.TimeZone = d.TimeZone
	}
	// On for the deployment, on for every programme (a programme can turn
	// it on where the deployment's default is off).
	p.FirstInstalmentAwaitsAcceptance = p.FirstInstalmentAwaitsAcceptance || d.FirstInstalmentAwaitsAcceptance
	return p
}

// RequiresTwoPeople reports whether payments need a second approver (on by default).
func (p ProgrammeSettings) RequiresTwoPeople() bool {
	return p.TwoPersonRule == nil || *p.TwoPersonRule
}
