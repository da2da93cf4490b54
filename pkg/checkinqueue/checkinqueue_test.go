package checkinqueue_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/partnership-grants/backend/pkg/checkinqueue"
	"github.com/partnership-grants/backend/pkg/checkinqueue/enqueue"
	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/dev/sqslocal"
	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/dynamo"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/mailer"
	token "github.com/partnership-grants/backend/pkg/replytoken"
	"github.com/partnership-grants/backend/pkg/service"
)

func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	testenv.Main(m)
}

var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	return loc
}()

// Every agreement starts on Monday 2 March 2026, activated on 20 February:
// check-in 1 falls due on Tuesday 19 May 2026, sent at 09:00.
const start = "2026-03-02"

var (
	activatedAt = time.Date(2026, 2, 20, 10, 0, 0, 0, time.UTC)
	morning     = time.Date(2026, 5, 19, 9, 0, 0, 0, london)
)

// fastRetry keeps the production retry shape with millisecond delays.
var fastRetry = mailer.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxBackoff: 5 * time.Millisecond}

const (
	batchSize = 10 // as the template's event source
	instances = 2  // its MaximumConcurrency
)

// world is one test's stack: its own table, queue and addresses, on the
// shared DynamoDB Local, aws-ses-v2-local and goaws.
type world struct {
	x        *service.Automation
	store    *dynamo.Store
	sqs      *sqs.Client
	queue    *enqueue.Queue
	queueURL string
	dlqURL   string
	events   *sqslocal.EventSource
	sesURL   string
	suffix   string
	now      time.Time
}

func newWorld(t *testing.T, perSecond float64, visibility int, ses ...func(*sesv2.Options)) *world {
	t.Helper()
	ctx := context.Background()
	db, table := testenv.AppTable(t)
	sesClient, sesURL := testenv.SESv2(t, append([]func(*sesv2.Options){mailer.WithRetry(fastRetry)}, ses...)...)
	sqsClient := testenv.SQS(t)
	name := testenv.QueueName(t)
	url, arn, err := sqslocal.CreateQueue(ctx, sqsClient, testenv.Region, name, visibility, 5)
	if err != nil {
		t.Fatal(err)
	}
	dlq, err := sqsClient.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name + "-dlq")})
	if err != nil {
		t.Fatal(err)
	}
	sender, err := mailer.NewSender(sesClient, "partnerships@funder.test", "")
	if err != nil {
		t.Fatal(err)
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	signer, err := token.NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	w := &world{store: dynamo.New(db, table), sqs: sqsClient, queueURL: url, dlqURL: aws.ToString(dlq.QueueUrl), sesURL: sesURL,
		suffix: hex.EncodeToString(b[:]), now: activatedAt}
	w.queue = &enqueue.Queue{API: sqsClient, URL: url}
	env := service.Env{Now: func() time.Time { return w.now }, Location: london,
		Defaults: grants.ProgrammeSettings{Name: "Open Doors 2026", OfficerEmails: []string{"officer-" + w.suffix + "@funder.test"},
			FinanceEmails: []string{"finance-" + w.suffix + "@funder.test"}, ReminderDays: 7, MaxReminders: 2}}
	courier := service.NewCourier(w.store, mailer.Letters{Sender: sender}, service.NoEvents, signer, service.NoMetrics, env,
		service.CourierOptions{ReplyDomain: "replies.funder.test"})
	w.x = service.NewQueueingAutomation(w.store, courier, service.NoSchedules, w.queue, service.NoMetrics, env, service.AutomationOptions{})
	// The function's instances, each with its own consumer and limiter, as
	// senders.CheckInConsumer builds them.
	var handlers []sqslocal.Handler
	for range instances {
		c := &checkinqueue.Consumer{Send: w.x.SendCheckIn, Limiter: checkinqueue.Limit(perSecond, instances), Throttled: mailer.IsThrottled}
		handlers = append(handlers, c.Handle)
	}
	w.events = &sqslocal.EventSource{Client: sqsClient, QueueURL: url, QueueARN: arn, Region: testenv.Region,
		BatchSize: batchSize, Instances: handlers, Timeout: time.Minute}
	return w
}

func (w *world) contact(i int) string {
	return fmt.Sprintf("p%03d-%s@partner.example.org", i, w.suffix)
}

// agreements creates n active agreements whose first check-in is due on
// the morning (their first instalment already paid, so the sweep has only
// check-ins to do), and returns their IDs by contact number.
func (w *world) agreements(t *testing.T, n int) []string {
	t.Helper()
	return w.agreementsScheduling(t, n, n)
}

