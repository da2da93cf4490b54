package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/dev/testenv/apigw"
	"github.com/partnership-grants/backend/pkg/dynamo"
	"github.com/partnership-grants/backend/pkg/eventbus/eventbustest"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/httpapi/openapi/openapitest"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/mailer"
	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/outbox"
	token "github.com/partnership-grants/backend/pkg/replytoken"
	"github.com/partnership-grants/backend/pkg/service"
)

// payStart is "now" in the payment tests: instalment 1 of an agreement
// starting on 2026-01-31 has fallen due, the next ones have not.
var payStart = time.Date(2026, 2, 2, 10, 0, 0, 0, time.UTC)

// paidEvents stands in for the EventBridge bus (which has no emulator): it
// records what was published and can fail one call (see faults_test.go).
type paidEvents struct {
	t         testing.TB // every event is checked against its schema
	mu        sync.Mutex
	calls     int
	published []service.InstalmentPaidEvent
	fault     *faultPlan
}

var _ service.Events = (*paidEvents)(nil)

func (e *paidEvents) InstalmentPaid(_ context.Context, ev service.InstalmentPaidEvent) (string, error) {
	// What the product's publisher would put on the bus keeps the contract.
	if err := eventbustest.CheckPublished(ev); err != nil {
		e.t.Errorf("InstalmentPaid %s does not match pkg/eventbus/instalment-paid.schema.json: %v", ev.ID, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls++
	kind := e.fault.take("PutEvents")
	if kind != faultNone && kind != faultTimeoutAfter {
		return "", kind.eventsError()
	}
	e.published = append(e.published, ev)
	if kind == faultTimeoutAfter {
		return "", timeoutError()
	}
	return fmt.Sprintf("evt-%d", len(e.published)), nil
}

// forAgreement returns the events published for one agreement.
func (e *paidEvents) forAgreement(id string) []service.InstalmentPaidEvent {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []service.InstalmentPaidEvent
	for _, ev := range e.published {
		if ev.AgreementID == id {
			out = append(out, ev)
		}
	}
	return out
}

// payStore is what the payment routes' use cases, the automation and the
// tests read and write: pkg/memstore's store (newPayEnv) or pkg/dynamo's
// (newDynamoPayEnv).
type payStore interface {
	service.PaymentStore
	service.CourierStore
	service.AutomationStore
	CreateAgreement(ctx context.Context, a *grants.Agreement, fx grants.Effects, once *idempotency.Once[*grants.Agreement]) (*idempotency.Response, error)
	GetAgreement(ctx context.Context, id string) (*grants.Agreement, error)
	UpdateAgreement(ctx context.Context, id string, expectVersion int, mutate func(*grants.Agreement) (grants.Effects, error)) (*grants.Agreement, error)
	AllHistory(ctx context.Context, id string) ([]grants.AuditEntry, error)
	Outbox(ctx context.Context, agreementID, key string) (*outbox.Entry, error)
	PutProgrammeSettings(ctx context.Context, programme string, p grants.ProgrammeSettings) error
	ListInstalments(ctx context.Context, f grants.InstalmentFilter, cursor string, limit int) (grants.Page[grants.InstalmentRow], error)
}

var (
	_ payStore = (*memstore.Store)(nil)
	_ payStore = (*dynamo.Store)(nil)
)

// payEnv is one payment test's world: its own store, the real idempotency
// store, a real Automation as the outbox sending through aws-ses-v2-local,
// and a recording event bus. Faults can be planted on the SES client and
// the bus, and on DynamoDB (newDynamoPayEnv).
type payEnv struct {
	api   Router
	h     *Payments
	store payStore // the store under test (on DynamoDB: counted, faults)
	// check reads the same store, on DynamoDB through a clean client, so a
	// test's own reads are neither counted nor faulted.
	check payStore
	// On DynamoDB Local only (newDynamoPayEnv): a clean client, the table
	// and the faults planted on the client under test.
	checkDB     *dynamodb.Client
	table       string
	dbFaults    *faultPlan
	x           *service.Automation // makes instalments due, sweeps
	clock       *testenv.Clock
	events      *paidEvents
	sesFaults   *faultPlan
	sesEndpoint string
	suffix      string
	partner     string // the partner contact's address, unique to this env
	finance     string // finance team address for due notices
	pool        *testenv.Pool
}

// newPayEnv is a payment test's world on the in-memory store (pkg/memstore,
// held to pkg/dynamo's contract by pkg/dynamo/storetest). Tests that plant
// DynamoDB faults, count its calls or read its items use newDynamoPayEnv.
func newPayEnv(t testing.TB) *payEnv {
	t.Helper()
	store := memstore.New()
	return newPayEnvOn(t, store, store)
}

// newDynamoPayEnv is a payment test's world on its own table in DynamoDB
// Local, with faults plantable on the client under test.
func newDynamoPayEnv(t testing.TB) *payEnv {
	t.Helper()
	dbFaults := &faultPlan{service: "dynamodb"}
	db, table := testenv.AppTable(t, func(o *dynamodb.Options) { o.APIOptions = append(o.APIOptions, dbFaults.middleware) })
	checkDB := testenv.DynamoDB(t)
	e := newPayEnvOn(t, dynamo.New(db, table), dynamo.New(checkDB, table))
	e.checkDB, e.table, e.dbFaults = checkDB, table, dbFaults
	return e
}

func newPayEnvOn(t testing.TB, store, check payStore) *payEnv {
	t.Helper()
	sesFaults, evFaults := &faultPlan{service: "ses"}, &faultPlan{service: "events"}
	sesClient, endpoint := testenv.SESv2(t,
		mailer.WithRetry(mailer.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxBackoff: 5 * time.Millisecond}),
		func(o *sesv2.Options) { o.APIOptions = append(o.APIOptions, sesFaults.middleware) })
	sender, err := mailer.NewSender(sesClient, "Partnerships team <partnerships@funder.test>", "")
	if err != nil {
		t.Fatal(err)
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	signer, err := token.NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	suffix := randHex()
	clock := testenv.NewClock(payStart, time.Millisecond)
	e := &payEnv{
		store: store, check: check, clock: clock,
		events:    &paidEvents{fault: evFaults, t: t},
		sesFaults: sesFaults, sesEndpoint: endpoint, suffix: suffix,
		partner: "amina-" + suffix + "@levykitchen.test",
		finance: "finance-" + suffix + "@funder.test",
		pool:    &testenv.Pool{},
	}
	env := service.Env{Now: clock.Now, NewID: dynamo.NewID, Location: time.UTC,
		Defaults: grants.ProgrammeSettings{Name: "Community 2026", OfficerEmails: []string{"officer-" + suffix + "@funder.test"},
			FinanceEmails: []string{e.finance}, ReminderDays: 7, MaxReminders: 2}}
	courier := service.NewCourier(store, mailer.Letters{Sender: sender}, e.events, signer, service.NoMetrics, env,
		service.CourierOptions{ReplyDomain: "replies.funder.test", Lease: time.Minute})
	e.x = service.NewAutomation(store, courier, service.NoSchedules, service.NoMetrics, env, service.AutomationOptions{})
	e.h = &Payments{Payments: service.NewPayments(store, courier, e.pool, service.NoMetrics, env)}
	e.api = e.h.Routes()
	return e
}

func randHex() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newAgreement stores an agreement of the shape (four quarterly
// instalments of £2,500 from 2026-01-31) in the programme, activates it and
// makes the listed instalments due, all through the clean client.
func (e *payEnv) newAgreement(t testing.TB, programme string, due ...int) *grants.Agreement {
	t.Helper()
	ctx := context.Background()
	now := e.clock.Now()
	a, err := grants.NewAgreement(grants.NewAgreementInput{
		Programme: programme,
		Partner:   grants.Partner{Name: "Levenshulme Community Kitchen", RegistrationNumber: "1180123", Address: "1 Stockport Road, Manchester M19 3AB"},
		Contacts:  []grants.Contact{{Name: "Amina Khan", Email: e.partner, Role: "lead"}},
		Amount:    1000000, Currency: new("GBP"), StartDate: "2026-01-31", DurationMonths: new(12), InstalmentCount: new(4),
		Terms: []string{"Co-host four community meals"},
		// These routes' rules are tested where money waits on check-ins.
		PaymentPolicy: new(grants.PolicyAfterCheckIn),
	}, now, "programme@funder.example")
	if err != nil {
		t.Fatal(err)
	}
	a.ID = dynamo.NewID()
	if _, err := e.check.CreateAgreement(ctx, a, grants.Audited(grants.AuditEntry{At: now, Actor: "programme@funder.example", Action: "agreement.created"}), nil); err != nil {
		t.Fatal(err)
	}
	e.mutate(t, a.ID, func(a *grants.Agreement) ([]grants.AuditEntry, error) {
		en, err := a.Activate(e.clock.Now(), "programme@funder.example")
		return []grants.AuditEntry{en}, err
	})
	for _, n := range due {
		e.makeDue(t, a.ID, n)
	}
	return e.agreement(t, a.ID)
}

// makeDue moves instalment n to due as its schedule would (without the
// finance notice, which the fault tests do not want to count).
func (e *payEnv) makeDue(t testing.TB, id string, n int) {
	t.Helper()
	e.mutate(t, id, func(a *grants.Agreement) ([]grants.AuditEntry, error) {
		en, ok, err := a.MakeInstalmentDue(n, e.clock.Now())
		if err == nil && !ok {
			err = fmt.Errorf("instalment %d was not scheduled", n)
		}
		return []grants.AuditEntry{en}, err
	})
}

func (e *payEnv) mutate(t testing.TB, id string, m func(a *grants.Agreement) ([]grants.AuditEntry, error)) *grants.Agreement {
	t.Helper()
	a, err := e.check.UpdateAgreement(context.Background(), id, 0, grants.AuditOnly(m))
	if err != nil {
		t.Fatalf("update %s: %v", id, err)
	}
	return a
}

// receiveCheckIn moves check-in n to sent and then received, as the
// check-in flow would.
func (e *payEnv) receiveCheckIn(t testing.TB, id string, n int) {
	t.Helper()
	e.mutate(t, id, func(a *grants.Agreement) ([]grants.AuditEntry, error) {
		now := e.clock.Now()
		sent, err := a.MarkCheckInSent(n, "ses-"+randHex(), now, 7)
		if err != nil {
			return nil, err
		}
		c := a.CheckIn(n)
		if err := grants.CheckInTransition(c.Status, grants.CheckInReceived); err != nil {
			return nil, err
		}
		c.Status, c.ReceivedAt, c.RemindOn, c.UpdatedAt = grants.CheckInReceived, now, grants.Date{}, now
		if next := a.Instalment(n + 1); next != nil {
			next.AwaitingCheckIn = false
		}
		return []grants.AuditEntry{sent, {At: now, Actor: "system", Action: "checkin.received", Subject: fmt.Sprintf("check-in %d", n)}}, nil
	})
}

func (e *payEnv) agreement(t testing.TB, id string) *grants.Agreement {
	t.Helper()
	a, err := e.check.GetAgreement(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (e *payEnv) history(t testing.TB, id string) []grants.AuditEntry {
	t.Helper()
	all, err := e.check.AllHistory(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return all
}

func countActions(h []grants.AuditEntry, action string) int {
	n := 0
	for _, e := range h {
		if e.Action == action {
			n++
		}
	}
	return n
}

// remittances counts the remittance emails aws-ses-v2-local accepted for
// this env's partner about instalment n.
func (e *payEnv) remittances(t testing.TB, n int) int {
	t.Helper()
	msgs, err := emulator.SESMessages(context.Background(), e.sesEndpoint)
	if err != nil {
		t.Fatal(err)
	}
	count := 0
	for _, m := range msgs {
		if slices.Contains(m.Destination.To, e.partner) && strings.HasPrefix(m.Subject, "Payment sent") &&
			strings.Contains(m.Subject, fmt.Sprintf("(instalment %d of", n)) {
			count++
		}
	}
	return count
}

func (e *payEnv) outbox(t testing.TB, id, key string) *outbox.Entry {
	t.Helper()
	o, err := e.check.Outbox(context.Background(), id, key)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func (e *payEnv) setTwoPersonRule(t testing.TB, programme string, on bool) {
	t.Helper()
	if err := e.check.PutProgrammeSettings(context.Background(), programme, grants.ProgrammeSettings{TwoPersonRule: aws.Bool(on)}); err != nil {
		t.Fatal(err)
	}
}

func (e *payEnv) do(t testing.TB, ev events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	t.Helper()
	resp, err := e.api.Handle(context.Background(), ev)
	if err != nil {
		t.Fatalf("handler error: %v", err)
	}
	openapitest.Check(t, ev, resp)
	return resp
}

// as makes ev come from the named user (the token's email claim).
func as(ev events.APIGatewayV2HTTPRequest, user string) events.APIGatewayV2HTTPRequest {
	if ev.RequestContext.Authorizer != nil {
		ev.RequestContext.Authorizer.JWT.Claims["email"] = user
		ev.RequestContext.Authorizer.JWT.Claims["sub"] = "sub-" + user
	}
	return ev
}

const (
	alice = "alice@funder.example" // finance: requests payments
	bob   = "bob@funder.example"   // finance: approves them
)

const payBody = `{"paymentReference": "BACS-2026-0001", "paidOn": "2026-02-01"}`

func payEvent(id string, n int, body, user, key string) events.APIGatewayV2HTTPRequest {
	var headers []string
	if key != "" {
		headers = []string{"Idempotency-Key", key}
	}
	return as(event("POST", "/agreements/{id}/instalments/{n}/payments", map[string]string{"id": id, "n": fmt.Sprint(n)}, body, RoleFinance, headers...), user)
}

func approveEvent(id string, n int, paymentID, user string) events.APIGatewayV2HTTPRequest {
	return as(event("POST", "/agreements/{id}/instalments/{n}/payments/{paymentId}/approve",
		map[string]string{"id": id, "n": fmt.Sprint(n), "paymentId": paymentID}, "", RoleFinance), user)
}

func holdEvent(action, id string, n int, body string) events.APIGatewayV2HTTPRequest {
	return event("POST", "/agreements/{id}/instalments/{n}/"+action, map[string]string{"id": id, "n": fmt.Sprint(n)}, body, RoleProgramme)
}

// payResp is the body of a 201/200 payment response.
type payResp struct {
	AgreementID string            `json:"agreementId"`
	Reference   string            `json:"reference"`
	Instalment  grants.Instalment `json:"instalment"`
	Payment     grants.Payment    `json:"payment"`
	Agreement   string            `json:"agreementStatus"`
}

func decodePay(t testing.TB, resp events.APIGatewayV2HTTPResponse) payResp {
	t.Helper()
	var p payResp
	if err := json.Unmarshal([]byte(resp.Body), &p); err != nil {
		t.Fatalf("decode %d %q: %v", resp.StatusCode, resp.Body, err)
	}
	return p
}

// reason is the stable reason of a problem response (the end of its type).
func reason(t testing.TB, resp events.APIGatewayV2HTTPResponse) string {
	t.Helper()
	if resp.Headers["Content-Type"] != "application/problem+json" {
		t.Fatalf("%d is not a problem: %s %s", resp.StatusCode, resp.Headers["Content-Type"], resp.Body)
	}
	var p Problem
	if err := json.Unmarshal([]byte(resp.Body), &p); err != nil {
		t.Fatal(err)
	}
	if p.Status != resp.StatusCode || !strings.HasPrefix(p.Type, problemBase) {
		t.Fatalf("problem %+v for status %d", p, resp.StatusCode)
	}
	return strings.TrimPrefix(p.Type, problemBase)
}

func wantProblem(t testing.TB, what string, resp events.APIGatewayV2HTTPResponse, status int, why string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("%s: got %d %s, want %d %s", what, resp.StatusCode, resp.Body, status, why)
	}
	if got := reason(t, resp); why != "" && got != why {
		t.Fatalf("%s: reason %q, want %q (%s)", what, got, why, resp.Body)
	}
}

// 200 finance users press "pay" on the same instalment at once, each with
// their own Idempotency-Key: one request is recorded, everybody else is told
// why not, and after one approval there is one payment, one event and one
// remittance.
func TestPayConcurrentRequestsDifferentKeysOnePayment(t *testing.T) {
	e := newDynamoPayEnv(t) // reads the idempotency records DynamoDB holds
	a := e.newAgreement(t, "community-2026", 1)
	const n = 200
	results := make([]events.APIGatewayV2HTTPResponse, n)
	evs := make([]events.APIGatewayV2HTTPRequest, n)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() {
			ev := payEvent(a.ID, 1, fmt.Sprintf(`{"paymentReference": "BACS-%03d", "paidOn": "2026-02-01"}`, i), fmt.Sprintf("finance%03d@funder.example", i), fmt.Sprintf("key-%03d", i))
			resp, err := e.api.Handle(context.Background(), ev)
			if err != nil {
				t.Errorf("handler error: %v", err)
			}
			evs[i], results[i] = ev, resp
		})
	}
	wg.Wait()
	// Checked against the OpenAPI document after the rush, so the checks
	// do not slow the requests they race.
	for i := range results {
		openapitest.Check(t, evs[i], results[i])
	}
	var winner payResp
	created, reasons := 0, map[string]int{}
	for _, r := range results {
		switch r.StatusCode {
		case http.StatusCreated:
			created++
			winner = decodePay(t, r)
		case http.StatusConflict:
			reasons[reason(t, r)]++
		default:
			t.Errorf("unexpected %d %s", r.StatusCode, r.Body)
		}
	}
	for why := range reasons {
		if why != "payment_pending" && why != "instalment_not_due" && why != "busy" {
			t.Errorf("409 with reason %q", why)
		}
	}
	t.Logf("201: %d, 409 by reason: %v", created, reasons)
	if created != 1 {
		t.Fatalf("%d requests recorded a payment, want 1", created)
	}
	got := e.agreement(t, a.ID)
	in := got.Instalment(1)
	if in.Status != grants.InstalmentDue || in.Payment == nil || in.Payment.ID != winner.Payment.ID || in.Payment.Status != grants.PaymentRequested {
		t.Fatalf("instalment after the rush: %+v %+v", in, in.Payment)
	}
	if h := e.history(t, a.ID); countActions(h, "payment.requested") != 1 || countActions(h, "payment.approved") != 0 {
		t.Fatalf("history has %d requests, %d approvals", countActions(h, "payment.requested"), countActions(h, "payment.approved"))
	}
	// Every losing request released its key: no key is left in progress.
	for i := range n {
		out, err := e.checkDB.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: &e.table, ConsistentRead: aws.Bool(true),
			Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: fmt.Sprintf("IDEM#payments.request#key-%03d", i)}, "SK": &types.AttributeValueMemberS{Value: fmt.Sprintf("IDEM#finance%03d@funder.example", i)}}})
		if err != nil {
			t.Fatal(err)
		}
		if out.Item != nil {
			if s := out.Item["status"].(*types.AttributeValueMemberS).Value; s != idempotency.StatusCompleted {
				t.Errorf("key-%03d left %s", i, s)
			}
		}
	}

	resp := e.do(t, approveEvent(a.ID, 1, winner.Payment.ID, "approver@funder.example"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("approve: %d %s", resp.StatusCode, resp.Body)
	}
	got = e.agreement(t, a.ID)
	if in := got.Instalment(1); in.Status != grants.InstalmentPaid || in.PaymentReference != winner.Payment.PaymentReference || in.PaidBy != "approver@funder.example" {
		t.Fatalf("instalment after approval: %+v", in)
	}
	if evs := e.events.forAgreement(a.ID); len(evs) != 1 || evs[0].Amount != 250000 || evs[0].Currency != "GBP" || evs[0].Instalment != 1 ||
		evs[0].PaymentReference != winner.Payment.PaymentReference || evs[0].Actor != "approver@funder.example" || evs[0].RequestedBy != winner.Payment.RequestedBy ||
		evs[0].Reference != a.Reference || evs[0].ID != a.ID+"-1" {
		t.Fatalf("events %+v", evs)
	}
	if m := e.remittances(t, 1); m != 1 {
		t.Fatalf("%d remittance emails, want 1", m)
	}
	if h := e.history(t, a.ID); countActions(h, "payment.approved") != 1 || countActions(h, "event.published") != 1 || countActions(h, "email.sent") != 1 {
		t.Fatalf("history %+v", h)
	}
}

// 50 retries of one request (same key, same body) at once: one payment,
// 50 byte-identical 201 bodies; the key with anything else in it is a 422.
func TestPaySameKeyConcurrentReplaysOneResponse(t *testing.T) {
	e := newPayEnv(t)
	a := e.newAgreement(t, "community-2026", 1, 2)
	e.receiveCheckIn(t, a.ID, 1)
	const n = 50
	results := make([]events.APIGatewayV2HTTPResponse, n)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() {
			resp, err := e.api.Handle(context.Background(), payEvent(a.ID, 1, payBody, alice, "same-key-1"))
			if err != nil {
				t.Errorf("handler error: %v", err)
			}
			results[i] = resp
		})
	}
	wg.Wait()
	for _, r := range results {
		openapitest.Check(t, payEvent(a.ID, 1, payBody, alice, "same-key-1"), r)
	}
	replayed := 0
	for i, r := range results {
		if r.StatusCode != http.StatusCreated || r.Body != results[0].Body {
			t.Fatalf("response %d: %d %s\nwant 201 %s", i, r.StatusCode, r.Body, results[0].Body)
		}
		if r.Headers["Idempotent-Replayed"] == "true" {
			replayed++
		}
	}
	if replayed != n-1 {
		t.Errorf("%d responses marked replayed, want %d", replayed, n-1)
	}
	first := decodePay(t, results[0])
	got := e.agreement(t, a.ID)
	if in := got.Instalment(1); in.Payment == nil || in.Payment.ID != first.Payment.ID {
		t.Fatalf("stored payment %+v, responses carry %s", in.Payment, first.Payment.ID)
	}
	if h := e.history(t, a.ID); countActions(h, "payment.requested") != 1 {
		t.Fatalf("%d payment requests recorded", countActions(h, "payment.requested"))
	}

	// The same request written differently (key order, spacing) is the same request.
	again := e.do(t, payEvent(a.ID, 1, `{ "paidOn":"2026-02-01",   "paymentReference":"BACS-2026-0001" }`, alice, "same-key-1"))
	if again.StatusCode != http.StatusCreated || again.Body != results[0].Body {
		t.Fatalf("reformatted replay: %d %s", again.StatusCode, again.Body)
	}
	for name, ev := range map[string]events.APIGatewayV2HTTPRequest{
		"another reference":                   payEvent(a.ID, 1, `{"paymentReference": "BACS-2026-0002", "paidOn": "2026-02-01"}`, alice, "same-key-1"),
		"another paidOn":                      payEvent(a.ID, 1, `{"paymentReference": "BACS-2026-0001", "paidOn": "2026-01-31"}`, alice, "same-key-1"),
		"an override added":                   payEvent(a.ID, 1, `{"paymentReference": "BACS-2026-0001", "paidOn": "2026-02-01", "override": {"reason": "x"}}`, alice, "same-key-1"),
		"another instalment (another amount)": payEvent(a.ID, 2, payBody, alice, "same-key-1"),
		"another agreement":                   payEvent(e.newAgreement(t, "community-2026", 1).ID, 1, payBody, alice, "same-key-1"),
	} {
		wantProblem(t, name, e.do(t, ev), http.StatusUnprocessableEntity, "idempotency_key_reused")
	}
	// (Another person's same key is theirs: TestIdempotencyKeysAreScopedToTheCaller.)
	// The amount is the plan's, not the client's: a body that sends one is refused outright.
	wantProblem(t, "amount in body", e.do(t, payEvent(a.ID, 1, `{"paymentReference": "BACS-2026-0001", "paidOn": "2026-02-01", "amount": 1}`, alice, "same-key-1")),
		http.StatusBadRequest, "unknown_field")
	if h := e.history(t, a.ID); countActions(h, "payment.requested") != 1 {
		t.Fatalf("%d payment requests recorded after the 422s", countActions(h, "payment.requested"))
	}

	// Approval pays once; a replay of the request after it still returns the stored 201.
	if r := e.do(t, approveEvent(a.ID, 1, first.Payment.ID, bob)); r.StatusCode != http.StatusOK {
		t.Fatalf("approve: %d %s", r.StatusCode, r.Body)
	}
	if r := e.do(t, payEvent(a.ID, 1, payBody, alice, "same-key-1")); r.StatusCode != http.StatusCreated || r.Body != results[0].Body {
		t.Fatalf("replay after approval: %d %s", r.StatusCode, r.Body)
	}
	if evs, m := e.events.forAgreement(a.ID), e.remittances(t, 1); len(evs) != 1 || m != 1 {
		t.Fatalf("%d events, %d remittances", len(evs), m)
	}
}

