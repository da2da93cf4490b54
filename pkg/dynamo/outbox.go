package dynamo

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/grants"
)

// The outbox makes each side effect that leaves the system (an email, an
// event for accounting) happen once. A side effect has a deterministic key in
// its agreement's partition ("O#checkin#01", "O#reminder#01#2"), so a
// duplicate trigger finds it already there. Whoever sends it first claims it
// with a conditional write and a lease; the send is then recorded as done in
// the same transaction as the state change it belongs to. A claim whose holder
// crashed expires and the sweep tries again. While pending, an outbox item
// sits in the ByNextAction index, so the daily sweep finds any the triggering
// function did not finish.
//
// SES has no idempotency key of its own, so the one window left is a crash
// after SES accepted a message and before the record says so: then the
// message can go twice. The lease keeps that window to one invocation.

func outboxSK(key string) string { return "O#" + key }

func outboxIndexKey(agreementID, key string) types.AttributeValue {
	return s(fmt.Sprintf("%s#%s#O#%s", grants.Immediately, agreementID, key))
}

// enqueueItem is the transaction item that adds a pending side effect, to be
// written with the state change that calls for it. An existing entry with the
// same key is left as it is.
func (st *Store) enqueueItem(agreementID, key string, now time.Time, claim *grants.Claim) types.TransactWriteItem {
	it := item{
		"PK": s(agreementPK(agreementID)), "SK": s(outboxSK(key)), "type": s("outbox"),
		"agreementId": s(agreementID), "key": s(key), "status": s(grants.OutboxPending),
		"attempts": n(0), "createdAt": s(now.UTC().Format(time.RFC3339Nano)),
		"napk": s("NA"), "nask": outboxIndexKey(agreementID, key),
	}
	if claim != nil {
		// Claimed as Claim would claim it, so a lapsed claim is retaken the same way.
		it["status"], it["claimToken"], it["claimUntil"], it["attempts"] = s(grants.OutboxClaimed), s(claim.Token), millis(claim.Until), n(1)
	}
	return types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: it, ConditionExpression: aws.String("attribute_not_exists(PK)")}}
}

// Claim takes the side effect for this caller until now+lease: it creates the
// entry if there is none, or takes a pending one or one whose lease ran out.
// It reports false when the effect is done or someone else holds it.
func (st *Store) Claim(ctx context.Context, agreementID, key, token string, now time.Time, lease time.Duration) (bool, error) {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &st.table,
		Key:       keyOf(agreementPK(agreementID), outboxSK(key)),
		UpdateExpression: aws.String("SET #t = :type, agreementId = :id, #k = :key, #s = :claimed, claimToken = :token, claimUntil = :until, " +
			"attempts = if_not_exists(attempts, :zero) + :one, createdAt = if_not_exists(createdAt, :now), napk = :napk, nask = :nask"),
		ConditionExpression:      aws.String("attribute_not_exists(PK) OR #s = :pending OR (#s = :claimed AND claimUntil < :nowms)"),
		ExpressionAttributeNames: map[string]string{"#t": "type", "#k": "key", "#s": "status"},
		ExpressionAttributeValues: item{
			":type": s("outbox"), ":id": s(agreementID), ":key": s(key), ":claimed": s(grants.OutboxClaimed), ":pending": s(grants.OutboxPending),
			":token": s(token), ":until": millis(now.Add(lease)), ":nowms": millis(now), ":zero": n(0), ":one": n(1),
			":now": s(now.UTC().Format(time.RFC3339Nano)), ":napk": s("NA"), ":nask": outboxIndexKey(agreementID, key),
		},
	})
	if err == nil {
		return true, nil
	}
	if isConditionFailure(err) {
		return false, nil
	}
	return false, fmt.Errorf("claim %s/%s: %w", agreementID, key, err)
}

