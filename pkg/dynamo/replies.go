package dynamo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// Replies live in their agreement's partition under "R#<nn>#<SES message
// id>", outside the "A" range that GetAgreement reads. Quarantined messages
// live in one partition of their own ("QUARANTINE", "Q#<SES message id>"),
// because their agreement may be unknown, and are listed from the
// ByProgramme index by status and programme (see heldListKey).

func replySK(n int, messageID string) string { return fmt.Sprintf("R#%02d#%s", n, messageID) }

// replyItem is the transaction item that stores a reply, once per SES message.
func (st *Store) replyItem(r grants.Reply) (types.TransactWriteItem, error) {
	it, err := marshal(replyRecordOf(r))
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	it["PK"], it["SK"], it["type"] = s(agreementPK(r.AgreementID)), s(replySK(r.CheckIn, r.MessageID)), s("reply")
	return st.putNew(it), nil
}

// Replies lists the replies to check-in n (every check-in's when n is 0),
// by check-in and oldest first.
func (st *Store) Replies(ctx context.Context, agreementID string, n int) ([]grants.Reply, error) {
	prefix := "R#" // every check-in's
	if n > 0 {
		prefix = fmt.Sprintf("R#%02d#", n)
	}
	out, err := st.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &st.table,
		KeyConditionExpression:    aws.String("PK = :pk AND begins_with(SK, :r)"),
		ExpressionAttributeValues: item{":pk": s(agreementPK(agreementID)), ":r": s(prefix)},
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("read replies: %w", err)
	}
	return decodeList[replyRecord](ctx, out.Items, nil), nil
}

var quarantinePK = s("QUARANTINE")

func quarantineKey(id string) item { return item{"PK": quarantinePK, "SK": s("Q#" + id)} }

// heldListPK and heldListSK place a held message in the ByProgramme index:
// one partition per status, sorted by programme then message, so one
// programme's messages of one status are a key range ("<programme>#"; a
// message naming no programme sorts under "#", a range of its own).
// Programme names never hold "#" (grants.validProgramme). A decision moves
// the message to its new status's partition in the write that records it.
func heldListPK(status string) string { return "HELD#" + status }

func heldListSK(programme, id string) string { return programme + "#" + id }

// heldItem is the transaction item that holds a message, once per SES message.
func (st *Store) heldItem(q grants.Quarantined) (types.TransactWriteItem, error) {
	it, err := marshal(quarantinedRecordOf(q))
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	it["PK"], it["SK"], it["type"] = quarantinePK, s("Q#"+q.ID), s("quarantine")
	it["gsi1pk"], it["gsi1sk"] = s(heldListPK(q.Status)), s(heldListSK(q.Programme, q.ID))
	return st.putNew(it), nil
}

// ListQuarantine lists held messages of a status (pending by default), every
// programme's, in message ID order. It reads that status's index partition
// and nothing else.
func (st *Store) ListQuarantine(ctx context.Context, status string) ([]grants.Quarantined, error) {
	if status == "" {
		status = grants.QuarantinePending
	}
	list, err := st.listHeld(ctx, "gsi1pk = :pk", item{":pk": s(heldListPK(status))})
	slices.SortFunc(list, func(x, y grants.Quarantined) int { return strings.Compare(x.ID, y.ID) })
	return list, err
}

// ListQuarantineOf lists one programme's held messages of a status (pending
// by default), in message ID order; programme "" lists those naming no
// programme. It reads that key range of the index and nothing else.
func (st *Store) ListQuarantineOf(ctx context.Context, programme, status string) ([]grants.Quarantined, error) {
	if status == "" {
		status = grants.QuarantinePending
	}
	return st.listHeld(ctx, "gsi1pk = :pk AND begins_with(gsi1sk, :p)",
		item{":pk": s(heldListPK(status)), ":p": s(heldListSK(programme, ""))})
}

func (st *Store) listHeld(ctx context.Context, keys string, values item) ([]grants.Quarantined, error) {
	var list []grants.Quarantined
	var start map[string]types.AttributeValue
	for {
		out, err := st.db.Query(ctx, &dynamodb.QueryInput{
			TableName:                 &st.table,
			IndexName:                 aws.String(IndexByProgramme),
			KeyConditionExpression:    aws.String(keys),
			ExpressionAttributeValues: values,
			ExclusiveStartKey:         start,
		})
		if err != nil {
			return nil, fmt.Errorf("list quarantine: %w", err)
		}
		list = append(list, decodeList[quarantinedRecord](ctx, out.Items, nil)...)
		if start = out.LastEvaluatedKey; start == nil {
			return list, nil
		}
	}
}

// GetQuarantined reads one held message.
func (st *Store) GetQuarantined(ctx context.Context, id string) (*grants.Quarantined, error) {
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: quarantineKey(id), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read quarantine: %w", err)
	}
	if out.Item == nil {
		return nil, &grants.Error{Code: grants.NotFound, Message: "No quarantined message " + id + ".", Reason: "quarantine_not_found"}
	}
	q, err := decode[quarantinedRecord](out.Item)
	return &q, err
}

