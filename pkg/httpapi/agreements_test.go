package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/dev/testenv/apigw"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/httpapi/openapi/openapitest"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/outbox"
	"github.com/partnership-grants/backend/pkg/service"
)

func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	testenv.Main(m)
}

// tick is a clock that moves on a millisecond per reading, so history order
// is well defined.
func tick() func() time.Time {
	return testenv.NewClock(time.Date(2026, 1, 10, 9, 30, 0, 0, time.UTC), time.Millisecond).Now
}

// fixtureStore is what the agreement routes' use cases and the tests
// read and write: pkg/memstore's store (newFixture) or pkg/dynamo's
// (newDynamoFixture).
type fixtureStore interface {
	service.AgreementStore
	Outbox(ctx context.Context, agreementID, key string) (*outbox.Entry, error)
}

var _ fixtureStore = (*memstore.Store)(nil)

type fixture struct {
	api   Router
	store fixtureStore
	// writes returns what the routes wrote since it was last called, by
	// name: memstore's write methods that succeeded, or DynamoDB's write
	// operations.
	writes func() map[string]int
}

// newFixture serves the agreement routes over use cases on the in-memory
// store (pkg/memstore, held to pkg/dynamo's contract by
// pkg/dynamo/storetest). Tests of what the routes ask of DynamoDB itself
// use newDynamoFixture (dynamodb_test.go).
func newFixture(t testing.TB) *fixture {
	t.Helper()
	store := memstore.New()
	counted := &countedWrites{AgreementStore: store}
	h := &Agreements{Agreements: service.NewAgreements(counted, service.LeaveQueued, service.NoSchedules,
		service.Env{Now: tick(), NewID: memstore.NewID}, service.AgreementOptions{})}
	h.Drafts = service.NewDrafts(h.Agreements, store, removedFiles{})
	return &fixture{api: h.Routes(), store: store, writes: counted.take}
}

// countedWrites is the agreements' store with the writes that succeed
// counted by method.
type countedWrites struct {
	service.AgreementStore
	mu sync.Mutex
	n  map[string]int
}

func (c *countedWrites) count(method string, err error) {
	if err != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[method]++
}

func (c *countedWrites) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.n
	c.n = nil
	return old
}

func (c *countedWrites) CreatePlanned(ctx context.Context, programme string, year int, now time.Time, once *idempotency.Once[*grants.Agreement],
	plan func(grants.ProgrammeSettings) (*grants.Agreement, grants.Effects, error)) (*grants.Agreement, *idempotency.Response, error) {
	a, answer, err := c.AgreementStore.CreatePlanned(ctx, programme, year, now, once, plan)
	if answer == nil {
		c.count("CreatePlanned", err)
	}
	return a, answer, err
}

func (c *countedWrites) UpdateAgreement(ctx context.Context, id string, expectVersion int, change func(*grants.Agreement) (grants.Effects, error)) (*grants.Agreement, error) {
	a, err := c.AgreementStore.UpdateAgreement(ctx, id, expectVersion, change)
	c.count("UpdateAgreement", err)
	return a, err
}

func (c *countedWrites) UpdateRead(ctx context.Context, a *grants.Agreement, change func(*grants.Agreement) (grants.Effects, error)) (*grants.Agreement, error) {
	a, err := c.AgreementStore.UpdateRead(ctx, a, change)
	c.count("UpdateRead", err)
	return a, err
}

// event builds an API Gateway payload 2.0 event as the JWT authorizer passes it on.
// event is the request API Gateway would hand the route's function.
var event = apigw.Request[Role]

func (f *fixture) do(t *testing.T, ev events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	t.Helper()
	resp, err := f.api.Handle(context.Background(), ev)
	if err != nil {
		t.Fatalf("handler error: %v", err)
	}
	openapitest.Check(t, ev, resp)
	return resp
}

const issueBody = `{
  "programme": "community-2026",
  "partner": {"name": "Levenshulme Community Kitchen", "registrationNumber": "1180123", "address": "1 Stockport Road, Manchester M19 3AB"},
  "contacts": [{"name": "Amina Khan", "email": "amina@levykitchen.org.uk", "role": "lead"}],
  "amount": 1000000,
  "currency": "GBP",
  "startDate": "2026-01-31",
  "durationMonths": 12,
  "instalmentCount": 4,
  "terms": ["Co-host four community meals at the venue"],
  "support": ["Evaluation mentoring"]
}`

func decodeAgreement(t testing.TB, resp events.APIGatewayV2HTTPResponse) grants.Agreement {
	t.Helper()
	var a grants.Agreement
	if err := json.Unmarshal([]byte(resp.Body), &a); err != nil {
		t.Fatalf("decode %q: %v", resp.Body, err)
	}
	return a
}

