package schedules_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/scheduler/types"

	schedulerstub "github.com/partnership-grants/backend/pkg/dev/stack/scheduler"
	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/dynamo"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/schedules"
)

func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	testenv.Main(m)
}

var cfg = schedules.Config{
	Group:            "partnership-grants-test",
	RoleArn:          "arn:aws:iam::000000000000:role/partnership-grants-scheduler",
	DeadLetterArn:    "arn:aws:sqs:eu-west-2:000000000000:partnership-grants-schedule-dlq",
	InstalmentTarget: "arn:aws:lambda:eu-west-2:000000000000:function:instalment-due",
	CheckInTarget:    "arn:aws:lambda:eu-west-2:000000000000:function:checkin-sender",
}

type fixture struct {
	store  *dynamo.Store
	stub   *schedulerstub.Server
	client *scheduler.Client
	calls  *testenv.Calls
	clock  *testenv.Clock
	sync   *schedules.Schedules
}

// newFixture wires the adapter as production does: the real SDK Scheduler
// client, reaching the stand-in over HTTP through BaseEndpoint, and the store
// on a fresh table in DynamoDB Local.
func newFixture(t *testing.T, now time.Time) *fixture {
	t.Helper()
	db, table := testenv.AppTable(t)
	clk := testenv.NewClock(now, 0)
	stub := schedulerstub.New()
	stub.Clock = clk.Now
	stub.EnsureGroup(cfg.Group)
	hs := httptest.NewServer(stub)
	t.Cleanup(hs.Close)
	cc := &testenv.Calls{}
	client := scheduler.NewFromConfig(aws.Config{
		Region:      testenv.Region,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	}, func(o *scheduler.Options) {
		o.BaseEndpoint = aws.String(hs.URL)
		o.RetryMaxAttempts = 1
	}, func(o *scheduler.Options) { o.APIOptions = append(o.APIOptions, cc.Middleware) })
	store := dynamo.New(db, table)
	return &fixture{
		store: store, stub: stub, client: client, calls: cc, clock: clk,
		sync: &schedules.Schedules{API: client, Store: store, Cfg: cfg, Now: clk.Now},
	}
}

// activate creates and activates an agreement the way the API does.
func (f *fixture) activate(t *testing.T, start, timeZone string) *grants.Agreement {
	t.Helper()
	ctx := context.Background()
	now := f.clock.Now()
	a, err := grants.NewAgreement(grants.NewAgreementInput{
		Programme: "community-2026",
		Partner:   grants.Partner{Name: "Levenshulme Community Kitchen", RegistrationNumber: "1180123", Address: "1 Stockport Road, Manchester M19 3AB"},
		Contacts:  []grants.Contact{{Name: "Amina Khan", Email: "amina@levykitchen.example.org", Role: "lead"}},
		Amount:    1_000_000,
		Currency:  new("GBP"),
		StartDate: start,
		TimeZone:  new(timeZone),
		Terms:     []string{"Run a weekly community meal"},
	}, now, "officer@funder.test")
	if err != nil {
		t.Fatal(err)
	}
	a.ID = dynamo.NewID()
	if _, err := f.store.CreateAgreement(ctx, a, grants.Audited(grants.AuditEntry{At: now, Actor: "officer@funder.test", Action: "agreement.created"}), nil); err != nil {
		t.Fatal(err)
	}
	a, err = f.store.UpdateAgreement(ctx, a.ID, 0, grants.AuditOnly(func(a *grants.Agreement) ([]grants.AuditEntry, error) {
		e, err := a.Activate(now, "officer@funder.test")
		return []grants.AuditEntry{e}, err
	}))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (f *fixture) list(t *testing.T, id string) []string {
	t.Helper()
	var names []string
	p := scheduler.NewListSchedulesPaginator(f.client, &scheduler.ListSchedulesInput{GroupName: aws.String(cfg.Group), NamePrefix: aws.String("agr-" + id + "-"), MaxResults: aws.Int32(5)})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("ListSchedules: %v", err)
		}
		for _, s := range out.Schedules {
			names = append(names, aws.ToString(s.Name))
		}
	}
	sort.Strings(names)
	return names
}

