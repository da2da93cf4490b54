package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/dynamo"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

// The tests here are about DynamoDB itself: the operations a route makes,
// counted by name through SDK middleware, and items stored in an older
// shape, written with DynamoDB's own API. They run on DynamoDB Local (Java);
// the other agreement-route tests run on pkg/memstore (newFixture).

var _ fixtureStore = (*dynamo.Store)(nil)

// callCounter counts DynamoDB operations by name, through SDK middleware.
type callCounter struct {
	mu    sync.Mutex
	calls map[string]int
}

func (c *callCounter) option(o *dynamodb.Options) {
	o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
		return st.Initialize.Add(middleware.InitializeMiddlewareFunc("count", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			c.mu.Lock()
			c.calls[middleware.GetOperationName(ctx)]++
			c.mu.Unlock()
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
	})
}

func (c *callCounter) reset() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.calls
	c.calls = map[string]int{}
	return old
}

// dynamoFixture is a fixture on a fresh table in DynamoDB Local, with the
// DynamoDB operations made through its client counted.
type dynamoFixture struct {
	*fixture
	counter *callCounter
	db      *dynamodb.Client
	table   string
}

func newDynamoFixture(t testing.TB) *dynamoFixture {
	t.Helper()
	counter := &callCounter{calls: map[string]int{}}
	db, table := testenv.AppTable(t, counter.option)
	store := dynamo.New(db, table)
	h := &Agreements{Agreements: service.NewAgreements(store, service.LeaveQueued, service.NoSchedules,
		service.Env{Now: tick(), NewID: dynamo.NewID}, service.AgreementOptions{})}
	counter.reset()
	writes := func() map[string]int {
		var w map[string]int
		for op, n := range counter.reset() {
			if op == "TransactWriteItems" || op == "PutItem" || op == "UpdateItem" {
				if w == nil {
					w = map[string]int{}
				}
				w[op] = n
			}
		}
		return w
	}
	return &dynamoFixture{fixture: &fixture{api: h.Routes(), store: store, writes: writes}, counter: counter, db: db, table: table}
}

func TestCreateThenGetTheIssueExample(t *testing.T) {
	f := newDynamoFixture(t)
	resp := f.do(t, event("POST", "/agreements", nil, issueBody, RoleProgramme))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, resp.Body)
	}
	if calls := f.counter.reset(); calls["TransactWriteItems"] != 1 || calls["PutItem"]+calls["UpdateItem"] != 0 {
		t.Errorf("create made %v; want exactly one TransactWriteItems and no other write", calls)
	}
	a := decodeAgreement(t, resp)
	if !referencePattern.MatchString(a.Reference) || a.Status != grants.AgreementDraft || a.Version != 1 || a.CreatedBy != "programme@funder.example" {
		t.Errorf("created %+v", a)
	}
	want := []string{"2026-01-31", "2026-04-30", "2026-07-31", "2026-10-31"}
	for i, in := range a.Instalments {
		if in.Amount != 250000 || in.DueDate.String() != want[i] {
			t.Errorf("instalment %d: %+v", i+1, in)
		}
	}
	if len(a.CheckIns) != 4 {
		t.Errorf("%d check-ins", len(a.CheckIns))
	}

	got := f.do(t, event("GET", "/agreements/{id}", map[string]string{"id": a.ID}, "", RoleViewer))
	if calls := f.counter.reset(); calls["Query"] != 1 || len(calls) != 1 {
		t.Errorf("GET made %v; want exactly one Query", calls)
	}
	if got.StatusCode != http.StatusOK || got.Body != resp.Body {
		t.Errorf("GET differs from create:\n%s\n%s", got.Body, resp.Body)
	}

	second := f.do(t, event("POST", "/agreements", nil, issueBody, RoleProgramme))
	if ref := decodeAgreement(t, second).Reference; !referencePattern.MatchString(ref) || ref == a.Reference {
		t.Errorf("second reference %s", ref)
	}
}

