package billing

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/callmeter"
	"github.com/partnership-grants/backend/pkg/dev/testenv"
)

// TestBilledOnDynamoDBLocal runs calls through DB on the application table
// in DynamoDB Local, each in an invocation of its own, and checks what it
// bills: a transaction at twice its items' units, the index entries a write
// makes, a miss and an empty query at the minimum, a BatchGetItem per item
// and a projected read on the whole item.
func TestBilledOnDynamoDBLocal(t *testing.T) {
	if testing.Short() {
		t.Skip("needs DynamoDB Local")
	}
	raw, name := testenv.AppTable(t)
	db := &DB{Inner: raw, Shadow: raw}
	terms := strings.Repeat("t", 1500)
	ag := agreement("draft", terms)                                                                                            // 1,561 bytes: 2 WRU, in ByProgramme (ALL)
	inst := Item{"PK": s("AGR#1"), "SK": s("INS#1"), "napk": s("DUE#2027-03-01"), "nask": s("AGR#1#1"), "amount": n("250000")} // in ByNextAction (KEYS_ONLY)
	billed := func(call func(ctx context.Context) error) (read, written float64) {
		t.Helper()
		ctx, m := callmeter.Start(context.Background())
		if err := call(ctx); err != nil {
			t.Fatal(err)
		}
		return m.BilledUnits()
	}
	want := func(what string, gotR, gotW, r, w float64) {
		t.Helper()
		if gotR != r || gotW != w {
			t.Errorf("%s: billed %v RRU and %v WRU, want %v and %v", what, gotR, gotW, r, w)
		}
	}

	// A create: the agreement and its first instalment in one transaction.
	// Items: 2 WRU + 1 WRU; index entries: ByProgramme 2, ByNextAction 1
	// (its keys only); all doubled: 12.
	r, w := billed(func(ctx context.Context) error {
		_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			{Put: &types.Put{TableName: &name, Item: ag}}, {Put: &types.Put{TableName: &name, Item: inst}}}})
		return err
	})
	want("create transaction", r, w, 0, 2*(2+1+2+1))

	// The agreement activated: its ByProgramme key changes (out and back
	// in: 2 + 2) and the item is rewritten (2).
	r, w = billed(func(ctx context.Context) error {
		_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &name, Key: keyOf(table, ag),
			UpdateExpression:          aws.String("SET #s = :a, gsi1sk = :k"),
			ExpressionAttributeNames:  map[string]string{"#s": "status"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":a": s("active"), ":k": s("active#AGR#1")}})
		return err
	})
	want("activation", r, w, 0, 2+2+2)

	// A write its condition refuses: the item's size, nothing else.
	r, w = billed(func(ctx context.Context) error {
		_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &name, Item: ag, ConditionExpression: aws.String("attribute_not_exists(PK)")})
		var refused *types.ConditionalCheckFailedException
		if !errors.As(err, &refused) {
			t.Errorf("a put over an agreement: %v", err)
		}
		return nil
	})
	want("refused put", r, w, 0, 2)

	// Reads: a miss, a consistent read of the agreement projected to one
	// attribute (billed on the whole 2 KB item: 1 RRU), an empty query, a
	// query of the agreement and its instalment, a BatchGetItem.
	r, w = billed(func(ctx context.Context) error {
		_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &name, Key: Item{"PK": s("AGR#none"), "SK": s("AGR")}})
		return err
	})
	want("miss", r, w, 0.5, 0)
	r, w = billed(func(ctx context.Context) error {
		_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &name, Key: keyOf(table, ag), ConsistentRead: aws.Bool(true), ProjectionExpression: aws.String("PK")})
		return err
	})
	want("projected consistent read", r, w, 1, 0)
	r, w = billed(func(ctx context.Context) error {
		_, err := db.Query(ctx, &dynamodb.QueryInput{TableName: &name, KeyConditionExpression: aws.String("PK = :p"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("AGR#none")}})
		return err
	})
	want("empty query", r, w, 0.5, 0)
	r, w = billed(func(ctx context.Context) error {
		// Filtered down to nothing, yet both items (about 1.7 KB) were read.
		_, err := db.Query(ctx, &dynamodb.QueryInput{TableName: &name, KeyConditionExpression: aws.String("PK = :p"),
			FilterExpression:          aws.String("#s = :x"),
			ExpressionAttributeNames:  map[string]string{"#s": "status"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("AGR#1"), ":x": s("closed")}})
		return err
	})
	want("filtered query", r, w, 0.5, 0)
	r, w = billed(func(ctx context.Context) error {
		_, err := db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{name: {
			Keys: []Item{keyOf(table, ag), keyOf(table, inst), {"PK": s("AGR#none"), "SK": s("AGR")}}, ConsistentRead: aws.Bool(true)}}})
		return err
	})
	want("BatchGetItem of two items and a miss, consistent", r, w, 3, 0)

	// The delete of the instalment: its size (1) and out of ByNextAction (1).
	r, w = billed(func(ctx context.Context) error {
		_, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &name, Key: keyOf(table, inst)})
		return err
	})
	want("delete", r, w, 0, 2)

	// Outside an invocation nothing is read twice or billed.
	if _, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: &name, Key: keyOf(table, ag)}); err != nil {
		t.Fatal(err)
	}
}

func TestMain(m *testing.M) { testenv.Main(m) }
