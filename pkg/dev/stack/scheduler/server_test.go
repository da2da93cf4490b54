package schedulerstub_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/scheduler/types"

	schedulerstub "github.com/partnership-grants/backend/pkg/dev/stack/scheduler"
)

const (
	lambdaArn = "arn:aws:lambda:eu-west-2:000000000000:function:handler"
	roleArn   = "arn:aws:iam::000000000000:role/scheduler"
	dlqArn    = "arn:aws:sqs:eu-west-2:000000000000:scheduler-dlq"
)

// newStack starts the stand-in behind a real HTTP listener and returns an SDK
// client configured the way the local stack configures production code.
func newStack(t *testing.T, now time.Time) (*schedulerstub.Server, *scheduler.Client) {
	t.Helper()
	srv := schedulerstub.New()
	srv.Clock = func() time.Time { return now }
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	cfg := aws.Config{
		Region:      "eu-west-2",
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	}
	client := scheduler.NewFromConfig(cfg, func(o *scheduler.Options) {
		o.BaseEndpoint = aws.String(hs.URL)
		o.RetryMaxAttempts = 1 // surface server errors directly
	})
	return srv, client
}

func oneTime(name, at, tz string) *scheduler.CreateScheduleInput {
	in := &scheduler.CreateScheduleInput{
		Name:               aws.String(name),
		ScheduleExpression: aws.String("at(" + at + ")"),
		FlexibleTimeWindow: &types.FlexibleTimeWindow{Mode: types.FlexibleTimeWindowModeOff},
		Target: &types.Target{
			Arn:     aws.String(lambdaArn),
			RoleArn: aws.String(roleArn),
			Input:   aws.String(fmt.Sprintf(`{"name":%q}`, name)),
		},
	}
	if tz != "" {
		in.ScheduleExpressionTimezone = aws.String(tz)
	}
	return in
}

func mustCreate(t *testing.T, c *scheduler.Client, in *scheduler.CreateScheduleInput) {
	t.Helper()
	if _, err := c.CreateSchedule(context.Background(), in); err != nil {
		t.Fatalf("CreateSchedule %s: %v", aws.ToString(in.Name), err)
	}
}

func isNotFound(err error) bool {
	var nf *types.ResourceNotFoundException
	return errors.As(err, &nf)
}

func isValidation(err error) bool {
	var ve *types.ValidationException
	return errors.As(err, &ve)
}

