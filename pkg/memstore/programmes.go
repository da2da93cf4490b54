package memstore

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
)

// CreateProgramme stores a new programme, once (a code stored is a
// Conflict naming "code"), and gives its settings its name and region where
// they have none, as pkg/dynamo does.
func (st *Store) CreateProgramme(ctx context.Context, p grants.Programme) error {
	if err := live(ctx); err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, taken := st.programmes[p.Code]; taken {
		return &grants.Error{Code: grants.Conflict, Reason: "programme_exists",
			Message: fmt.Sprintf("A programme with code %s already exists.", p.Code),
			Fields:  []grants.FieldError{{Field: "code", Reason: "is taken by another programme"}}}
	}
	if st.programmes == nil {
		st.programmes = map[string]grants.Programme{}
	}
	st.programmes[p.Code] = p
	settings := clone(st.settings[p.Code])
	if _, stored := st.settings[p.Code]; !stored {
		settings.Name = p.Name
	}
	if settings.Region == "" {
		settings.Region = p.Region
	}
	if settings.TimeZone == "" {
		settings.TimeZone = p.TimeZone
	}
	st.settings[p.Code] = settings
	return nil
}

// Programmes lists the programmes created, by code.
func (st *Store) Programmes(ctx context.Context) ([]grants.Programme, error) {
	if err := live(ctx); err != nil {
		return nil, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	out := []grants.Programme{}
	for _, code := range slices.SortedFunc(maps.Keys(st.programmes), strings.Compare) {
		out = append(out, st.programmes[code])
	}
	return out, nil
}

// Programme reads one programme created; false if none was.
func (st *Store) Programme(ctx context.Context, code string) (grants.Programme, bool, error) {
	if err := live(ctx); err != nil {
		return grants.Programme{}, false, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	p, ok := st.programmes[code]
	return p, ok, nil
}

// ArchiveProgramme marks p archived, idempotently: one not stored yet is
// stored as p; one stored keeps its fields.
func (st *Store) ArchiveProgramme(ctx context.Context, p grants.Programme) error {
	if err := live(ctx); err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.programmes == nil {
		st.programmes = map[string]grants.Programme{}
	}
	if stored, ok := st.programmes[p.Code]; ok {
		p = stored
	}
	p.Archived = true
	st.programmes[p.Code] = p
	return nil
}