func TestPayTwoPersonRuleAndRoles(t *testing.T) {
	e := newPayEnv(t)
	a := e.newAgreement(t, "community-2026", 1)
	id := a.ID

	// Who may call the payment routes at all.
	for _, tt := range []struct {
		role   Role
		status int
	}{{"", 401}, {RoleProgramme, 403}, {RoleViewer, 403}, {"stranger", 403}} {
		pay := event("POST", "/agreements/{id}/instalments/{n}/payments", map[string]string{"id": id, "n": "1"}, payBody, tt.role, "Idempotency-Key", "role-"+string(tt.role))
		appr := event("POST", "/agreements/{id}/instalments/{n}/payments/{paymentId}/approve", map[string]string{"id": id, "n": "1", "paymentId": "p"}, "", tt.role)
		for name, ev := range map[string]events.APIGatewayV2HTTPRequest{"pay": pay, "approve": appr} {
			if r := e.do(t, ev); r.StatusCode != tt.status || r.Headers["Content-Type"] != "application/problem+json" {
				t.Errorf("%s as %q: %d %s, want %d", name, tt.role, r.StatusCode, r.Body, tt.status)
			}
		}
	}
	// Finance may not hold or release (programme staff do).
	hold := holdEvent("hold", id, 1, `{"reason": "audit"}`)
	wantProblem(t, "finance holds", e.do(t, as(event("POST", "/agreements/{id}/instalments/{n}/hold", hold.PathParameters, hold.Body, RoleFinance), alice)), 403, "forbidden")
	wantProblem(t, "no Idempotency-Key", e.do(t, payEvent(id, 1, payBody, alice, "")), 422, "idempotency_key_required")
	wantProblem(t, "long Idempotency-Key", e.do(t, payEvent(id, 1, payBody, alice, strings.Repeat("k", 256))), 422, "validation")
	wantProblem(t, "no reference", e.do(t, payEvent(id, 1, `{"paidOn": "2026-02-01"}`, alice, "k-noref")), 422, "validation")
	wantProblem(t, "paid in the future", e.do(t, payEvent(id, 1, `{"paymentReference": "X", "paidOn": "2026-03-01"}`, alice, "k-future")), 422, "validation")
	wantProblem(t, "bad paidOn", e.do(t, payEvent(id, 1, `{"paymentReference": "X", "paidOn": "1/2/2026"}`, alice, "k-baddate")), 422, "validation")
	wantProblem(t, "no instalment 9", e.do(t, payEvent(id, 9, payBody, alice, "k-9")), 404, "")
	wantProblem(t, "no agreement", e.do(t, payEvent("aaaaaaaaaaaaaaaa", 1, payBody, alice, "k-none")), 404, "agreement_not_found")
	// A refused request released its key: the corrected request may use it.
	r := e.do(t, payEvent(id, 1, payBody, alice, "k-noref"))
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("corrected request under the refused request's key: %d %s", r.StatusCode, r.Body)
	}
	p := decodePay(t, r)
	if p.Payment.Status != grants.PaymentRequested || p.Payment.RequestedBy != alice || p.Payment.ID == "" || p.Instalment.Status != grants.InstalmentDue ||
		p.Payment.Amount != 250000 || p.Payment.Currency != "GBP" || p.Reference != a.Reference || p.AgreementID != id {
		t.Fatalf("request response %+v", p)
	}
	if evs, m := e.events.forAgreement(id), e.remittances(t, 1); len(evs) != 0 || m != 0 {
		t.Fatalf("a requested (unapproved) payment sent %d events, %d emails", len(evs), m)
	}
	wantProblem(t, "second request while pending", e.do(t, payEvent(id, 1, `{"paymentReference": "OTHER", "paidOn": "2026-02-01"}`, bob, "k-2")), 409, "payment_pending")
	wantProblem(t, "hold while pending", e.do(t, holdEvent("hold", id, 1, `{"reason": "query"}`)), 409, "payment_pending")
	wantProblem(t, "requester approves", e.do(t, approveEvent(id, 1, p.Payment.ID, alice)), 403, "same_approver")
	// One person is one person: the same subject under another email (she
	// changed it) is still the requester, and her access token is refused
	// outright rather than read as someone else.
	renamed := approveEvent(id, 1, p.Payment.ID, alice)
	renamed.RequestContext.Authorizer.JWT.Claims["email"] = "alice.brennan@elsewhere.example"
	wantProblem(t, "requester approves under another email", e.do(t, renamed), 403, "same_approver")
	access := approveEvent(id, 1, p.Payment.ID, alice)
	claims := access.RequestContext.Authorizer.JWT.Claims
	claims["token_use"], claims["username"], claims["client_id"] = "access", claims["sub"], "api-client"
	delete(claims, "email")
	wantProblem(t, "requester approves with her access token", e.do(t, access), 401, "id_token_required")
	// Taken out of finance since her token was issued: the token still
	// names finance, the user pool does not (service.Directory).
	e.pool.Remove(apigw.Issuer+"#sub-dave@funder.example", RoleFinance)
	wantProblem(t, "approves after removal from finance", e.do(t, approveEvent(id, 1, p.Payment.ID, "dave@funder.example")), 403, "role_removed")
	wantProblem(t, "unknown payment", e.do(t, approveEvent(id, 1, "nosuchpayment", bob)), 404, "")
	wantProblem(t, "approve on another instalment", e.do(t, approveEvent(id, 2, p.Payment.ID, bob)), 404, "")
	if in := e.agreement(t, id).Instalment(1); in.Status != grants.InstalmentDue {
		t.Fatalf("refused approvals changed the instalment: %+v", in)
	}

	r = e.do(t, approveEvent(id, 1, p.Payment.ID, bob))
	if r.StatusCode != http.StatusOK {
		t.Fatalf("approve: %d %s", r.StatusCode, r.Body)
	}
	ap := decodePay(t, r)
	if ap.Instalment.Status != grants.InstalmentPaid || ap.Payment.Status != grants.PaymentApproved || ap.Payment.ApprovedBy != bob || ap.Payment.ID != p.Payment.ID ||
		ap.Instalment.PaidBy != bob || ap.Instalment.PaymentReference != "BACS-2026-0001" || ap.Instalment.PaidOn.String() != "2026-02-01" {
		t.Fatalf("approve response %+v", ap)
	}
	wantProblem(t, "approve again", e.do(t, approveEvent(id, 1, p.Payment.ID, bob)), 409, "payment_already_approved")
	wantProblem(t, "approve again, third person", e.do(t, approveEvent(id, 1, p.Payment.ID, "carol@funder.example")), 409, "payment_already_approved")
	wantProblem(t, "pay a paid instalment", e.do(t, payEvent(id, 1, payBody, bob, "k-3")), 409, "instalment_not_due")

	h := e.history(t, id)
	var steps []string
	for _, en := range h {
		steps = append(steps, en.Action+" by "+en.Actor)
	}
	joined := strings.Join(steps, ", ")
	for _, want := range []string{"payment.requested by " + alice, "payment.approved by " + bob, "email.sent by system", "event.published by system"} {
		if !strings.Contains(joined, want) {
			t.Errorf("history lacks %q: %s", want, joined)
		}
	}
	if evs, m := e.events.forAgreement(id), e.remittances(t, 1); len(evs) != 1 || m != 1 {
		t.Fatalf("%d events, %d remittances", len(evs), m)
	}
	for _, key := range []string{outbox.RemittanceKey(1).String(), outbox.PaidEventKey(1).String()} {
		if o := e.outbox(t, id, key); o == nil || o.Status != outbox.StatusDone {
			t.Errorf("outbox %s: %+v", key, o)
		}
	}
}

