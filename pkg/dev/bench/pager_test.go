package bench

import (
	"context"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/dynamo"
	"github.com/partnership-grants/backend/pkg/grants"
	"os"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// TestPagerChangesNoPage pages through partitions of more than 1 MB with a
// plain client and through a Pager, each client with a Meter, and finds
// every page the same: items, ScannedCount, LastEvaluatedKey and consumed
// capacity; the Meters count one request per page either way. The Pager's
// first Limit (1,024) is shorter than a page of ByProgrammePlan, so it asks
// again there. It tests the bench's own tooling on 1,000 imported
// agreements (about a minute): make test-slow runs it, with BENCH_TOOLS set.
func TestPagerChangesNoPage(t *testing.T) {
	if testing.Short() || os.Getenv("BENCH_TOOLS") == "" {
		t.Skip("the bench's tooling: make test-slow (BENCH_TOOLS=1)")
	}
	ctx := context.Background()
	plain, table := testenv.AppTable(t)
	var list []*grants.Agreement
	for i := range 1000 {
		a, err := agreement(Big, i)
		if err != nil {
			t.Fatal(err)
		}
		list = append(list, a)
	}
	if err := dynamo.Import(ctx, plain, table, list); err != nil {
		t.Fatal(err)
	}
	meter := &Meter{}
	pager := &Pager{DB: testenv.DynamoDB(t, meter.Option), Meter: meter}
	plainMeter := &Meter{}
	metered := testenv.DynamoDB(t, plainMeter.Option)

	for _, q := range []dynamodb.QueryInput{
		{IndexName: aws.String(dynamo.IndexByProgrammePlan), KeyConditionExpression: aws.String("plpk = :p"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: "PLAN#" + Big}}},
		{IndexName: aws.String(dynamo.IndexByProgramme), KeyConditionExpression: aws.String("gsi1pk = :p"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: "PROG#" + Big}},
			ScanIndexForward:          aws.Bool(false)},
		{IndexName: aws.String(dynamo.IndexByProgrammePlan), KeyConditionExpression: aws.String("plpk = :p"),
			FilterExpression:          aws.String("#t = :t"),
			ExpressionAttributeNames:  map[string]string{"#t": "type"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: "PLAN#" + Big}, ":t": &types.AttributeValueMemberS{Value: "instalment"}}},
	} {
		q.TableName = aws.String(table)
		q.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
		want, got := q, q
		meter.Reset()
		plainMeter.Reset()
		pages := 0
		for {
			w, err := metered.Query(ctx, &want)
			if err != nil {
				t.Fatal(err)
			}
			g, err := pager.Query(ctx, &got)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			if got.Limit != nil {
				t.Fatalf("page %d: the Pager changed the caller's input (Limit %d)", pages, *got.Limit)
			}
			if len(g.Items) != len(w.Items) || g.ScannedCount != w.ScannedCount || g.Count != w.Count {
				t.Fatalf("%s page %d: %d items (%d scanned), want %d (%d scanned)", *q.IndexName, pages, len(g.Items), g.ScannedCount, len(w.Items), w.ScannedCount)
			}
			if !reflect.DeepEqual(g.Items, w.Items) || !reflect.DeepEqual(g.LastEvaluatedKey, w.LastEvaluatedKey) {
				t.Fatalf("%s page %d: the items or LastEvaluatedKey differ", *q.IndexName, pages)
			}
			if aws.ToFloat64(g.ConsumedCapacity.CapacityUnits) != aws.ToFloat64(w.ConsumedCapacity.CapacityUnits) {
				t.Fatalf("%s page %d: %v read units, want %v", *q.IndexName, pages, *g.ConsumedCapacity.CapacityUnits, *w.ConsumedCapacity.CapacityUnits)
			}
			if w.LastEvaluatedKey == nil {
				break
			}
			want.ExclusiveStartKey, got.ExclusiveStartKey = w.LastEvaluatedKey, g.LastEvaluatedKey
		}
		if pages < 2 {
			t.Fatalf("%s: %d page: the test needs a partition of more than 1 MB", *q.IndexName, pages)
		}
		if m, p := meter.Read(), plainMeter.Read(); m != p || m.Requests != pages {
			t.Fatalf("%s: metered %+v through the Pager, %+v without, over %d pages", *q.IndexName, m, p, pages)
		}
	}
	if pager.Retries() == 0 {
		t.Fatal("the Pager never asked again: the test needs pages longer than its first Limit")
	}
}
