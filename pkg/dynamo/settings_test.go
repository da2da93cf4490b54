package dynamo

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/grants"
)

// TestSettingsItemsGolden pins the items of a programme's settings changed
// from the settings page (issue 25, item 3): the SETTINGS item with its
// version and one history item a change in the programme's SETTINGSLOG
// partition (testdata/settings-items.golden.json; -update rewrites it);
// a change at a stale version is refused (PreconditionFailed) and nothing
// written; the history reads back newest first.
func TestSettingsItemsGolden(t *testing.T) {
	ctx := context.Background()
	db, table := testenv.AppTable(t)
	st := New(db, table)
	// Settings stored before versions (by hand or the seed): version 1.
	if err := st.PutProgrammeSettings(ctx, goldenProg, grants.ProgrammeSettings{Name: "Community Fund", ReminderDays: 7}); err != nil {
		t.Fatal(err)
	}
	first := grants.SettingsChange{Version: 2, At: at(1), By: goldenActor, Changes: []grants.SettingChange{
		{Field: "sendTime", Before: json.RawMessage(`"09:00"`), After: json.RawMessage(`"10:30"`)}}}
	checkAllSet(t, "SettingsChange", first)
	p := grants.ProgrammeSettings{Name: "Community Fund", ReminderDays: 7, SendTime: "10:30", Version: 2}
	if err := st.ChangeProgrammeSettings(ctx, goldenProg, 1, p, first); err != nil {
		t.Fatal(err)
	}
	// Stale: the settings are at 2 now.
	if err := st.ChangeProgrammeSettings(ctx, goldenProg, 1, p, grants.SettingsChange{Version: 2, At: at(2), By: goldenActor}); grants.ErrorCode(err) != grants.PreconditionFailed {
		t.Fatalf("stale version: %v", err)
	}
	second := grants.SettingsChange{Version: 3, At: at(2), By: goldenActor, Changes: []grants.SettingChange{
		{Field: "reminderDays", Before: json.RawMessage(`7`), After: json.RawMessage(`5`)}}}
	p.ReminderDays, p.Version = 5, 3
	if err := st.ChangeProgrammeSettings(ctx, goldenProg, 2, p, second); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, filepath.Join("testdata", "settings-items.golden.json"), dumpTable(t, db, table, "none"))

	got, err := st.ProgrammeSettings(ctx, goldenProg)
	if err != nil || got.Version != 3 || got.SendTime != "10:30" || got.ReminderDays != 5 {
		t.Errorf("settings: %+v %v", got, err)
	}
	hist, err := st.SettingsHistory(ctx, goldenProg)
	same(t, "history", hist, []grants.SettingsChange{second, first}, err)

	// Settings put by hand again (their version read as 1 once more): the
	// next change is kept beside the earlier ones, newest first.
	if err := st.PutProgrammeSettings(ctx, goldenProg, grants.ProgrammeSettings{Name: "Community Fund"}); err != nil {
		t.Fatal(err)
	}
	third := grants.SettingsChange{Version: 2, At: at(3), By: goldenActor, Changes: []grants.SettingChange{
		{Field: "maxReminders", Before: json.RawMessage(`2`), After: json.RawMessage(`3`)}}}
	if err := st.ChangeProgrammeSettings(ctx, goldenProg, 1, grants.ProgrammeSettings{Name: "Community Fund", MaxReminders: 3, Version: 2}, third); err != nil {
		t.Fatal(err)
	}
	hist, err = st.SettingsHistory(ctx, goldenProg)
	same(t, "history after a reset", hist, []grants.SettingsChange{third, second, first}, err)
}