// decisionItem is the transaction item that settles a held message; it
// fails if someone settled it first. It moves the message to its new
// status's list (its gsi1sk, programme and ID, stays).
func (st *Store) decisionItem(d grants.Decision, now time.Time) types.TransactWriteItem {
	id, status, actor, note := d.MessageID, d.Status, d.Actor, d.Note
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                &st.table,
		Key:                      quarantineKey(id),
		UpdateExpression:         aws.String("SET #s = :status, resolvedBy = :actor, resolvedAt = :now, note = :note, gsi1pk = :listed"),
		ConditionExpression:      aws.String("#s = :pending"),
		ExpressionAttributeNames: map[string]string{"#s": "status"},
		ExpressionAttributeValues: item{
			":status": s(status), ":actor": s(actor), ":now": s(now.UTC().Format(time.RFC3339Nano)), ":note": s(note),
			":pending": s(grants.QuarantinePending), ":listed": s(heldListPK(status)),
		},
	}}
}

// Transact writes items in one transaction, for changes that are not an
// agreement's (settling a message whose agreement is unknown).
func (st *Store) Transact(ctx context.Context, items ...types.TransactWriteItem) error {
	_, err := st.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	if isConditionFailure(err) {
		return &grants.Error{Code: grants.Conflict, Message: "Someone else changed this first; reload and try again.", Reason: "conflict"}
	}
	return err
}

// ClaimOnce claims a one-time side effect like Claim, and also says whether
// it is already done (as opposed to held by another attempt).
func (st *Store) ClaimOnce(ctx context.Context, agreementID, key, token string, now time.Time, lease time.Duration) (claimed, done bool, err error) {
	claimed, err = st.Claim(ctx, agreementID, key, token, now, lease)
	if err != nil || claimed {
		return claimed, false, err
	}
	e, err := st.Outbox(ctx, agreementID, key)
	if err != nil {
		return false, false, err
	}
	return false, e != nil && e.Status == outbox.StatusDone, nil
}

// An email delivered again under a new SES message ID (a mail client's or a
// relay's resend) is known by a marker per email identity (see
// reply.Identity), "EMAIL#<identity>", written in the transaction that
// stores the first copy's outcome: however copies interleave, one wins.

func firstCopyKey(identity string) item { return keyOf("EMAIL#"+identity, "EMAIL") }

// firstCopyItem is the transaction item that records c as the first copy
// of its email; it fails if another copy was first.
func (st *Store) firstCopyItem(c grants.FirstCopy) (types.TransactWriteItem, error) {
	it, err := marshal(firstCopyRecordOf(c))
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	for k, v := range firstCopyKey(c.Identity) {
		it[k] = v
	}
	it["type"] = s("email")
	return st.putNew(it), nil
}

// StoredMessages lists the SES message IDs whose processing is done (stored
// as a reply, held, or recorded as an auto-reply or a copy): their once-only
// records in the inbound partition say so, in the transaction that stored
// them. One Query of that partition, not a read per message.
func (st *Store) StoredMessages(ctx context.Context, inboundPartition string) (map[string]bool, error) {
	done := map[string]bool{}
	var start map[string]types.AttributeValue
	for {
		out, err := st.db.Query(ctx, &dynamodb.QueryInput{
			TableName:                 &st.table,
			KeyConditionExpression:    aws.String("PK = :pk AND begins_with(SK, :msg)"),
			FilterExpression:          aws.String("#s = :done"),
			ProjectionExpression:      aws.String("SK"),
			ExpressionAttributeNames:  map[string]string{"#s": "status"},
			ExpressionAttributeValues: item{":pk": s(agreementPK(inboundPartition)), ":msg": s(outboxSK("msg#")), ":done": s(outbox.StatusDone)},
			ConsistentRead:            aws.Bool(true),
			ExclusiveStartKey:         start,
		})
		if err != nil {
			return nil, fmt.Errorf("list stored messages: %w", err)
		}
		for _, it := range out.Items {
			if sk, ok := it["SK"].(*types.AttributeValueMemberS); ok {
				done[strings.TrimPrefix(sk.Value, outboxSK("msg#"))] = true
			}
		}
		if start = out.LastEvaluatedKey; start == nil {
			return done, nil
		}
	}
}

// FirstCopyAndSettings reads the first copy stored of the email with this
// identity (nil if none, or no identity) and the named programme's settings
// (nil if no programme), in one call.
func (st *Store) FirstCopyAndSettings(ctx context.Context, identity, programme string) (*grants.FirstCopy, *grants.ProgrammeSettings, error) {
	var keys []item
	if identity != "" {
		keys = append(keys, firstCopyKey(identity))
	}
	if programme != "" {
		keys = append(keys, settingsKey(programme))
	}
	if len(keys) == 0 {
		return nil, nil, nil
	}
	found, err := st.batchGet(ctx, keys...)
	if err != nil {
		return nil, nil, err
	}
	var first *grants.FirstCopy
	if it := found[keyString(firstCopyKey(identity))]; identity != "" && it != nil {
		c, err := decode[firstCopyRecord](it)
		if err != nil {
			return nil, nil, err
		}
		c.Identity = identity // the key, not an attribute
		first = &c
	}
	if programme == "" {
		return first, nil, nil
	}
	settings, err := settingsOf(found[keyString(settingsKey(programme))])
	return first, &settings, err
}
