package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"

	schedulerstub "github.com/partnership-grants/backend/pkg/dev/stack/scheduler"
	"github.com/partnership-grants/backend/pkg/dynamo"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/schedules"
	"github.com/partnership-grants/backend/pkg/service"
)

// A morning of check-ins (issue 27, item 6): every agreement's check-in 1
// falls due on Tuesday 19 May 2026, sent at 09:00 in London; they were
// activated on 20 February, when their schedules were made.
var (
	morningDay  = grants.Date{Year: 2026, Month: 5, Day: 19}
	activatedAt = time.Date(2026, 2, 20, 10, 0, 0, 0, time.UTC)
)

// MorningFailed is one agreement in how many whose schedules Scheduler
// refuses, all morning: the sweep queues their check-ins instead.
const MorningFailed = 50

// MorningResult counts the queue messages of a morning.
type MorningResult struct {
	CheckIns   int // due that morning
	BySchedule int // messages the check-ins' schedules put on the queue
	BySweep    int // messages the sweep's runs put on it
	Unqueued   int // check-ins due that nothing queued
}

// PerCheckIn is the morning's queue messages per check-in due: 1.0 when each
// is queued once.
func (m MorningResult) PerCheckIn() float64 {
	if m.CheckIns == 0 {
		return 0
	}
	return float64(m.BySchedule+m.BySweep) / float64(m.CheckIns)
}

// Morning seeds table (empty, defined as in template.yaml) with n active
// agreements whose first check-in is due on the morning, makes their
// schedules in the Scheduler stand-in through the product's own Sync (one
// agreement in MorningFailed refused: its schedules stay missing), then
// runs the morning as AWS would: the sweep every half hour from 08:30 to
// 11:00, and the schedules firing at their times, each check-in schedule
// putting its check-in on the queue. The queue counts what it is given and
// nothing drains it, as on a morning too big to drain before the next run.
func Morning(ctx context.Context, db *dynamodb.Client, table string, n int) (MorningResult, error) {
	res := MorningResult{CheckIns: n}
	st := dynamo.New(db, table)
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		return res, err
	}
	clock := &benchClock{now: activatedAt}
	stub := schedulerstub.New()
	stub.Clock = clock.Now
	const group, queueArn = "bench-morning", "arn:aws:sqs:eu-west-2:000000000000:bench-checkins"
	stub.EnsureGroup(group)
	srv := httptest.NewServer(stub)
	defer srv.Close()
	client := scheduler.New(scheduler.Options{Region: "eu-west-2", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("bench", "bench", "")})
	list := make([]*grants.Agreement, n)
	failed := map[string]bool{}
	for i := range n {
		if list[i], err = morningAgreement(i); err != nil {
			return res, err
		}
		if i%MorningFailed == MorningFailed-1 {
			failed[list[i].ID] = true
		}
	}
	for chunk := range slices.Chunk(list, 10000) {
		if err := dynamo.Import(ctx, db, table, chunk); err != nil {
			return res, err
		}
	}
	sched := &schedules.Schedules{API: refusing{API: client, failed: failed}, Store: st, Now: clock.Now,
		Cfg: schedules.Config{Group: group, RoleArn: "arn:aws:iam::000000000000:role/bench-scheduler", DeadLetterArn: "arn:aws:sqs:eu-west-2:000000000000:bench-dlq",
			InstalmentTarget: "arn:aws:lambda:eu-west-2:000000000000:function:InstalmentDueFunction", CheckInTarget: queueArn}}
	if err := inParallel(ctx, slices.Collect(slices.Chunk(list, 1)), func(one []*grants.Agreement) error {
		_, err := sched.Sync(ctx, one[0])
		if failed[one[0].ID] && errors.Is(err, errRefused) {
			return nil
		}
		return err
	}); err != nil {
		return res, fmt.Errorf("make the schedules: %w", err)
	}

	q := &countingQueue{got: map[string]int{}}
	env := service.Env{Now: clock.Now, Location: london, NewID: dynamo.NewID,
		Defaults: grants.ProgrammeSettings{Name: "Bench", OfficerEmails: []string{"officer@funder.example"}, FinanceEmails: []string{"finance@funder.example"}, ReminderDays: 7, MaxReminders: 2}}
	courier := service.NewCourier(st, noLetters{}, service.NoEvents, service.NoReplyAddresses, service.NoMetrics, env, service.CourierOptions{})
	x := service.NewQueueingAutomation(st, courier, sched, q, service.NoMetrics, env, service.AutomationOptions{})
	fire := func(ctx context.Context, f schedulerstub.Firing) error {
		if f.TargetArn == queueArn {
			// Scheduler sends the schedule's input as the message.
			q.add(f.Input, &res.BySchedule)
		}
		return nil
	}
	for at := morningDay.At(8, 30, london); !at.After(morningDay.At(11, 0, london)); at = at.Add(30 * time.Minute) {
		clock.set(at)
		if err := stub.Run(ctx, at, fire); err != nil {
			return res, err
		}
		before := q.total()
		if _, err := x.Sweep(ctx); err != nil && !errors.Is(err, errRefused) {
			return res, fmt.Errorf("sweep at %s: %w", at.Format("15:04"), err)
		}
		res.BySweep += q.total() - before
	}
	for _, a := range list {
		if q.got[fmt.Sprintf(`{"agreementId":%q,"number":1}`, a.ID)] == 0 {
			res.Unqueued++
		}
	}
	return res, nil
}