func TestPayRules(t *testing.T) {
	e := newPayEnv(t)
	const prog = "community-2026"

	t.Run("agreement not active", func(t *testing.T) {
		// A draft agreement (never activated).
		now := e.clock.Now()
		d, err := grants.NewAgreement(grants.NewAgreementInput{Programme: prog, Partner: grants.Partner{Name: "Draft Org", RegistrationNumber: "1180124", Address: "2 Road"},
			Contacts: []grants.Contact{{Name: "D", Email: e.partner, Role: "lead"}}, Amount: 1000000, StartDate: "2026-01-31", InstalmentCount: new(4)}, now, "programme@funder.example")
		if err != nil {
			t.Fatal(err)
		}
		d.ID = dynamo.NewID()
		if _, err := e.check.CreateAgreement(context.Background(), d, grants.Audited(grants.AuditEntry{At: now, Actor: "p", Action: "agreement.created"}), nil); err != nil {
			t.Fatal(err)
		}
		wantProblem(t, "draft", e.do(t, payEvent(d.ID, 1, payBody, alice, "draft")), 409, "agreement_not_active")
		// A terminated one. Termination waits for a payment awaiting approval
		// (issue 11): it would otherwise be left dangling.
		a := e.newAgreement(t, prog, 1)
		r := e.do(t, payEvent(a.ID, 1, payBody, alice, "term-1"))
		if r.StatusCode != 201 {
			t.Fatalf("request: %d %s", r.StatusCode, r.Body)
		}
		terminate := func(a *grants.Agreement) ([]grants.AuditEntry, error) {
			en, err := a.Terminate("partner closed", e.clock.Now(), "programme@funder.example")
			return []grants.AuditEntry{en}, err
		}
		if _, err := e.check.UpdateAgreement(context.Background(), a.ID, 0, grants.AuditOnly(terminate)); grants.ErrorCode(err) != grants.Conflict || !strings.Contains(err.Error(), "waiting for approval") {
			t.Fatalf("terminate with a payment awaiting approval: %v", err)
		}
		b := e.newAgreement(t, prog, 1)
		e.mutate(t, b.ID, terminate)
		wantProblem(t, "terminated", e.do(t, payEvent(b.ID, 1, payBody, alice, "term-2")), 409, "agreement_not_active")
	})

	t.Run("instalment scheduled, held, cancelled", func(t *testing.T) {
		a := e.newAgreement(t, prog, 1)
		wantProblem(t, "scheduled", e.do(t, payEvent(a.ID, 2, payBody, alice, a.ID+"-s")), 409, "instalment_not_due")

		wantProblem(t, "hold without reason", e.do(t, holdEvent("hold", a.ID, 1, `{}`)), 422, "validation")
		r := e.do(t, holdEvent("hold", a.ID, 1, `{"reason": "Query on the bank change"}`))
		if r.StatusCode != 200 {
			t.Fatalf("hold: %d %s", r.StatusCode, r.Body)
		}
		wantProblem(t, "held", e.do(t, payEvent(a.ID, 1, payBody, alice, a.ID+"-h")), 409, "instalment_not_due")
		wantProblem(t, "hold twice", e.do(t, holdEvent("hold", a.ID, 1, `{"reason": "again"}`)), 409, "illegal_transition")
		wantProblem(t, "release without reason", e.do(t, holdEvent("release", a.ID, 1, `{"reason": "  "}`)), 422, "validation")
		r = e.do(t, holdEvent("release", a.ID, 1, `{"reason": "Resolved"}`))
		var in grants.Instalment
		if err := json.Unmarshal([]byte(r.Body), &in); err != nil || r.StatusCode != 200 || in.Status != grants.InstalmentDue || in.HoldReason != "" {
			t.Fatalf("release: %d %s", r.StatusCode, r.Body)
		}
		// The released instalment pays; the refused attempt's key is free for it.
		if r := e.do(t, payEvent(a.ID, 1, payBody, alice, a.ID+"-h")); r.StatusCode != 201 {
			t.Fatalf("pay after release: %d %s", r.StatusCode, r.Body)
		}
		// A scheduled instalment can be held; releasing it before its date makes it scheduled again.
		if r := e.do(t, holdEvent("hold", a.ID, 3, `{"reason": "early hold"}`)); r.StatusCode != 200 {
			t.Fatalf("hold scheduled: %d %s", r.StatusCode, r.Body)
		}
		r = e.do(t, holdEvent("release", a.ID, 3, `{"reason": "fine"}`))
		if err := json.Unmarshal([]byte(r.Body), &in); err != nil || in.Status != grants.InstalmentScheduled {
			t.Fatalf("release scheduled: %d %s", r.StatusCode, r.Body)
		}
		h := e.history(t, a.ID)
		if countActions(h, "instalment.held") != 2 || countActions(h, "instalment.released") != 2 {
			t.Errorf("history %+v", h)
		}

		e.mutate(t, a.ID, func(a *grants.Agreement) ([]grants.AuditEntry, error) {
			a.Instalment(4).Status = grants.InstalmentCancelled
			return []grants.AuditEntry{{At: e.clock.Now(), Actor: "programme@funder.example", Action: "instalment.cancelled", Subject: "instalment 4"}}, nil
		})
		wantProblem(t, "cancelled", e.do(t, payEvent(a.ID, 4, payBody, alice, a.ID+"-c")), 409, "instalment_not_due")
	})

	t.Run("previous check-in missing", func(t *testing.T) {
		a := e.newAgreement(t, prog, 1, 2)
		if in := a.Instalment(2); !in.AwaitingCheckIn {
			t.Fatalf("instalment 2 not flagged awaiting its check-in: %+v", in)
		}
		wantProblem(t, "check-in 1 not in", e.do(t, payEvent(a.ID, 2, payBody, alice, a.ID+"-1")), 409, "check_in_missing")
		wantProblem(t, "blank override", e.do(t, payEvent(a.ID, 2, `{"paymentReference": "BACS-2", "paidOn": "2026-02-01", "override": {"reason": "   "}}`, alice, a.ID+"-2")), 409, "check_in_missing")
		const why = "Report delayed by the venue flood; officer confirmed progress by phone"
		r := e.do(t, payEvent(a.ID, 2, `{"paymentReference": "BACS-2", "paidOn": "2026-02-01", "override": {"reason": "`+why+`"}}`, alice, a.ID+"-3"))
		if r.StatusCode != 201 {
			t.Fatalf("override: %d %s", r.StatusCode, r.Body)
		}
		p := decodePay(t, r)
		if p.Payment.OverrideReason != why {
			t.Fatalf("payment %+v", p.Payment)
		}
		if r := e.do(t, approveEvent(a.ID, 2, p.Payment.ID, bob)); r.StatusCode != 200 {
			t.Fatalf("approve: %d %s", r.StatusCode, r.Body)
		}
		h := e.history(t, a.ID)
		found := false
		for _, en := range h {
			if en.Action == "payment.check_in_overridden" && en.Actor == alice && en.Detail == why && en.Subject == "instalment 2" {
				found = true
			}
		}
		if !found {
			t.Fatalf("override not in the history: %+v", h)
		}
		if evs := e.events.forAgreement(a.ID); len(evs) != 1 || evs[0].OverrideReason != why || evs[0].Instalment != 2 {
			t.Fatalf("events %+v", evs)
		}
		// With check-in 1 in, instalment 1... and a later instalment pays without an override.
		b := e.newAgreement(t, prog, 1, 2)
		e.receiveCheckIn(t, b.ID, 1)
		if r := e.do(t, payEvent(b.ID, 2, payBody, alice, b.ID+"-1")); r.StatusCode != 201 {
			t.Fatalf("check-in received: %d %s", r.StatusCode, r.Body)
		}
	})

	t.Run("two-person rule off pays at once", func(t *testing.T) {
		e.setTwoPersonRule(t, "solo-2026", false)
		a := e.newAgreement(t, "solo-2026", 1)
		r := e.do(t, payEvent(a.ID, 1, payBody, alice, a.ID))
		if r.StatusCode != 201 {
			t.Fatalf("pay: %d %s", r.StatusCode, r.Body)
		}
		p := decodePay(t, r)
		if p.Instalment.Status != grants.InstalmentPaid || p.Payment.Status != grants.PaymentApproved || p.Payment.ApprovedBy != alice || p.Payment.RequestedBy != alice {
			t.Fatalf("pay response %+v", p)
		}
		if evs, m := e.events.forAgreement(a.ID), e.remittances(t, 1); len(evs) != 1 || m != 1 || evs[0].Actor != alice {
			t.Fatalf("%d events (%+v), %d remittances", len(evs), evs, m)
		}
		h := e.history(t, a.ID)
		if countActions(h, "payment.requested") != 1 || countActions(h, "payment.approved") != 1 {
			t.Fatalf("history %+v", h)
		}
		wantProblem(t, "approve the paid payment", e.do(t, approveEvent(a.ID, 1, p.Payment.ID, bob)), 409, "payment_already_approved")
		// The same key replays the stored response and sends nothing more.
		if again := e.do(t, payEvent(a.ID, 1, payBody, alice, a.ID)); again.StatusCode != 201 || again.Body != r.Body {
			t.Fatalf("replay: %d %s", again.StatusCode, again.Body)
		}
		if evs, m := e.events.forAgreement(a.ID), e.remittances(t, 1); len(evs) != 1 || m != 1 {
			t.Fatalf("after replay: %d events, %d remittances", len(evs), m)
		}
		// The rule explicitly on behaves like the default.
		e.setTwoPersonRule(t, "pair-2026", true)
		b := e.newAgreement(t, "pair-2026", 1)
		if p := decodePay(t, e.do(t, payEvent(b.ID, 1, payBody, alice, b.ID))); p.Payment.Status != grants.PaymentRequested {
			t.Fatalf("rule on: %+v", p.Payment)
		}
	})
}