func TestScheduleLifecycle(t *testing.T) {
	created := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	srv, c := newStack(t, created)
	ctx := context.Background()

	in := oneTime("grant-123_reminder.v1", "2026-03-29T09:00:00", "Europe/London")
	in.ActionAfterCompletion = types.ActionAfterCompletionDelete
	in.Description = aws.String("remind applicant")
	in.FlexibleTimeWindow = &types.FlexibleTimeWindow{Mode: types.FlexibleTimeWindowModeFlexible, MaximumWindowInMinutes: aws.Int32(15)}
	in.Target.RetryPolicy = &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(3), MaximumEventAgeInSeconds: aws.Int32(3600)}
	in.Target.DeadLetterConfig = &types.DeadLetterConfig{Arn: aws.String(dlqArn)}
	out, err := c.CreateSchedule(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	wantArn := "arn:aws:scheduler:eu-west-2:000000000000:schedule/default/grant-123_reminder.v1"
	if got := aws.ToString(out.ScheduleArn); got != wantArn {
		t.Fatalf("ScheduleArn = %s, want %s", got, wantArn)
	}

	got, err := c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: in.Name})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ field, got, want string }{
		{"Arn", aws.ToString(got.Arn), wantArn},
		{"Name", aws.ToString(got.Name), "grant-123_reminder.v1"},
		{"GroupName", aws.ToString(got.GroupName), "default"},
		{"ScheduleExpression", aws.ToString(got.ScheduleExpression), "at(2026-03-29T09:00:00)"},
		{"ScheduleExpressionTimezone", aws.ToString(got.ScheduleExpressionTimezone), "Europe/London"},
		{"State", string(got.State), "ENABLED"},
		{"ActionAfterCompletion", string(got.ActionAfterCompletion), "DELETE"},
		{"Description", aws.ToString(got.Description), "remind applicant"},
		{"FlexibleTimeWindow.Mode", string(got.FlexibleTimeWindow.Mode), "FLEXIBLE"},
		{"FlexibleTimeWindow.MaximumWindowInMinutes", fmt.Sprint(aws.ToInt32(got.FlexibleTimeWindow.MaximumWindowInMinutes)), "15"},
		{"Target.Arn", aws.ToString(got.Target.Arn), lambdaArn},
		{"Target.RoleArn", aws.ToString(got.Target.RoleArn), roleArn},
		{"Target.Input", aws.ToString(got.Target.Input), `{"name":"grant-123_reminder.v1"}`},
		{"Target.RetryPolicy.MaximumRetryAttempts", fmt.Sprint(aws.ToInt32(got.Target.RetryPolicy.MaximumRetryAttempts)), "3"},
		{"Target.RetryPolicy.MaximumEventAgeInSeconds", fmt.Sprint(aws.ToInt32(got.Target.RetryPolicy.MaximumEventAgeInSeconds)), "3600"},
		{"Target.DeadLetterConfig.Arn", aws.ToString(got.Target.DeadLetterConfig.Arn), dlqArn},
		{"CreationDate", got.CreationDate.UTC().Format(time.RFC3339), created.Format(time.RFC3339)},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %q, want %q", ck.field, ck.got, ck.want)
		}
	}

	// A second create with the same name (and a fresh client token, as the
	// SDK generates per call) conflicts.
	_, err = c.CreateSchedule(ctx, oneTime("grant-123_reminder.v1", "2026-04-01T00:00:00", ""))
	var ce *types.ConflictException
	if !errors.As(err, &ce) {
		t.Fatalf("duplicate CreateSchedule: got %v, want ConflictException", err)
	}
	// ... but the same name in another group does not.
	srv.EnsureGroup("grants")
	other := oneTime("grant-123_reminder.v1", "2026-04-01T00:00:00", "")
	other.GroupName = aws.String("grants")
	mustCreate(t, c, other)
	// A retried create (same ClientToken) is idempotent, as on the service.
	retry := oneTime("idem", "2026-04-01T00:00:00", "")
	retry.ClientToken = aws.String("token-1")
	mustCreate(t, c, retry)
	mustCreate(t, c, retry)

	if _, err := c.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: in.Name}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: in.Name}); !isNotFound(err) {
		t.Fatalf("GetSchedule after delete: got %v, want ResourceNotFoundException", err)
	}
	if _, err := c.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: in.Name}); !isNotFound(err) {
		t.Fatalf("second DeleteSchedule: got %v, want ResourceNotFoundException", err)
	}
	// The copy in the other group is untouched.
	if _, err := c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: in.Name, GroupName: aws.String("grants")}); err != nil {
		t.Fatalf("GetSchedule in group grants: %v", err)
	}
}