func TestSyncCreatesEightSchedulesThenDeletesThemOnTermination(t *testing.T) {
	// 10 June 2026, 09:30 in London (BST): instalment 1 (1 June) has passed.
	now := time.Date(2026, 6, 10, 8, 30, 0, 0, time.UTC)
	f := newFixture(t, now)
	ctx := context.Background()
	a := f.activate(t, "2026-06-01", "Europe/London")

	if _, err := f.sync.Sync(ctx, a); err != nil {
		t.Fatalf("Sync: %v", err)
	}
	if got := f.calls.Take()["CreateSchedule"]; got != 8 {
		t.Errorf("CreateSchedule calls = %d, want 8", got)
	}

	type want struct {
		name, at, target string
		number           int
	}
	wants := []want{
		// Passed: a minute after now, in London wall-clock time.
		{"i1", "at(2026-06-10T09:31:00)", cfg.InstalmentTarget, 1},
		{"i2", "at(2026-09-01T09:00:00)", cfg.InstalmentTarget, 2},
		{"i3", "at(2026-12-01T09:00:00)", cfg.InstalmentTarget, 3},
		{"i4", "at(2027-03-01T09:00:00)", cfg.InstalmentTarget, 4},
		// Check-in k: 14 days before instalment k+1; the last 30 days after
		// the end date (31 May 2027). All on working days: no shift.
		{"c1", "at(2026-08-18T09:00:00)", cfg.CheckInTarget, 1},
		{"c2", "at(2026-11-17T09:00:00)", cfg.CheckInTarget, 2},
		{"c3", "at(2027-02-15T09:00:00)", cfg.CheckInTarget, 3},
		{"c4", "at(2027-06-30T09:00:00)", cfg.CheckInTarget, 4},
	}
	var wantNames []string
	for _, w := range wants {
		name := "agr-" + a.ID + "-" + w.name
		wantNames = append(wantNames, name)
		if got := schedules.Name(a.ID, w.name[:1], w.number); got != name {
			t.Errorf("Name = %q, want %q", got, name)
		}
		out, err := f.client.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String(name), GroupName: aws.String(cfg.Group)})
		if err != nil {
			t.Errorf("GetSchedule %s: %v", name, err)
			continue
		}
		if got := aws.ToString(out.ScheduleExpression); got != w.at {
			t.Errorf("%s: expression %s, want %s", w.name, got, w.at)
		}
		if got := aws.ToString(out.ScheduleExpressionTimezone); got != "Europe/London" {
			t.Errorf("%s: time zone %q", w.name, got)
		}
		if out.ActionAfterCompletion != types.ActionAfterCompletionDelete {
			t.Errorf("%s: ActionAfterCompletion %q, want DELETE", w.name, out.ActionAfterCompletion)
		}
		if out.FlexibleTimeWindow == nil || out.FlexibleTimeWindow.Mode != types.FlexibleTimeWindowModeOff {
			t.Errorf("%s: flexible time window %+v, want OFF", w.name, out.FlexibleTimeWindow)
		}
		if out.State != types.ScheduleStateEnabled {
			t.Errorf("%s: state %q", w.name, out.State)
		}
		tg := out.Target
		if tg == nil {
			t.Errorf("%s: no target", w.name)
			continue
		}
		if aws.ToString(tg.Arn) != w.target || aws.ToString(tg.RoleArn) != cfg.RoleArn {
			t.Errorf("%s: target %s as %s, want %s as %s", w.name, aws.ToString(tg.Arn), aws.ToString(tg.RoleArn), w.target, cfg.RoleArn)
		}
		if tg.RetryPolicy == nil || aws.ToInt32(tg.RetryPolicy.MaximumRetryAttempts) != 20 || aws.ToInt32(tg.RetryPolicy.MaximumEventAgeInSeconds) != 86400 {
			t.Errorf("%s: retry policy %+v, want 20 attempts within 86400 s", w.name, tg.RetryPolicy)
		}
		if tg.DeadLetterConfig == nil || aws.ToString(tg.DeadLetterConfig.Arn) != cfg.DeadLetterArn {
			t.Errorf("%s: dead-letter config %+v, want %s", w.name, tg.DeadLetterConfig, cfg.DeadLetterArn)
		}
		var ev schedules.Event
		if err := json.Unmarshal([]byte(aws.ToString(tg.Input)), &ev); err != nil || ev != (schedules.Event{AgreementID: a.ID, Number: w.number}) {
			t.Errorf("%s: input %s (%v), want agreement %s number %d", w.name, aws.ToString(tg.Input), err, a.ID, w.number)
		}
	}
	sort.Strings(wantNames)
	if got := f.list(t, a.ID); fmt.Sprint(got) != fmt.Sprint(wantNames) {
		t.Errorf("ListSchedules = %v, want %v", got, wantNames)
	}

	// Every item records that its schedule exists, so the sweep leaves it be.
	stored, err := f.store.GetAgreement(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range stored.Instalments {
		if !in.ScheduleCreated {
			t.Errorf("instalment %d not marked ScheduleCreated", in.Number)
		}
	}
	for _, c := range stored.CheckIns {
		if !c.ScheduleCreated {
			t.Errorf("check-in %d not marked ScheduleCreated", c.Number)
		}
	}
	work, err := f.store.DueWork(ctx, grants.Today(now, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range work {
		if w.On == grants.Immediately {
			t.Errorf("after Sync, %s %d is still listed as missing its schedule", w.Kind, w.Number)
		}
	}

	// A second Sync, from a fresh read, creates nothing.
	if _, err := f.sync.Sync(ctx, stored); err != nil {
		t.Fatalf("second Sync: %v", err)
	}
	if got := f.calls.Take(); got["CreateSchedule"] != 0 {
		t.Errorf("second Sync made %d CreateSchedule calls, want 0", got["CreateSchedule"])
	}
	// A retried Sync from the stale copy collides by name instead of duplicating.
	if _, err := f.sync.Sync(ctx, a); err != nil {
		t.Fatalf("Sync from a stale copy: %v", err)
	}
	f.calls.Take()
	if got := f.list(t, a.ID); len(got) != 8 {
		t.Errorf("after a retried Sync there are %d schedules, want 8", len(got))
	}

	// Terminating, then syncing, deletes every schedule.
	ended, err := f.store.UpdateAgreement(ctx, a.ID, 0, grants.AuditOnly(func(a *grants.Agreement) ([]grants.AuditEntry, error) {
		e, err := a.Terminate("Partner closed", f.clock.Now(), "officer@funder.test")
		return []grants.AuditEntry{e}, err
	}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.sync.Sync(ctx, ended); err != nil {
		t.Fatalf("Sync after termination: %v", err)
	}
	if got := f.calls.Take(); got["DeleteSchedule"] != 8 || got["CreateSchedule"] != 0 {
		t.Errorf("Sync after termination: %v, want 8 DeleteSchedule and no CreateSchedule", got)
	}
	if got := f.list(t, a.ID); len(got) != 0 {
		t.Errorf("after termination %d schedules remain: %v", len(got), got)
	}
	_, err = f.client.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String(schedules.Name(a.ID, "c", 1)), GroupName: aws.String(cfg.Group)})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("GetSchedule after termination: %v, want ResourceNotFoundException", err)
	}
	// Deleting again (a schedule that already ran and deleted itself) is fine.
	if _, err := f.sync.Sync(ctx, ended); err != nil {
		t.Errorf("second Sync after termination: %v", err)
	}
}

// TestSyncUsesTheAgreementsTimeZone: the at() expression is wall-clock
// time in the agreement's own zone, and says which zone.
func TestSyncUsesTheAgreementsTimeZone(t *testing.T) {
	f := newFixture(t, time.Date(2026, 1, 12, 12, 0, 0, 0, time.UTC)) // Tuesday 13 Jan 01:00 in Auckland
	ctx := context.Background()
	a := f.activate(t, "2026-01-13", "Pacific/Auckland")
	if _, err := f.sync.Sync(ctx, a); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"i1": "at(2026-01-13T09:00:00)", // today in Auckland, not yet 09:00 there
		"c4": "at(2027-02-11T09:00:00)", // 30 days after the end date, 12 January 2027
	} {
		out, err := f.client.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("agr-" + a.ID + "-" + name), GroupName: aws.String(cfg.Group)})
		if err != nil {
			t.Fatal(err)
		}
		if got, tz := aws.ToString(out.ScheduleExpression), aws.ToString(out.ScheduleExpressionTimezone); got != want || tz != "Pacific/Auckland" {
			t.Errorf("%s: %s in %s, want %s in Pacific/Auckland", name, got, tz, want)
		}
	}
	// The stand-in fires i1 at 09:00 Auckland time = 20:00 UTC the day before.
	var fired []string
	err := f.stub.Run(ctx, time.Date(2026, 1, 12, 20, 0, 0, 0, time.UTC), func(_ context.Context, fr schedulerstub.Firing) error {
		fired = append(fired, fr.Name)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := "agr-" + a.ID + "-i1"; len(fired) != 1 || fired[0] != want {
		t.Errorf("fired by 20:00 UTC: %v, want [%s]", fired, want)
	}
}

// TestFailedCreationLeavesItemsForTheSweep: when Scheduler refuses, Sync
// reports it and marks nothing, so the items stay in the next-action index
// as "missing a schedule" for the sweep to repair.
func TestFailedCreationLeavesItemsForTheSweep(t *testing.T) {
	now := time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)
	f := newFixture(t, now)
	ctx := context.Background()
	a := f.activate(t, "2026-03-01", "Europe/London")
	broken := *f.sync
	broken.Cfg.Group = "no-such-group"
	if _, err := broken.Sync(ctx, a); err == nil {
		t.Fatal("Sync into a missing group succeeded")
	}
	work, err := f.store.DueWork(ctx, grants.Today(now, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	missing := 0
	for _, w := range work {
		if w.AgreementID == a.ID && w.On == grants.Immediately {
			missing++
		}
	}
	if missing != 8 {
		t.Errorf("%d items listed as missing a schedule, want 8 (work: %+v)", missing, work)
	}
	// Repaired by a later Sync.
	if _, err := f.sync.Sync(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got := f.list(t, a.ID); len(got) != 8 {
		t.Errorf("after repair: %d schedules, want 8", len(got))
	}
}

// Amending a due date replaces that item's schedule, and only that one; a
// second sync (a retry, or the sweep) changes nothing more.
func TestAmendedDateReplacesTheSchedule(t *testing.T) {
	now := time.Date(2026, 6, 10, 8, 30, 0, 0, time.UTC)
	f := newFixture(t, now)
	ctx := context.Background()
	a := f.activate(t, "2026-06-01", "Europe/London")
	if _, err := f.sync.Sync(ctx, a); err != nil {
		t.Fatal(err)
	}
	f.calls.Take()

	a, err := f.store.UpdateAgreement(ctx, a.ID, 0, grants.AuditOnly(func(a *grants.Agreement) ([]grants.AuditEntry, error) {
		e, err := a.Amend(grants.Amendment{
			InstalmentDates: []grants.DateChange{{Number: 2, DueDate: "2026-09-15"}},
			CheckInDates:    []grants.DateChange{{Number: 1, DueDate: "2026-08-25"}},
		}, now, "officer@funder.test")
		return []grants.AuditEntry{e}, err
	}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.sync.Sync(ctx, a); err != nil {
		t.Fatalf("Sync: %v", err)
	}
	if got := f.calls.Take(); got["CreateSchedule"] != 4 || got["DeleteSchedule"] != 2 || got["GetSchedule"] != 2 {
		t.Errorf("calls %v, want 2 × (create → conflict, get, delete, create)", got)
	}
	for name, want := range map[string]string{"i2": "at(2026-09-15T09:00:00)", "c1": "at(2026-08-25T09:00:00)", "i3": "at(2026-12-01T09:00:00)"} {
		out, err := f.client.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("agr-" + a.ID + "-" + name), GroupName: aws.String(cfg.Group)})
		if err != nil {
			t.Fatalf("GetSchedule %s: %v", name, err)
		}
		if got := aws.ToString(out.ScheduleExpression); got != want {
			t.Errorf("%s fires %s, want %s", name, got, want)
		}
	}
	if got := len(f.list(t, a.ID)); got != 8 {
		t.Errorf("%d schedules, want 8", got)
	}
	fresh, err := f.store.GetAgreement(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	f.calls.Take()
	if _, err := f.sync.Sync(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	if got := f.calls.Take(); len(got) != 0 {
		t.Errorf("a second sync called %v, want nothing", got)
	}
}
