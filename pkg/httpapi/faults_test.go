package httpapi

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/partnership-grants/backend/pkg/dev/testenv/apigw"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/outbox"
	"github.com/partnership-grants/backend/pkg/service"
)

// faultKind is what goes wrong with one call.
type faultKind string

const (
	faultNone faultKind = ""
	// faultThroughput is DynamoDB's ProvisionedThroughputExceededException.
	faultThroughput faultKind = "throughput-exceeded"
	// faultThrottling is ThrottlingException (DynamoDB), Throttling (SES).
	faultThrottling faultKind = "throttling"
	// faultServer is a 500: InternalServerError (DynamoDB), InternalFailure.
	faultServer faultKind = "500"
	// faultTimeoutAfter lets the call reach the service (a write commits, an
	// email is accepted) and then reports a timeout to the caller, as a
	// response lost on the network or a Lambda that ran out of time would.
	faultTimeoutAfter faultKind = "timeout-after-commit"
)

// The errors are the ones the SDK returns after its own retries gave up: the
// fault sits in the Initialize step, above the retry middleware.
func (k faultKind) apiError(service string) error {
	switch {
	case k == faultThroughput:
		return &types.ProvisionedThroughputExceededException{Message: aws.String("The level of configured provisioned throughput for the table was exceeded.")}
	case k == faultThrottling && service == "ses":
		return &smithy.GenericAPIError{Code: "Throttling", Message: "Maximum sending rate exceeded.", Fault: smithy.FaultClient}
	case k == faultThrottling:
		return &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate of requests exceeds the allowed throughput.", Fault: smithy.FaultClient}
	case k == faultServer && service == "dynamodb":
		return &types.InternalServerError{Message: aws.String("Internal server error")}
	case k == faultServer:
		return &smithy.GenericAPIError{Code: "InternalFailure", Message: "The request processing has failed because of an unknown error.", Fault: smithy.FaultServer}
	}
	return fmt.Errorf("no fault %q", k)
}

func (k faultKind) eventsError() error {
	if k == faultServer {
		return fmt.Errorf("put InstalmentPaid: %w", &smithy.GenericAPIError{Code: "InternalException", Message: "internal error", Fault: smithy.FaultServer})
	}
	return fmt.Errorf("put InstalmentPaid: %w", &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded", Fault: smithy.FaultClient})
}

// timeoutError is what a caller sees when the response never came back.
func timeoutError() error {
	return &smithyhttp.RequestSendError{Err: fmt.Errorf("read response: %w: %w",
		&net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}, context.DeadlineExceeded)}
}

// callLog is the order of calls across DynamoDB, SES and the bus while armed.
type callLog struct {
	mu    sync.Mutex
	calls []string
}

// faultPlan counts one service's calls while armed and fails the at-th.
type faultPlan struct {
	service string
	log     *callLog

	mu    sync.Mutex
	armed bool
	n     int
	at    int
	kind  faultKind
	fired string
}

func (f *faultPlan) arm(at int, kind faultKind) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.armed, f.n, f.at, f.kind, f.fired = true, 0, at, kind, ""
}

func (f *faultPlan) disarm() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.armed = false
	return f.fired
}

// take records a call and says whether it is the one to fail.
func (f *faultPlan) take(op string) faultKind {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.armed {
		return faultNone
	}
	f.n++
	if f.log != nil {
		f.log.mu.Lock()
		f.log.calls = append(f.log.calls, f.service+":"+op)
		f.log.mu.Unlock()
	}
	if f.n == f.at {
		f.fired = op
		return f.kind
	}
	return faultNone
}

// middleware injects the planned fault into an SDK client's stack.
func (f *faultPlan) middleware(st *middleware.Stack) error {
	return st.Initialize.Add(middleware.InitializeMiddlewareFunc("inject-fault",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			switch kind := f.take(middleware.GetOperationName(ctx)); kind {
			case faultNone:
				return next.HandleInitialize(ctx, in)
			case faultTimeoutAfter:
				_, md, _ := next.HandleInitialize(ctx, in)
				return middleware.InitializeOutput{}, md, timeoutError()
			default:
				return middleware.InitializeOutput{}, middleware.Metadata{}, kind.apiError(f.service)
			}
		}), middleware.Before)
}

// arm starts counting calls on every client, failing the at-th call of one.
func (e *payEnv) arm(service string, at int, kind faultKind) {
	log := &callLog{}
	for _, f := range []*faultPlan{e.dbFaults, e.sesFaults, e.events.fault} {
		f.log = log
		if f.service == service {
			f.arm(at, kind)
		} else {
			f.arm(0, faultNone)
		}
	}
}

