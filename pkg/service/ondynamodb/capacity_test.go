package ondynamodb_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"math"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/smithy-go/middleware"

	schedulerstub "github.com/partnership-grants/backend/pkg/dev/stack/scheduler"
	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/dynamo"
	"github.com/partnership-grants/backend/pkg/grants"
	token "github.com/partnership-grants/backend/pkg/replytoken"
	"github.com/partnership-grants/backend/pkg/schedules"
	"github.com/partnership-grants/backend/pkg/service"
)

func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	testenv.Main(m)
}

var london = mustLoad("Europe/London")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// The agreements due start on Monday 2 March 2026 and are activated on 20
// February, as in pkg/service's tests.
const start = "2026-03-02"

var activatedAt = time.Date(2026, 2, 20, 10, 0, 0, 0, time.UTC)

var schedCfg = schedules.Config{
	Group:            "partnership-grants-test",
	RoleArn:          "arn:aws:iam::000000000000:role/partnership-grants-scheduler",
	DeadLetterArn:    "arn:aws:sqs:eu-west-2:000000000000:partnership-grants-schedule-dlq",
	InstalmentTarget: "arn:aws:lambda:eu-west-2:000000000000:function:instalment-due",
	CheckInTarget:    "arn:aws:lambda:eu-west-2:000000000000:function:checkin-sender",
}

// env is one test's world: its own table in DynamoDB Local, read through
// the given SDK options, its own Scheduler stand-in, and letters that are
// posted nowhere (what the sweep reads is measured, not what it words).
type env struct {
	store     *dynamo.Store
	clock     *testenv.Clock
	schedules *schedules.Schedules
	sweep     *service.Automation
}

func newEnv(t testing.TB, now time.Time, db ...func(*dynamodb.Options)) *env {
	t.Helper()
	client, table := testenv.AppTable(t, db...)
	store := dynamo.New(client, table)
	clk := testenv.NewClock(now, 0)

	stub := schedulerstub.New()
	stub.Clock = clk.Now
	stub.EnsureGroup(schedCfg.Group)
	hs := httptest.NewServer(stub)
	t.Cleanup(hs.Close)
	schedClient := scheduler.NewFromConfig(aws.Config{
		Region:      testenv.Region,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	}, func(o *scheduler.Options) { o.BaseEndpoint = aws.String(hs.URL) })
	sched := &schedules.Schedules{API: schedClient, Store: store, Cfg: schedCfg, Now: clk.Now}

	key := make([]byte, 32)
	_, _ = rand.Read(key)
	signer, err := token.NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	world := service.Env{Now: clk.Now, Location: london, Defaults: grants.ProgrammeSettings{
		Name:          "Open Doors 2026",
		OfficerEmails: []string{"officer@funder.test"},
		FinanceEmails: []string{"finance@funder.test"},
		ReminderDays:  7,
		MaxReminders:  2,
	}}
	courier := service.NewCourier(store, &letters{}, service.NoEvents, signer, service.NoMetrics, world,
		service.CourierOptions{ReplyDomain: "replies.funder.test"})
	return &env{
		store: store, clock: clk, schedules: sched,
		sweep: service.NewAutomation(store, courier, sched, service.NoMetrics, world, service.AutomationOptions{}),
	}
}

// letters posts every letter nowhere, under a fresh message ID.
type letters struct{ n atomic.Int64 }

func (l *letters) Post(_ context.Context, letter service.Letter) (service.Posted, error) {
	return service.Posted{MessageID: fmt.Sprintf("letter-%d", l.n.Add(1)), Subject: string(letter.Kind), To: []string{"someone@example.org"}}, nil
}