// Support is followed up through PATCH /agreements/{id}/support/{n}: a
// status and dated notes, recorded in the history; bad input is a problem
// naming its field. An agreement stored with support as plain strings (as
// before) still reads, each item offered.
func TestUpdateSupportItem(t *testing.T) {
	f := newDynamoFixture(t)
	a := decodeAgreement(t, f.do(t, event("POST", "/agreements", nil, issueBody, RoleProgramme)))
	if len(a.Support) != 1 || !reflect.DeepEqual(a.Support[0], grants.SupportItem{Item: "Evaluation mentoring", Status: grants.SupportOffered}) {
		t.Fatalf("created support %+v", a.Support)
	}
	f.writes()
	route, params := "/agreements/{id}/support/{n}", map[string]string{"id": a.ID, "n": "1"}
	f.wantRefused(t, f.do(t, event("PATCH", route, params, `{"status": "done"}`, RoleProgramme)), http.StatusUnprocessableEntity, "status")
	f.wantRefused(t, f.do(t, event("PATCH", route, params, `{}`, RoleProgramme)), http.StatusUnprocessableEntity, "status")
	problemOf(t, "support item 2", f.do(t, event("PATCH", route, map[string]string{"id": a.ID, "n": "2"}, `{"status": "delivered"}`, RoleProgramme)), http.StatusNotFound)
	problemOf(t, "finance updating support", f.do(t, event("PATCH", route, params, `{"status": "delivered"}`, RoleFinance)), http.StatusForbidden)

	resp := f.do(t, event("PATCH", route, params, `{"status": "delivered", "note": "Three sessions with the evaluation lead"}`, RoleProgramme))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("update support: %d %s", resp.StatusCode, resp.Body)
	}
	got := decodeAgreement(t, resp).Support[0]
	if got.Status != grants.SupportDelivered || len(got.Notes) != 1 || got.Notes[0].Text != "Three sessions with the evaluation lead" ||
		got.Notes[0].By != "programme@funder.example" || got.UpdatedOn.String() != "2026-01-10" {
		t.Errorf("support after update %+v", got)
	}
	stored, err := f.store.GetAgreement(context.Background(), a.ID)
	if err != nil || stored.Stats.SupportDelivered != 1 {
		t.Fatalf("stored stats %+v, %v", stored.Stats, err)
	}

	// The old shape: support as a list of strings.
	db, table := f.db, f.table
	if _, err := db.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{TableName: aws.String(table),
		Key:                       map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "AGR#" + a.ID}, "SK": &types.AttributeValueMemberS{Value: "A"}},
		UpdateExpression:          aws.String("SET support = :s"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":s": &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: "Board development"}}}},
	}); err != nil {
		t.Fatal(err)
	}
	old := decodeAgreement(t, f.do(t, event("GET", "/agreements/{id}", map[string]string{"id": a.ID}, "", RoleViewer)))
	if len(old.Support) != 1 || !reflect.DeepEqual(old.Support[0], grants.SupportItem{Item: "Board development", Status: grants.SupportOffered}) {
		t.Errorf("support stored as strings reads as %+v", old.Support)
	}
}

// An agreement at every limit, every character the costliest to store and to
// escape in JSON, is stored with its idempotency record and reads back: the
// limits keep every accepted agreement inside DynamoDB's item and
// transaction limits. (On DynamoDB Local: pkg/memstore holds no item to
// DynamoDB's 400 KB limit, so this would pass there whatever the limits.)
func TestTheLargestAgreementStoresAndReadsBack(t *testing.T) {
	f := newDynamoFixture(t)
	// U+2028 is three bytes stored and six in JSON (Go escapes it): the
	// idempotency record holds the JSON, so this is the costliest character.
	// Names are one line, so theirs is the next costliest: an emoji, four
	// bytes stored and in JSON.
	costly := "<" + strings.Repeat("\u2028", grants.MaxItemLength-2) + ">"
	terms, support := make([]string, grants.MaxListItems), make([]string, grants.MaxListItems)
	for i := range terms {
		terms[i], support[i] = costly, costly
	}
	contacts := make([]map[string]string, grants.MaxContacts)
	for i := range contacts {
		contacts[i] = map[string]string{"name": "A" + strings.Repeat("\U0001F600", grants.MaxContactName-2) + "Z",
			"email": fmt.Sprintf("contact%02d@example.org", i), "role": strings.Repeat("r", grants.MaxContactRole)}
	}
	body := withFields(t, map[string]any{
		"amount": grants.MaxAward, "instalmentCount": grants.MaxInstalments, "durationMonths": grants.MaxDurationMonths, "cadence": "monthly",
		"terms": terms, "support": support, "contacts": contacts,
		"partner": map[string]string{"name": "P" + strings.Repeat("\U0001F600", grants.MaxPartnerName-2) + "Q", "registrationNumber": "1180123", "address": "A" + strings.Repeat("\u2028", grants.MaxAddress-2) + "B"},
	})
	ev := event("POST", "/agreements", nil, body, RoleProgramme)
	ev.Headers["idempotency-key"] = "largest-1"
	resp := f.do(t, ev)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create the largest agreement: %d %.500s", resp.StatusCode, resp.Body)
	}
	a := decodeAgreement(t, resp)
	t.Logf("request %d bytes, response %d bytes", len(body), len(resp.Body))
	got := f.do(t, event("GET", "/agreements/{id}", map[string]string{"id": a.ID}, "", RoleViewer))
	if got.StatusCode != http.StatusOK || got.Body != resp.Body {
		t.Fatalf("read back: %d", got.StatusCode)
	}
	// Every instalment can move, and terminating rewrites every item in one transaction.
	term := event("POST", "/agreements/{id}/terminate", map[string]string{"id": a.ID}, `{"reason": "`+strings.Repeat("r", grants.MaxReason)+`"}`, RoleProgramme)
	if resp := f.do(t, term); resp.StatusCode != http.StatusOK {
		t.Fatalf("terminate: %d %.300s", resp.StatusCode, resp.Body)
	}
}
