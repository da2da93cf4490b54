package storetest

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
)

// Programmes are created once (a second create of a code, even at the same
// moment, is a Conflict naming "code"), listed by code as created, give a
// new programme's settings its name, region and time zone (settings put before keep
// theirs), and are archived idempotently, a programme not stored yet (the
// deployment's own) stored archived. Where an agreement is planned, the
// settings say whether the programme is archived.
func programmesOnce(t *testing.T, st Store) {
	ctx := context.Background()
	arts := grants.Programme{Code: "arts-2026", Name: "Arts Fund", Currency: "EUR", TimeZone: "Europe/Dublin", Region: "northern-ireland",
		FunderName: "The Arts Trust", FunderOrgID: "GB-CHC-1234567", Funder360GPrefix: "360G-artstrust"}
	community := grants.Programme{Code: "community-2026", Name: "Community Fund", Currency: "GBP", TimeZone: "Europe/London", Region: "scotland"}
	if err := st.CreateProgramme(ctx, community); err != nil {
		t.Fatal(err)
	}
	// Two creates of one code at once: one is stored.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := arts
			if i == 1 {
				p.Name = "Arts Fund (second)"
			}
			errs[i] = st.CreateProgramme(ctx, p)
		}()
	}
	wg.Wait()
	var won grants.Programme
	switch {
	case errs[0] == nil && errs[1] != nil:
		won = arts
	case errs[1] == nil && errs[0] != nil:
		won = arts
		won.Name = "Arts Fund (second)"
	default:
		t.Fatalf("two creates of one code: %v, %v; want one stored", errs[0], errs[1])
	}
	err := st.CreateProgramme(ctx, grants.Programme{Code: "community-2026", Name: "Another"})
	var e *grants.Error
	if !errors.As(err, &e) || e.Code != grants.Conflict || len(e.Fields) != 1 || e.Fields[0].Field != "code" {
		t.Errorf("a duplicate code: %v", err)
	}
	got, err := st.Programmes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []grants.Programme{won, community}; !reflect.DeepEqual(got, want) {
		t.Errorf("programmes\n%+v\nwant\n%+v", got, want)
	}
	if s, err := st.ProgrammeSettings(ctx, "community-2026"); err != nil || s.Name != "Community Fund" || s.Region != "scotland" || s.TimeZone != "Europe/London" {
		t.Errorf("a new programme's settings: %+v %v", s, err)
	}

	// Settings put before (by hand) are kept; a region they lack is given.
	if err := st.PutProgrammeSettings(ctx, "youth-2027", grants.ProgrammeSettings{Name: "Youth (by hand)", ReminderDays: 3}); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateProgramme(ctx, grants.Programme{Code: "youth-2027", Name: "Youth Fund", Region: "scotland"}); err != nil {
		t.Fatal(err)
	}
	if s, err := st.ProgrammeSettings(ctx, "youth-2027"); err != nil || s.Name != "Youth (by hand)" || s.ReminderDays != 3 || s.Region != "scotland" {
		t.Errorf("settings put before: %+v %v", s, err)
	}

	if p, ok, err := st.Programme(ctx, "community-2026"); err != nil || !ok || p != community {
		t.Errorf("read a programme: %+v %v %v", p, ok, err)
	}
	if _, ok, err := st.Programme(ctx, "nobody"); err != nil || ok {
		t.Errorf("read a programme never created: %v %v", ok, err)
	}

	// Archiving, twice: the same; the programme's fields are its own.
	for range 2 {
		if err := st.ArchiveProgramme(ctx, grants.Programme{Code: "community-2026", Name: "Not this name"}); err != nil {
			t.Fatal(err)
		}
	}
	want := community
	want.Archived = true
	if p, _, err := st.Programme(ctx, "community-2026"); err != nil || p != want {
		t.Errorf("archived: %+v %v, want %+v", p, err, want)
	}
	// The deployment's own programme, never created, archived: stored as given.
	seed := grants.Programme{Code: "config-2025", Name: "From the configuration", Currency: "GBP", TimeZone: "Europe/London", Region: "england-and-wales"}
	if err := st.ArchiveProgramme(ctx, seed); err != nil {
		t.Fatal(err)
	}
	seed.Archived = true
	if p, ok, err := st.Programme(ctx, "config-2025"); err != nil || !ok || p != seed {
		t.Errorf("a programme archived before it was stored: %+v %v %v", p, ok, err)
	}

	// Where an agreement is planned, the settings say whether its
	// programme is archived; plan's refusal writes nothing.
	refused := errors.New("refused")
	for code, archived := range map[string]bool{"community-2026": true, arts.Code: false, "never-created": false} {
		var saw *bool
		_, _, err := st.CreatePlanned(ctx, code, 2026, Now, nil, func(p grants.ProgrammeSettings) (*grants.Agreement, grants.Effects, error) {
			saw = &p.ProgrammeArchived
			return nil, grants.Effects{}, refused
		})
		if !errors.Is(err, refused) || saw == nil || *saw != archived {
			t.Errorf("planning in %s: archived %v, want %v (%v)", code, saw, archived, err)
		}
	}
}
