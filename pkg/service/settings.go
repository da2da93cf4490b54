package service

import (
	"context"

	"github.com/partnership-grants/backend/pkg/grants"
)

// SettingsStore keeps a programme's settings and their history (issue 25,
// item 3).
type SettingsStore interface {
	SettingsReader
	// ChangeProgrammeSettings stores next at version from (else
	// PreconditionFailed) with change in the settings history.
	ChangeProgrammeSettings(ctx context.Context, programme string, from int, next grants.ProgrammeSettings, change grants.SettingsChange) error
	SettingsHistory(ctx context.Context, programme string) ([]grants.SettingsChange, error)
}

// Settings are a programme's settings on a page: read by the programme
// role and the administrator, changed by the administrator only.
type Settings struct {
	store SettingsStore
	env   Env
}

// NewSettings builds the settings' use cases.
func NewSettings(store SettingsStore, env Env) *Settings { return &Settings{store: store, env: env} }

// SettingsEditors may change a programme's settings; SettingsReaders may
// read them.
var (
	SettingsEditors = []grants.Role{grants.RoleAdmin}
	SettingsReaders = []grants.Role{grants.RoleAdmin, grants.RoleProgramme}
)

// TakesEffect is what every answer says of a change.
const TakesEffect = "A change applies to what is scheduled after it: agreements activated from now on take the new send time, windows and policy, and reminders and digests scheduled from now on read the new values. Nothing already scheduled is moved or lost: an agreement already active keeps the timing it was activated with."

// SettingsView is a programme's settings as the product reads them (the
// stored settings over the deployment's defaults), their version for
// If-Match, and their history, newest first.
type SettingsView struct {
	Programme string                  `json:"programme"`
	Version   int                     `json:"version"`
	Settings  EditableSettings        `json:"settings"`
	History   []grants.SettingsChange `json:"history"`
	Note      string                  `json:"takesEffect"`
	Changed   []grants.SettingChange  `json:"changed,omitempty"`
	// Warnings are what the settings mean that an administrator may not
	// expect (a send time after the daily run's).
	Warnings []string `json:"warnings,omitempty"`
}

// EditableSettings are the settings the page edits, as the product reads
// them.
type EditableSettings struct {
	Name              string                   `json:"name"`
	SendTime          string                   `json:"sendTime"`
	Region            string                   `json:"region"`
	QuietPeriod       string                   `json:"quietPeriod"`
	ExtraBankHolidays []grants.Date            `json:"extraBankHolidays"`
	ReminderDays      int                      `json:"reminderDays"`
	MaxReminders      int                      `json:"maxReminders"`
	CheckInLeadDays   *int                     `json:"checkInLeadDays"`
	FinalReportDays   *int                     `json:"finalReportDays"`
	OnTimeWorkingDays int                      `json:"onTimeWorkingDays"`
	PaymentPolicy     grants.PaymentPolicy     `json:"paymentPolicy"`
	CheckInQuestions  []grants.CheckInQuestion `json:"checkInQuestions"`
	Owner             grants.Officer           `json:"owner"`
}

func editable(p grants.ProgrammeSettings) EditableSettings {
	t := p.Timing()
	hs := p.ExtraBankHolidays
	if hs == nil {
		hs = []grants.Date{}
	}
	return EditableSettings{Name: p.Name, SendTime: t.SendTime, Region: t.Region, QuietPeriod: t.QuietPeriod, ExtraBankHolidays: hs,
		ReminderDays: p.ReminderDays, MaxReminders: p.MaxReminders, CheckInLeadDays: p.CheckInLeadDays, FinalReportDays: p.FinalReportDays,
		OnTimeWorkingDays: p.OnTimeDays(), PaymentPolicy: p.Policy(), CheckInQuestions: p.QuestionsOf(), Owner: p.Owner}
}

func (x *Settings) allowed(actor grants.Actor, roles []grants.Role) error {
	if !actor.Has(roles...) {
		return &grants.Error{Code: grants.Forbidden, Message: "Your role may not do this.", Reason: "forbidden"}
	}
	return nil
}

// Get reads a programme's settings, for an administrator or the programme
// role.
func (x *Settings) Get(ctx context.Context, actor grants.Actor, programme string) (SettingsView, error) {
	if err := x.allowed(actor, SettingsReaders); err != nil {
		return SettingsView{}, err
	}
	return x.view(ctx, programme)
}

func (x *Settings) view(ctx context.Context, programme string) (SettingsView, error) {
	stored, err := x.store.ProgrammeSettings(ctx, programme)
	if err != nil {
		return SettingsView{}, err
	}
	hist, err := x.store.SettingsHistory(ctx, programme)
	if err != nil {
		return SettingsView{}, err
	}
	v := SettingsView{Programme: programme, Version: stored.SettingsVersion(), Settings: editable(stored.Defaults(x.env.Defaults)),
		History: hist, Note: TakesEffect}
	// The daily run (the sweep) sends reminders and queued emails at the
	// deployment's send time, and none before a programme's: a programme's
	// later send time holds them, so the page says so.
	if daily := x.env.Defaults.Timing().SendTime; v.Settings.SendTime > daily {
		v.Warnings = append(v.Warnings, "Check-ins go out at "+v.Settings.SendTime+", but reminders and the emails queued for the daily run "+
			"(welcome, thank-you, notices) are sent by that run at "+daily+", before the send time, so they wait: choose "+daily+" or earlier until the daily run follows each programme's send time.")
	}
	return v, nil
}

// Change applies patch at version from (the If-Match), for an
// administrator: each bad value a 422 naming its field, a stale version
// 412. The change is in the programme's settings history with before and
// after; a patch that changes nothing stores nothing. It applies to what
// is scheduled after it: an agreement keeps the timing it was activated
// with, and check-ins already queued keep their send time.
func (x *Settings) Change(ctx context.Context, actor grants.Actor, programme string, from int, patch grants.SettingsPatch) (SettingsView, error) {
	if err := x.allowed(actor, SettingsEditors); err != nil {
		return SettingsView{}, err
	}
	stored, err := x.store.ProgrammeSettings(ctx, programme)
	if err != nil {
		return SettingsView{}, err
	}
	next, changes, err := stored.ApplySettings(stored.Defaults(x.env.Defaults), patch)
	if err != nil {
		return SettingsView{}, err
	}
	// The daily run (the sweep, at the deployment's send time) sends
	// reminders and queued emails, none before a programme's send time: a
	// later one would hold them for ever, so it is refused until the daily
	// run follows each programme's send time.
	if daily := x.env.Defaults.Timing().SendTime; patch.SendTime != nil && next.Defaults(x.env.Defaults).Timing().SendTime > daily {
		return SettingsView{}, grants.Validation([]grants.FieldError{{Field: "sendTime",
			Reason: "must be " + daily + " or earlier: the daily run at " + daily + " sends reminders and queued emails, and none before the programme's send time"}})
	}
	if stored.SettingsVersion() != from {
		return SettingsView{}, &grants.Error{Code: grants.PreconditionFailed, Reason: "version_mismatch",
			Message: "The settings have changed since you read them: read them again."}
	}
	if len(changes) > 0 {
		c := grants.SettingsChange{Version: next.Version, At: x.env.Now().UTC(), By: actor.Name, Changes: changes}
		if err := x.store.ChangeProgrammeSettings(ctx, programme, from, next, c); err != nil {
			return SettingsView{}, err
		}
	}
	v, err := x.view(ctx, programme)
	v.Changed = changes
	return v, err
}