func TestValidation(t *testing.T) {
	_, c := newStack(t, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	ctx := context.Background()
	cases := map[string]func(*scheduler.CreateScheduleInput){
		"bad name":        func(in *scheduler.CreateScheduleInput) { in.Name = aws.String("has space") },
		"long name":       func(in *scheduler.CreateScheduleInput) { in.Name = aws.String(strings.Repeat("x", 65)) },
		"at without secs": func(in *scheduler.CreateScheduleInput) { in.ScheduleExpression = aws.String("at(2026-03-29T01:30)") },
		"at with zone": func(in *scheduler.CreateScheduleInput) {
			in.ScheduleExpression = aws.String("at(2026-03-29T01:30:00Z)")
		},
		"at bad month":     func(in *scheduler.CreateScheduleInput) { in.ScheduleExpression = aws.String("at(2026-13-01T00:00:00)") },
		"cron five fields": func(in *scheduler.CreateScheduleInput) { in.ScheduleExpression = aws.String("cron(0 6 * * ?)") },
		"cron both days":   func(in *scheduler.CreateScheduleInput) { in.ScheduleExpression = aws.String("cron(0 6 * * MON *)") },
		"cron hour 24":     func(in *scheduler.CreateScheduleInput) { in.ScheduleExpression = aws.String("cron(0 24 * * ? *)") },
		"rate zero":        func(in *scheduler.CreateScheduleInput) { in.ScheduleExpression = aws.String("rate(0 minutes)") },
		"rate weeks":       func(in *scheduler.CreateScheduleInput) { in.ScheduleExpression = aws.String("rate(1 week)") },
		"unknown timezone": func(in *scheduler.CreateScheduleInput) { in.ScheduleExpressionTimezone = aws.String("Mars/Olympus") },
		"flexible mode":    func(in *scheduler.CreateScheduleInput) { in.FlexibleTimeWindow.Mode = "SOMETIMES" },
		"flexible no window": func(in *scheduler.CreateScheduleInput) {
			in.FlexibleTimeWindow.Mode = types.FlexibleTimeWindowModeFlexible
		},
		"empty target arn": func(in *scheduler.CreateScheduleInput) { in.Target.Arn = aws.String("") },
		"retry attempts": func(in *scheduler.CreateScheduleInput) {
			in.Target.RetryPolicy = &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(186)}
		},
		"state":            func(in *scheduler.CreateScheduleInput) { in.State = "PAUSED" },
		"after completion": func(in *scheduler.CreateScheduleInput) { in.ActionAfterCompletion = "ARCHIVE" },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			in := oneTime("valid", "2026-03-29T09:00:00", "")
			mutate(in)
			if _, err := c.CreateSchedule(ctx, in); !isValidation(err) {
				t.Fatalf("got %v, want ValidationException", err)
			}
		})
	}
	in := oneTime("valid", "2026-03-29T09:00:00", "")
	in.GroupName = aws.String("no-such-group")
	if _, err := c.CreateSchedule(ctx, in); !isNotFound(err) {
		t.Fatalf("create in missing group: got %v, want ResourceNotFoundException", err)
	}
	for _, expr := range []string{"rate(1 minute)", "rate(5 minutes)", "rate(2 hours)", "rate(1 day)",
		"cron(0 6 * * ? *)", "cron(0/15 9-17 ? * MON-FRI *)", "cron(0 0 L * ? *)", "cron(0 10 ? * 6#3 2026-2030)"} {
		in := oneTime("ok", "2026-01-01T00:00:00", "Europe/London")
		in.ScheduleExpression = aws.String(expr)
		if _, err := c.CreateSchedule(ctx, in); err != nil {
			t.Errorf("%s: %v", expr, err)
		}
		if _, err := c.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: aws.String("ok")}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestErrorWireShape pins the bytes the SDK relies on to pick the error type.
func TestErrorWireShape(t *testing.T) {
	hs := httptest.NewServer(schedulerstub.New())
	defer hs.Close()
	resp, err := http.Get(hs.URL + "/schedules/nope?groupName=default")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 404 || resp.Header.Get("X-Amzn-ErrorType") != "ResourceNotFoundException" {
		t.Fatalf("status %d, X-Amzn-ErrorType %q", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"))
	}
}

func TestListSchedulesPrefixAndPagination(t *testing.T) {
	srv, c := newStack(t, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	ctx := context.Background()
	srv.EnsureGroup("other")
	for _, n := range []string{"grant-5", "grant-1", "grant-3", "grant-2", "grant-4", "panel-1"} {
		mustCreate(t, c, oneTime(n, "2026-04-01T00:00:00", ""))
	}
	o := oneTime("grant-0", "2026-04-01T00:00:00", "")
	o.GroupName = aws.String("other")
	mustCreate(t, c, o)

	list := func(in *scheduler.ListSchedulesInput) (names []string, pages int) {
		p := scheduler.NewListSchedulesPaginator(c, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, s := range page.Schedules {
				names = append(names, aws.ToString(s.GroupName)+"/"+aws.ToString(s.Name))
				if aws.ToString(s.Target.Arn) != lambdaArn || s.State != types.ScheduleStateEnabled || s.CreationDate == nil {
					t.Errorf("summary %+v", s)
				}
			}
		}
		return names, pages
	}
	names, pages := list(&scheduler.ListSchedulesInput{GroupName: aws.String("default"), NamePrefix: aws.String("grant-"), MaxResults: aws.Int32(2)})
	if want := "default/grant-1 default/grant-2 default/grant-3 default/grant-4 default/grant-5"; strings.Join(names, " ") != want || pages != 3 {
		t.Errorf("got %v in %d pages, want %s in 3", names, pages, want)
	}
	names, _ = list(&scheduler.ListSchedulesInput{NamePrefix: aws.String("grant-")})
	if len(names) != 6 || names[5] != "other/grant-0" {
		t.Errorf("all groups: %v", names)
	}
	if _, err := c.ListSchedules(ctx, &scheduler.ListSchedulesInput{GroupName: aws.String("nope")}); !isNotFound(err) {
		t.Errorf("missing group: %v", err)
	}
	if _, err := c.ListSchedules(ctx, &scheduler.ListSchedulesInput{NextToken: aws.String("!!")}); !isValidation(err) {
		t.Errorf("bad token: %v", err)
	}
}

type recorder struct {
	mu  sync.Mutex
	got []string
}

func (r *recorder) add(f schedulerstub.Firing) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, f.ScheduledTime.Format(time.RFC3339)+" "+f.Name)
}