// agreementsScheduling is agreements, of which only the first scheduled
// have their schedules (the others' creation failed).
func (w *world) agreementsScheduling(t *testing.T, n, scheduled int) []string {
	t.Helper()
	ids := make([]string, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			a, err := grants.NewAgreement(grants.NewAgreementInput{
				Programme: "community-2026",
				Partner:   grants.Partner{Name: fmt.Sprintf("Partner %03d", i), RegistrationNumber: "1180123", Address: "1 Stockport Road, Manchester M19 3AB"},
				Contacts:  []grants.Contact{{Name: "Amina Khan", Email: w.contact(i), Role: "lead"}},
				Amount:    1_000_000,
				StartDate: start,
			}, activatedAt, "officer@funder.test")
			if err != nil {
				errs <- err
				return
			}
			a.ID = dynamo.NewID()
			ctx := context.Background()
			if _, err := w.store.CreateAgreement(ctx, a, grants.Audited(grants.AuditEntry{At: activatedAt, Actor: "officer@funder.test", Action: "agreement.created"}), nil); err != nil {
				errs <- err
				return
			}
			_, err = w.store.UpdateAgreement(ctx, a.ID, 0, grants.AuditOnly(func(a *grants.Agreement) ([]grants.AuditEntry, error) {
				en, err := a.Activate(activatedAt, "officer@funder.test")
				in := &a.Instalments[0]
				in.Status, in.PaidOn, in.PaymentReference = grants.InstalmentPaid, a.StartDate, fmt.Sprintf("BACS-%03d", i)
				// Their schedules exist, so the sweep has nothing to repair
				// (a missing one, it could not: NoSchedules).
				for j := range a.Instalments {
					a.Instalments[j].ScheduleCreated = i < scheduled
				}
				for j := range a.CheckIns {
					a.CheckIns[j].ScheduleCreated = i < scheduled
				}
				return []grants.AuditEntry{en}, err
			}))
			if err != nil {
				errs <- err
				return
			}
			ids[i] = a.ID
		})
		if i%8 == 7 {
			wg.Wait()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return ids
}

// sent lists the check-in emails SES accepted for this world's partners, in
// the order it accepted them.
func (w *world) sent(t *testing.T) []emulator.SESMessage {
	t.Helper()
	all, err := emulator.SESMessages(context.Background(), w.sesURL)
	if err != nil {
		t.Fatal(err)
	}
	var out []emulator.SESMessage
	for _, m := range all {
		if len(m.Destination.To) > 0 && strings.HasSuffix(m.Destination.To[0], "-"+w.suffix+"@partner.example.org") {
			out = append(out, m)
		}
	}
	return out
}

func (w *world) waiting(t *testing.T, url string) int {
	t.Helper()
	out, err := w.sqs.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages}})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	fmt.Sscan(out.Attributes["ApproximateNumberOfMessages"], &n)
	return n
}