// sentItem is the transaction item that records the claimed side effect
// as done; it fails (cancelling the transaction) if the claim was lost.
func (st *Store) sentItem(agreementID string, sent grants.Sent, now time.Time) types.TransactWriteItem {
	key, token, messageID := sent.Key, sent.Token, sent.MessageID
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                 &st.table,
		Key:                       keyOf(agreementPK(agreementID), outboxSK(key)),
		UpdateExpression:          aws.String("SET #s = :done, messageId = :mid, doneAt = :now REMOVE claimToken, claimUntil, napk, nask, lastError"),
		ConditionExpression:       aws.String("claimToken = :token"),
		ExpressionAttributeNames:  map[string]string{"#s": "status"},
		ExpressionAttributeValues: item{":done": s(grants.OutboxDone), ":mid": s(messageID), ":now": s(now.UTC().Format(time.RFC3339Nano)), ":token": s(token)},
	}}
}

// Release gives a claimed side effect back (the send failed), so a retry or
// the sweep can take it.
func (st *Store) Release(ctx context.Context, agreementID, key, token string, cause error) error {
	msg := "unknown"
	if cause != nil {
		msg = cause.Error()
		if len(msg) > 500 {
			msg = msg[:500]
		}
	}
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &st.table,
		Key:                       keyOf(agreementPK(agreementID), outboxSK(key)),
		UpdateExpression:          aws.String("SET #s = :pending, lastError = :err REMOVE claimToken, claimUntil"),
		ConditionExpression:       aws.String("claimToken = :token"),
		ExpressionAttributeNames:  map[string]string{"#s": "status"},
		ExpressionAttributeValues: item{":pending": s(grants.OutboxPending), ":err": s(msg), ":token": s(token)},
	})
	if err != nil && !isConditionFailure(err) {
		return fmt.Errorf("release %s/%s: %w", agreementID, key, err)
	}
	return nil
}

// Outbox reads one outbox entry, or nil.
func (st *Store) Outbox(ctx context.Context, agreementID, key string) (*grants.OutboxEntry, error) {
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: keyOf(agreementPK(agreementID), outboxSK(key)), ConsistentRead: aws.Bool(true)})
	if err != nil || out.Item == nil {
		return nil, err
	}
	var e grants.OutboxEntry
	return &e, unmarshal(out.Item, &e)
}

func millis(t time.Time) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(t.UnixMilli(), 10)}
}

// DueWork lists the work due on or before today, oldest first, reading only
// index entries that are due: the cost follows the work, not the table.
func (st *Store) DueWork(ctx context.Context, today grants.Date) ([]grants.Work, error) {
	var work []grants.Work
	var start map[string]types.AttributeValue
	for {
		out, err := st.db.Query(ctx, &dynamodb.QueryInput{
			TableName:              &st.table,
			IndexName:              aws.String(IndexByNextAction),
			KeyConditionExpression: aws.String("napk = :na AND nask <= :upto"),
			ExpressionAttributeValues: item{
				":na":   s("NA"),
				":upto": s(today.String() + "#~"),
			},
			ExclusiveStartKey:      start,
			ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal,
		})
		if err != nil {
			return nil, fmt.Errorf("query due work: %w", err)
		}
		for _, it := range out.Items {
			if w, ok := parseWork(it); ok {
				work = append(work, w)
			}
		}
		if start = out.LastEvaluatedKey; start == nil {
			return work, nil
		}
	}
}

func parseWork(it item) (grants.Work, bool) {
	v, ok := it["nask"].(*types.AttributeValueMemberS)
	if !ok {
		return grants.Work{}, false
	}
	parts := strings.SplitN(v.Value, "#", 4)
	if len(parts) != 4 {
		return grants.Work{}, false
	}
	d, err := grants.ParseDate(parts[0])
	if err != nil && parts[0] != grants.Immediately.String() {
		return grants.Work{}, false
	}
	if err != nil {
		d = grants.Immediately
	}
	w := grants.Work{On: d, AgreementID: parts[1], Kind: parts[2]}
	if w.Kind == "O" {
		w.Key = parts[3]
	} else {
		w.Number, err = strconv.Atoi(parts[3])
		if err != nil {
			return grants.Work{}, false
		}
	}
	return w, true
}