// referencePattern is a new agreement's reference: its start year and five
// Crockford base32 characters, the first a letter (grants.NewReference).
var referencePattern = regexp.MustCompile(`^CP-2026-[A-HJKMNP-TV-Z][0-9A-HJKMNP-TV-Z]{4}$`)

// Sixteen officers creating 500 agreements in one programme at once all
// succeed, with references all different: no counter to fight over.
func TestConcurrentCreatorsAllSucceedWithUniqueReferences(t *testing.T) {
	f := newFixture(t)
	const creators, creates = 16, 500
	var (
		mu     sync.Mutex
		refs   = map[string]string{} // reference → agreement ID
		status = map[int]int{}
		next   atomic.Int64
		wg     sync.WaitGroup
		// Checked against the OpenAPI document after the rush, so the
		// checks do not slow the requests they race.
		evs   = make([]events.APIGatewayV2HTTPRequest, creates+1)
		resps = make([]events.APIGatewayV2HTTPResponse, creates+1)
	)
	for range creators {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > creates {
					return
				}
				body := strings.Replace(issueBody, "Levenshulme Community Kitchen", fmt.Sprintf("Partner %d", i), 1)
				ev := event("POST", "/agreements", nil, body, RoleProgramme)
				resp, err := f.api.Handle(context.Background(), ev)
				evs[i], resps[i] = ev, resp
				mu.Lock()
				if err != nil {
					status[0]++
				} else {
					status[resp.StatusCode]++
					if resp.StatusCode == http.StatusCreated {
						var a grants.Agreement
						if json.Unmarshal([]byte(resp.Body), &a) == nil {
							if other, dup := refs[a.Reference]; dup {
								t.Errorf("reference %s given to %s and %s", a.Reference, other, a.ID)
							}
							refs[a.Reference] = a.ID
						}
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for i := 1; i <= creates; i++ {
		openapitest.Check(t, evs[i], resps[i])
	}
	if status[http.StatusCreated] != creates || len(refs) != creates {
		t.Fatalf("statuses %v, %d references; want %d created, all different", status, len(refs), creates)
	}
	for ref := range refs {
		if !referencePattern.MatchString(ref) {
			t.Errorf("reference %q is not CP-<year>-<5 Crockford characters>", ref)
		}
	}
}

func TestCreateRejectsClientMistakes(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name   string
		body   string
		status int
		field  string
	}{
		{"float amount", strings.Replace(issueBody, "1000000", "1000000.50", 1), 422, "amount"},
		{"exponent amount", strings.Replace(issueBody, "1000000", "1e6", 1), 422, "amount"},
		{"string amount", strings.Replace(issueBody, "1000000", `"lots"`, 1), 422, "amount"},
		{"negative amount", strings.Replace(issueBody, "1000000", "-5", 1), 422, "amount"},
		{"unknown currency", strings.Replace(issueBody, `"GBP"`, `"ABC"`, 1), 422, "currency"},
		{"unknown field", strings.Replace(issueBody, `"programme"`, `"colour": "red", "programme"`, 1), 400, "colour"},
		{"wrong type", strings.Replace(issueBody, `"durationMonths": 12`, `"durationMonths": "12"`, 1), 422, "durationMonths"},
		{"bad date", strings.Replace(issueBody, "2026-01-31", "2026-13-01", 1), 422, "startDate"},
		{"not json", `{"programme": `, 400, ""},
		{"two objects", issueBody + issueBody, 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := f.do(t, event("POST", "/agreements", nil, tt.body, RoleProgramme))
			if resp.StatusCode != tt.status || resp.Headers["Content-Type"] != "application/problem+json" {
				t.Fatalf("got %d %s %s", resp.StatusCode, resp.Headers["Content-Type"], resp.Body)
			}
			var p Problem
			if err := json.Unmarshal([]byte(resp.Body), &p); err != nil {
				t.Fatal(err)
			}
			if tt.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != tt.field) {
				t.Fatalf("problem %+v does not name %s", p, tt.field)
			}
		})
	}
}

func TestAccessByRole(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct {
		role   Role
		status int
	}{{"", 401}, {RoleViewer, 403}, {RoleFinance, 403}, {"stranger", 403}, {RoleProgramme, 201}} {
		resp := f.do(t, event("POST", "/agreements", nil, issueBody, tt.role))
		if resp.StatusCode != tt.status {
			t.Errorf("role %q: %d %s", tt.role, resp.StatusCode, resp.Body)
		}
	}
	resp := f.do(t, event("GET", "/agreements", nil, "", RoleFinance))
	if resp.StatusCode != 422 {
		t.Errorf("list without programme: %d", resp.StatusCode)
	}
	for _, role := range Readers {
		resp := f.do(t, event("GET", "/agreements", nil, "", role))
		resp2 := f.do(t, events.APIGatewayV2HTTPRequest{RouteKey: "GET /agreements", QueryStringParameters: map[string]string{"programme": "community-2026"},
			RequestContext: event("GET", "/agreements", nil, "", role).RequestContext})
		if resp.StatusCode == 403 || resp2.StatusCode != 200 {
			t.Errorf("%s cannot list: %d %d", role, resp.StatusCode, resp2.StatusCode)
		}
	}
}

