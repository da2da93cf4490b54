package dynamo

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/grants"
)

// TestProgrammeItemsGolden pins a programme's item (every field set), the
// settings item a create gives it, and an archived one stored from the
// deployment's configuration (testdata/programme-items.golden.json;
// -update rewrites it); each reads back as written.
func TestProgrammeItemsGolden(t *testing.T) {
	ctx := context.Background()
	db, table := testenv.AppTable(t)
	st := New(db, table)
	p := grants.Programme{Code: goldenProg, Name: "Golden Programme", Currency: "EUR", TimeZone: "Europe/Dublin", Region: "northern-ireland",
		Archived: true, FunderName: "The Golden Trust", FunderOrgID: "GB-CHC-1234567", Funder360GPrefix: "360G-golden"}
	checkAllSet(t, "Programme", p)
	created := p
	created.Archived = false
	if err := st.CreateProgramme(ctx, created); err != nil {
		t.Fatal(err)
	}
	if err := st.ArchiveProgramme(ctx, grants.Programme{Code: goldenProg, Name: "Not kept"}); err != nil {
		t.Fatal(err)
	}
	seed := grants.Programme{Code: "from-config", Name: "From the configuration", Currency: "GBP", TimeZone: "Europe/London", Region: "england-and-wales"}
	if err := st.ArchiveProgramme(ctx, seed); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, filepath.Join("testdata", "programme-items.golden.json"), dumpTable(t, db, table, "none"))

	seed.Archived = true
	got, err := st.Programmes(ctx)
	same(t, "programmes", got, []grants.Programme{seed, p}, err)
	s, err := st.ProgrammeSettings(ctx, goldenProg)
	same(t, "settings", s, grants.ProgrammeSettings{Name: "Golden Programme", Region: "northern-ireland", TimeZone: "Europe/Dublin"}, err)
}
