package service_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/export"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/service"
)

// The web app's programme switcher is this use case (Visible).
var _ interface {
	Visible(ctx context.Context, a grants.Actor) ([]grants.Programme, error)
} = (*service.Programmes)(nil)

// The deployment's own programme, from its configuration.
var configured = grants.Programme{Code: "community-2026", Name: "Community Fund", Currency: "GBP", TimeZone: "Europe/London", Region: "england-and-wales"}

func programmeCodes(ps []grants.Programme) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Code)
	}
	return out
}

// Issue 25, item 2: an administrator creates programmes (each bad field by
// its name, a code taken, stored or configured, a conflict naming code);
// each person lists those they hold a role in, by name, archived ones only
// if asked; the configured programme exists with nothing created.
func TestProgrammesCreatedAndListed(t *testing.T) {
	ctx := context.Background()
	store := memstore.New()
	x := service.NewProgrammes(store, configured)

	financeArts := grants.Actor{ID: "iss#fin", Name: "fin@funder.local", Groups: []grants.Role{grants.RoleFinance.In("arts-2026")}}
	officer := grants.Actor{ID: "iss#olu", Name: "olu@funder.local", Groups: []grants.Role{grants.RoleProgramme}}
	scopedAdmin := grants.Actor{ID: "iss#sa", Name: "sa@funder.local", Groups: []grants.Role{grants.RoleAdmin.In("community-2026")}}

	// Nothing created: the configured programme is there.
	got, err := x.List(ctx, settingsAdmin, false)
	if err != nil || !slices.Equal(programmeCodes(got), []string{"community-2026"}) {
		t.Fatalf("before any create: %v %v", got, err)
	}

	for _, actor := range []grants.Actor{officer, financeArts, scopedAdmin} {
		if _, err := x.Create(ctx, actor, grants.NewProgrammeInput{Code: "x", Name: "X"}); grants.ErrorCode(err) != grants.Forbidden {
			t.Errorf("create as %v: %v", actor.Groups, err)
		}
	}
	_, err = x.Create(ctx, settingsAdmin, grants.NewProgrammeInput{Code: "bad code", Name: "", Currency: "pounds", TimeZone: "Europe/Nowhere", Region: "wales"})
	if f := settingsFields(err); grants.ErrorCode(err) != grants.Invalid || !f["code"] || !f["name"] || !f["currency"] || !f["timeZone"] || !f["region"] {
		t.Errorf("bad fields: %v", err)
	}
	for _, code := range []string{"community-2026"} {
		_, err := x.Create(ctx, settingsAdmin, grants.NewProgrammeInput{Code: code, Name: "Again"})
		if f := settingsFields(err); grants.ErrorCode(err) != grants.Conflict || !f["code"] {
			t.Errorf("the configured code again: %v", err)
		}
	}
	arts, err := x.Create(ctx, settingsAdmin, grants.NewProgrammeInput{Code: "arts-2026", Name: "Arts Fund", TimeZone: "Europe/Dublin", Region: "northern-ireland"})
	if err != nil || arts.Currency != "GBP" || arts.TimeZone != "Europe/Dublin" {
		t.Fatalf("create: %+v %v", arts, err)
	}
	if _, err := x.Create(ctx, settingsAdmin, grants.NewProgrammeInput{Code: "arts-2026", Name: "Arts again"}); grants.ErrorCode(err) != grants.Conflict || !settingsFields(err)["code"] {
		t.Errorf("a duplicate code: %v", err)
	}
	if _, err := x.Create(ctx, settingsAdmin, grants.NewProgrammeInput{Code: "youth", Name: "Ace Youth"}); err != nil {
		t.Fatal(err)
	}
	// Its settings page works at once: its name and region.
	if s, err := store.ProgrammeSettings(ctx, "arts-2026"); err != nil || s.Name != "Arts Fund" || s.Region != "northern-ireland" {
		t.Errorf("the new programme's settings: %+v %v", s, err)
	}

	for _, c := range []struct {
		who   string
		actor grants.Actor
		want  []string
	}{
		{"the administrator, by name", settingsAdmin, []string{"youth", "arts-2026", "community-2026"}},
		{"an officer of every programme", officer, []string{"youth", "arts-2026", "community-2026"}},
		{"finance in arts only", financeArts, []string{"arts-2026"}},
		{"an administrator of community only", scopedAdmin, []string{"community-2026"}},
		{"nobody", grants.Actor{ID: "iss#x"}, nil},
	} {
		got, err := x.Visible(ctx, c.actor)
		if err != nil || !slices.Equal(programmeCodes(got), c.want) {
			t.Errorf("%s sees %v (%v), want %v", c.who, programmeCodes(got), err, c.want)
		}
	}
	if p, err := x.Get(ctx, financeArts, "arts-2026"); err != nil || p.Name != "Arts Fund" {
		t.Errorf("get: %+v %v", p, err)
	}
	if _, err := x.Get(ctx, financeArts, "community-2026"); grants.ErrorCode(err) != grants.NotFound {
		t.Errorf("get a programme not seen: %v", err)
	}
}