// agreement creates an agreement and activates it, as the API does, then
// creates its schedules, as the activation handler does.
func (e *env) agreement(t testing.TB, start string, contact string) {
	t.Helper()
	ctx := context.Background()
	now := e.clock.Now()
	a, err := grants.NewAgreement(grants.NewAgreementInput{
		Programme: "community-2026",
		Partner:   grants.Partner{Name: "Levenshulme Community Kitchen", RegistrationNumber: "1180123", Address: "1 Stockport Road, Manchester M19 3AB"},
		Contacts:  []grants.Contact{{Name: "Contact A", Email: contact, Role: "lead"}},
		Amount:    1_000_000,
		Currency:  new("GBP"),
		StartDate: start,
		Terms:     []string{"Run a weekly community meal", "Train four volunteers"},
		Support:   []string{"Introductions to local food banks"},
	}, now, "officer@funder.test")
	if err != nil {
		t.Fatal(err)
	}
	a.ID = dynamo.NewID()
	if _, err := e.store.CreateAgreement(ctx, a, grants.Audited(grants.AuditEntry{At: now, Actor: "officer@funder.test", Action: "agreement.created"}), nil); err != nil {
		t.Fatal(err)
	}
	a, err = e.store.UpdateAgreement(ctx, a.ID, 0, grants.AuditOnly(func(a *grants.Agreement) ([]grants.AuditEntry, error) {
		en, err := a.Activate(now, "officer@funder.test")
		return []grants.AuditEntry{en}, err
	}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.schedules.Sync(ctx, a); err != nil {
		t.Fatal(err)
	}
}

// capacity records, through SDK middleware, the read capacity DynamoDB
// reports: that of the sweep's ByNextAction query (which asks for TOTAL
// itself) and, with allReads, of every Query and GetItem, for which it asks.
type capacity struct {
	allReads bool

	mu           sync.Mutex
	index        float64 // ByNextAction queries
	indexQueries int
	indexItems   int
	reads        float64 // every read that reported its capacity
	missing      int     // ByNextAction queries that reported none
}

func units(c *types.ConsumedCapacity) (float64, bool) {
	if c == nil || c.CapacityUnits == nil {
		return 0, false
	}
	return *c.CapacityUnits, true
}

func (c *capacity) option(o *dynamodb.Options) {
	o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
		return st.Initialize.Add(middleware.InitializeMiddlewareFunc("capacity", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			if c.allReads {
				switch p := in.Parameters.(type) {
				case *dynamodb.QueryInput:
					if p.ReturnConsumedCapacity == "" {
						p.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
					}
				case *dynamodb.GetItemInput:
					if p.ReturnConsumedCapacity == "" {
						p.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
					}
				}
			}
			out, md, err := next.HandleInitialize(ctx, in)
			if err != nil {
				return out, md, err
			}
			c.mu.Lock()
			defer c.mu.Unlock()
			switch r := out.Result.(type) {
			case *dynamodb.QueryOutput:
				u, ok := units(r.ConsumedCapacity)
				c.reads += u
				if q, _ := in.Parameters.(*dynamodb.QueryInput); q != nil && aws.ToString(q.IndexName) == dynamo.IndexByNextAction {
					c.index += u
					c.indexQueries++
					c.indexItems += len(r.Items)
					if !ok {
						c.missing++
					}
				}
			case *dynamodb.GetItemOutput:
				u, _ := units(r.ConsumedCapacity)
				c.reads += u
			}
			return out, md, err
		}), middleware.After)
	})
}

type reading struct {
	index, reads   float64
	queries, items int
	missing        int
}

func (c *capacity) take() reading {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := reading{index: c.index, reads: c.reads, queries: c.indexQueries, items: c.indexItems, missing: c.missing}
	c.index, c.reads, c.indexQueries, c.indexItems, c.missing = 0, 0, 0, 0, 0
	return r
}

// fill adds n activated agreements that are not due for a long while
// (starting in 2028), written by parallel workers, each in its own
// programme so they do not contend for one reference counter. Their items
// are marked as having schedules, as after a successful Sync, so they sit in
// the next-action index at their future dates.
func fill(t testing.TB, store *dynamo.Store, n int) {
	t.Helper()
	const workers = 16
	var next atomic.Int64
	var wg sync.WaitGroup
	var firstErr atomic.Value
	now := activatedAt
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			for next.Add(1) <= int64(n) {
				i := next.Load()
				a, err := grants.NewAgreement(grants.NewAgreementInput{
					Programme: fmt.Sprintf("bulk-%02d", w),
					Partner:   grants.Partner{Name: "Bulk Partner", RegistrationNumber: "1180123", Address: "1 High Street"},
					Contacts:  []grants.Contact{{Name: "Bulk Contact", Email: "bulk@partner.example.org"}},
					Amount:    400_000,
					StartDate: fmt.Sprintf("2028-%02d-%02d", 1+i%12, 1+i%28),
				}, now, "officer@funder.test")
				// Written active in one transaction, with both audit
				// entries: the items an activation leaves, for half the
				// emulator's work of a create and then an update.
				var activated grants.AuditEntry
				if err == nil {
					activated, err = a.Activate(now, "officer@funder.test")
				}
				if err == nil {
					for i := range a.Instalments {
						a.Instalments[i].ScheduleCreated = true
					}
					for i := range a.CheckIns {
						a.CheckIns[i].ScheduleCreated = true
					}
					a.ID = dynamo.NewID()
					_, err = store.CreateAgreement(ctx, a, grants.Audited(grants.AuditEntry{At: now, Actor: "officer@funder.test", Action: "agreement.created"}, activated), nil)
				}
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		t.Fatalf("fill: %v", err)
	}
}

