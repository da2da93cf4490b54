package dynamo

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
)

// Pay runs: the run, items and outcomes, in one item ("RUN#<id>" / "RUN"),
// and a line per run in the runs partition ("RUNS" / "<requestedAt>#<id>"),
// newest last, so the finance page reads the latest runs in one Query of
// what it shows. Runs are a few a day: the one partition is never hot.

const runsPartition = "RUNS"

func runKey(id string) item { return keyOf("RUN#"+id, "RUN") }

func runLineKey(r *grants.PayRun) item {
	return keyOf(runsPartition, r.RequestedAt.UTC().Format(time.RFC3339Nano)+"#"+r.ID)
}

func runItems(r *grants.PayRun) (run, line item, err error) {
	if run, err = marshal(payRunRecordOf(*r)); err != nil {
		return nil, nil, err
	}
	maps.Copy(run, runKey(r.ID))
	run["type"] = s("payrun")
	if line, err = marshal(payRunLineRecordOf(r.Line())); err != nil {
		return nil, nil, err
	}
	maps.Copy(line, runLineKey(r))
	line["type"] = s("payrun-line")
	return run, line, nil
}

func errRunNotFound(id string) error {
	return &grants.Error{Code: grants.NotFound, Message: fmt.Sprintf("Pay run %s does not exist.", id), Reason: "pay_run_not_found"}
}

// StartRun records a run before its items are requested. A run of that ID
// already stored (the same request, retried) is returned instead, unchanged.
func (st *Store) StartRun(ctx context.Context, r *grants.PayRun) (*grants.PayRun, error) {
	it, err := marshal(payRunRecordOf(*r))
	if err != nil {
		return nil, err
	}
	maps.Copy(it, runKey(r.ID))
	it["type"] = s("payrun")
	_, err = st.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &st.table, Item: it,
		ConditionExpression:                 aws.String("attribute_not_exists(PK)"),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) && ccf.Item != nil {
		stored, err := decode[payRunRecord](ccf.Item)
		if err != nil {
			return nil, fmt.Errorf("decode pay run %s: %w", r.ID, err)
		}
		return &stored, nil
	}
	if err != nil {
		return nil, fmt.Errorf("record pay run: %w", err)
	}
	return r, nil
}

// FinishRun stores a run's outcomes, its line in the list of runs and, in
// the same transaction, the answer to the request that made it. It fails
// with idempotency.ErrAnswered if another request under the same key
// finished first.
func (st *Store) FinishRun(ctx context.Context, r *grants.PayRun, answer *idempotency.Answer, now time.Time) error {
	run, line, err := runItems(r)
	if err != nil {
		return err
	}
	tx := []types.TransactWriteItem{
		{Put: &types.Put{TableName: &st.table, Item: run,
			ConditionExpression:       aws.String("#s = :requesting"),
			ExpressionAttributeNames:  map[string]string{"#s": "status"},
			ExpressionAttributeValues: item{":requesting": s(string(grants.PayRunRequesting))}}},
		{Put: &types.Put{TableName: &st.table, Item: line}},
	}
	if answer != nil {
		tx = append(tx, st.answerItem(*answer, now))
	}
	_, err = st.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx})
	if isConditionFailure(err) {
		return idempotency.ErrAnswered
	}
	if err != nil {
		return fmt.Errorf("finish pay run %s: %w", r.ID, err)
	}
	return nil
}

// ApproveRun stores a run's approval and its items' outcomes. Of two
// approvals at once, one is stored; the other gets false and the run as
// stored.
func (st *Store) ApproveRun(ctx context.Context, r *grants.PayRun) (*grants.PayRun, bool, error) {
	run, line, err := runItems(r)
	if err != nil {
		return nil, false, err
	}
	_, err = st.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: &st.table, Item: run,
			ConditionExpression:       aws.String("#s = :awaiting"),
			ExpressionAttributeNames:  map[string]string{"#s": "status"},
			ExpressionAttributeValues: item{":awaiting": s(string(grants.PayRunAwaitingApproval))}}},
		{Put: &types.Put{TableName: &st.table, Item: line}},
	}})
	if isConditionFailure(err) {
		stored, err := st.GetRun(ctx, r.ID)
		return stored, false, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("approve pay run %s: %w", r.ID, err)
	}
	return r, true, nil
}

// GetRun reads a run (strongly consistent: it is read to be changed).
func (st *Store) GetRun(ctx context.Context, id string) (*grants.PayRun, error) {
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: runKey(id), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read pay run: %w", err)
	}
	if out.Item == nil {
		return nil, errRunNotFound(id)
	}
	r, err := decode[payRunRecord](out.Item)
	if err != nil {
		return nil, unreadable(out.Item, err)
	}
	return &r, nil
}

// RecentRuns lists the latest runs recorded, newest first: their lines,
// not their items.
func (st *Store) RecentRuns(ctx context.Context, limit int) ([]grants.PayRunLine, error) {
	out, err := st.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &st.table,
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: item{":pk": s(runsPartition)},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(int32(limit)),
	})
	if err != nil {
		return nil, fmt.Errorf("list pay runs: %w", err)
	}
	return decodeList[payRunLineRecord](ctx, out.Items, nil), nil
}