// Archiving: the administrator's, idempotent, of a configured programme
// too; an archived programme leaves the lists unless asked for, refuses new
// agreements by a 409 naming programme, and leaves the daily run.
func TestProgrammesArchived(t *testing.T) {
	ctx := context.Background()
	store := memstore.New()
	x := service.NewProgrammes(store, configured)
	if _, err := x.Create(ctx, settingsAdmin, grants.NewProgrammeInput{Code: "arts-2026", Name: "Arts Fund"}); err != nil {
		t.Fatal(err)
	}
	if _, err := x.Archive(ctx, settingsOfficer, "arts-2026"); grants.ErrorCode(err) != grants.Forbidden {
		t.Errorf("archive as an officer: %v", err)
	}
	if _, err := x.Archive(ctx, settingsAdmin, "nowhere"); grants.ErrorCode(err) != grants.NotFound {
		t.Errorf("archive a programme that is not: %v", err)
	}
	for range 2 {
		if p, err := x.Archive(ctx, settingsAdmin, "arts-2026"); err != nil || !p.Archived || p.Name != "Arts Fund" {
			t.Errorf("archive: %+v %v", p, err)
		}
	}
	if active, err := x.Active(ctx); err != nil || !slices.Equal(active, []string{"community-2026"}) {
		t.Errorf("active: %v %v", active, err)
	}
	if got, _ := x.Visible(ctx, settingsAdmin); !slices.Equal(programmeCodes(got), []string{"community-2026"}) {
		t.Errorf("visible after archiving: %v", programmeCodes(got))
	}
	if got, _ := x.List(ctx, settingsAdmin, true); !slices.Equal(programmeCodes(got), []string{"arts-2026", "community-2026"}) || !got[0].Archived {
		t.Errorf("all, archived included: %+v", got)
	}

	// No new agreement in it; one in a programme not archived is made.
	env := service.Env{Now: func() time.Time { return time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) }, NewID: memstore.NewID,
		Defaults: grants.ProgrammeSettings{Name: "Community Fund", ReminderDays: 7, MaxReminders: 2}}
	agreements := service.NewAgreements(store, service.LeaveQueued, service.NoSchedules, env, service.AgreementOptions{})
	input := func(programme string) grants.NewAgreementInput {
		return grants.NewAgreementInput{Programme: programme,
			Partner:  grants.Partner{Name: "Levenshulme Community Kitchen", RegistrationNumber: "1180123", Address: "1 Stockport Road, Manchester M19 3AB"},
			Contacts: []grants.Contact{{Name: "Asha Patel", Email: "asha@kitchen.example", Role: "lead"}}, Amount: 1_000_000, StartDate: "2026-04-01",
			Terms: []string{"Run a weekly community meal"}}
	}
	_, _, err := agreements.CreateAgreement(ctx, "olu", input("arts-2026"), nil)
	if grants.ErrorCode(err) != grants.Conflict || !settingsFields(err)["programme"] {
		t.Errorf("an agreement in an archived programme: %v", err)
	}
	if page, _ := store.ListAgreements(ctx, "arts-2026", "", "", 10); len(page.Items) != 0 {
		t.Errorf("stored in an archived programme: %d", len(page.Items))
	}
	if _, _, err := agreements.CreateAgreement(ctx, "olu", input("community-2026"), nil); err != nil {
		t.Errorf("an agreement in the configured programme: %v", err)
	}

	// The configured programme archived: stored archived, then refused too.
	if p, err := x.Archive(ctx, settingsAdmin, "community-2026"); err != nil || !p.Archived || p.Name != "Community Fund" {
		t.Errorf("archive the configured programme: %+v %v", p, err)
	}
	if _, _, err := agreements.CreateAgreement(ctx, "olu", input("community-2026"), nil); grants.ErrorCode(err) != grants.Conflict {
		t.Errorf("an agreement in the archived configured programme: %v", err)
	}
	if active, err := x.Active(ctx); err != nil || len(active) != 0 {
		t.Errorf("active after archiving both: %v %v", active, err)
	}
}