// Paying the last instalment when the final check-in is in completes the agreement.
func TestPayLastInstalmentCompletesAgreement(t *testing.T) {
	for _, tt := range []struct {
		name     string
		final    func(e *payEnv, t *testing.T, id string)
		complete bool
	}{
		{"final check-in received", func(e *payEnv, t *testing.T, id string) { e.receiveCheckIn(t, id, 4) }, true},
		{"final check-in waived", func(e *payEnv, t *testing.T, id string) {
			e.mutate(t, id, func(a *grants.Agreement) ([]grants.AuditEntry, error) {
				c := a.CheckIn(4)
				c.Status, c.WaivedReason = grants.CheckInWaived, "report given in person"
				return []grants.AuditEntry{{At: e.clock.Now(), Actor: "programme@funder.example", Action: "checkin.waived", Subject: "check-in 4"}}, nil
			})
		}, true},
		{"final check-in outstanding", func(e *payEnv, t *testing.T, id string) {
			e.mutate(t, id, func(a *grants.Agreement) ([]grants.AuditEntry, error) {
				en, err := a.MarkCheckInSent(4, "ses-final", e.clock.Now(), 7)
				return []grants.AuditEntry{en}, err
			})
		}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newPayEnv(t)
			a := e.newAgreement(t, "community-2026")
			for n := 1; n <= 4; n++ {
				// The instalments fall due as their schedules fire.
				if err := e.x.InstalmentDue(context.Background(), a.ID, n); err != nil {
					t.Fatal(err)
				}
				if n < 4 {
					e.receiveCheckIn(t, a.ID, n)
				}
			}
			tt.final(e, t, a.ID)
			var last payResp
			for n := 1; n <= 4; n++ {
				r := e.do(t, payEvent(a.ID, n, fmt.Sprintf(`{"paymentReference": "BACS-%d", "paidOn": "2026-02-01"}`, n), alice, fmt.Sprintf("%s-%d", a.ID, n)))
				if r.StatusCode != 201 {
					t.Fatalf("request %d: %d %s", n, r.StatusCode, r.Body)
				}
				r = e.do(t, approveEvent(a.ID, n, decodePay(t, r).Payment.ID, bob))
				if r.StatusCode != 200 {
					t.Fatalf("approve %d: %d %s", n, r.StatusCode, r.Body)
				}
				last = decodePay(t, r)
				if n < 4 && last.Agreement != string(grants.AgreementActive) {
					t.Fatalf("agreement %s after instalment %d", last.Agreement, n)
				}
			}
			got := e.agreement(t, a.ID)
			h := e.history(t, a.ID)
			want := grants.AgreementActive
			if tt.complete {
				want = grants.AgreementCompleted
			}
			if got.Status != want || last.Agreement != string(want) {
				t.Fatalf("agreement %s (response %s), want %s", got.Status, last.Agreement, want)
			}
			completed := countActions(h, "agreement.completed")
			if tt.complete != (completed == 1) || completed > 1 {
				t.Fatalf("%d agreement.completed entries", completed)
			}
			for _, en := range h {
				if en.Action == "agreement.completed" && en.Actor != grants.System {
					t.Errorf("completed by %q", en.Actor)
				}
			}
			if countActions(h, "payment.approved") != 4 || len(e.events.forAgreement(a.ID)) != 4 {
				t.Fatalf("%d approvals, %d events", countActions(h, "payment.approved"), len(e.events.forAgreement(a.ID)))
			}
			for n := 1; n <= 4; n++ {
				if m := e.remittances(t, n); m != 1 {
					t.Errorf("instalment %d: %d remittances", n, m)
				}
			}
			// Completion took the agreement out of finance's lists of work.
			page, err := e.check.ListInstalments(context.Background(), grants.InstalmentFilter{Status: grants.InstalmentPaid, Programme: a.Programme}, "", 50)
			if err != nil || len(page.Items) != 4 {
				t.Fatalf("paid rows %d %v", len(page.Items), err)
			}
		})
	}
}

