package memstore

import (
	"context"
	"slices"

	"github.com/partnership-grants/backend/pkg/grants"
)

// ChangeProgrammeSettings stores a programme's settings changed from the
// settings page at version from (else PreconditionFailed), with the change
// in the programme's settings history, all or nothing.
func (st *Store) ChangeProgrammeSettings(ctx context.Context, programme string, from int, next grants.ProgrammeSettings, change grants.SettingsChange) error {
	if err := live(ctx); err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.settings[programme].SettingsVersion() != from {
		return &grants.Error{Code: grants.PreconditionFailed, Reason: "version_mismatch",
			Message: "The settings have changed since you read them: read them again."}
	}
	if st.settingsLog == nil {
		st.settingsLog = map[string][]grants.SettingsChange{}
	}
	st.settings[programme] = clone(next)
	st.settingsLog[programme] = append(st.settingsLog[programme], clone(change))
	return nil
}

// SettingsHistory reads a programme's settings history, newest first.
func (st *Store) SettingsHistory(ctx context.Context, programme string) ([]grants.SettingsChange, error) {
	if err := live(ctx); err != nil {
		return nil, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	out := clone(st.settingsLog[programme])
	slices.Reverse(out)
	if out == nil {
		out = []grants.SettingsChange{}
	}
	return out, nil
}