// TestMorningOfCheckInsDrainsOnceInOrderAtTheRate: 210 check-ins due on one
// morning, 20 of them queued by their schedules and the rest, whose
// schedules are missing, by the sweep (issue 27, item 6: each once), drain
// through two instances at 20 emails a second: each partner gets one
// email, in the order they were queued (within the two instances' batches),
// and SES never sees them faster than the rate.
func TestMorningOfCheckInsDrainsOnceInOrderAtTheRate(t *testing.T) {
	const n, perSecond, scheduledN = 210, 20.0, 20
	ctx := context.Background()
	w := newWorld(t, perSecond, 10)
	ids := w.agreementsScheduling(t, n, scheduledN)
	w.now = morning

	// The schedules of the first 20 fired and queued theirs; then the sweep
	// finds all 210 due and queues the 190 without a schedule, in due order.
	var scheduled []grants.Work
	for _, id := range ids[:20] {
		scheduled = append(scheduled, grants.Work{AgreementID: id, Kind: grants.WorkCheckInDue, Number: 1})
	}
	if err := w.queue.EnqueueCheckIns(ctx, scheduled); err != nil {
		t.Fatal(err)
	}
	all, err := w.store.DueWork(ctx, grants.Today(morning, london))
	if err != nil {
		t.Fatal(err)
	}
	// The due work holds, besides the check-ins, the other items of the
	// agreements without schedules (due for a repair).
	var work []grants.Work
	for _, wk := range all {
		if wk.Kind == grants.WorkCheckInDue && wk.Number == 1 {
			work = append(work, wk)
		}
	}
	rep, err := w.x.Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.CheckInsQueued != n-scheduledN || rep.CheckInsSent != 0 || len(work) != n {
		t.Fatalf("sweep: %+v over %d items; want %d check-ins queued and none sent by the sweep", rep, len(work), n-scheduledN)
	}
	// A second run while the queue has not drained queues none again.
	if rep, err := w.x.Sweep(ctx); err != nil || rep.CheckInsQueued != 0 {
		t.Fatalf("the next run: %+v, %v; want nothing queued again", rep, err)
	}
	if got := w.sent(t); len(got) != 0 {
		t.Fatalf("%d emails went out before the queue was drained", len(got))
	}

	// One batch fails whole, as a store timeout fails it (and, on a loaded
	// machine, may fail others): it comes back after the visibility timeout
	// and its check-ins are still sent once each.
	unfailing := w.events.Instances[0]
	var batches atomic.Int32
	w.events.Instances[0] = func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		if batches.Add(1) == 3 {
			return events.SQSEventResponse{}, errors.New("the store timed out")
		}
		return unfailing(ctx, ev)
	}
	handled, err := w.events.DrainAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	redelivered := handled - n
	if redelivered < batchSize {
		t.Errorf("the event source handed %d messages to the function, want at least %d: the failed batch again", handled, n+batchSize)
	}
	if left := w.waiting(t, w.queueURL); left != 0 {
		t.Errorf("%d messages left on the queue", left)
	}

	sent := w.sent(t)
	// Exactly once each.
	rank := map[string]int{}
	for i, m := range sent {
		to := m.Destination.To[0]
		if _, dup := rank[to]; dup {
			t.Errorf("%s was sent two check-ins", to)
		}
		rank[to] = i
	}
	if len(sent) != n || len(rank) != n {
		t.Fatalf("%d emails to %d partners, want %d each once", len(sent), len(rank), n)
	}
	for i, id := range ids {
		a, err := w.store.GetAgreement(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if c := a.CheckIn(1); c.Status != grants.CheckInSent {
			t.Errorf("partner %d: check-in 1 is %s, want sent", i, c.Status)
		}
	}

	// In queue order: the scheduled 20 first, then the sweep's in due order.
	// Two instances take batches
	// of 10 side by side, so a check-in may be overtaken by the other
	// instance's batch, never by more.
	var queued []string
	seen := map[string]bool{}
	byID := map[string]int{}
	for i, id := range ids {
		byID[id] = i
	}
	for _, wk := range append(scheduled, work...) {
		if !seen[wk.AgreementID] {
			seen[wk.AgreementID] = true
			queued = append(queued, w.contact(byID[wk.AgreementID]))
		}
	}
	// A redelivered message is sent late by design: as many check-ins as
	// there were redeliveries may be out of place.
	window := batchSize * instances
	var outOfPlace []string
	for q, to := range queued {
		if d := rank[to] - q; d > window || d < -window {
			outOfPlace = append(outOfPlace, fmt.Sprintf("queued %dth, sent %dth", q, rank[to]))
		}
	}
	if len(outOfPlace) > redelivered {
		t.Errorf("%d check-ins more than %d places out of order, with %d messages redelivered: %v", len(outOfPlace), window, redelivered, outOfPlace)
	}
	t.Logf("%d messages redelivered after failed batches", redelivered)

	// Never faster than the rate: the limiters release at most one send
	// per 1/rate seconds overall, one at once per instance, so the n sends
	// span at least (n-instances)/rate seconds. SES's times are whole
	// seconds and a send reaches it a little after its release, so 2 s
	// are allowed, and half the rate again in any one second. (Slowness
	// only spreads the sends: neither check fails because the machine is
	// slow. Without the limiter, both failed on a loaded 2-core machine.)
	first, last := sent[0].At, sent[len(sent)-1].At
	if minSpan := (float64(n-instances) / perSecond) - 2; float64(last-first) < minSpan {
		t.Errorf("%d emails went out in %d s; at %.0f a second they need at least %.1f s", n, last-first, perSecond, minSpan)
	}
	perSec := map[int64]int{}
	for _, m := range sent {
		perSec[m.At]++
	}
	for sec, c := range perSec {
		if limit := int(perSecond*1.5) + instances; c > limit {
			t.Errorf("%d emails accepted in the second %d; the rate allows %.0f (with slack for latency, %d)", c, sec, perSecond, limit)
		}
	}
	t.Logf("%d check-ins sent over %d s at a configured %.0f a second", n, last-first, perSecond)
}
