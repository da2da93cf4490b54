package grants

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
)

// RoleAdmin is the administrator (issue 25, item 1): the Cognito group
// "admin". An administrator edits a programme's settings and nothing about
// money: no payment route or page accepts the role.
const RoleAdmin Role = "admin"

// SettingsPatch is a change to a programme's settings from the settings
// page or PATCH /programmes/{programme}/settings (issue 25, item 3): a nil
// field stays as it is. Money (the two-person rule, finance addresses, the
// first instalment awaiting acceptance) is not here: an administrator does
// nothing about money.
type SettingsPatch struct {
	Name              *string            `json:"name,omitempty"`
	SendTime          *string            `json:"sendTime,omitempty"`
	Region            *string            `json:"region,omitempty"`
	QuietPeriod       *string            `json:"quietPeriod,omitempty"`
	ExtraBankHolidays *[]Date            `json:"extraBankHolidays,omitempty"`
	ReminderDays      *int               `json:"reminderDays,omitempty"`
	MaxReminders      *int               `json:"maxReminders,omitempty"`
	CheckInLeadDays   *int               `json:"checkInLeadDays,omitempty"`
	FinalReportDays   *int               `json:"finalReportDays,omitempty"`
	OnTimeWorkingDays *int               `json:"onTimeWorkingDays,omitempty"`
	PaymentPolicy     *PaymentPolicy     `json:"paymentPolicy,omitempty"`
	CheckInQuestions  *[]CheckInQuestion `json:"checkInQuestions,omitempty"`
	Owner             *Officer           `json:"owner,omitempty"`
	// Issue 25, item 3: how often finance gets the late-payment digest,
	// the From display name of the programme's emails ("" for the
	// deployment's), and the programme's time zone.
	LateDigest *DigestFrequency `json:"lateDigest,omitempty"`
	SenderName *string          `json:"senderName,omitempty"`
	TimeZone   *string          `json:"timeZone,omitempty"`
}

// Bounds of the settings a programme sets.
const (
	MaxReminderDays     = 60
	MaxRemindersLimit   = 10
	MaxOnTimeDays       = 60
	MaxExtraHolidays    = 50
	MaxProgrammeNameLen = 120
	MaxSenderNameLen    = 100
)

// SettingChange is one setting changed: its JSON name and its value before
// and after, as JSON.
type SettingChange struct {
	Field  string          `json:"field"`
	Before json.RawMessage `json:"before"`
	After  json.RawMessage `json:"after"`
}

// SettingsChange is one entry of a programme's settings history: who
// changed what, when, making which version.
type SettingsChange struct {
	Version int             `json:"version"`
	At      time.Time       `json:"at"`
	By      string          `json:"by"`
	Changes []SettingChange `json:"changes"`
}

// SettingsVersion is the version of stored settings: 1 until the first
// change from the settings page.
func (p ProgrammeSettings) SettingsVersion() int { return max(p.Version, 1) }