// disarm stops counting and returns the calls made and the fault that fired.
func (e *payEnv) disarm() (calls []string, fired string) {
	for _, f := range []*faultPlan{e.dbFaults, e.sesFaults, e.events.fault} {
		if op := f.disarm(); op != "" {
			fired = f.service + ":" + op
		}
	}
	log := e.dbFaults.log
	log.mu.Lock()
	defer log.mu.Unlock()
	return slices.Clone(log.calls), fired
}

// pathStep names one call of the payment path.
type pathStep struct{ call, what string }

// The payment path as a clean run makes it. With the two-person rule a
// request and an approval; without it the request pays. Either way the
// handler then delivers the remittance and the accounting event through the
// outbox.
var (
	requestSteps = []pathStep{
		{"dynamodb:Query", "request: read agreement"},
		{"dynamodb:BatchGetItem", "request: read programme settings and any stored answer"},
		{"dynamodb:TransactWriteItems", "request: commit payment + audit + answer"},
	}
	approveSteps = []pathStep{
		{"dynamodb:Query", "approve: read agreement"},
		{"dynamodb:GetItem", "approve: read programme settings"},
		{"dynamodb:TransactWriteItems", "approve: commit paid + audit + outbox"},
	}
	// The deliveries were enqueued with the payment already claimed by its
	// invocation, and use the agreement as the payment wrote it and the
	// settings it read: they read and claim nothing, and one write records
	// both.
	deliverySteps = []pathStep{
		{"ses:SendEmail", "remittance: send"},
		{"events:PutEvents", "event: publish"},
		{"dynamodb:TransactWriteItems", "record sent and published"},
	}
)

func paymentPath(twoPerson bool) []pathStep {
	path := slices.Clone(requestSteps)
	if twoPerson {
		path = append(path, approveSteps...)
	} else {
		path[len(path)-1].what = "request: commit paid + audit + key + outbox"
	}
	return append(path, deliverySteps...)
}

// flowResult is what one run of the payment path came to.
type flowResult struct {
	requests, approvals []int // statuses, in order
	replayed            bool  // the 201 the client kept was a replay of the stored one
	requested, approved int   // audit entries
	emails, publishes   int
	eventIDs            int
	sweeps              []service.SweepReport
	calls               []string
	fired               string
}

func (r flowResult) String() string {
	return fmt.Sprintf("request %v approve %v replayed=%v | requested=%d approved=%d emails=%d publishes=%d (distinct %d) swept=%d",
		r.requests, r.approvals, r.replayed, r.requested, r.approved, r.emails, r.publishes, r.eventIDs, r.sweeps[0].OutboxDelivered)
}

// checkAudited asserts the invariants that must hold after every response:
// at most one payment, and none without its audit entry.
func (e *payEnv) checkAudited(t testing.TB, id string, when string) {
	t.Helper()
	a := e.agreement(t, id)
	in := a.Instalment(1)
	h := e.history(t, id)
	req, appr := countActions(h, "payment.requested"), countActions(h, "payment.approved")
	if req > 1 || appr > 1 {
		t.Fatalf("%s: %d payment.requested, %d payment.approved entries", when, req, appr)
	}
	if in.Payment != nil {
		found := false
		for _, en := range h {
			if en.Action == "payment.requested" && strings.Contains(en.Detail, "(payment "+in.Payment.ID+")") {
				found = true
			}
		}
		if !found {
			t.Fatalf("%s: payment %s stored without its payment.requested entry", when, in.Payment.ID)
		}
	} else if req != 0 {
		t.Fatalf("%s: payment.requested recorded, no payment stored", when)
	}
	if (in.Status == grants.InstalmentPaid) != (appr == 1) {
		t.Fatalf("%s: instalment %s with %d payment.approved entries", when, in.Status, appr)
	}
	if in.Status == grants.InstalmentPaid && (in.Payment == nil || in.Payment.Status != grants.PaymentApproved) {
		t.Fatalf("%s: paid without an approved payment: %+v", when, in.Payment)
	}
}

