package dynamo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
)

// Idempotency records (package idempotency has the design): one per caller
// and key, "IDEM#<scope>#<key>" / "IDEM#<caller>". The caller is the sort
// key, apart from the key in the partition key, so no caller's name and key
// can be read as another's. A record is written only with the change it
// answers for, in the same transaction.
func idemKey(r idempotency.Request) item {
	return item{"PK": s("IDEM#" + r.Scope + "#" + r.Key), "SK": s("IDEM#" + r.Caller)}
}

type idemRecord struct {
	Status      string            `dynamodbav:"status"`
	PayloadHash string            `dynamodbav:"payloadHash"`
	ExpiresAt   int64             `dynamodbav:"expiresAt"`
	StatusCode  int               `dynamodbav:"statusCode"`
	Headers     map[string]string `dynamodbav:"headers,omitempty"`
	Response    []byte            `dynamodbav:"response"`
}

// answerOf reads a stored record: nil when there is none (or it expired, or
// it is an unfinished claim from before answers were written with their
// change), ErrPayloadMismatch when it answers another body.
func answerOf(it item, req idempotency.Request, now time.Time) (*idempotency.Response, error) {
	if it == nil {
		return nil, nil
	}
	var rec idemRecord
	if err := unmarshal(it, &rec); err != nil {
		return nil, fmt.Errorf("decode idempotency record: %w", err)
	}
	switch {
	case rec.ExpiresAt < now.Unix(), rec.Status != idempotency.StatusCompleted:
		return nil, nil
	case rec.PayloadHash != req.Hash():
		return nil, idempotency.ErrPayloadMismatch
	}
	return &idempotency.Response{StatusCode: rec.StatusCode, Headers: rec.Headers, Body: rec.Response}, nil
}

// Answered reads the stored answer to req (strongly consistent), or nil.
func (st *Store) Answered(ctx context.Context, req idempotency.Request, now time.Time) (*idempotency.Response, error) {
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: idemKey(req), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read idempotency record: %w", err)
	}
	return answerOf(out.Item, req, now)
}

// SettingsAndAnswer reads a programme's settings and, when req is given, the
// stored answer to it, in one call.
func (st *Store) SettingsAndAnswer(ctx context.Context, programme string, req *idempotency.Request, now time.Time) (grants.ProgrammeSettings, *idempotency.Response, error) {
	if req == nil {
		p, err := st.ProgrammeSettings(ctx, programme)
		return p, nil, err
	}
	settingsKey, answerKey := settingsKey(programme), idemKey(*req)
	found, err := st.batchGet(ctx, settingsKey, answerKey)
	if err != nil {
		return grants.ProgrammeSettings{}, nil, err
	}
	p, err := settingsOf(found[keyString(settingsKey)])
	if err != nil {
		return p, nil, err
	}
	answer, err := answerOf(found[keyString(answerKey)], *req, now)
	return p, answer, err
}

// batchGet reads items by key in one strongly consistent BatchGetItem,
// following up any DynamoDB left unprocessed; the result is by keyString.
func (st *Store) batchGet(ctx context.Context, keys ...item) (map[string]item, error) {
	found := map[string]item{}
	pending := map[string]types.KeysAndAttributes{st.table: {Keys: keys, ConsistentRead: aws.Bool(true)}}
	for len(pending) > 0 {
		out, err := st.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: pending})
		if err != nil {
			return nil, fmt.Errorf("batch read: %w", err)
		}
		for _, it := range out.Responses[st.table] {
			found[keyString(it)] = it
		}
		pending = out.UnprocessedKeys
	}
	return found, nil
}

func keyString(it item) string {
	pk, _ := it["PK"].(*types.AttributeValueMemberS)
	sk, _ := it["SK"].(*types.AttributeValueMemberS)
	if pk == nil || sk == nil {
		return ""
	}
	return pk.Value + "\x00" + sk.Value
}

// answerItem is the transaction item that stores a request's answer with
// the change it made. It is written only where no answer stands (or one has
// expired): of two concurrent requests under one key, one change commits
// and the other's transaction fails here, and that request then answers
// with the stored response.
func (st *Store) answerItem(a idempotency.Answer, now time.Time) types.TransactWriteItem {
	record := idemKey(a.Request)
	record["status"], record["payloadHash"] = s(idempotency.StatusCompleted), s(a.Request.Hash())
	record["expiresAt"], record["statusCode"] = epoch(now.Add(idempotency.DefaultRetention)), n(a.Response.StatusCode)
	record["response"] = &types.AttributeValueMemberB{Value: a.Response.Body}
	if len(a.Response.Headers) > 0 {
		headers := make(map[string]types.AttributeValue, len(a.Response.Headers))
		for k, v := range a.Response.Headers {
			headers[k] = s(v)
		}
		record["headers"] = &types.AttributeValueMemberM{Value: headers}
	}
	return types.TransactWriteItem{Put: &types.Put{
		TableName:                 &st.table,
		Item:                      record,
		ConditionExpression:       aws.String("attribute_not_exists(PK) OR expiresAt < :now OR #s <> :completed"),
		ExpressionAttributeNames:  map[string]string{"#s": "status"},
		ExpressionAttributeValues: item{":now": epoch(now), ":completed": s(idempotency.StatusCompleted)},
	}}
}

func epoch(t time.Time) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(t.Unix(), 10)}
}