// ApplySettings applies patch to the settings as stored, each bad value an
// error named by its field. effective is what the product reads now (the
// stored settings over the deployment's defaults): the history's before.
// It returns the settings to store, at the next version, and what changed
// (none: the patch changes nothing).
func (p ProgrammeSettings) ApplySettings(effective ProgrammeSettings, patch SettingsPatch) (ProgrammeSettings, []SettingChange, error) {
	var errs fieldErrors
	next := p
	next.OfficerEmails = slices.Clone(p.OfficerEmails)
	var changes []SettingChange
	note := func(field string, before, after any) {
		b, _ := json.Marshal(before)
		a, _ := json.Marshal(after)
		if string(a) != string(b) {
			changes = append(changes, SettingChange{Field: field, Before: b, After: a})
		}
	}
	days := func(field string, v *int, lo, hi int, set func(int), before any) {
		if v == nil {
			return
		}
		if *v < lo || *v > hi {
			errs.add(field, "must be a whole number from %d to %d", lo, hi)
			return
		}
		set(*v)
		note(field, before, *v)
	}
	if patch.Name != nil {
		n := strings.TrimSpace(*patch.Name)
		if n == "" || len(n) > MaxProgrammeNameLen || strings.ContainsAny(n, "\r\n") {
			errs.add("name", "must be one line of 1 to %d characters", MaxProgrammeNameLen)
		} else {
			next.Name = n
			note("name", effective.Name, n)
		}
	}
	t := Timing{SendTime: p.SendTime, Region: p.Region, QuietPeriod: p.QuietPeriod}
	if patch.SendTime != nil {
		t.SendTime = strings.TrimSpace(*patch.SendTime)
	}
	if patch.Region != nil {
		t.Region = strings.TrimSpace(*patch.Region)
	}
	if patch.QuietPeriod != nil {
		t.QuietPeriod = strings.TrimSpace(*patch.QuietPeriod)
	}
	if err := t.Validate(); err != nil {
		var e *Error
		if errors.As(err, &e) {
			for _, f := range e.Fields {
				if (f.Field == "sendTime" && patch.SendTime != nil) || (f.Field == "region" && patch.Region != nil) || (f.Field == "quietPeriod" && patch.QuietPeriod != nil) {
					errs = append(errs, f)
				}
			}
		}
	}
	if patch.SendTime != nil {
		if h, m, ok := parseClock(t.SendTime); ok {
			t.SendTime = fmt.Sprintf("%02d:%02d", h, m)
			next.SendTime = t.SendTime
			note("sendTime", effective.Timing().SendTime, t.SendTime)
		}
	}
	if patch.Region != nil && slices.Contains(Regions, t.Region) {
		next.Region = t.Region
		note("region", effective.Timing().Region, t.Region)
	}
	if patch.QuietPeriod != nil {
		if _, _, ok := t.quiet(); ok || t.QuietPeriod == "none" {
			next.QuietPeriod = t.QuietPeriod
			note("quietPeriod", effective.Timing().QuietPeriod, t.QuietPeriod)
		}
	}
	if patch.ExtraBankHolidays != nil {
		hs := slices.Clone(*patch.ExtraBankHolidays)
		slices.SortFunc(hs, func(a, b Date) int { return strings.Compare(a.String(), b.String()) })
		hs = slices.Compact(hs)
		bad := len(hs) > MaxExtraHolidays
		for _, d := range hs {
			bad = bad || d.IsZero()
		}
		if bad {
			errs.add("extraBankHolidays", "must be at most %d dates such as 2026-05-26", MaxExtraHolidays)
		} else {
			next.ExtraBankHolidays = hs
			note("extraBankHolidays", orEmpty(effective.ExtraBankHolidays), orEmpty(hs))
		}
	}
	days("reminderDays", patch.ReminderDays, 1, MaxReminderDays, func(n int) { next.ReminderDays = n }, effective.ReminderDays)
	days("maxReminders", patch.MaxReminders, 1, MaxRemindersLimit, func(n int) { next.MaxReminders = n }, effective.MaxReminders)
	days("checkInLeadDays", patch.CheckInLeadDays, 0, MaxCheckInLead, func(n int) { next.CheckInLeadDays = &n }, effective.CheckInLeadDays)
	days("finalReportDays", patch.FinalReportDays, 1, MaxFinalReportDays, func(n int) { next.FinalReportDays = &n }, effective.FinalReportDays)
	days("onTimeWorkingDays", patch.OnTimeWorkingDays, 0, MaxOnTimeDays, func(n int) { next.OnTimeWorkingDays = &n }, effective.OnTimeDays())
	if patch.PaymentPolicy != nil {
		if !patch.PaymentPolicy.Valid() {
			errs.add("paymentPolicy", "must be onSchedule or afterCheckIn")
		} else {
			next.PaymentPolicy = *patch.PaymentPolicy
			note("paymentPolicy", effective.Policy(), *patch.PaymentPolicy)
		}
	}
	if patch.CheckInQuestions != nil {
		qs, err := CheckQuestions(*patch.CheckInQuestions)
		var e *Error
		if err != nil && errors.As(err, &e) {
			errs = append(errs, e.Fields...)
		} else if err == nil {
			next.CheckInQuestions = qs
			note("checkInQuestions", effective.QuestionsOf(), p.withQuestions(qs).QuestionsOf())
		}
	}
	if patch.Owner != nil {
		o := Officer{Name: strings.TrimSpace(patch.Owner.Name), Email: strings.TrimSpace(patch.Owner.Email)}
		if a, err := mail.ParseAddress(o.Email); err != nil || a.Address != o.Email || a.Name != "" {
			errs.add("owner.email", "must be an email address such as officer@example.org")
		} else if o.Name == "" || strings.ContainsAny(o.Name, "\r\n") {
			errs.add("owner.name", "must be the officer's name, on one line")
		} else {
			next.Owner = o
			note("owner", effective.Owner, o)
		}
	}
	if patch.LateDigest != nil {
		if f := DigestFrequency(strings.TrimSpace(string(*patch.LateDigest))); !f.Valid() {
			errs.add("lateDigest", "must be daily, off, or weekly-monday to weekly-friday")
		} else {
			next.LateDigest = f
			note("lateDigest", effective.LateDigest.Or(DigestDaily), f)
		}
	}
	if patch.SenderName != nil {
		// Empty: the deployment's name again. The mailer encodes any
		// script; a line break or angle bracket would read as headers or
		// an address in some mail clients.
		n := strings.Join(strings.Fields(*patch.SenderName), " ")
		if len(n) > MaxSenderNameLen || strings.ContainsAny(*patch.SenderName, "\r\n<>\"") {
			errs.add("senderName", "must be one line of at most %d characters, without < > or \"", MaxSenderNameLen)
		} else {
			next.SenderName = n
			// "" is the deployment's name again (none set is no change).
			if n != "" || p.SenderName != "" {
				note("senderName", effective.SenderName, n)
			}
		}
	}
	if patch.TimeZone != nil {
		tz := strings.TrimSpace(*patch.TimeZone)
		if _, err := LoadTimeZone(tz); err != nil {
			errs.add("timeZone", "must be an IANA time zone such as Europe/London")
		} else {
			next.TimeZone = tz
			before := effective.TimeZone
			if before == "" {
				before = DefaultTimeZone // what agreements are made in without one
			}
			note("timeZone", before, tz)
		}
	}
	if err := errs.err(); err != nil {
		return p, nil, err
	}
	next.Version = p.SettingsVersion() + 1
	return next, changes, nil
}

func (p ProgrammeSettings) withQuestions(qs []CheckInQuestion) ProgrammeSettings {
	p.CheckInQuestions = qs
	return p
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