// sweepDay is 3 June 2026, 09:00 in London (the sweep runs at the send
// time): each agreement starting on 2 March 2026 then has instalments 1 and
// 2 and check-in 1 due.
var sweepDay = time.Date(2026, 6, 3, 9, 0, 0, 0, london)

// TestSweepReadsStayFlat: with the same 5 agreements (15 items) due, the
// sweep's index query consumes the same read capacity whether the table
// holds 100 or 1,000 agreements, and 5,000 with SWEEP_CAPACITY_FULL set
// (make test-slow sets it: filling the table is most of the test's time).
func TestSweepReadsStayFlat(t *testing.T) {
	cp := &capacity{}
	e := newEnv(t, activatedAt, cp.option)
	ctx := context.Background()
	const due = 5
	for range due {
		e.agreement(t, start, "due@partner.example.org")
	}
	today := grants.Today(sweepDay, london)

	steps := []int{100, 1000}
	if os.Getenv("SWEEP_CAPACITY_FULL") != "" {
		steps = append(steps, 5000)
	}
	have := due
	var base reading
	var control float64
	for i, size := range steps {
		began := time.Now()
		fill(t, e.store, size-have)
		have = size
		filled := time.Since(began)
		cp.take()
		work, err := e.store.DueWork(ctx, today)
		if err != nil {
			t.Fatal(err)
		}
		r := cp.take()
		if r.missing > 0 || r.queries == 0 {
			t.Fatalf("%d agreements: the ByNextAction query reported no consumed capacity (%+v)", size, r)
		}
		if len(work) != 3*due {
			t.Fatalf("%d agreements: %d items due, want %d", size, len(work), 3*due)
		}
		t.Logf("%5d agreements (filled in %v): ByNextAction query %.2f RCU in %d request(s), %d index entries read, %d due",
			size, filled.Round(time.Millisecond), r.index, r.queries, r.items, len(work))
		if size <= 1000 {
			// Control: the same query reaching into 2029 reads every quiet
			// agreement's entries, so the measurement does see growth.
			if _, err := e.store.DueWork(ctx, grants.Date{Year: 2029, Month: 12, Day: 31}); err != nil {
				t.Fatal(err)
			}
			c := cp.take()
			t.Logf("%5d agreements: control query to 2029-12-31 %.1f RCU, %d entries", size, c.index, c.items)
			if i > 0 && c.index <= control {
				t.Errorf("control query did not grow with the table: %.1f RCU, was %.1f", c.index, control)
			}
			control = c.index
		}
		if i == 0 {
			base = r
			continue
		}
		if math.Abs(r.index-base.index) > 1e-9 || r.items != base.items {
			t.Errorf("%d agreements: the index query consumed %.4f RCU reading %d entries; with %d it was %.4f RCU for %d",
				size, r.index, r.items, steps[0], base.index, base.items)
		}
	}

	// The sweep itself makes exactly that read, then does the 15 items' work.
	e.clock.Set(sweepDay)
	rep, err := e.sweep.Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := cp.take()
	if rep.Items != 3*due || rep.InstalmentsDue != 2*due || rep.CheckInsSent != due {
		t.Errorf("sweep: %+v", rep)
	}
	if math.Abs(r.index-base.index) > 1e-9 {
		t.Errorf("the sweep's index query consumed %.4f RCU, want %.4f", r.index, base.index)
	}
	t.Logf("sweep over %d agreements: %+v; index query %.2f RCU", have, rep, r.index)
}

// BenchmarkSweep sweeps a table of N quiet agreements in which 3 agreements
// (9 items) fall due per iteration, and reports the read capacity consumed:
// the ByNextAction query's, and all reads' (the store's GetAgreement queries
// included). Both should not depend on N.
func BenchmarkSweep(b *testing.B) {
	for _, size := range []int{100, 1000} {
		b.Run(fmt.Sprintf("agreements=%d", size), func(b *testing.B) {
			cp := &capacity{allReads: true}
			e := newEnv(b, activatedAt, cp.option)
			fill(b, e.store, size)
			ctx := context.Background()
			var index, reads float64
			var items int
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				e.clock.Set(activatedAt)
				for range 3 {
					e.agreement(b, start, fmt.Sprintf("bench%d@partner.example.org", i))
				}
				e.clock.Set(sweepDay)
				cp.take()
				b.StartTimer()
				rep, err := e.sweep.Sweep(ctx)
				b.StopTimer()
				if err != nil {
					b.Fatal(err)
				}
				r := cp.take()
				index += r.index
				reads += r.reads
				items += rep.Items
				b.StartTimer()
			}
			b.ReportMetric(index/float64(b.N), "index-RCU/op")
			b.ReportMetric(reads/float64(b.N), "read-RCU/op")
			b.ReportMetric(float64(items)/float64(b.N), "items/op")
		})
	}
}
