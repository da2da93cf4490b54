package stack

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go/middleware"

	"github.com/partnership-grants/backend/pkg/app/senders"
	"github.com/partnership-grants/backend/pkg/callmeter"
	"github.com/partnership-grants/backend/pkg/dev/iam"
	"github.com/partnership-grants/backend/pkg/dev/sqslocal"
	schedulerstub "github.com/partnership-grants/backend/pkg/dev/stack/scheduler"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/schedules"
	"github.com/partnership-grants/backend/pkg/service"
)

// Local names of the deployment's scheduler resources; ARNs only need to
// name the function, because the local runner invokes handlers in-process.
const (
	localGroup  = "partnership-grants-local"
	functionArn = "arn:aws:lambda:eu-west-2:000000000000:function:"
	sweepName   = "sweep"
	sweepCron   = "cron(0/30 * * * ? *)" // every half hour, as the template's SweepFunction EveryHalfHour
	// The template's GrantsDataFunction schedule (made when publishing is on).
	grantsDataName = "GrantsDataFunctionDaily"
	grantsDataCron = "cron(0 6 * * ? *)"
	schedulerArn   = "arn:aws:iam::000000000000:role/partnership-grants-local-scheduler"
	dlqArn         = "arn:aws:sqs:eu-west-2:000000000000:partnership-grants-local-schedule-dlq"
	localRegion    = "eu-west-2"
)

// The check-in queue's event source, as template.yaml declares it
// (CheckInSenderQueueSource, CheckInQueue and the CheckInSenders default).
const (
	checkInBatchSize   = 10
	checkInSenders     = 4
	checkInTimeout     = 60 * time.Second
	checkInVisibility  = 360
	checkInMaxReceives = 10
)

// Runner fires the Scheduler stand-in's schedules at the local clock's time,
// invoking the target functions' handlers as EventBridge Scheduler would.
type Runner struct {
	mu    sync.Mutex // one run at a time, so firings stay in order
	sched *schedulerstub.Server
	x     *service.Automation
	// queue is the check-in queue the sweep puts check-ins on, and a
	// check-in's schedule targets.
	queue service.CheckInQueue
	// grantsFile is GrantsDataFunction's public 360Giving file (nil:
	// publishing off, and no schedule fires it).
	grantsFile *service.GrantsFile
	clock      *Clock
	fired      int
	// checkIns plays the CheckInSender's queue trigger; after firings that
	// may have queued check-ins, RunDue drains it, so a run's emails are
	// sent by the time it returns.
	checkIns *sqslocal.EventSource
	// runs counts RunDue calls, and swept is the one whose clock time the
	// sweep last ran at: the sweep's occurrences that fall due together
	// (the clock stepped an hour, past :00 and :30) run once.
	runs, swept int
	// While Advance walks the clock, an occurrence of the sweep that can
	// find nothing the last run did not is skipped (idle), so a walked
	// year costs its work, not 17,520 runs: lastSweep is the last run's
	// time and next its report's Next; changed says something else ran
	// since (a schedule), and written that the table was written since
	// by anyone but the sweep (a function, or the caller between walks).
	walking   bool
	changed   bool
	written   *tableWrites
	lastSweep time.Time
	next      time.Time
	// loc is the deployment's time zone, whose day the sweep reads.
	loc *time.Location
}

// tableWrites notes each DynamoDB write not made by the sweep itself: what
// the sweep finds changes only with one, with the day, or at a time its
// last run named (its report's Next), so an occurrence after none of them
// is idle. Reads (a test looking, a page viewed) leave it idle.
type tableWrites struct{ atomic.Bool }

// Middleware is the note, on the stack's SDK clients.
func (w *tableWrites) Middleware(st *middleware.Stack) error {
	return st.Initialize.Add(middleware.InitializeMiddlewareFunc("stack.writes", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		if awsmiddleware.GetServiceID(ctx) == "DynamoDB" && iam.FunctionOf(ctx) != "SweepFunction" {
			switch awsmiddleware.GetOperationName(ctx) {
			case "PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem":
				w.Store(true)
			}
		}
		return next.HandleInitialize(ctx, in)
	}), middleware.After)
}

// idle reports whether the sweep's occurrence at t would find nothing the
// last run did not: the clock is being walked, nothing else ran since that
// run, it is the same day, and nothing it found waiting (an item or a
// digest before its send time) has reached its send time by t. In AWS the
// run happens and finds just that.
func (r *Runner) idle(t time.Time) bool {
	wake, ok := r.wake()
	return ok && t.Before(wake)
}

