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
const TakesEffect = "A change applies to what is scheduled after it: agreements made from now on are in the new time zone, agreements activated from now on take the new send time, windows and policy, and reminders, digests and emails sent from now on read the new values (the digest's frequency, the sender's name). Nothing already scheduled is moved or lost: an agreement already active keeps the timing it was activated with, and a check-in already scheduled or queued goes once, at its time."

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
	// expect (none today: the sweep follows each programme's send time).
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
	// Issue 25, item 3: how often finance gets the late-payment digest,
	// the From display name of the programme's emails, its time zone.
	LateDigest grants.DigestFrequency `json:"lateDigest"`
	SenderName string                 `json:"senderName"`
	TimeZone   string                 `json:"timeZone"`
}

func editable(p grants.ProgrammeSettings) EditableSettings {
	t := p.Timing()
	hs := p.ExtraBankHolidays
	if hs == nil {
		hs = []grants.Date{}
	}
	return EditableSettings{Name: p.Name, SendTime: t.SendTime, Region: t.Region, QuietPeriod: t.QuietPeriod, ExtraBankHolidays: hs,
		ReminderDays: p.ReminderDays, MaxReminders: p.MaxReminders, CheckInLeadDays: p.CheckInLeadDays, FinalReportDays: p.FinalReportDays,
		OnTimeWorkingDays: p.OnTimeDays(), PaymentPolicy: p.Policy(), CheckInQuestions: p.QuestionsOf(), Owner: p.Owner,
		LateDigest: p.LateDigest.Or(grants.DigestDaily), SenderName: p.SenderName, TimeZone: zoneOr(p.TimeZone)}
}

// zoneOr is a programme's time zone, or the one agreements are made in
// when neither it nor the deployment names one.
func zoneOr(tz string) string {
	if tz == "" {
		return grants.DefaultTimeZone
	}
	return tz
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
