package web

import (
	"maps"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/dynamo"
	"github.com/partnership-grants/backend/pkg/grants"
)

// The tests here are about what the pages ask of DynamoDB itself, counted
// by operation name through SDK middleware, so they run on DynamoDB Local
// (Java); every other page test runs on pkg/memstore.

var _ store = (*dynamo.Store)(nil)

// newDynamoApp is newApp on a fresh table in DynamoDB Local, with the
// DynamoDB operations its pages make counted.
func newDynamoApp(t *testing.T) (*app, *testenv.Calls) {
	calls := &testenv.Calls{}
	db, table := testenv.AppTable(t, func(o *dynamodb.Options) { o.APIOptions = append(o.APIOptions, calls.Middleware) })
	return newAppOn(t, dynamo.New(db, table), dynamo.NewID), calls
}

// Each page reads one DynamoDB Query per list it shows, one of the
// programmes for the switcher, and nothing else:
// the agreement page three (the agreement, its replies, its history), and
// its programme's settings (GetItem), whose questions part each reply's
// feedback from the rest (issue 24: feedback for the programme role only). The
// overview's summary is the programme's aggregate: one BatchGetItem of its
// shards and a Query of each of its two marker lists (past end date,
// bouncing), whatever the programme's size. The held messages are two key
// ranges, the programme's and those naming no programme, one Query each.
func TestEachPageReadsOneQueryPerList(t *testing.T) {
	a, calls := newDynamoApp(t)
	id := a.create("k")
	// The first summary of a programme builds its aggregate, once.
	if r := a.as("olu@funder.example", grants.RoleProgramme, "GET", "/app", nil); r.code != http.StatusOK {
		t.Fatalf("/app: %d", r.code)
	}
	for path, want := range map[string]map[string]int{
		// The instalments late now, as the web function counts them: the
		// programme's settings (GetItem), the due and held instalments (2).
		"/app":                                   {"Query": 8, "BatchGetItem": 1, "GetItem": 1}, // the markers (2), a page of the agreements needing attention and those past their end (2), the held messages (2), the late instalments
		"/app/agreements":                        {"Query": 3, "BatchGetItem": 1},               // a page of the index, and the total from the aggregate (its shards and two marker reads)
		"/app/agreements/" + id:                  {"Query": 3, "GetItem": 2},                    // and the programme it is in (GetItem)
		"/app/finance":                           {"Query": 7, "BatchGetItem": 1, "GetItem": 1}, // due, held, the latest pay runs; lateness from the summary (aggregate and its two marker reads), the late instalments
		"/app/quarantine":                        {"Query": 2},
		"/app/agreements/new":                    {"Query": 1}, // the partner records it offers to start from (issue 23)
		"/app/partners":                          {"Query": 1},
		"/app/stories":                           {"Query": 1}, // the programme's agreements, their stories on them (issue 24, item 5)
		"/app/agreements?status=active":          {"Query": 3, "BatchGetItem": 1},
		"/app/agreements?q=Levensh&sort=-amount": {"Query": 1, "BatchGetItem": 1}, // the terms beginning "levensh", then the agreements found
		"/app/attention":                         {"Query": 4},                    // a page of attention, those past their end, the held messages (2)
	} {
		// Every page also lists the programmes the person may switch
		// between (issue 25): one Query of their partition.
		want["Query"]++
		calls.Take()
		if r := a.as("olu@funder.example", grants.RoleProgramme, "GET", path, nil); r.code != http.StatusOK {
			t.Fatalf("%s: %d", path, r.code)
		}
		if got := calls.Take(); !maps.Equal(got, want) {
			t.Errorf("%s made %v, want %v", path, got, want)
		}
	}
}