// wake is when the sweep's occurrences stop being idle: the next day, or
// sooner what its last run found waiting; ok is false when none is.
func (r *Runner) wake() (time.Time, bool) {
	if !r.walking || r.changed || r.written.Load() || r.lastSweep.IsZero() {
		return time.Time{}, false
	}
	loc := r.loc
	if loc == nil {
		loc = time.UTC
	}
	wake := grants.Today(r.lastSweep, loc).AddDays(1).At(0, 0, loc)
	if !r.next.IsZero() && r.next.Before(wake) {
		wake = r.next
	}
	return wake, true
}

func (r *Runner) fire(ctx context.Context, f schedulerstub.Firing) error {
	if f.TargetArn == r.checkIns.QueueARN {
		// A check-in's schedule targets the queue: Scheduler sends its
		// input as the message.
		r.fired++
		r.changed = true
		var e schedules.Event
		if err := json.Unmarshal([]byte(f.Input), &e); err != nil {
			return fmt.Errorf("schedule %s: bad input: %w", f.Name, err)
		}
		return r.queue.EnqueueCheckIns(ctx, []grants.Work{{AgreementID: e.AgreementID, Kind: grants.WorkCheckInDue, Number: e.Number}})
	}
	name := strings.TrimPrefix(f.TargetArn, functionArn)
	if name == "SweepFunction" && (r.swept == r.runs || r.idle(f.ScheduledTime)) {
		// A second sweep at the same instant finds nothing the first left
		// (what it did is claimed in the outbox, what waits still waits),
		// nor does an idle one: skipped, not counted as fired.
		return nil
	}
	if name != "SweepFunction" {
		r.changed = true
	}
	var e schedules.Event
	if name != "SweepFunction" && name != "GrantsDataFunction" {
		if err := json.Unmarshal([]byte(f.Input), &e); err != nil {
			return fmt.Errorf("schedule %s: bad input: %w", f.Name, err)
		}
	}
	r.fired++
	slog.InfoContext(ctx, "schedule fired", "schedule", f.Name, "function", name, "at", f.ScheduledTime.Format(time.RFC3339))
	// As each function's main does, under a meter (one log line each).
	return callmeter.Run(invocation(ctx, name), name, func(ctx context.Context) error {
		switch name {
		case "InstalmentDueFunction":
			return r.x.InstalmentDue(ctx, e.AgreementID, e.Number)
		case "CheckInSenderFunction":
			return r.x.SendCheckIn(ctx, e.AgreementID, e.Number)
		case "SweepFunction":
			// What is written from here on is news to the next run.
			r.written.Store(false)
			rep, err := r.x.Sweep(ctx)
			if err == nil {
				r.swept, r.lastSweep, r.next, r.changed = r.runs, f.ScheduledTime, rep.Next, false
			} else {
				// A failed one is retried, as in AWS, and not idle after.
				r.written.Store(true)
			}
			return err
		case "GrantsDataFunction":
			_, err := r.grantsFile.Publish(ctx)
			return err
		}
		return fmt.Errorf("schedule %s targets unknown function %s", f.Name, f.TargetArn)
	})
}

// RunDue fires everything due by the local clock's now.
func (r *Runner) RunDue(ctx context.Context) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.runs++
	before := r.fired
	err := r.sched.Run(ctx, r.clock.Now(), r.fire)
	if r.fired > before && err == nil {
		// Lambda polls the queue with the function's role.
		_, err = r.checkIns.Drain(asFunction(ctx, "CheckInSenderFunction"))
	}
	return r.fired - before, err
}

