package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/app/userpool"
	"github.com/partnership-grants/backend/pkg/dev/idp"
	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/dev/testenv/apigw"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/httpapi"
	"github.com/partnership-grants/backend/pkg/mailer"
	"github.com/partnership-grants/backend/pkg/service"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// syncBuffer collects log output written from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// lastInvocation is the awsCalls of the last "invocation" line logged.
func (s *syncBuffer) lastInvocation(t *testing.T) map[string]int {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var last map[string]int
	for _, line := range strings.Split(s.b.String(), "\n") {
		var l struct {
			Msg      string         `json:"msg"`
			AWSCalls map[string]int `json:"awsCalls"`
		}
		if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "invocation" {
			last = l.AWSCalls
		}
	}
	s.b.Reset()
	if last == nil {
		t.Fatal("no invocation line was logged")
	}
	return last
}

// Every invocation ends with one log line that says which AWS calls it made;
// read from that line, each use case makes the calls listed here (issue 12's
// "one read per operation"), wired as the functions wire them.
func TestEachUseCaseLogsItsCalls(t *testing.T) {
	_, table := testenv.AppTable(t)
	t.Setenv("TABLE_NAME", table)
	var logs syncBuffer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewJSONHandler(&logs, nil)))
	// The user pool is the local stack's stand-in, which has both people
	// in finance, reached through USER_POOL_ID and the SDK's endpoint
	// variable as in AWS.
	users := &idp.Provider{People: []idp.Person{{Username: "sub-finance", Role: "finance"}, {Username: "sub-second", Role: "finance"}}}
	userPool := httptest.NewServer(users)
	defer userPool.Close()
	users.Issuer = userPool.URL + "/eu-west-2_calls"
	t.Setenv("USER_POOL_ID", "eu-west-2_calls")
	t.Setenv("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", userPool.URL)
	// As a function's main loads it: from the environment testenv set up.
	cfg, err := app.Load(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	deps, err := app.NewDeps(cfg, func() time.Time { return time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC) })
	if err != nil {
		t.Fatal(err)
	}
	agreements := deps.AgreementsAPI()
	// Payments as the function wires them, but with the accounting bus
	// standing apart (it is counted by the event it received).
	_, sesEndpoint := testenv.SES(t)
	sender, err := mailer.NewSender(sesv2.NewFromConfig(deps.AWS, func(o *sesv2.Options) { o.BaseEndpoint = &sesEndpoint }), "grants@funder.example", "")
	if err != nil {
		t.Fatal(err)
	}
	pool, err := userpool.Directory(deps)
	if err != nil {
		t.Fatal(err)
	}
	courier := service.NewCourier(deps.Store, mailer.Letters{Sender: sender}, &bus{}, service.NoReplyAddresses, deps.Metrics, deps.Env(),
		service.CourierOptions{AppURL: deps.Config.AppURL, AutoMailCap: deps.Config.AutoMailCap()})
	payments := (&httpapi.Payments{Payments: service.NewPayments(deps.Store, courier, pool, deps.Metrics, deps.Env())}).Routes()

	do := func(api interface {
		Handle(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)
	}, ev events.APIGatewayV2HTTPRequest, want int) events.APIGatewayV2HTTPResponse {
		t.Helper()
		resp, err := api.Handle(context.Background(), ev)
		if err != nil || resp.StatusCode != want {
			t.Fatalf("%s: %d %v %s", ev.RouteKey, resp.StatusCode, err, resp.Body)
		}
		return resp
	}
	body := `{"programme": "calls", "partner": {"name": "Hope House", "registrationNumber": "1180123", "address": "1 Road"},
		"contacts": [{"name": "Sarah", "email": "sarah@hopehouse.example"}], "amount": 1000000, "startDate": "2026-01-31"}`
	created := do(agreements, apigw.Request("POST", "/agreements", nil, body, httpapi.RoleProgramme, "Idempotency-Key", "calls-1"), 201)
	var a grants.Agreement
	if err := json.Unmarshal([]byte(created.Body), &a); err != nil {
		t.Fatal(err)
	}
	createCalls := logs.lastInvocation(t)
	do(agreements, apigw.Request("GET", "/agreements/{id}", map[string]string{"id": a.ID}, "", httpapi.RoleViewer), 200)
	getCalls := logs.lastInvocation(t)

	// Active, instalment 1 due: as activation and its schedule would leave it.
	if _, err := deps.Store.UpdateAgreement(context.Background(), a.ID, 0, grants.AuditOnly(func(a *grants.Agreement) ([]grants.AuditEntry, error) {
		e1, err := a.Activate(deps.Clock(), "p")
		if err != nil {
			return nil, err
		}
		e2, _, err := a.MakeInstalmentDue(1, deps.Clock())
		return []grants.AuditEntry{e1, e2}, err
	})); err != nil {
		t.Fatal(err)
	}
	params := map[string]string{"id": a.ID, "n": "1"}
	requested := do(payments, apigw.Request("POST", "/agreements/{id}/instalments/{n}/payments", params,
		`{"paymentReference": "BACS-1", "paidOn": "2026-02-01"}`, httpapi.RoleFinance, "Idempotency-Key", "pay-1"), 201)
	requestCalls := logs.lastInvocation(t)
	var p struct{ Payment grants.Payment }
	if err := json.Unmarshal([]byte(requested.Body), &p); err != nil {
		t.Fatal(err)
	}
	params["paymentId"] = p.Payment.ID
	approver := apigw.Request("POST", "/agreements/{id}/instalments/{n}/payments/{paymentId}/approve", params, "", httpapi.RoleFinance)
	approver.RequestContext.Authorizer.JWT.Claims["email"] = "second@funder.example"
	approver.RequestContext.Authorizer.JWT.Claims["sub"] = "sub-second"
	do(payments, approver, 200)
	approveCalls := logs.lastInvocation(t)

	for _, c := range []struct {
		useCase   string
		got, want map[string]int
	}{
		// The programme's settings (its check-in and final report windows,
		// issue 14), the reference counter and any stored answer in one read,
		// then the write. A registered partner's record is read first
		// (GetItem: linked to it if there, made with the agreement if not;
		// issue 23).
		{"create (with an Idempotency-Key)", createCalls, map[string]int{"DynamoDB.GetItem": 1, "DynamoDB.BatchGetItem": 1, "DynamoDB.TransactWriteItems": 1}},
		{"get", getCalls, map[string]int{"DynamoDB.Query": 1}},
		// Whether the person is still in finance (the user pool); the
		// agreement; the settings and any stored answer in one read; the write.
		{"request a payment", requestCalls, map[string]int{cognitoGroups: 1, "DynamoDB.Query": 1, "DynamoDB.BatchGetItem": 1, "DynamoDB.TransactWriteItems": 1}},
		// Whether the person is still in finance; the agreement, the
		// settings, the approval written with its remittance and event
		// enqueued already claimed; then both sent and recorded in one write.
		{"approve a payment, send its remittance and event", approveCalls, map[string]int{cognitoGroups: 1, "DynamoDB.Query": 1, "DynamoDB.GetItem": 1,
			"DynamoDB.TransactWriteItems": 2, "SESv2.SendEmail": 1}},
	} {
		if !maps.Equal(c.got, c.want) {
			t.Errorf("%s made %v, want %v", c.useCase, c.got, c.want)
		}
		t.Logf("%-48s %d calls %s", c.useCase, total(c.got), fmt.Sprint(c.got))
	}
}

// cognitoGroups is the user pool's call, as the invocation's line names it.
const cognitoGroups = "Cognito Identity Provider.AdminListGroupsForUser"

// bus stands in for the accounting bus.
type bus struct{ published int }

func (b *bus) InstalmentPaid(context.Context, service.InstalmentPaidEvent) (string, error) {
	b.published++
	return fmt.Sprint("event-", b.published), nil
}

func total(calls map[string]int) int {
	n := 0
	for _, v := range calls {
		n += v
	}
	return n
}