// runPaymentFlow pays instalment 1 of a new agreement with arm's fault
// planted, retrying as a client would (same key), then lets the daily sweep
// run, and returns what happened.
func runPaymentFlow(t *testing.T, e *payEnv, twoPerson bool, arm func()) flowResult {
	t.Helper()
	ctx := context.Background()
	prog := "fault-pair"
	if !twoPerson {
		prog = "fault-solo"
		e.setTwoPersonRule(t, prog, false)
	}
	a := e.newAgreement(t, prog, 1)
	key := "pay-" + a.ID
	var res flowResult
	arm()

	var created events.APIGatewayV2HTTPResponse
	for attempt := 1; created.StatusCode == 0; attempt++ {
		if attempt > 5 {
			t.Fatalf("request did not succeed in 5 attempts: %v", res.requests)
		}
		r := e.do(t, payEvent(a.ID, 1, payBody, alice, key))
		res.requests = append(res.requests, r.StatusCode)
		e.checkAudited(t, a.ID, fmt.Sprintf("after request attempt %d", attempt))
		switch {
		case r.StatusCode == http.StatusCreated:
			created = r
			res.replayed = r.Headers["Idempotent-Replayed"] == "true"
		case r.StatusCode == http.StatusInternalServerError:
			if !strings.Contains(r.Body, `"title":"Internal error"`) || strings.Contains(r.Body, "Exception") || strings.Contains(r.Body, "deadline") {
				t.Fatalf("500 leaks or lacks detail: %s", r.Body)
			}
			// The client backs off; a claim left by a request whose answer was
			// lost expires with its invocation's time.
			e.clock.Advance(31 * time.Second)
		default:
			t.Fatalf("request attempt %d: %d %s", attempt, r.StatusCode, r.Body)
		}
	}
	p := decodePay(t, created)
	if twoPerson {
		for attempt := 1; ; attempt++ {
			if attempt > 5 {
				t.Fatalf("approval did not succeed in 5 attempts: %v", res.approvals)
			}
			r := e.do(t, approveEvent(a.ID, 1, p.Payment.ID, bob))
			res.approvals = append(res.approvals, r.StatusCode)
			e.checkAudited(t, a.ID, fmt.Sprintf("after approval attempt %d", attempt))
			if r.StatusCode == http.StatusOK {
				break
			}
			if r.StatusCode == http.StatusConflict && attempt > 1 && reason(t, r) == "payment_already_approved" {
				break // the first approval committed; its answer was lost
			}
			if r.StatusCode != http.StatusInternalServerError {
				t.Fatalf("approval attempt %d: %d %s", attempt, r.StatusCode, r.Body)
			}
		}
	}
	res.calls, res.fired = e.disarm()

	// Whatever the client got, the key now answers with the stored first
	// response, byte for byte.
	replay := e.do(t, payEvent(a.ID, 1, payBody, alice, key))
	if replay.StatusCode != http.StatusCreated || replay.Body != created.Body || replay.Headers["Idempotent-Replayed"] != "true" {
		t.Fatalf("replay after the flow: %d %s\nthe client holds %s", replay.StatusCode, replay.Body, created.Body)
	}
	if stored := e.storedResponse(t, alice, key); stored != created.Body {
		t.Fatalf("stored response %s\nthe client holds %s", stored, created.Body)
	}

	// The daily sweep comes round (after any outbox lease ran out) and drains
	// the outbox; a second run finds nothing left.
	for range 2 {
		e.clock.Advance(2 * time.Minute)
		rep, err := e.x.Sweep(ctx)
		if err != nil {
			t.Fatalf("sweep: %v", err)
		}
		res.sweeps = append(res.sweeps, rep)
	}
	if res.sweeps[1].OutboxDelivered != 0 {
		t.Errorf("second sweep still delivered %d outbox entries", res.sweeps[1].OutboxDelivered)
	}

	e.checkAudited(t, a.ID, "after the sweep")
	got := e.agreement(t, a.ID)
	in := got.Instalment(1)
	if in.Status != grants.InstalmentPaid || in.Payment.ID != p.Payment.ID {
		t.Fatalf("instalment %s, payment %+v; the client was told payment %s", in.Status, in.Payment, p.Payment.ID)
	}
	for _, k := range []string{outbox.RemittanceKey(1).String(), outbox.PaidEventKey(1).String()} {
		if o := e.outbox(t, a.ID, k); o == nil || o.Status != outbox.StatusDone {
			t.Errorf("outbox %s not done: %+v", k, o)
		}
	}
	h := e.history(t, a.ID)
	res.requested, res.approved = countActions(h, "payment.requested"), countActions(h, "payment.approved")
	res.emails = e.remittances(t, 1)
	evs := e.events.forAgreement(a.ID)
	res.publishes = len(evs)
	ids := map[string]bool{}
	for _, ev := range evs {
		ids[ev.ID] = true
		if ev.Amount != 250000 || ev.PaymentReference != "BACS-2026-0001" || ev.Instalment != 1 {
			t.Errorf("event %+v", ev)
		}
	}
	res.eventIDs = len(ids)
	return res
}

// storedResponse reads the response body kept under user's Idempotency-Key
// (scoped to the person: their token's issuer and subject).
func (e *payEnv) storedResponse(t testing.TB, user, key string) string {
	t.Helper()
	out, err := e.checkDB.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: &e.table, ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "IDEM#payments.request#" + key}, "SK": &types.AttributeValueMemberS{Value: "IDEM#" + apigw.Issuer + "#sub-" + user}}})
	if err != nil {
		t.Fatal(err)
	}
	if out.Item == nil || out.Item["status"].(*types.AttributeValueMemberS).Value != "COMPLETED" {
		t.Fatalf("key %s: %v", key, out.Item)
	}
	return string(out.Item["response"].(*types.AttributeValueMemberB).Value)
}