// A programme's 360Giving file names its own funder when it has one, else
// the deployment's; its name is its title unless the deployment names one.
func TestFunderOf(t *testing.T) {
	deployment := export.Funder{Prefix: "360G-deploy", OrgID: "GB-CHC-1", OrgName: "Deployment Funder", ProgrammeTitles: map[string]string{"community-2026": "Community"}}
	own := grants.Programme{Code: "arts-2026", Name: "Arts Fund", FunderName: "Arts Trust", FunderOrgID: "GB-CHC-2", Funder360GPrefix: "360G-arts"}
	f := service.FunderOf(own, deployment)
	if f.Prefix != "360G-arts" || f.OrgID != "GB-CHC-2" || f.OrgName != "Arts Trust" || f.ProgrammeTitles["arts-2026"] != "Arts Fund" {
		t.Errorf("own funder: %+v", f)
	}
	if deployment.ProgrammeTitles["arts-2026"] != "" {
		t.Error("the deployment's titles were changed")
	}
	f = service.FunderOf(configured, deployment)
	if f.Prefix != "360G-deploy" || f.OrgName != "Deployment Funder" || f.ProgrammeTitles["community-2026"] != "Community" {
		t.Errorf("the deployment's funder: %+v", f)
	}
}

// The daily sweep goes over the programmes created, not only the
// configuration's: finance of a programme an administrator created gets its
// late digest; once the programme is archived, none.
func TestSweepGoesOverCreatedProgrammes(t *testing.T) {
	e := newEnv(t, activatedAt, options{})
	e.x.Programmes, e.x.NewID, e.x.Events = nil, memstore.NewID, paidEvents{} // none configured
	ctx := context.Background()
	programmes := e.store.(service.ProgrammeStore)
	if err := programmes.CreateProgramme(ctx, grants.Programme{Code: "community-2026", Name: "Community Fund", Region: "england-and-wales"}); err != nil {
		t.Fatal(err)
	}
	e.agreement(t, start, true, e.contact("amina"))
	sweep := func(day grants.Date) service.SweepReport {
		t.Helper()
		e.clock.Set(at9(day))
		rep, err := e.x.Sweep(ctx)
		if err != nil {
			t.Fatalf("sweep on %s: %v", day, err)
		}
		return rep
	}
	sweep(grants.Date{Year: 2026, Month: 3, Day: 2})
	if rep := sweep(grants.Date{Year: 2026, Month: 3, Day: 17}); rep.LateDigests != 1 {
		t.Errorf("17 March: %d digests, want 1 for the created programme", rep.LateDigests)
	}
	if _, err := service.NewProgrammes(programmes).Archive(ctx, settingsAdmin, "community-2026"); err != nil {
		t.Fatal(err)
	}
	if rep := sweep(grants.Date{Year: 2026, Month: 3, Day: 18}); rep.LateDigests != 0 {
		t.Errorf("18 March, archived: %d digests, want 0", rep.LateDigests)
	}
}

// The 360Giving file of a programme created with funder details of its own
// names that funder and the programme's name; without them, the
// deployment's funder.
func TestThreeSixtyGivingNamesTheProgrammesFunder(t *testing.T) {
	e := newEnv(t, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), options{})
	ctx := context.Background()
	e.agreement(t, "2026-03-01", false, e.contact("lead"))
	views := service.NewViews(e.store, service.Env{Now: e.clock.Now, Location: london})
	deployment := export.Funder{Prefix: "360G-testfunder", OrgID: "GB-CHC-1234567", OrgName: "Test Funder"}
	file := func() string {
		t.Helper()
		out, err := views.ThreeSixtyGiving(ctx, "community-2026", deployment)
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	if f := file(); !strings.Contains(f, `"360G-testfunder-`) || !strings.Contains(f, `"Test Funder"`) {
		t.Errorf("the deployment's funder is not named:\n%s", f)
	}
	programmes := e.store.(service.ProgrammeStore)
	if err := programmes.CreateProgramme(ctx, grants.Programme{Code: "community-2026", Name: "Community Fund 2026",
		FunderName: "The Arts Trust", FunderOrgID: "GB-CHC-7654321", Funder360GPrefix: "360G-artstrust"}); err != nil {
		t.Fatal(err)
	}
	f := file()
	for _, want := range []string{`"360G-artstrust-`, `"The Arts Trust"`, `"GB-CHC-7654321"`, `"Community Fund 2026"`} {
		if !strings.Contains(f, want) {
			t.Errorf("the programme's own funder: %s missing from\n%s", want, f)
		}
	}
	if strings.Contains(f, "Test Funder") {
		t.Errorf("the deployment's funder is still named:\n%s", f)
	}
}
