// Package idempotency makes a request with an Idempotency-Key take effect at
// most once, in the shape of Powertools for AWS Lambda's idempotency utility
// (which has no Go port): a record per key moves INPROGRESS → COMPLETED,
// carries a hash of the request so a reused key with another body is refused,
// and holds the first response so a retry gets it back byte for byte.
//
// Unlike Powertools, completion is not a separate write: the caller puts the
// COMPLETED record into the same DynamoDB transaction as its business change,
// so a crash between commit and response cannot lose the response or let the
// change happen twice.
package idempotency

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Record statuses.
const (
	StatusInProgress = "INPROGRESS"
	StatusCompleted  = "COMPLETED"
)

// DefaultRetention is how long a completed key is honoured; expiry is
// checked in code because DynamoDB's TTL deletes late (up to days).
const DefaultRetention = 24 * time.Hour

var (
	// ErrPayloadMismatch: the key was used before with a different request.
	ErrPayloadMismatch = errors.New("idempotency key reused with a different request")
	// ErrInProgress: a request under this key has not finished yet.
	ErrInProgress = errors.New("a request with this idempotency key is still in progress")
)

// DB is the part of the DynamoDB client the store uses.
type DB interface {
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// Store keeps idempotency records in the application's single table.
type Store struct {
	db        DB
	table     string
	retention time.Duration
}

// NewStore returns a Store on table.
func NewStore(db DB, table string) *Store {
	return &Store{db: db, table: table, retention: DefaultRetention}
}

// Request identifies one idempotent request: the operation's scope (so keys
// of different routes never collide), the caller who sent it (so one user's
// key never answers another's request), the client's key and the request
// body.
type Request struct {
	Scope   string
	Caller  string
	Key     string
	Payload []byte
}

// The caller is the sort key, apart from the key in the partition key, so
// no caller's name and key can be read as another's.
func (r Request) pk() string { return "IDEM#" + r.Scope + "#" + r.Key }
func (r Request) sk() string { return "IDEM#" + r.Caller }

// Hash is the hex SHA-256 of the payload.
func (r Request) Hash() string {
	h := sha256.Sum256(r.Payload)
	return hex.EncodeToString(h[:])
}

// Response is a stored first response.
type Response struct {
	StatusCode int
	Body       []byte
}

// Begin claims the key for a new request. It returns (nil, nil) when the
// caller should go ahead; the stored response when the same request already
// completed; ErrInProgress or ErrPayloadMismatch otherwise. inProgressUntil
// bounds the claim: after it (the invocation's deadline) a crashed attempt no
// longer blocks a retry.
func (s *Store) Begin(ctx context.Context, req Request, now, inProgressUntil time.Time) (*Response, error) {
	hash := req.Hash()
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &s.table,
		Item: map[string]types.AttributeValue{
			"PK":              &types.AttributeValueMemberS{Value: req.pk()},
			"SK":              &types.AttributeValueMemberS{Value: req.sk()},
			"status":          &types.AttributeValueMemberS{Value: StatusInProgress},
			"payloadHash":     &types.AttributeValueMemberS{Value: hash},
			"expiresAt":       epoch(now.Add(s.retention)),
			"inProgressUntil": &types.AttributeValueMemberN{Value: strconv.FormatInt(inProgressUntil.UnixMilli(), 10)},
		},
		// Claim a new key, an expired one, or one whose in-progress claim outlived
		// its invocation.
		ConditionExpression:      aws.String("attribute_not_exists(PK) OR expiresAt < :now OR (#s = :inprogress AND inProgressUntil < :nowms)"),
		ExpressionAttributeNames: map[string]string{"#s": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now":        epoch(now),
			":nowms":      &types.AttributeValueMemberN{Value: strconv.FormatInt(now.UnixMilli(), 10)},
			":inprogress": &types.AttributeValueMemberS{Value: StatusInProgress},
		},
	})
	if err == nil {
		return nil, nil
	}
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		return nil, fmt.Errorf("claim idempotency key: %w", err)
	}
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      &s.table,
		Key:            key(req),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("read idempotency record: %w", err)
	}
	item := out.Item
	if item == nil {
		// Deleted between our write and read (an abandoned attempt): the client may retry.
		return nil, ErrInProgress
	}
	if str(item["payloadHash"]) != hash {
		return nil, ErrPayloadMismatch
	}
	if str(item["status"]) != StatusCompleted {
		return nil, ErrInProgress
	}
	code, _ := strconv.Atoi(num(item["statusCode"]))
	var body []byte
	if b, ok := item["response"].(*types.AttributeValueMemberB); ok {
		body = b.Value
	}
	return &Response{StatusCode: code, Body: body}, nil
}

// CompleteItem is the transaction item that marks req COMPLETED with its
// response. Put it in the same TransactWriteItems as the change it answers
// for; it only succeeds while this caller's claim is still in progress.
func (s *Store) CompleteItem(req Request, resp Response, now time.Time) types.TransactWriteItem {
	return types.TransactWriteItem{Put: &types.Put{
		TableName: &s.table,
		Item: map[string]types.AttributeValue{
			"PK":          &types.AttributeValueMemberS{Value: req.pk()},
			"SK":          &types.AttributeValueMemberS{Value: req.sk()},
			"status":      &types.AttributeValueMemberS{Value: StatusCompleted},
			"payloadHash": &types.AttributeValueMemberS{Value: req.Hash()},
			"expiresAt":   epoch(now.Add(s.retention)),
			"statusCode":  &types.AttributeValueMemberN{Value: strconv.Itoa(resp.StatusCode)},
			"response":    &types.AttributeValueMemberB{Value: resp.Body},
		},
		ConditionExpression:      aws.String("#s = :inprogress AND payloadHash = :hash"),
		ExpressionAttributeNames: map[string]string{"#s": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":inprogress": &types.AttributeValueMemberS{Value: StatusInProgress},
			":hash":       &types.AttributeValueMemberS{Value: req.Hash()},
		},
	}}
}

// Abandon releases a claim whose request failed without effect, so the client
// can retry with the same key (as Powertools deletes the record on error).
func (s *Store) Abandon(ctx context.Context, req Request) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 &s.table,
		Key:                       key(req),
		ConditionExpression:       aws.String("#s = :inprogress"),
		ExpressionAttributeNames:  map[string]string{"#s": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":inprogress": &types.AttributeValueMemberS{Value: StatusInProgress}},
	})
	var ccf *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &ccf) {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}

func key(req Request) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: req.pk()},
		"SK": &types.AttributeValueMemberS{Value: req.sk()},
	}
}

func epoch(t time.Time) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(t.Unix(), 10)}
}

func str(v types.AttributeValue) string {
	if s, ok := v.(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

func num(v types.AttributeValue) string {
	if n, ok := v.(*types.AttributeValueMemberN); ok {
		return n.Value
	}
	return ""
}
