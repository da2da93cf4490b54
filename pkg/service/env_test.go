package service_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	schedulerstub "github.com/partnership-grants/backend/pkg/dev/stack/scheduler"
	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/dynamo"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/mailer"
	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/outbox"
	token "github.com/partnership-grants/backend/pkg/replytoken"
	"github.com/partnership-grants/backend/pkg/schedules"
	"github.com/partnership-grants/backend/pkg/service"
)

func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	testenv.Main(m, testenv.WithoutDynamoDB("the use cases are tested on pkg/memstore; "+
		"a test of DynamoDB itself belongs in pkg/service/ondynamodb or pkg/dynamo"))
}

var london = mustLoad("Europe/London")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// fastRetry keeps the production retry shape with millisecond delays.
var fastRetry = mailer.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxBackoff: 10 * time.Millisecond}

var schedCfg = schedules.Config{
	Group:            "partnership-grants-test",
	RoleArn:          "arn:aws:iam::000000000000:role/partnership-grants-scheduler",
	DeadLetterArn:    "arn:aws:sqs:eu-west-2:000000000000:partnership-grants-schedule-dlq",
	InstalmentTarget: "arn:aws:lambda:eu-west-2:000000000000:function:instalment-due",
	CheckInTarget:    "arn:aws:lambda:eu-west-2:000000000000:function:checkin-sender",
}

// at9 is 09:00 London time on d, when the schedules fire.
func at9(d grants.Date) time.Time { return d.At(9, 0, london) }

type options struct {
	ses []func(*sesv2.Options)
}

// store is the store a test reads and arranges with: the use cases' ports
// and the reads a test checks them by. pkg/memstore's and pkg/dynamo's both
// are one.
type store interface {
	stores
	schedules.Store
	service.ViewStore
	CreateAgreement(ctx context.Context, a *grants.Agreement, fx grants.Effects, once *idempotency.Once[*grants.Agreement]) (*idempotency.Response, error)
	GetAgreement(ctx context.Context, id string) (*grants.Agreement, error)
	AllHistory(ctx context.Context, id string) ([]grants.AuditEntry, error)
	Outbox(ctx context.Context, agreementID, key string) (*outbox.Entry, error)
}

var (
	_ store = (*memstore.Store)(nil)
	_ store = (*dynamo.Store)(nil)
)

// env is one test's world: its own in-memory store (pkg/memstore, held to
// pkg/dynamo's contract by pkg/dynamo/storetest), the shared
// aws-ses-v2-local, its own Scheduler stand-in, and addresses nobody else
// uses, so the shared SES store can be filtered per test. Nothing here
// starts DynamoDB Local; the tests that measure DynamoDB itself are in
// ./ondynamodb.
type env struct {
	x           *uses
	store       store
	clock       *testenv.Clock
	stub        *schedulerstub.Server
	sesEndpoint string
	officer     string
	finance     string
	suffix      string
}

func newEnv(t testing.TB, now time.Time, opts options) *env {
	t.Helper()
	sesClient, endpoint := testenv.SESv2(t, append([]func(*sesv2.Options){mailer.WithRetry(fastRetry)}, opts.ses...)...)
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

	store := memstore.New()
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
	suffix := randomHex()
	e := &env{
		store: store, clock: clk, stub: stub, sesEndpoint: endpoint, suffix: suffix,
		officer: "officer-" + suffix + "@funder.test",
		finance: "finance-" + suffix + "@funder.test",
	}
	e.x = &uses{
		Store:       store,
		Letters:     mailer.Letters{Sender: sender},
		Replies:     signer,
		Schedules:   &schedules.Schedules{API: schedClient, Store: store, Cfg: schedCfg, Now: clk.Now},
		ReplyDomain: "replies.funder.test",
		Now:         clk.Now,
		Location:    london,
		Directory:   &testenv.Pool{},
		Defaults: grants.ProgrammeSettings{
			Name:          "Open Doors 2026",
			OfficerEmails: []string{e.officer},
			FinanceEmails: []string{e.finance},
			ReminderDays:  7,
			MaxReminders:  2,
		},
	}
	return e
}