func TestRunOrderTimezonesAndCompletion(t *testing.T) {
	srv, c := newStack(t, time.Date(2026, 3, 27, 0, 0, 0, 0, time.UTC))
	ctx := context.Background()

	// 01:30 does not exist in London on 2026-03-29 (clocks jump 01:00 GMT
	// -> 02:00 BST); the stand-in pushes it forward by the gap: 02:30 BST.
	mustCreate(t, c, oneTime("london-gap", "2026-03-29T01:30:00", "Europe/London"))
	mustCreate(t, c, oneTime("london-before", "2026-03-28T09:00:00", "Europe/London")) // GMT: 09:00Z
	mustCreate(t, c, oneTime("london-after", "2026-03-29T09:00:00", "Europe/London"))  // BST: 08:00Z
	utc := oneTime("utc", "2026-03-29T08:00:00", "")                                   // ties with london-after
	utc.ActionAfterCompletion = types.ActionAfterCompletionDelete
	mustCreate(t, c, utc)
	mustCreate(t, c, oneTime("not-yet", "2026-03-29T12:00:01", ""))
	daily := oneTime("daily", "", "Europe/London")
	daily.ScheduleExpression = aws.String("cron(0 6 * * ? *)")
	daily.Target.Input = aws.String(`{"at":"<aws.scheduler.scheduled-time>","arn":"<aws.scheduler.schedule-arn>","try":<aws.scheduler.attempt-number>}`)
	mustCreate(t, c, daily)
	disabled := oneTime("disabled", "2026-03-28T00:00:00", "")
	disabled.State = types.ScheduleStateDisabled
	mustCreate(t, c, disabled)

	var rec recorder
	var dailyInputs []string
	err := srv.Run(ctx, time.Date(2026, 3, 29, 12, 0, 0, 0, time.UTC), func(_ context.Context, f schedulerstub.Firing) error {
		rec.add(f)
		if f.Name == "daily" {
			dailyInputs = append(dailyInputs, f.Input)
		}
		if f.TargetArn != lambdaArn || f.RoleArn != roleArn || f.Attempt != 1 {
			t.Errorf("firing %+v", f)
		}
		if f.Name == "london-gap" && f.Input != `{"name":"london-gap"}` {
			t.Errorf("Input = %s", f.Input)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"2026-03-27T06:00:00Z daily",
		"2026-03-28T06:00:00Z daily",
		"2026-03-28T09:00:00Z london-before",
		"2026-03-29T01:30:00Z london-gap",
		"2026-03-29T05:00:00Z daily", // 06:00 BST
		"2026-03-29T08:00:00Z london-after",
		"2026-03-29T08:00:00Z utc",
	}
	if strings.Join(rec.got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("fired:\n%s\nwant:\n%s", strings.Join(rec.got, "\n"), strings.Join(want, "\n"))
	}
	if wantIn := `{"at":"2026-03-29T05:00:00Z","arn":"arn:aws:scheduler:eu-west-2:000000000000:schedule/default/daily","try":1}`; dailyInputs[2] != wantIn {
		t.Errorf("context attributes: %s, want %s", dailyInputs[2], wantIn)
	}

	// DELETE after completion removes the schedule; NONE keeps it.
	if _, err := c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("utc")}); !isNotFound(err) {
		t.Errorf("utc after completion: %v, want ResourceNotFoundException", err)
	}
	if _, err := c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("london-gap")}); err != nil {
		t.Errorf("london-gap (NONE) after completion: %v", err)
	}

	// Nothing fires twice; the next Run continues from where this one ended.
	rec.got = nil
	if err := srv.Run(ctx, time.Date(2026, 3, 30, 5, 0, 0, 0, time.UTC), func(_ context.Context, f schedulerstub.Firing) error {
		rec.add(f)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want = []string{"2026-03-29T12:00:01Z not-yet", "2026-03-30T05:00:00Z daily"}
	if strings.Join(rec.got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("second run fired %v, want %v", rec.got, want)
	}
	if next, ok := srv.NextDue(); !ok || !next.Equal(time.Date(2026, 3, 31, 5, 0, 0, 0, time.UTC)) {
		t.Errorf("NextDue = %v, %v", next, ok)
	}
}

func TestRunRetriesThenDeadLetters(t *testing.T) {
	srv, c := newStack(t, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	ctx := context.Background()

	failing := oneTime("always-fails", "2026-03-02T10:00:00", "")
	failing.ActionAfterCompletion = types.ActionAfterCompletionDelete
	failing.Target.RetryPolicy = &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(2)}
	failing.Target.DeadLetterConfig = &types.DeadLetterConfig{Arn: aws.String(dlqArn)}
	failing.Target.Input = aws.String(`{"attempt":<aws.scheduler.attempt-number>}`)
	mustCreate(t, c, failing)
	flaky := oneTime("flaky", "2026-03-02T11:00:00", "")
	mustCreate(t, c, flaky)
	noPolicy := oneTime("no-policy", "2026-03-02T12:00:00", "")
	mustCreate(t, c, noPolicy)
	srv.MaxAttemptsCap = 5 // default policy would be 186 attempts

	boom := errors.New("handler exploded")
	var rec recorder
	var inputs []string
	flakyCalls := 0
	err := srv.Run(ctx, time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC), func(_ context.Context, f schedulerstub.Firing) error {
		rec.add(f)
		switch f.Name {
		case "always-fails":
			inputs = append(inputs, f.Input)
			return boom
		case "flaky":
			flakyCalls++
			if flakyCalls == 1 {
				return boom
			}
		case "no-policy":
			return boom
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(inputs, ",") != `{"attempt":1},{"attempt":2},{"attempt":3}` {
		t.Errorf("attempt inputs: %v", inputs)
	}
	if flakyCalls != 2 {
		t.Errorf("flaky called %d times, want 2", flakyCalls)
	}
	dls := srv.DeadLetters()
	if len(dls) != 2 {
		t.Fatalf("dead letters: %+v", dls)
	}
	if dl := dls[0]; dl.Firing.Name != "always-fails" || dl.Attempts != 3 || dl.Firing.Attempt != 3 ||
		!errors.Is(dl.Err, boom) || dl.DeadLetterArn != dlqArn ||
		!dl.Firing.ScheduledTime.Equal(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("dead letter 0: %+v", dl)
	}
	if dl := dls[1]; dl.Firing.Name != "no-policy" || dl.Attempts != 5 || dl.DeadLetterArn != "" {
		t.Errorf("dead letter 1: %+v", dl)
	}
	// The invocation happened (and failed), so DELETE still applies.
	if _, err := c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("always-fails")}); !isNotFound(err) {
		t.Errorf("always-fails after dead letter: %v", err)
	}
}

// TestRunCallbackMutatesSchedules covers a handler that, like production
// handlers, creates and deletes schedules through the SDK while Run is
// delivering.
func TestRunCallbackMutatesSchedules(t *testing.T) {
	srv, c := newStack(t, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	ctx := context.Background()
	mustCreate(t, c, oneTime("step-1", "2026-03-02T09:00:00", ""))
	mustCreate(t, c, oneTime("victim", "2026-03-02T11:00:00", ""))

	var rec recorder
	err := srv.Run(ctx, time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC), func(ctx context.Context, f schedulerstub.Firing) error {
		rec.add(f)
		switch f.Name {
		case "step-1":
			// Due inside this Run, before an existing schedule.
			if _, err := c.CreateSchedule(ctx, oneTime("step-2", "2026-03-02T10:00:00", "")); err != nil {
				return err
			}
			// Due in the past: fires next, in time order.
			if _, err := c.CreateSchedule(ctx, oneTime("overdue", "2026-03-01T00:00:00", "")); err != nil {
				return err
			}
		case "step-2":
			if _, err := c.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: aws.String("victim")}); err != nil {
				return err
			}
			// Beyond upTo: must wait for a later Run.
			if _, err := c.CreateSchedule(ctx, oneTime("step-3", "2026-03-04T00:00:00", "")); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2026-03-02T09:00:00Z step-1", "2026-03-01T00:00:00Z overdue", "2026-03-02T10:00:00Z step-2"}
	if strings.Join(rec.got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("fired %v, want %v", rec.got, want)
	}
	if len(srv.DeadLetters()) != 0 {
		t.Fatalf("dead letters: %+v", srv.DeadLetters())
	}
	if next, ok := srv.NextDue(); !ok || !next.Equal(time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("NextDue = %v, %v", next, ok)
	}
}

func TestConcurrentRunsDeliverOnce(t *testing.T) {
	srv, c := newStack(t, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	for i := range 20 {
		mustCreate(t, c, oneTime(fmt.Sprintf("s-%02d", i), fmt.Sprintf("2026-03-02T%02d:00:00", i), ""))
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = srv.Run(context.Background(), time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC), func(_ context.Context, f schedulerstub.Firing) error {
				mu.Lock()
				seen[f.Name]++
				mu.Unlock()
				time.Sleep(time.Millisecond)
				return nil
			})
		}()
	}
	wg.Wait()
	if len(seen) != 20 {
		t.Fatalf("delivered %d schedules, want 20", len(seen))
	}
	for n, k := range seen {
		if k != 1 {
			t.Errorf("%s delivered %d times", n, k)
		}
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	srv, c := newStack(t, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	mustCreate(t, c, oneTime("a", "2026-03-02T00:00:00", ""))
	ctx, cancel := context.WithCancel(context.Background())
	err := srv.Run(ctx, time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC), func(context.Context, schedulerstub.Firing) error {
		cancel()
		return errors.New("interrupted")
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	// The interrupted occurrence is still pending for the next Run.
	fired := 0
	if err := srv.Run(context.Background(), time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC), func(context.Context, schedulerstub.Firing) error {
		fired++
		return nil
	}); err != nil || fired != 1 || len(srv.DeadLetters()) != 0 {
		t.Fatalf("rerun: err=%v fired=%d deadLetters=%d", err, fired, len(srv.DeadLetters()))
	}
}

// TestRunTiesOrderedByGroupThenName: simultaneous occurrences are delivered
// in a stable order regardless of map iteration.
func TestRunTiesOrderedByGroupThenName(t *testing.T) {
	srv, c := newStack(t, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	ctx := context.Background()
	srv.EnsureGroup("alpha")
	for _, gn := range []string{"default/c", "alpha/z", "default/a", "alpha/b", "default/b", "alpha/a"} {
		g, n, _ := strings.Cut(gn, "/")
		in := oneTime(n, "2026-03-02T09:00:00", "")
		in.GroupName = aws.String(g)
		mustCreate(t, c, in)
	}
	var got []string
	if err := srv.Run(ctx, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), func(_ context.Context, f schedulerstub.Firing) error {
		got = append(got, f.GroupName+"/"+f.Name)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := "alpha/a alpha/b alpha/z default/a default/b default/c"; strings.Join(got, " ") != want {
		t.Fatalf("order %v, want %s", got, want)
	}
}
