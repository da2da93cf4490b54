package grants

// ProgrammeSettings are the choices a programme makes about its automation
// and its people. Unset fields fall back to the deployment's defaults.
type ProgrammeSettings struct {
	Name          string   `json:"name" dynamodbav:"name"`
	OfficerEmails []string `json:"officerEmails" dynamodbav:"officerEmails"`
	FinanceEmails []string `json:"financeEmails" dynamodbav:"financeEmails"`
	// ReminderDays is how long after a check-in is sent (and after each
	// reminder) an unanswered check-in gets the next reminder.
	ReminderDays int `json:"reminderDays" dynamodbav:"reminderDays"`
	// MaxReminders is how many reminders go out before the check-in becomes overdue.
	MaxReminders int `json:"maxReminders" dynamodbav:"maxReminders"`
	// TwoPersonRule: a payment requested by one finance user is approved by another.
	TwoPersonRule *bool `json:"twoPersonRule,omitempty" dynamodbav:"twoPersonRule,omitempty"`
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
	return p
}

// RequiresTwoPeople reports whether payments need a second approver (on by default).
func (p ProgrammeSettings) RequiresTwoPeople() bool {
	return p.TwoPersonRule == nil || *p.TwoPersonRule
}