// The same create replayed 20 times in parallel with one key makes one agreement.
func TestCreateIsIdempotentUnderConcurrency(t *testing.T) {
	f := newFixture(t)
	var wg sync.WaitGroup
	results := make([]events.APIGatewayV2HTTPResponse, 20)
	for i := range results {
		wg.Go(func() {
			results[i] = f.do(t, event("POST", "/agreements", nil, issueBody, RoleProgramme, "Idempotency-Key", "create-levy-1"))
		})
	}
	wg.Wait()
	var first string
	for _, r := range results {
		switch r.StatusCode {
		case 201:
			if first == "" {
				first = r.Body
			} else if r.Body != first {
				t.Errorf("replay differs:\n%s\n%s", r.Body, first)
			}
		case 409: // still in progress: the client retries when told
			if r.Headers["Retry-After"] != "1" {
				t.Errorf("409 without Retry-After: %v %s", r.Headers, r.Body)
			}
		default:
			t.Fatalf("unexpected %d %s", r.StatusCode, r.Body)
		}
	}
	// After the dust settles a retry returns the stored response.
	again := f.do(t, event("POST", "/agreements", nil, issueBody, RoleProgramme, "Idempotency-Key", "create-levy-1"))
	if again.StatusCode != 201 || (first != "" && again.Body != first) {
		t.Fatalf("replay after completion: %d %s", again.StatusCode, again.Body)
	}
	page, err := f.store.ListAgreements(context.Background(), "community-2026", "", "", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 {
		t.Fatalf("%d agreements created, want 1", len(page.Items))
	}
	other := strings.Replace(issueBody, "1000000", "900000", 1)
	resp := f.do(t, event("POST", "/agreements", nil, other, RoleProgramme, "Idempotency-Key", "create-levy-1"))
	if resp.StatusCode != 422 {
		t.Fatalf("same key, different body: %d %s", resp.StatusCode, resp.Body)
	}
}

// 100 concurrent PATCHes with the same version: exactly one wins, the rest get 412.
func TestConcurrentAmendsOneWins(t *testing.T) {
	f := newFixture(t)
	a := decodeAgreement(t, f.do(t, event("POST", "/agreements", nil, issueBody, RoleProgramme)))
	var ok, pre atomic.Int32
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Go(func() {
			body := fmt.Sprintf(`{"terms": ["term from writer %d"]}`, i)
			resp := f.do(t, event("PATCH", "/agreements/{id}", map[string]string{"id": a.ID}, body, RoleProgramme, "If-Match", `"1"`))
			switch resp.StatusCode {
			case 200:
				ok.Add(1)
			case 412:
				pre.Add(1)
			default:
				t.Errorf("unexpected %d %s", resp.StatusCode, resp.Body)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 1 || pre.Load() != 99 {
		t.Fatalf("%d succeeded, %d got 412; want 1 and 99", ok.Load(), pre.Load())
	}
	got, _ := f.store.GetAgreement(context.Background(), a.ID)
	if got.Version != 2 {
		t.Fatalf("version %d, want 2", got.Version)
	}
	resp := f.do(t, event("PATCH", "/agreements/{id}", map[string]string{"id": a.ID}, `{"terms": []}`, RoleProgramme))
	if resp.StatusCode != 428 {
		t.Errorf("PATCH without If-Match: %d", resp.StatusCode)
	}
}

func TestLifecycleAndHistory(t *testing.T) {
	f := newFixture(t)
	a := decodeAgreement(t, f.do(t, event("POST", "/agreements", nil, issueBody, RoleProgramme)))
	id := map[string]string{"id": a.ID}
	if r := f.do(t, event("POST", "/agreements/{id}/activate", id, "", RoleProgramme)); r.StatusCode != 200 {
		t.Fatalf("activate: %d %s", r.StatusCode, r.Body)
	}
	if r := f.do(t, event("POST", "/agreements/{id}/activate", id, "", RoleProgramme)); r.StatusCode != 409 {
		t.Fatalf("second activate: %d %s", r.StatusCode, r.Body)
	}
	if r := f.do(t, event("POST", "/agreements/{id}/terminate", id, `{}`, RoleProgramme)); r.StatusCode != 422 {
		t.Fatalf("terminate without reason: %d %s", r.StatusCode, r.Body)
	}
	r := f.do(t, event("POST", "/agreements/{id}/terminate", id, `{"reason": "Partner has closed"}`, RoleProgramme))
	if r.StatusCode != 200 {
		t.Fatalf("terminate: %d %s", r.StatusCode, r.Body)
	}
	got := decodeAgreement(t, r)
	for _, in := range got.Instalments {
		if in.Status != grants.InstalmentCancelled {
			t.Errorf("instalment %d is %s after termination", in.Number, in.Status)
		}
	}
	h := f.do(t, event("GET", "/agreements/{id}/history", id, "", RoleViewer))
	var page struct{ Items []grants.AuditEntry }
	if err := json.Unmarshal([]byte(h.Body), &page); err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range page.Items {
		actions = append(actions, e.Action+" by "+e.Actor)
	}
	want := "agreement.created by programme@funder.example,agreement.activated by programme@funder.example,agreement.terminated by programme@funder.example"
	if strings.Join(actions, ",") != want {
		t.Fatalf("history %v", actions)
	}
	if r := f.do(t, event("GET", "/agreements/{id}", map[string]string{"id": "nosuchagreement1"}, "", RoleViewer)); r.StatusCode != 404 {
		t.Errorf("missing agreement: %d", r.StatusCode)
	}
}

func TestListPaginatesWithCursor(t *testing.T) {
	f := newFixture(t)
	for range 5 {
		f.do(t, event("POST", "/agreements", nil, issueBody, RoleProgramme))
	}
	seen := map[string]bool{}
	cursor := ""
	for pages := 0; ; pages++ {
		ev := event("GET", "/agreements", nil, "", RoleViewer)
		ev.QueryStringParameters = map[string]string{"programme": "community-2026", "status": "draft", "limit": "2", "cursor": cursor}
		resp := f.do(t, ev)
		var page struct {
			Items      []grants.Agreement
			NextCursor string
		}
		if err := json.Unmarshal([]byte(resp.Body), &page); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, resp.Body)
		}
		for _, a := range page.Items {
			seen[a.ID] = true
		}
		if cursor = page.NextCursor; cursor == "" || pages > 5 {
			break
		}
	}
	if len(seen) != 5 {
		t.Fatalf("listed %d agreements, want 5", len(seen))
	}
	ev := event("GET", "/agreements", nil, "", RoleViewer)
	ev.QueryStringParameters = map[string]string{"programme": "community-2026", "cursor": "garbage"}
	if resp := f.do(t, ev); resp.StatusCode != 422 {
		t.Fatalf("bad cursor: %d %s", resp.StatusCode, resp.Body)
	}
}

func TestAmendDueDates(t *testing.T) {
	f := newFixture(t)
	a := decodeAgreement(t, f.do(t, event("POST", "/agreements", nil, issueBody, RoleProgramme)))
	id := map[string]string{"id": a.ID}
	resp := f.do(t, event("PATCH", "/agreements/{id}", id, `{"instalments": [{"number": 3, "dueDate": "2026-08-14"}], "checkIns": [{"number": 2, "dueDate": "2026-07-31"}]}`,
		RoleProgramme, "If-Match", `"1"`))
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, resp.Body)
	}
	got := decodeAgreement(t, resp)
	if got.Instalments[2].DueDate.String() != "2026-08-14" || got.CheckIns[1].DueDate.String() != "2026-07-31" || got.Instalments[1].DueDate.String() != "2026-04-30" {
		t.Errorf("dates after the amendment: %+v %+v", got.Instalments, got.CheckIns)
	}

	bad := f.do(t, event("PATCH", "/agreements/{id}", id, `{"instalments": [{"number": 2, "dueDate": "2026-09-01"}]}`, RoleProgramme, "If-Match", `"2"`))
	if bad.StatusCode != 422 || !strings.Contains(bad.Body, `"field":"instalments"`) {
		t.Errorf("out of order: %d %s", bad.StatusCode, bad.Body)
	}
	unknown := f.do(t, event("PATCH", "/agreements/{id}", id, `{"instalments": [{"number": 2, "date": "2026-05-01"}]}`, RoleProgramme, "If-Match", `"2"`))
	if unknown.StatusCode != 400 {
		t.Errorf("unknown field: %d %s", unknown.StatusCode, unknown.Body)
	}
}

// removedFiles stands in for the documents' bucket when a draft is deleted
// (pkg/objects/links's own test removes files from s3rver).
type removedFiles struct{}

func (removedFiles) Remove(context.Context, string) error { return nil }
