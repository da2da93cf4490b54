package dynamo

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/grants"
)

// TestThemeItemsGolden pins the items of a programme's themes (issue 24,
// item 3): a tag and an action in the programme's THEMES partition
// (testdata/theme-items.golden.json; -update rewrites it), and that they
// read back as written.
func TestThemeItemsGolden(t *testing.T) {
	ctx := context.Background()
	db, table := testenv.AppTable(t)
	st := New(db, table)
	tag := grants.ThemeTag{Theme: "Late payments", AgreementID: goldenID, CheckIn: 2, By: goldenActor, At: at(1)}
	act := grants.ThemeAction{ID: "0123456789abcdef0123", Theme: "Late payments", What: "Moved the pay run to the first Monday",
		On: day("2026-06-20"), Who: "Finance team", By: goldenActor, At: at(2)}
	checkAllSet(t, "ThemeTag", tag)
	checkAllSet(t, "ThemeAction", act)
	if err := st.AddThemeTag(ctx, goldenProg, tag); err != nil {
		t.Fatal(err)
	}
	if err := st.AddThemeAction(ctx, goldenProg, act); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, filepath.Join("testdata", "theme-items.golden.json"), dumpTable(t, db, table, "none"))

	tags, actions, err := st.Themes(ctx, goldenProg)
	same(t, "tags", tags, []grants.ThemeTag{tag}, err)
	same(t, "actions", actions, []grants.ThemeAction{act}, err)
}
