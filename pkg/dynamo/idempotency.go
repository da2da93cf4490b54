package dynamo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/idempotency"
)

// Idempotency records (package idempotency has the design): one per caller
// and key, "IDEM#<scope>#<key>" / "IDEM#<caller>". The caller is the sort
// key, apart from the key in the partition key, so no caller's name and key
// can be read as another's.
func idemKey(r idempotency.Request) item {
	return item{"PK": s("IDEM#" + r.Scope + "#" + r.Key), "SK": s("IDEM#" + r.Caller)}
}

// BeginIdempotent claims the key for a new request. It returns (nil, nil)
// when the caller should go ahead; the stored response when the same request
// already completed; idempotency.ErrInProgress or ErrPayloadMismatch
// otherwise. inProgressUntil bounds the claim: after it (the invocation's
// deadline) a crashed attempt no longer blocks a retry.
func (st *Store) BeginIdempotent(ctx context.Context, req idempotency.Request, now, inProgressUntil time.Time) (*idempotency.Response, error) {
	hash := req.Hash()
	record := idemKey(req)
	record["status"], record["payloadHash"] = s(idempotency.StatusInProgress), s(hash)
	record["expiresAt"], record["inProgressUntil"] = epoch(now.Add(idempotency.DefaultRetention)), millis(inProgressUntil)
	_, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &st.table,
		Item:      record,
		// Claim a new key, an expired one, or one whose in-progress claim outlived
		// its invocation.
		ConditionExpression:       aws.String("attribute_not_exists(PK) OR expiresAt < :now OR (#s = :inprogress AND inProgressUntil < :nowms)"),
		ExpressionAttributeNames:  map[string]string{"#s": "status"},
		ExpressionAttributeValues: item{":now": epoch(now), ":nowms": millis(now), ":inprogress": s(idempotency.StatusInProgress)},
	})
	if err == nil {
		return nil, nil
	}
	if !isConditionFailure(err) {
		return nil, fmt.Errorf("claim idempotency key: %w", err)
	}
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: idemKey(req), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read idempotency record: %w", err)
	}
	var rec struct {
		Status      string `dynamodbav:"status"`
		PayloadHash string `dynamodbav:"payloadHash"`
		StatusCode  int    `dynamodbav:"statusCode"`
		Response    []byte `dynamodbav:"response"`
	}
	if out.Item == nil {
		// Deleted between our write and read (an abandoned attempt): the client may retry.
		return nil, idempotency.ErrInProgress
	}
	if err := unmarshal(out.Item, &rec); err != nil {
		return nil, fmt.Errorf("decode idempotency record: %w", err)
	}
	switch {
	case rec.PayloadHash != hash:
		return nil, idempotency.ErrPayloadMismatch
	case rec.Status != idempotency.StatusCompleted:
		return nil, idempotency.ErrInProgress
	}
	return &idempotency.Response{StatusCode: rec.StatusCode, Body: rec.Response}, nil
}

// answerItem is the transaction item that marks a request COMPLETED with its
// response; it only succeeds while this caller's claim is still in progress.
func (st *Store) answerItem(a idempotency.Answer, now time.Time) types.TransactWriteItem {
	record := idemKey(a.Request)
	record["status"], record["payloadHash"] = s(idempotency.StatusCompleted), s(a.Request.Hash())
	record["expiresAt"], record["statusCode"] = epoch(now.Add(idempotency.DefaultRetention)), n(a.Response.StatusCode)
	record["response"] = &types.AttributeValueMemberB{Value: a.Response.Body}
	return types.TransactWriteItem{Put: &types.Put{
		TableName:                 &st.table,
		Item:                      record,
		ConditionExpression:       aws.String("#s = :inprogress AND payloadHash = :hash"),
		ExpressionAttributeNames:  map[string]string{"#s": "status"},
		ExpressionAttributeValues: item{":inprogress": s(idempotency.StatusInProgress), ":hash": s(a.Request.Hash())},
	}}
}

// AbandonIdempotent releases a claim whose request failed without effect, so
// the client can retry with the same key (as Powertools deletes the record
// on error).
func (st *Store) AbandonIdempotent(ctx context.Context, req idempotency.Request) error {
	_, err := st.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 &st.table,
		Key:                       idemKey(req),
		ConditionExpression:       aws.String("#s = :inprogress"),
		ExpressionAttributeNames:  map[string]string{"#s": "status"},
		ExpressionAttributeValues: item{":inprogress": s(idempotency.StatusInProgress)},
	})
	if err != nil && !isConditionFailure(err) {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}

func epoch(t time.Time) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(t.Unix(), 10)}
}