// Advance moves the clock on by whole hours and, after each hour, fires
// what fell due in it, in order; it returns when all of it is done. Hours,
// not days: a handler reads the time from the clock, and rules such as
// "nothing before the send time" need that to be within the hour after a
// schedule's time, as in AWS, not up to a day later. The hours in which
// nothing falls due but the sweep's idle occurrences (nextWork) are jumped
// over: the clock goes straight to the end of
// the hour holding the next schedule's time, where stepping an hour at a
// time would have fired it, so the same firings happen in the same order
// at the same times, and a year's walk costs its firings, not its hours.
func (r *Runner) Advance(ctx context.Context, days int) (int, error) {
	r.mu.Lock()
	// What the caller did before this walk (an activation, a reply) wrote
	// to the table if it left the sweep work: written says so.
	r.walking = true
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.walking = false
		r.mu.Unlock()
	}()
	total := 0
	for left := days * 24; left > 0; {
		step := left
		if next, ok := r.nextWork(); ok {
			step = min(left, hoursUntil(next.Sub(r.clock.Now())))
		}
		r.clock.Advance(time.Duration(step) * time.Hour)
		left -= step
		n, err := r.RunDue(ctx)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// nextWork is the earliest time a schedule fires and does something: the
// next occurrence of any schedule but the sweep, or the sweep's once it can
// be other than idle (its next report's Next, or the next day). The sweep's
// idle occurrences before it are skipped by fire as they would be stepping
// an hour at a time, so jumping to it changes nothing but the steps: a
// walked year is its days and its work, not 8,760 hourly runs.
func (r *Runner) nextWork() (time.Time, bool) {
	next, ok := r.sched.NextDueExcept(localGroup, sweepName)
	sweep, scheduled := r.sched.NextDueOf(localGroup, sweepName)
	if !scheduled {
		return next, ok
	}
	r.mu.Lock()
	if wake, idle := r.wake(); idle && wake.After(sweep) {
		sweep = wake
	}
	r.mu.Unlock()
	if !ok || sweep.Before(next) {
		return sweep, true
	}
	return next, true
}

// hoursUntil is how many whole hours the clock moves on before a schedule
// due in d fires: at least one (what is already due fires after the next
// hour, as when stepping), else d rounded up to the hour.
func hoursUntil(d time.Duration) int {
	if d <= time.Hour {
		return 1
	}
	return int((d + time.Hour - 1) / time.Hour)
}

// loop fires schedules as real time passes, while make run is up.
func (r *Runner) loop(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := r.RunDue(ctx); err != nil && ctx.Err() == nil {
				slog.Error("running schedules", "error", err.Error())
			}
		}
	}
}

// checkInSource creates the check-in queue and its dead-letter queue, and
// the event source that drains it into CheckInSender handlers, one per
// instance the template lets run at once.
func (st *Stack) checkInSource(ctx context.Context, x *service.Automation) (*sqslocal.EventSource, error) {
	client := sqs.NewFromConfig(st.Deps.AWS, func(o *sqs.Options) { o.BaseEndpoint = st.Deps.Endpoint("SQS") })
	url, arn, err := sqslocal.CreateQueue(ctx, client, localRegion, st.opts.CheckInQueue, checkInVisibility, checkInMaxReceives)
	if err != nil {
		return nil, err
	}
	src := &sqslocal.EventSource{Client: client, QueueURL: url, QueueARN: arn, Region: localRegion,
		BatchSize: checkInBatchSize, Timeout: checkInTimeout}
	for range checkInSenders {
		consumer := senders.CheckInConsumer(st.Deps, x)
		src.Instances = append(src.Instances, func(ctx context.Context, ev events.SQSEvent) (resp events.SQSEventResponse, err error) {
			// As the function's main does, under a meter (one log line each).
			err = callmeter.Run(invocation(ctx, "CheckInSenderFunction"), "SendCheckIn", func(ctx context.Context) error {
				resp, err = consumer.Handle(ctx, ev)
				return err
			})
			return resp, err
		})
	}
	return src, nil
}

// createDailySweep registers the sweep (every half hour), which the
// template declares as a ScheduleV2 event of SweepFunction, in the stand-in.
func createDailySweep(ctx context.Context, client *scheduler.Client, tz string) error {
	return createDaily(ctx, client, sweepName, sweepCron, tz, "SweepFunction")
}

// createDaily registers a daily schedule of a function in the stand-in, as
// the template's ScheduleV2 events do in AWS.
func createDaily(ctx context.Context, client *scheduler.Client, name, cron, tz, function string) error {
	_, err := client.CreateSchedule(ctx, &scheduler.CreateScheduleInput{
		Name:                       aws.String(name),
		GroupName:                  aws.String(localGroup),
		ScheduleExpression:         aws.String(cron),
		ScheduleExpressionTimezone: aws.String(tz),
		FlexibleTimeWindow:         &types.FlexibleTimeWindow{Mode: types.FlexibleTimeWindowModeOff},
		Target:                     &types.Target{Arn: aws.String(functionArn + function), RoleArn: aws.String(schedulerArn)},
	})
	return err
}

func (st *Stack) advanceHandler(w http.ResponseWriter, r *http.Request) {
	days, err := strconv.Atoi(r.URL.Query().Get("days"))
	if err != nil || days < 1 || days > 3660 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "days must be a whole number from 1 to 3660"})
		return
	}
	from := st.Clock.Now()
	fired, err := st.Runner.Advance(r.Context(), days)
	resp := map[string]any{"from": from.Format(time.RFC3339), "to": st.Clock.Now().Format(time.RFC3339), "fired": fired}
	if err != nil {
		resp["error"] = err.Error()
	}
	if dl := st.Runner.sched.DeadLetters(); len(dl) > 0 {
		resp["deadLetters"] = len(dl)
	}
	writeJSON(w, http.StatusOK, resp)
}