// morningAgreement is an agreement activated on 20 February whose first
// instalment is paid and whose check-in 1 is due on the morning.
func morningAgreement(i int) (*grants.Agreement, error) {
	a, err := grants.NewAgreement(grants.NewAgreementInput{
		Programme: "bench-morning",
		Partner:   grants.Partner{Name: fmt.Sprintf("Morning Partner %06d", i), RegistrationNumber: fmt.Sprintf("3%06d", i), Address: "1 Stockport Road, Manchester M19 3AB"},
		Contacts:  []grants.Contact{{Name: "Amina Khan", Email: fmt.Sprintf("morning%d@partner.example", i), Role: "lead"}},
		Amount:    1_000_000,
		StartDate: "2026-03-02",
	}, activatedAt, "officer@funder.example")
	if err != nil {
		return nil, err
	}
	a.ID, a.Reference = dynamo.NewID(), fmt.Sprintf("CP-2026-M%06d", i)
	if _, err := a.Activate(activatedAt, "officer@funder.example"); err != nil {
		return nil, err
	}
	in := &a.Instalments[0]
	in.Status, in.PaidOn, in.PaymentReference = grants.InstalmentPaid, a.StartDate, fmt.Sprintf("BACS-M%06d", i)
	if a.SendOn(a.CheckIns[0].DueDate) != morningDay {
		return nil, fmt.Errorf("check-in 1 goes on %s, not the morning", a.SendOn(a.CheckIns[0].DueDate))
	}
	return a, nil
}

// errRefused is Scheduler refusing the failing agreements' schedules.
var errRefused = errors.New("scheduler refused (bench)")

// refusing is Scheduler refusing to create the schedules of the agreements
// in failed (their names carry the agreement ID).
type refusing struct {
	schedules.API
	failed map[string]bool
}

func (r refusing) CreateSchedule(ctx context.Context, in *scheduler.CreateScheduleInput, opts ...func(*scheduler.Options)) (*scheduler.CreateScheduleOutput, error) {
	name := aws.ToString(in.Name)
	for id := range r.failed {
		if strings.HasPrefix(name, "agr-"+id+"-") {
			return nil, errRefused
		}
	}
	return r.API.CreateSchedule(ctx, in, opts...)
}

// countingQueue is the check-in queue as the bench counts it: the messages
// put on it, by body.
type countingQueue struct {
	mu  sync.Mutex
	got map[string]int
	n   int
}

func (q *countingQueue) EnqueueCheckIns(_ context.Context, due []grants.Work) error {
	for _, w := range due {
		q.add(fmt.Sprintf(`{"agreementId":%q,"number":%d}`, w.AgreementID, w.Number), nil)
	}
	return nil
}

func (q *countingQueue) add(body string, count *int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.got[body]++
	q.n++
	if count != nil {
		*count++
	}
}

func (q *countingQueue) total() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n
}

// noLetters sends nothing: the morning's sweeps have no email to send (the
// check-ins go through the queue).
type noLetters struct{}

func (noLetters) Post(context.Context, service.Letter) (service.Posted, error) {
	return service.Posted{}, errors.New("the bench sends no email")
}

// benchClock is the morning's clock.
type benchClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *benchClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *benchClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}
