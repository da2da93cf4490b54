package dynamo

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/readcost"
	"github.com/partnership-grants/backend/pkg/reports"
)

// DeleteDraft deletes a draft agreement created by mistake (issue 26, item
// 16) with all that it wrote: its partition (the agreement, its plans,
// history, outbox), its reference's reservation, its partner link, its
// contribution to its programme's tally and markers, and its notes. It is
// refused as a Conflict (reason not_a_draft) unless the agreement is still a
// draft when the deletion commits: the agreement's delete is conditional on
// the version read, and a lost race is read again.
//
// What an index or a list can see (the agreement, its plans, anything with
// an index key) goes in one transaction with the condition; what only the
// agreement's own reads reach (its history) is deleted after it, so a
// draft with more items than a transaction holds is still deleted. An
// absent agreement is NotFound, and whatever a deletion cut short left of
// its partition is deleted then: deleting again finishes the job.
// A partner record made with the draft stays: it is the directory's.
func (st *Store) DeleteDraft(ctx context.Context, id string) error {
	if !validID(id) {
		return errNotFound(id)
	}
	for range maxAttempts {
		items, err := st.partitionItems(ctx, agreementPK(id))
		if err != nil {
			return err
		}
		a, err := decodeAgreement(items)
		if err != nil {
			return err
		}
		if a == nil {
			if err := st.deleteEach(ctx, items); err != nil {
				return err
			}
			return errNotFound(id)
		}
		if a.Status != grants.AgreementDraft {
			return notADraft(a)
		}
		txn, rest, err := st.draftDeletes(a, items)
		if err != nil {
			return err
		}
		err = st.transact(ctx, txn)
		if isConditionFailure(err) {
			continue // changed meanwhile: read it again
		}
		if err != nil {
			return fmt.Errorf("delete draft %s: %w", id, err)
		}
		notes, err := st.partitionItems(ctx, notesPK(id))
		if err != nil {
			return err
		}
		return st.deleteEach(ctx, append(rest, notes...))
	}
	return &grants.Error{Code: grants.Conflict, Message: "The agreement kept changing; read it again and retry.", Reason: grants.ReasonBusy}
}

func notADraft(a *grants.Agreement) error {
	return &grants.Error{Code: grants.Conflict, Reason: "not_a_draft",
		Message: fmt.Sprintf("Agreement %s is %s: only a draft can be deleted.", a.Reference, a.Status)}
}

// draftDeletes are the transaction that deletes draft a, whose partition
// holds items, and the partition's items left for after it.
func (st *Store) draftDeletes(a *grants.Agreement, items []item) (txn []types.TransactWriteItem, rest []item, err error) {
	txn = append(txn, types.TransactWriteItem{Delete: &types.Delete{
		TableName:                 &st.table,
		Key:                       keyOf(agreementPK(a.ID), "A"),
		ConditionExpression:       aws.String("version = :v"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": n(a.Version)},
	}})
	txn = append(txn, st.deleteItem(keyOf("REF#"+a.Reference, "REF")))
	if a.PartnerID != "" {
		link, err := partnerLinkItem(grants.PartnerLink{PartnerID: a.PartnerID, AgreementID: a.ID, CreatedAt: a.CreatedAt})
		if err != nil {
			return nil, nil, err
		}
		txn = append(txn, st.deleteItem(link))
	}
	tally, err := reports.TallyOf(a)
	if err != nil {
		return nil, nil, err
	}
	for k, v := range tally {
		tally[k] = -v
	}
	txn = append(txn, st.summaryItems(a.Programme, a.ID, reports.Change{Delta: tally, Before: reports.MarksOf(a)})...)
	// Indexed items first, so they fit in the transaction.
	slices.SortStableFunc(items, func(p, q item) int { return indexed(q) - indexed(p) })
	for _, it := range items {
		if str(it["SK"]) == "A" {
			continue
		}
		if indexed(it) == 1 && len(txn) < 100 {
			txn = append(txn, st.deleteItem(it))
		} else {
			rest = append(rest, it)
		}
	}
	return txn, rest, nil
}

// indexed is 1 if an item has a key of an index, else 0.
func indexed(it item) int {
	for _, k := range []string{"gsi1pk", "plpk", "ispk", "napk"} {
		if _, ok := it[k]; ok {
			return 1
		}
	}
	return 0
}

// partitionItems reads a partition's items whole.
func (st *Store) partitionItems(ctx context.Context, pk string) ([]item, error) {
	var items []item
	var cost readcost.Cost
	err := st.queryAll(ctx, &cost, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("PK = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": s(pk)},
		ConsistentRead:            aws.Bool(true),
	}, func(out *dynamodb.QueryOutput) { items = append(items, out.Items...) })
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", pk, err)
	}
	return items, nil
}

// deleteEach deletes items one by one: what is left after a draft's
// transaction, which nothing but the agreement's own reads reach.
func (st *Store) deleteEach(ctx context.Context, items []item) error {
	for _, it := range items {
		if _, err := st.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &st.table, Key: keyOf(str(it["PK"]), str(it["SK"]))}); err != nil {
			return fmt.Errorf("delete %s / %s: %w", str(it["PK"]), str(it["SK"]), err)
		}
	}
	return nil
}
