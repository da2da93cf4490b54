package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
)

// A programme's tags and actions are each kept once (the same theme on the
// same feedback, whatever its case and spaces; an action's ID), read back
// as written with who and when, and only for their programme.
func themesOnce(t *testing.T, st Store) {
	ctx := context.Background()
	tag := func(theme, agreement string, n int, at time.Time) grants.ThemeTag {
		g, err := grants.NewThemeTag(theme, agreement, n, at, officer)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	a1, a2 := NewID(), NewID()
	tags := []grants.ThemeTag{tag("Late payments", a1, 1, Now), tag("Reporting burden", a1, 1, Now.Add(time.Minute)), tag("Late payments", a2, 2, Now.Add(2*time.Minute))}
	for _, g := range append(tags, tag("late   PAYMENTS", a1, 1, Now.Add(time.Hour))) {
		if err := st.AddThemeTag(ctx, "trust-2026", g); err != nil {
			t.Fatal(err)
		}
	}
	act, err := grants.NewThemeAction("Late payments", "Moved the pay run to the first Monday", "2026-06-20", "Finance team", Now.Add(3*time.Minute), officer)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := st.AddThemeAction(ctx, "trust-2026", act); err != nil {
			t.Fatal(err)
		}
	}
	gotTags, gotActions, err := st.Themes(ctx, "trust-2026")
	if err != nil {
		t.Fatal(err)
	}
	want := grants.GatherThemes(tags, []grants.ThemeAction{act})
	if got := grants.GatherThemes(gotTags, gotActions); !reflect.DeepEqual(got, want) {
		t.Errorf("themes read back\n%+v\nwant\n%+v", got, want)
	}
	if len(gotTags) != 3 || len(gotActions) != 1 {
		t.Errorf("%d tags and %d actions, want 3 and 1", len(gotTags), len(gotActions))
	}
	if !gotTags[0].At.Equal(Now) && !gotTags[1].At.Equal(Now) && !gotTags[2].At.Equal(Now) {
		t.Errorf("the first tag of a theme on a feedback is kept: %+v", gotTags)
	}
	other, otherActions, err := st.Themes(ctx, "other-programme")
	if err != nil || len(other) != 0 || len(otherActions) != 0 {
		t.Errorf("another programme's themes: %v %v %v", other, otherActions, err)
	}
}