func randomHex() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// contact is a partner address unique to this test.
func (e *env) contact(name string) string { return name + "-" + e.suffix + "@partner.example.org" }

// agreement creates an agreement and activates it, as the API does; with
// sync it then creates its schedules, as the activation handler does.
func (e *env) agreement(t testing.TB, start string, sync bool, contacts ...string) *grants.Agreement {
	t.Helper()
	ctx := context.Background()
	now := e.clock.Now()
	var cs []grants.Contact
	for i, c := range contacts {
		cs = append(cs, grants.Contact{Name: "Contact " + string(rune('A'+i)), Email: c, Role: "lead"})
	}
	a, err := grants.NewAgreement(grants.NewAgreementInput{
		Programme: "community-2026",
		Partner:   grants.Partner{Name: "Levenshulme Community Kitchen", RegistrationNumber: "1180123", Address: "1 Stockport Road, Manchester M19 3AB"},
		Contacts:  cs,
		Amount:    1_000_000,
		Currency:  new("GBP"),
		StartDate: start,
		Terms:     []string{"Run a weekly community meal", "Train four volunteers"},
		Support:   []string{"Introductions to local food banks"},
		// The programme's payment policy, as the service gives it.
		PaymentPolicy: new(e.x.Defaults.Policy()),
	}, now, "officer@funder.test")
	if err != nil {
		t.Fatal(err)
	}
	a.ID = memstore.NewID()
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
	if sync {
		if _, err := e.x.Schedules.Sync(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	return e.get(t, a.ID)
}

func (e *env) get(t testing.TB, id string) *grants.Agreement {
	t.Helper()
	a, err := e.store.GetAgreement(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// mailTo lists what the SES emulator holds for addr (its first To address).
func (e *env) mailTo(t testing.TB, addr string) []emulator.SESMessage {
	t.Helper()
	out, err := emulator.SESMessagesTo(context.Background(), e.sesEndpoint, addr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// history is an agreement's whole history, oldest first.
func (e *env) history(t testing.TB, id string) []grants.AuditEntry {
	t.Helper()
	all, err := e.store.AllHistory(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return all
}

func count(entries []grants.AuditEntry, action, subject string) int {
	n := 0
	for _, en := range entries {
		if en.Action == action && (subject == "" || en.Subject == subject) {
			n++
		}
	}
	return n
}

func subjects(ms []emulator.SESMessage) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Subject)
	}
	return out
}

// sesThrottlingBody is SES v2's answer (HTTP 429, TooManyRequestsException)
// to a send over the account's per-second rate.
const sesThrottlingBody = `{"message":"Maximum sending rate exceeded."}`

// throttler answers attempts with SES's throttling response while
// remaining > 0, at the innermost end of the Deserialize step: the SDK's own
// deserializer and retryer handle it, only the network answer is faked.
type throttler struct {
	remaining atomic.Int64
	attempts  atomic.Int64
	reached   atomic.Int64
}

func (*throttler) ID() string { return "TestThrottler" }

func (th *throttler) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (
	middleware.DeserializeOutput, middleware.Metadata, error,
) {
	th.attempts.Add(1)
	if th.remaining.Add(-1) >= 0 {
		return middleware.DeserializeOutput{RawResponse: &smithyhttp.Response{Response: &http.Response{
			StatusCode:    http.StatusTooManyRequests,
			Status:        "429 Too Many Requests",
			Header:        http.Header{"Content-Type": {"application/json"}, "X-Amzn-Errortype": {"TooManyRequestsException"}},
			Body:          io.NopCloser(bytes.NewReader([]byte(sesThrottlingBody))),
			ContentLength: int64(len(sesThrottlingBody)),
		}}}, middleware.Metadata{}, nil
	}
	th.reached.Add(1)
	return next.HandleDeserialize(ctx, in)
}

func (th *throttler) install(o *sesv2.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		return s.Deserialize.Add(th, middleware.After)
	})
}
