package service_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/service"
)

func settingsFixture(t *testing.T) (*service.Settings, *memstore.Store) {
	t.Helper()
	store := memstore.New()
	lead := 14
	env := service.Env{Now: func() time.Time { return time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) }, NewID: memstore.NewID,
		Defaults: grants.ProgrammeSettings{Name: "Riverside Fund", ReminderDays: 7, MaxReminders: 2, CheckInLeadDays: &lead}}
	return service.NewSettings(store, env), store
}

var (
	settingsAdmin   = grants.Actor{ID: "iss#ada", Name: "ada@funder.local", Groups: []grants.Role{grants.RoleAdmin}}
	settingsOfficer = grants.Actor{ID: "iss#olu", Name: "olu@funder.local", Groups: []grants.Role{grants.RoleProgramme}}
)

func settingsFields(err error) map[string]bool {
	out := map[string]bool{}
	var e *grants.Error
	if errors.As(err, &e) {
		for _, f := range e.Fields {
			out[f.Field] = true
		}
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// Issue 25, item 3: each bad value is refused by its field, nothing stored.
func TestSettingsRefusedByField(t *testing.T) {
	s, store := settingsFixture(t)
	ctx := context.Background()
	_, err := s.Change(ctx, settingsAdmin, "riverside", 1, grants.SettingsPatch{
		SendTime: ptr("25:00"), ReminderDays: ptr(0), MaxReminders: ptr(11), QuietPeriod: ptr("christmas"), Region: ptr("wales"),
		PaymentPolicy: ptr(grants.PaymentPolicy("whenever")), FinalReportDays: ptr(0), OnTimeWorkingDays: ptr(-1), CheckInLeadDays: ptr(99),
		Owner: &grants.Officer{Name: "Olu", Email: "not an address"}, Name: ptr(" "),
		CheckInQuestions: &[]grants.CheckInQuestion{{Key: "nonsense"}},
		LateDigest:       ptr(grants.DigestFrequency("weekly-saturday")), SenderName: ptr("Riverside\r\nBcc: x@example.org"), TimeZone: ptr("Mars/Olympus"),
	})
	if grants.ErrorCode(err) != grants.Invalid {
		t.Fatalf("want a validation error, got %v", err)
	}
	got := settingsFields(err)
	for _, f := range []string{"sendTime", "reminderDays", "maxReminders", "quietPeriod", "region", "paymentPolicy", "finalReportDays",
		"onTimeWorkingDays", "checkInLeadDays", "owner.email", "name", "checkInQuestions[0].key", "lateDigest", "senderName", "timeZone"} {
		if !got[f] {
			t.Errorf("no error for %s (got %v)", f, got)
		}
	}
	if p, _ := store.ProgrammeSettings(ctx, "riverside"); p.SendTime != "" || p.Version != 0 {
		t.Errorf("a refused change stored: %+v", p)
	}
	if h, _ := store.SettingsHistory(ctx, "riverside"); len(h) != 0 {
		t.Errorf("a refused change in the history: %+v", h)
	}
}

// A change is kept with before and after (before: what the product read,
// the defaults where the programme had none); the version moves on; a stale
// If-Match is 412 and changes nothing; only an administrator changes.
func TestSettingsChangeHistoryAndVersion(t *testing.T) {
	s, store := settingsFixture(t)
	ctx := context.Background()
	v, err := s.Get(ctx, settingsOfficer, "riverside")
	if err != nil || v.Version != 1 || v.Settings.SendTime != "09:00" || v.Settings.ReminderDays != 7 || v.Note == "" {
		t.Fatalf("read: %+v %v", v, err)
	}
	if _, err := s.Change(ctx, settingsOfficer, "riverside", 1, grants.SettingsPatch{SendTime: ptr("07:30")}); grants.ErrorCode(err) != grants.Forbidden {
		t.Errorf("the programme role changed settings: %v", err)
	}
	for _, who := range []grants.Role{grants.RoleFinance, grants.RoleViewer} {
		if _, err := s.Get(ctx, grants.Actor{ID: "x", Name: "x", Groups: []grants.Role{who}}, "riverside"); grants.ErrorCode(err) != grants.Forbidden {
			t.Errorf("%s read settings: %v", who, err)
		}
	}
	v, err = s.Change(ctx, settingsAdmin, "riverside", 1, grants.SettingsPatch{SendTime: ptr("07:30"), ReminderDays: ptr(5)})
	if err != nil {
		t.Fatal(err)
	}
	if v.Version != 2 || v.Settings.SendTime != "07:30" || v.Settings.ReminderDays != 5 || v.Settings.MaxReminders != 2 {
		t.Errorf("after: %+v", v)
	}
	if len(v.History) != 1 || v.History[0].By != "ada@funder.local" || v.History[0].Version != 2 || len(v.History[0].Changes) != 2 {
		t.Fatalf("history: %+v", v.History)
	}
	for _, c := range v.History[0].Changes {
		switch c.Field {
		case "sendTime":
			if string(c.Before) != `"09:00"` || string(c.After) != `"07:30"` {
				t.Errorf("sendTime: %s → %s", c.Before, c.After)
			}
		case "reminderDays":
			if string(c.Before) != "7" || string(c.After) != "5" {
				t.Errorf("reminderDays: %s → %s", c.Before, c.After)
			}
		default:
			t.Errorf("unexpected change %s", c.Field)
		}
	}
	// What the product reads: the new send time, the rest as it was.
	p, _ := store.ProgrammeSettings(ctx, "riverside")
	if p.Timing().SendTime != "07:30" || p.ReminderDays != 5 || p.MaxReminders != 0 {
		t.Errorf("stored: %+v", p)
	}
	// A stale version: 412, nothing changed.
	if _, err := s.Change(ctx, settingsAdmin, "riverside", 1, grants.SettingsPatch{SendTime: ptr("08:00")}); grants.ErrorCode(err) != grants.PreconditionFailed {
		t.Errorf("stale If-Match: %v", err)
	}
	// The store refuses a stale version too (a race past the read).
	if err := store.ChangeProgrammeSettings(ctx, "riverside", 1, p, grants.SettingsChange{Version: 2}); grants.ErrorCode(err) != grants.PreconditionFailed {
		t.Errorf("store at a stale version: %v", err)
	}
	// The same value again changes nothing and keeps the version.
	v, err = s.Change(ctx, settingsAdmin, "riverside", 2, grants.SettingsPatch{SendTime: ptr("07:30")})
	if err != nil || v.Version != 2 || len(v.History) != 1 || len(v.Changed) != 0 {
		t.Errorf("no-op change: %+v %v", v, err)
	}
}
