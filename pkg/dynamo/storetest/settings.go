package storetest

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
)

// settingsHistory: a programme's settings changed from the settings page
// (issue 25, item 3) are stored with the change in their history, at the
// version read (else PreconditionFailed, nothing written); the history
// reads newest first, each change with its before and after, and every
// setting the page edits comes back as stored (the digest's frequency, the
// sender's name and the time zone among them). Programmes keep their own.
func settingsHistory(t *testing.T, st Store) {
	ctx := context.Background()
	if h, err := st.SettingsHistory(ctx, "alpha"); err != nil || h == nil || len(h) != 0 {
		t.Fatalf("history of a programme never changed: %#v %v", h, err)
	}
	lead := 10
	next := grants.ProgrammeSettings{Name: "Alpha Fund", ReminderDays: 5, MaxReminders: 3, SendTime: "10:30", CheckInLeadDays: &lead,
		LateDigest: "weekly-thursday", SenderName: "Alpha Community Fund", TimeZone: "Europe/Dublin", Version: 2}
	change := func(v int, at time.Time, field, before, after string) grants.SettingsChange {
		return grants.SettingsChange{Version: v, At: at, By: "ada@funder.example",
			Changes: []grants.SettingChange{{Field: field, Before: json.RawMessage(before), After: json.RawMessage(after)}}}
	}
	first := change(2, Now, "sendTime", `"09:00"`, `"10:30"`)
	if err := st.ChangeProgrammeSettings(ctx, "alpha", 1, next, first); err != nil {
		t.Fatal(err)
	}
	got, err := st.ProgrammeSettings(ctx, "alpha")
	if err != nil || !reflect.DeepEqual(got, next) {
		t.Errorf("settings as changed:\n got %+v %v\nwant %+v", got, err, next)
	}
	// A change at a version no longer current writes nothing.
	stale := next
	stale.SendTime, stale.Version = "11:00", 3
	if err := st.ChangeProgrammeSettings(ctx, "alpha", 1, stale, change(3, Now.Add(time.Minute), "sendTime", `"10:30"`, `"11:00"`)); grants.ErrorCode(err) != grants.PreconditionFailed {
		t.Errorf("a change at a stale version: %v, want PreconditionFailed", err)
	}
	later := next
	later.LateDigest, later.Version = grants.DigestOff, 3
	second := change(3, Now.Add(time.Hour), "lateDigest", `"weekly-thursday"`, `"off"`)
	if err := st.ChangeProgrammeSettings(ctx, "alpha", 2, later, second); err != nil {
		t.Fatal(err)
	}
	h, err := st.SettingsHistory(ctx, "alpha")
	if err != nil || len(h) != 2 {
		t.Fatalf("history: %+v %v", h, err)
	}
	for i, want := range []grants.SettingsChange{second, first} {
		c := h[i]
		if c.Version != want.Version || !c.At.Equal(want.At) || c.By != want.By || len(c.Changes) != 1 ||
			c.Changes[0].Field != want.Changes[0].Field || string(c.Changes[0].Before) != string(want.Changes[0].Before) || string(c.Changes[0].After) != string(want.Changes[0].After) {
			t.Errorf("history[%d] = %+v, want %+v", i, c, want)
		}
	}
	if got, _ := st.ProgrammeSettings(ctx, "alpha"); got.SendTime != "10:30" || got.LateDigest != grants.DigestOff || got.Version != 3 {
		t.Errorf("after the second change: %+v", got)
	}
	// Another programme's are its own.
	if h, err := st.SettingsHistory(ctx, "beta"); err != nil || len(h) != 0 {
		t.Errorf("beta's history: %+v %v", h, err)
	}
	if got, err := st.ProgrammeSettings(ctx, "beta"); err != nil || got.Version != 0 || got.TimeZone != "" {
		t.Errorf("beta's settings: %+v %v", got, err)
	}
}