// A clean run of the payment path makes exactly the calls the fault matrix
// walks through.
func TestPaymentPathCalls(t *testing.T) {
	for _, twoPerson := range []bool{true, false} {
		t.Run(fmt.Sprintf("twoPerson=%v", twoPerson), func(t *testing.T) {
			t.Parallel()
			e := newDynamoPayEnv(t)
			res := runPaymentFlow(t, e, twoPerson, func() { e.arm("", 0, faultNone) })
			want := paymentPath(twoPerson)
			var wantCalls []string
			for _, s := range want {
				wantCalls = append(wantCalls, s.call)
			}
			if !slices.Equal(res.calls, wantCalls) {
				t.Fatalf("clean run made\n%v\nwant\n%v", res.calls, wantCalls)
			}
			if res.requested != 1 || res.approved != 1 || res.emails != 1 || res.publishes != 1 || res.sweeps[0].OutboxDelivered != 0 {
				t.Fatalf("clean run: %v", res)
			}
		})
	}
}

// knownDuplicate says why a fault is expected to duplicate a side effect, if it is.
// Only a lost answer from SES or the bus can: the send happened but the
// caller cannot know it, and neither service takes an idempotency key.
func knownDuplicate(step pathStep, kind faultKind) (limitation string) {
	switch {
	case step.what == "remittance: send" && kind == faultTimeoutAfter:
		return "SES accepted the email but the answer was lost: SES has no idempotency key, the claim is released and the sweep sends again (documented in dynamo/outbox.go)"
	case step.what == "event: publish" && kind == faultTimeoutAfter:
		return "the bus accepted the event but the answer was lost: published again with the same ID, which accounting drops"
	}
	return ""
}

// The fault matrix: every call of the payment path fails once in each way,
// the client retries with the same key, the sweep runs, and the payment
// converges to one payment with its audit entries, one InstalmentPaid event
// and one remittance email.
func TestPaymentFaultMatrix(t *testing.T) {
	kinds := map[string][]faultKind{
		"dynamodb": {faultThroughput, faultThrottling, faultServer, faultTimeoutAfter},
		"ses":      {faultThrottling, faultServer, faultTimeoutAfter},
		"events":   {faultThrottling, faultServer, faultTimeoutAfter},
	}
	var mu sync.Mutex
	var lines []string
	t.Cleanup(func() {
		sort.Strings(lines)
		t.Logf("fault matrix (%d runs):\n%s", len(lines), strings.Join(lines, "\n"))
	})
	for _, twoPerson := range []bool{true, false} {
		flow := "pair"
		if !twoPerson {
			flow = "solo"
		}
		path := paymentPath(twoPerson)
		nth := map[string]int{}
		for i, step := range path {
			service, op, _ := strings.Cut(step.call, ":")
			nth[service]++
			at := nth[service]
			for _, kind := range kinds[service] {
				name := fmt.Sprintf("%s/%02d-%s-%s/%s", flow, i+1, op, strings.ReplaceAll(step.what, " ", "_"), kind)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					e := newDynamoPayEnv(t)
					res := runPaymentFlow(t, e, twoPerson, func() { e.arm(service, at, kind) })
					if res.fired != step.call {
						t.Fatalf("the fault fired at %q, want %q (%s call %d)", res.fired, step.call, service, at)
					}
					limitation := knownDuplicate(step, kind)
					note := ""
					if limitation != "" {
						note = " [known window]"
					}
					mu.Lock()
					lines = append(lines, fmt.Sprintf("%-62s %s%s", name, res, note))
					mu.Unlock()

					// Never two payments, never one without its audit entry
					// (checked after every response too), and convergence.
					if res.requested != 1 || res.approved != 1 {
						t.Fatalf("%d payment requests, %d approvals", res.requested, res.approved)
					}
					if res.eventIDs != 1 {
						t.Fatalf("%d distinct InstalmentPaid events", res.eventIDs)
					}
					if res.replayed && step.call == "dynamodb:TransactWriteItems" && kind == faultTimeoutAfter && strings.HasPrefix(step.what, "request") {
						t.Logf("the retry got the stored first response (checked byte for byte)")
					}
					if kind == faultTimeoutAfter && strings.HasPrefix(step.what, "request: commit") && !res.replayed {
						t.Errorf("after a timeout past the commit the retry made a new response instead of replaying the stored one")
					}
					if res.publishes != 1 && (limitation == "" || res.publishes > 2) {
						t.Errorf("%d publishes of InstalmentPaid", res.publishes)
					}
					switch {
					case res.emails == 1:
					case limitation != "" && res.emails == 2:
						t.Logf("known window: %s (%d remittance emails)", limitation, res.emails)
					default:
						t.Errorf("%d remittance emails, want 1", res.emails)
					}
				})
			}
		}
	}
}
