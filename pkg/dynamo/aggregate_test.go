package dynamo

import (
	"context"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/reports"
)

// aggregateToday is after every test agreement's end date, so every active
// one is past it.
var aggregateToday = grants.Date{Year: 2027, Month: 3, Day: 1}

var benchDate = grants.Date{Year: 2026, Month: 6, Day: 15}

// A summary reads the aggregate in a constant number of requests: one
// BatchGetItem of the shards and one Query of each kind of marker,
// whatever the programme holds. (That the aggregate equals a recount is the
// store contract's, in storetest.)
func TestProgrammeTallyReadsInThreeRequests(t *testing.T) {
	db, table := testenv.AppTable(t)
	st := New(db, table)
	ctx := context.Background()
	seed(t, db, table, "alpha", 40)
	if err := st.RebuildAggregate(ctx, "alpha"); err != nil {
		t.Fatal(err)
	}
	tally, marks, cost, err := st.ProgrammeTally(ctx, "alpha", aggregateToday)
	if err != nil {
		t.Fatal(err)
	}
	if tally["status.active"] == 0 || marks.PastEndDate == 0 {
		t.Fatalf("the test needs active agreements past their end: %v %+v", tally, marks)
	}
	if cost.Requests > 3 {
		t.Errorf("summary read took %d requests: %+v", cost.Requests, cost)
	}
}

// A table from before aggregates (agreements, no aggregate) is summed
// right on its first summary, which builds the aggregate once.
func TestAggregateBuildsItselfOnATableFromBefore(t *testing.T) {
	db, table := testenv.AppTable(t)
	st := New(db, table)
	ctx := context.Background()
	seed(t, db, table, "old", 12)
	list, _, err := st.ProgrammeAgreements(ctx, "old")
	if err != nil {
		t.Fatal(err)
	}
	want, wantMarks, err := reports.Recount(list, benchDate)
	if err != nil {
		t.Fatal(err)
	}
	got, marks, _, err := st.ProgrammeTally(ctx, "old", benchDate)
	if err != nil || !reflect.DeepEqual(got, want) || !reflect.DeepEqual(marks, wantMarks) {
		t.Fatalf("first summary %v %+v (%v), want %v %+v", got, marks, err, want, wantMarks)
	}
	if want["status.draft"] != 4 || want["status.active"] != 8 {
		t.Errorf("recount %v", want)
	}
}

// A shard whose counter has grown past int64 makes the summary fail, never
// wrap to a negative total.
func TestAggregateRefusesToOverflow(t *testing.T) {
	db, table := testenv.AppTable(t)
	st := New(db, table)
	ctx := context.Background()
	if err := st.RebuildAggregate(ctx, "p"); err != nil {
		t.Fatal(err)
	}
	for shard, v := range map[int]string{0: "9223372036854775807", 1: "1"} {
		if _, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: aggregateKey("p", shard),
			UpdateExpression:          aws.String("ADD #n :v"),
			ExpressionAttributeNames:  map[string]string{"#n": "money.GBP.committed"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":v": &types.AttributeValueMemberN{Value: v}}}); err != nil {
			t.Fatal(err)
		}
	}
	if tally, _, _, err := st.ProgrammeTally(ctx, "p", benchDate); err == nil {
		t.Fatalf("summed past int64: %v", tally)
	}
}

// An aggregate built before what an agreement counts changed (a built mark
// of another reports.TallyVersion, or of none: before versions) is rebuilt
// on the next summary, never read with sums of the old meaning.
func TestAggregateOfAnotherTallyVersionIsRebuilt(t *testing.T) {
	db, table := testenv.AppTable(t)
	st := New(db, table)
	ctx := context.Background()
	seed(t, db, table, "old", 12)
	list, _, err := st.ProgrammeAgreements(ctx, "old")
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := reports.Recount(list, benchDate)
	if err != nil {
		t.Fatal(err)
	}
	for _, version := range []types.AttributeValue{nil, &types.AttributeValueMemberN{Value: "1"}} {
		if err := st.RebuildAggregate(ctx, "old"); err != nil {
			t.Fatal(err)
		}
		// Sums of another meaning: a figure the current TallyOf does not
		// count, and one it counts differently.
		if _, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: aggregateKey("old", 0),
			UpdateExpression:          aws.String("ADD #n :v, #c :v"),
			ExpressionAttributeNames:  map[string]string{"#n": "money.GBP.committed", "#c": "money.GBP.obsolete"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":v": &types.AttributeValueMemberN{Value: "250000"}}}); err != nil {
			t.Fatal(err)
		}
		mark := aggregateBuiltKey("old")
		mark["type"] = s(typeAggregate)
		if version != nil {
			mark["tallyVersion"] = version
		}
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: mark}); err != nil {
			t.Fatal(err)
		}
		got, _, _, err := st.ProgrammeTally(ctx, "old", benchDate)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("built under %v: summary %v (%v), want %v", version, got, err, want)
		}
		// Built now under the current version: read as it is.
		if again, _, _, err := st.ProgrammeTally(ctx, "old", benchDate); err != nil || !reflect.DeepEqual(again, want) {
			t.Fatalf("the second summary %v (%v)", again, err)
		}
	}
}
