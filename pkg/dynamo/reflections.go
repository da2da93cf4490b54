package dynamo

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/readcost"
)

// A programme's "you said, we did" (issue 24, item 4) lives in a partition
// of its own, PK "PROG#<programme>#REFLECTIONS", one item a round,
// "R#<round, 2 digits>": written once (a second for the round finds the
// first), then once more when its emails are queued, with the answer to
// the request that made it.

const typeReflection = "reflection"

func reflectionsPK(programme string) string { return "PROG#" + programme + "#REFLECTIONS" }

func reflectionKey(programme string, round int) item {
	return keyOf(reflectionsPK(programme), fmt.Sprintf("R#%02d", round))
}

// reflectionRecord is a stored grants.Reflection.
type reflectionRecord struct {
	Programme  string    `dynamodbav:"programme"`
	Round      int       `dynamodbav:"round"`
	Message    string    `dynamodbav:"message"`
	Status     string    `dynamodbav:"status"`
	Agreements int       `dynamodbav:"agreements"`
	Request    string    `dynamodbav:"request"`
	By         string    `dynamodbav:"by"`
	At         time.Time `dynamodbav:"at"`
}

func reflectionRecordOf(r grants.Reflection) reflectionRecord {
	return reflectionRecord{Programme: r.Programme, Round: r.Round, Message: r.Message, Status: string(r.Status),
		Agreements: r.Agreements, Request: r.Request, By: r.By, At: r.At}
}

func (r reflectionRecord) domain() grants.Reflection {
	return grants.Reflection{Programme: r.Programme, Round: r.Round, Message: r.Message, Status: grants.ReflectionStatus(r.Status),
		Agreements: r.Agreements, Request: r.Request, By: r.By, At: r.At}
}

func (st *Store) reflectionItem(r grants.Reflection) (item, error) {
	it, err := marshal(reflectionRecordOf(r))
	if err != nil {
		return nil, err
	}
	maps.Copy(it, reflectionKey(r.Programme, r.Round))
	it["type"] = s(typeReflection)
	return it, nil
}

// StartReflection records a round's reflection unless one is recorded, and
// returns the one stored (read consistently).
func (st *Store) StartReflection(ctx context.Context, r grants.Reflection) (*grants.Reflection, error) {
	it, err := st.reflectionItem(r)
	if err != nil {
		return nil, err
	}
	_, err = st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table, Item: it, ConditionExpression: aws.String("attribute_not_exists(PK)")})
	if err != nil && !isConditionFailure(err) {
		return nil, fmt.Errorf("record reflection %d of %s: %w", r.Round, r.Programme, err)
	}
	return st.Reflection(ctx, r.Programme, r.Round)
}

// FinishReflection stores the reflection queued with the answer to the
// request that made it, in one transaction; idempotency.ErrAnswered if it
// was finished first.
func (st *Store) FinishReflection(ctx context.Context, r grants.Reflection, answer *idempotency.Answer, now time.Time) error {
	it, err := st.reflectionItem(r)
	if err != nil {
		return err
	}
	tx := []types.TransactWriteItem{{Put: &types.Put{TableName: &st.table, Item: it,
		ConditionExpression:       aws.String("#s = :queueing AND #r = :request"),
		ExpressionAttributeNames:  map[string]string{"#s": "status", "#r": "request"},
		ExpressionAttributeValues: item{":queueing": s(string(grants.ReflectionQueueing)), ":request": s(r.Request)}}}}
	if answer != nil {
		tx = append(tx, st.answerItem(*answer, now))
	}
	_, err = st.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx})
	if isConditionFailure(err) {
		return idempotency.ErrAnswered
	}
	if err != nil {
		return fmt.Errorf("finish reflection %d of %s: %w", r.Round, r.Programme, err)
	}
	return nil
}

// Reflection reads a programme's reflection of a round.
func (st *Store) Reflection(ctx context.Context, programme string, round int) (*grants.Reflection, error) {
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: reflectionKey(programme, round), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read reflection %d of %s: %w", round, programme, err)
	}
	if out.Item == nil {
		return nil, &grants.Error{Code: grants.NotFound, Message: "There is no such \"you said, we did\".", Reason: "reflection_not_found"}
	}
	r, err := decode[reflectionRecord](out.Item)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// Reflections reads a programme's reflections, by round.
func (st *Store) Reflections(ctx context.Context, programme string) ([]grants.Reflection, error) {
	out := []grants.Reflection{}
	var cost readcost.Cost
	err := st.queryAll(ctx, &cost, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("PK = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": s(reflectionsPK(programme))},
		ConsistentRead:            aws.Bool(true),
	}, func(q *dynamodb.QueryOutput) {
		out = append(out, decodeList[reflectionRecord](ctx, q.Items, nil)...)
	})
	if err != nil {
		return nil, fmt.Errorf("read reflections of %s: %w", programme, err)
	}
	return out, nil
}