func TestListInstalments(t *testing.T) {
	e := newPayEnv(t)
	// community: a (1 due, 2 due awaiting check-in), b (1 held), c (1 paid); other: d (1 due)
	a := e.newAgreement(t, "community-2026", 1, 2)
	b := e.newAgreement(t, "community-2026", 1)
	c := e.newAgreement(t, "community-2026", 1)
	d := e.newAgreement(t, "other-2026", 1)
	if r := e.do(t, holdEvent("hold", b.ID, 1, `{"reason": "Verification pending"}`)); r.StatusCode != 200 {
		t.Fatalf("hold: %d %s", r.StatusCode, r.Body)
	}
	r := e.do(t, payEvent(c.ID, 1, payBody, alice, "c1"))
	if r.StatusCode != 201 {
		t.Fatalf("pay: %d", r.StatusCode)
	}
	if r := e.do(t, approveEvent(c.ID, 1, decodePay(t, r).Payment.ID, bob)); r.StatusCode != 200 {
		t.Fatalf("approve: %d", r.StatusCode)
	}

	type row struct {
		AgreementID             string               `json:"agreementId"`
		Reference               string               `json:"reference"`
		Programme               string               `json:"programme"`
		PartnerName             string               `json:"partnerName"`
		Number                  int                  `json:"number"`
		Amount                  int64                `json:"amount"`
		Currency                string               `json:"currency"`
		DueDate                 string               `json:"dueDate"`
		Status                  string               `json:"status"`
		PreviousCheckInReceived *bool                `json:"previousCheckInReceived"`
		HoldReason              string               `json:"holdReason"`
		PaymentReference        string               `json:"paymentReference"`
		Payment                 *struct{ ID string } `json:"payment"`
	}
	list := func(t *testing.T, role Role, q map[string]string) ([]row, events.APIGatewayV2HTTPResponse) {
		t.Helper()
		var all []row
		q = copyQuery(q)
		for pages := 0; ; pages++ {
			ev := event("GET", "/instalments", nil, "", role)
			ev.QueryStringParameters = q
			resp := e.do(t, ev)
			if resp.StatusCode != 200 {
				return nil, resp
			}
			for _, bad := range []string{"bank", "sortcode", "sort_code", "account", "iban", "swift"} {
				if strings.Contains(strings.ToLower(resp.Body), bad) {
					t.Fatalf("list shows %q: %s", bad, resp.Body)
				}
			}
			var page struct {
				Items      []row
				NextCursor string
			}
			if err := json.Unmarshal([]byte(resp.Body), &page); err != nil {
				t.Fatal(err)
			}
			all = append(all, page.Items...)
			if page.NextCursor == "" || pages > 20 {
				return all, resp
			}
			q["cursor"] = page.NextCursor
		}
	}
	keys := func(rows []row) []string {
		var k []string
		for _, r := range rows {
			k = append(k, fmt.Sprintf("%s/%d", r.AgreementID, r.Number))
		}
		slices.Sort(k)
		return k
	}
	sorted := func(k ...string) []string { slices.Sort(k); return k }
	id := func(ag *grants.Agreement, n int) string { return fmt.Sprintf("%s/%d", ag.ID, n) }

	due, _ := list(t, RoleFinance, map[string]string{"status": "due", "programme": "community-2026"})
	if got, want := keys(due), sorted(id(a, 1), id(a, 2)); !slices.Equal(got, want) {
		t.Fatalf("due rows %v, want %v", got, want)
	}
	for _, r := range due {
		if r.Amount != 250000 || r.Currency != "GBP" || r.PartnerName != "Levenshulme Community Kitchen" || r.Reference == "" || r.Status != "due" || r.PreviousCheckInReceived == nil {
			t.Errorf("row %+v", r)
		}
		wantDue, wantPrev := "2026-01-31", true
		if r.Number == 2 {
			wantDue, wantPrev = "2026-04-30", false
		}
		if r.DueDate != wantDue || *r.PreviousCheckInReceived != wantPrev {
			t.Errorf("row %s/%d: due %s, previous check-in in %v", r.AgreementID, r.Number, r.DueDate, *r.PreviousCheckInReceived)
		}
	}
	if ref := a.Reference; due[0].Reference != ref && due[1].Reference != ref {
		t.Errorf("references %+v", due)
	}
	// Due rows are in due-date order.
	if !slices.IsSortedFunc(due, func(x, y row) int { return strings.Compare(x.DueDate, y.DueDate) }) {
		t.Errorf("not in due-date order: %+v", due)
	}

	// The previous check-in arriving shows on the row.
	e.receiveCheckIn(t, a.ID, 1)
	due, _ = list(t, RoleFinance, map[string]string{"status": "due", "programme": "community-2026", "from": "2026-04-01"})
	if len(due) != 1 || due[0].Number != 2 || !*due[0].PreviousCheckInReceived {
		t.Fatalf("after check-in 1: %+v", due)
	}

	for _, tt := range []struct {
		q    map[string]string
		want []string
	}{
		{map[string]string{"programme": "community-2026"}, sorted(id(a, 1), id(a, 2))}, // due by default
		{map[string]string{"status": "due", "programme": "community-2026"}, sorted(id(a, 1), id(a, 2))},
		{map[string]string{"status": "due", "programme": "other-2026"}, sorted(id(d, 1))},
		{map[string]string{"status": "due", "programme": "nobody"}, nil},
		{map[string]string{"status": "due", "programme": "community-2026", "to": "2026-01-31"}, sorted(id(a, 1))},
		{map[string]string{"status": "due", "programme": "other-2026", "to": "2026-01-31"}, sorted(id(d, 1))},
		{map[string]string{"status": "due", "programme": "community-2026", "from": "2026-02-01", "to": "2026-12-31"}, sorted(id(a, 2))},
		{map[string]string{"status": "due", "programme": "community-2026", "from": "2026-01-31", "to": "2026-01-31", "limit": "1"}, sorted(id(a, 1))},
		{map[string]string{"status": "held", "programme": "community-2026"}, sorted(id(b, 1))},
		{map[string]string{"status": "paid", "programme": "community-2026"}, sorted(id(c, 1))},
		{map[string]string{"status": "paid", "programme": "other-2026"}, nil},
		{map[string]string{"status": "scheduled", "programme": "other-2026"}, sorted(id(d, 2), id(d, 3), id(d, 4))},
	} {
		for _, limit := range []string{"", "1", "2"} {
			q := copyQuery(tt.q)
			if limit != "" && q["limit"] == "" {
				q["limit"] = limit
			}
			rows, resp := list(t, RoleViewer, q)
			if resp.StatusCode != 200 {
				t.Fatalf("%v: %d %s", q, resp.StatusCode, resp.Body)
			}
			if got := keys(rows); !slices.Equal(got, tt.want) {
				t.Errorf("%v: %v, want %v", q, got, tt.want)
			}
		}
	}
	held, _ := list(t, RoleFinance, map[string]string{"status": "held", "programme": "community-2026"})
	if len(held) != 1 || held[0].HoldReason != "Verification pending" || held[0].Status != "held" {
		t.Errorf("held rows %+v", held)
	}
	paid, _ := list(t, RoleFinance, map[string]string{"status": "paid", "programme": "community-2026"})
	if len(paid) != 1 || paid[0].PaymentReference != "BACS-2026-0001" || paid[0].Payment == nil {
		t.Errorf("paid rows %+v", paid)
	}

	// A cursor of another programme's list, or of another status's, is not this list's.
	otherProgramme := base64.RawURLEncoding.EncodeToString([]byte(`{"ispk":"INST#other-2026#due","issk":"x"}`))
	otherStatus := base64.RawURLEncoding.EncodeToString([]byte(`{"ispk":"INST#community-2026#due","issk":"x"}`))
	for name, q := range map[string]map[string]string{
		"no programme":    {"status": "due"},
		"bad status":      {"status": "owed", "programme": "community-2026"},
		"bad from":        {"from": "2026-13-01", "programme": "community-2026"},
		"bad to":          {"to": "31/01/2026", "programme": "community-2026"},
		"bad cursor":      {"cursor": "garbage", "programme": "community-2026"},
		"other cursor":    {"status": "held", "programme": "community-2026", "cursor": otherStatus},
		"other programme": {"status": "due", "programme": "community-2026", "cursor": otherProgramme},
		"limit zero":      {"limit": "0", "programme": "community-2026"},
		"limit too big":   {"limit": "1000", "programme": "community-2026"},
	} {
		_, resp := list(t, RoleFinance, q)
		if resp.StatusCode != 422 {
			t.Errorf("%s: %d %s", name, resp.StatusCode, resp.Body)
		} else if p := reason(t, resp); p != "validation" {
			t.Errorf("%s: reason %s", name, p)
		}
	}
	ev := event("GET", "/instalments", nil, "", "")
	if r := e.do(t, ev); r.StatusCode != 401 {
		t.Errorf("no token: %d", r.StatusCode)
	}
}

func copyQuery(m map[string]string) map[string]string {
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}
