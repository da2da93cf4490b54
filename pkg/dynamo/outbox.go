package dynamo

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/sync/errgroup"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/outbox"
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
	return s(fmt.Sprintf("%s#%s#%s#%s", grants.Immediately, agreementID, workKeys[grants.WorkOutbox], key))
}

// enqueueItem is the transaction item that adds a pending side effect, to be
// written with the state change that calls for it. It is written only where
// no entry has the key: an existing one fails the transaction.
func (st *Store) enqueueItem(agreementID, key string, now time.Time, claim *grants.Claim) types.TransactWriteItem {
	it := item{
		"PK": s(agreementPK(agreementID)), "SK": s(outboxSK(key)), "type": s("outbox"),
		"agreementId": s(agreementID), "key": s(key), "status": s(outbox.StatusPending),
		"attempts": n(0), "createdAt": s(now.UTC().Format(time.RFC3339Nano)),
		"napk": s(nextActionShard(agreementID)), "nask": outboxIndexKey(agreementID, key),
	}
	if claim != nil {
		// Claimed as Claim would claim it, so a lapsed claim is retaken the same way.
		it["status"], it["claimToken"], it["claimUntil"], it["attempts"] = s(outbox.StatusClaimed), s(claim.Token), millis(claim.Until), n(1)
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
			":type": s("outbox"), ":id": s(agreementID), ":key": s(key), ":claimed": s(outbox.StatusClaimed), ":pending": s(outbox.StatusPending),
			":token": s(token), ":until": millis(now.Add(lease)), ":nowms": millis(now), ":zero": n(0), ":one": n(1),
			":now": s(now.UTC().Format(time.RFC3339Nano)), ":napk": s(nextActionShard(agreementID)), ":nask": outboxIndexKey(agreementID, key),
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
		ExpressionAttributeValues: item{":done": s(outbox.StatusDone), ":mid": s(messageID), ":now": s(now.UTC().Format(time.RFC3339Nano)), ":token": s(token)},
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
		ExpressionAttributeValues: item{":pending": s(outbox.StatusPending), ":err": s(msg), ":token": s(token)},
	})
	if err != nil && !isConditionFailure(err) {
		return fmt.Errorf("release %s/%s: %w", agreementID, key, err)
	}
	return nil
}

// Outbox reads one outbox entry, or nil.
func (st *Store) Outbox(ctx context.Context, agreementID, key string) (*outbox.Entry, error) {
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: keyOf(agreementPK(agreementID), outboxSK(key)), ConsistentRead: aws.Bool(true)})
	if err != nil || out.Item == nil {
		return nil, err
	}
	e, err := decode[outboxRecord](out.Item)
	return &e, err
}

func millis(t time.Time) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(t.UnixMilli(), 10)}
}

// The next-action index is sharded: one partition would take every write of
// a busy morning (100,000 items due on one day), beyond one partition's
// throughput. An agreement's items share its shard, so a writer touches one.
const nextActionShards = 16

// legacyNextAction is the single partition the index used before it was
// sharded. DueWork still reads it, so a table written before then needs no
// migration: its items move to their shards at their next write, and reading
// the empty partition costs one small request a sweep.
const legacyNextAction = "NA"

// nextActionShard is the index partition of an agreement's items: NA#00 to
// NA#15, by an FNV-1a hash of its ID.
func nextActionShard(agreementID string) string {
	h := fnv.New32a()
	h.Write([]byte(agreementID))
	return fmt.Sprintf("NA#%02d", h.Sum32()%nextActionShards)
}

// nextActionPartitions are the partitions DueWork reads.
func nextActionPartitions() []string {
	out := make([]string, 0, nextActionShards+1)
	for i := range nextActionShards {
		out = append(out, fmt.Sprintf("NA#%02d", i))
	}
	return append(out, legacyNextAction)
}

// dueWorkReaders bounds the shards read at once: enough to hide latency,
// few enough to leave the table's other readers room.
const dueWorkReaders = 8

// DueWork lists the work due on or before today, oldest first, reading only
// index entries that are due: the cost follows the work, not the table. The
// shards are read in parallel and merged in the index's own order (date,
// then agreement, kind and number), as the single partition listed them.
func (st *Store) DueWork(ctx context.Context, today grants.Date) ([]grants.Work, error) {
	partitions := nextActionPartitions()
	found := make([][]dueEntry, len(partitions))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(dueWorkReaders)
	for i, p := range partitions {
		g.Go(func() error {
			var err error
			found[i], err = st.dueIn(ctx, p, today)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var all []dueEntry
	for _, f := range found {
		all = append(all, f...)
	}
	slices.SortFunc(all, func(a, b dueEntry) int { return strings.Compare(a.sortKey, b.sortKey) })
	work := make([]grants.Work, len(all))
	for i, e := range all {
		work[i] = e.work
	}
	return work, nil
}

// dueEntry is a piece of work with the index sort key it was listed by.
type dueEntry struct {
	sortKey string
	work    grants.Work
}

// dueIn reads one partition of the index up to today, in key order.
func (st *Store) dueIn(ctx context.Context, partition string, today grants.Date) ([]dueEntry, error) {
	var due []dueEntry
	var start map[string]types.AttributeValue
	for {
		out, err := st.db.Query(ctx, &dynamodb.QueryInput{
			TableName:              &st.table,
			IndexName:              aws.String(IndexByNextAction),
			KeyConditionExpression: aws.String("napk = :na AND nask <= :upto"),
			ExpressionAttributeValues: item{
				":na":   s(partition),
				":upto": s(today.String() + "#~"),
			},
			ExclusiveStartKey:      start,
			ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal,
		})
		if err != nil {
			return nil, fmt.Errorf("query due work in %s: %w", partition, err)
		}
		for _, it := range out.Items {
			if w, ok := parseWork(it); ok {
				due = append(due, dueEntry{sortKey: it["nask"].(*types.AttributeValueMemberS).Value, work: w})
			}
		}
		if start = out.LastEvaluatedKey; start == nil {
			return due, nil
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
	kind, ok := workKindOf(parts[2])
	if !ok {
		return grants.Work{}, false
	}
	w := grants.Work{On: d, AgreementID: parts[1], Kind: kind}
	if kind == grants.WorkOutbox {
		w.Key = parts[3]
	} else {
		w.Number, err = strconv.Atoi(parts[3])
		if err != nil {
			return grants.Work{}, false
		}
	}
	return w, true
}
