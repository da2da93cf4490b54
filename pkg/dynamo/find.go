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
)

// Finding agreements and what needs attention (issue 26, items 1 and 2),
// kept beside each agreement in the transaction that writes it, so that
// neither reads the whole programme:
//
//	PROG#<programme>#TERMS  <term>#<id>  one small item per search term of an
//	                                     agreement (grants.Agreement.SearchTerms):
//	                                     a word typed is one Query, begins_with,
//	                                     reading the terms that begin with it
//	PROG#<programme>#ATTN   <ref>#<id>   an agreement some of whose things need a
//	                                     person (grants.AttentionOf), with its
//	                                     reference, partner, status and counts
//
// A search then reads the agreements it found (BatchGetItem), and the
// overview reads the attention items and, for the agreements past their
// end date, those agreements: each in proportion to what it shows.

func termsPK(programme string) string     { return "PROG#" + programme + "#TERMS" }
func attentionPK(programme string) string { return "PROG#" + programme + "#ATTN" }

func termItem(programme, id, term string) item {
	m := keyOf(termsPK(programme), term+"#"+id)
	m["type"], m["agreementId"] = s("term"), s(id)
	return m
}

func attentionItem(a *grants.Agreement, t grants.Attention) item {
	m := keyOf(attentionPK(a.Programme), a.Reference+"#"+a.ID)
	m["type"], m["agreementId"], m["reference"], m["partner"], m["status"] = s("attention"), s(a.ID), s(a.Reference), s(a.Partner.Name), s(string(a.Status))
	for name, v := range map[string]int{"instalmentsDue": t.InstalmentsDue, "instalmentsHeld": t.InstalmentsHeld,
		"checkInsOverdue": t.CheckInsOverdue, "helpToFollowUp": t.HelpToFollowUp, "changesAsked": t.ChangesAsked,
		"bouncingContacts": t.BouncingContacts} {
		if v != 0 {
			m[name] = n(v)
		}
	}
	return m
}

// findMarkers are every find item an agreement has (for a rebuild).
func findMarkers(a *grants.Agreement) []item {
	var out []item
	for _, t := range a.SearchTerms() {
		out = append(out, termItem(a.Programme, a.ID, t))
	}
	if t := grants.AttentionOf(a); !t.IsZero() {
		out = append(out, attentionItem(a, t))
	}
	return out
}

// findItems are the transaction items that keep after's find items: the
// terms it gained put and those it lost deleted (a write that changes no
// name writes none), and its attention item put while something needs a
// person (its counts change with most writes), deleted once nothing does.
func (st *Store) findItems(before, after *grants.Agreement) []types.TransactWriteItem {
	var items []types.TransactWriteItem
	var had []string
	if before != nil {
		had = before.SearchTerms()
	}
	has := after.SearchTerms()
	for _, t := range has {
		if !slices.Contains(had, t) {
			items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: termItem(after.Programme, after.ID, t)}})
		}
	}
	for _, t := range had {
		if !slices.Contains(has, t) {
			items = append(items, st.deleteItem(termItem(after.Programme, after.ID, t)))
		}
	}
	if t := grants.AttentionOf(after); !t.IsZero() {
		items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: attentionItem(after, t)}})
	}
	if before != nil && !grants.AttentionOf(before).IsZero() && (grants.AttentionOf(after).IsZero() || before.Reference != after.Reference) {
		items = append(items, st.deleteItem(keyOf(attentionPK(after.Programme), before.Reference+"#"+before.ID)))
	}
	return items
}

// FindAgreements reads the programme's agreements that have, for every
// word, a term beginning with it and, owner given, that officer: one Query
// of the term list (the officer's, else the longest word's), then the
// agreements it found, without their plans, kept if they match the rest.
// The cost follows what that word matches, not the programme's size.
func (st *Store) FindAgreements(ctx context.Context, programme string, words []string, owner string) ([]grants.Agreement, readcost.Cost, error) {
	var cost readcost.Cost
	// One Query: of the officer's term, else of the longest word (the
	// likeliest to be rare: "cp-2026-b000042" reads the terms of
	// "b000042", not every "2026"); the other words are checked on the
	// agreements found (Matches, below).
	var prefixes []string
	switch {
	case owner != "":
		prefixes = []string{grants.OwnerTerm(owner) + "#"}
	case len(words) > 0:
		prefixes = []string{slices.MaxFunc(words, func(x, y string) int { return len(x) - len(y) })}
	default:
		return []grants.Agreement{}, cost, nil
	}
	var found map[string]bool
	for i, p := range prefixes {
		ids := map[string]bool{}
		err := st.queryAll(ctx, &cost, &dynamodb.QueryInput{
			KeyConditionExpression:    aws.String("PK = :pk AND begins_with(SK, :p)"),
			ExpressionAttributeValues: item{":pk": s(termsPK(programme)), ":p": s(p)},
			ProjectionExpression:      aws.String("agreementId"),
		}, func(out *dynamodb.QueryOutput) {
			for _, it := range out.Items {
				if id := str(it["agreementId"]); i == 0 || found[id] {
					ids[id] = true
				}
			}
		})
		if err != nil {
			return nil, cost, fmt.Errorf("search agreements of %s: %w", programme, err)
		}
		if found = ids; len(found) == 0 {
			return []grants.Agreement{}, cost, nil
		}
	}
	ids := make([]string, 0, len(found))
	for id := range found {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	list, err := st.agreementItems(ctx, ids, &cost)
	if err != nil {
		return nil, cost, err
	}
	// The terms are written with the agreement, so they agree; a term read
	// just before a rename is checked here again.
	return slices.DeleteFunc(list, func(a grants.Agreement) bool { return a.Programme != programme || !a.Matches(words, owner) }), cost, nil
}

// agreementItems reads the agreement items of ids (no plans), eventually
// consistent, 100 to a BatchGetItem; an ID with none is left out.
func (st *Store) agreementItems(ctx context.Context, ids []string, cost *readcost.Cost) ([]grants.Agreement, error) {
	var out []grants.Agreement
	for chunk := range slices.Chunk(ids, 100) {
		keys := make([]map[string]types.AttributeValue, 0, len(chunk))
		for _, id := range chunk {
			keys = append(keys, keyOf(agreementPK(id), "A"))
		}
		pending := map[string]types.KeysAndAttributes{st.table: {Keys: keys}}
		for len(pending) > 0 {
			res, err := st.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: pending, ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
			if err != nil {
				return nil, fmt.Errorf("read agreements: %w", err)
			}
			cost.Requests++
			cost.Items += len(res.Responses[st.table])
			for _, c := range res.ConsumedCapacity {
				cost.CapacityUnits += aws.ToFloat64(c.CapacityUnits)
			}
			out = append(out, decodeList[agreementRecord](ctx, res.Responses[st.table], (*grants.Agreement).CheckStored)...)
			pending = res.UnprocessedKeys
		}
	}
	return out, nil
}

// NeedingAttention reads a page of what of a programme needs a person:
// its attention items in reference order, limit at a time; and, on the
// first page (cursor ""), the active agreements whose end date is before
// today (the end markers, then those agreements). Its cost follows the
// page and how many are past their end, never the programme's size.
func (st *Store) NeedingAttention(ctx context.Context, programme string, today grants.Date, cursor string, limit int) (grants.Page[grants.AttentionRow], []grants.AttentionRow, readcost.Cost, error) {
	var cost readcost.Cost
	page := grants.Page[grants.AttentionRow]{Items: []grants.AttentionRow{}}
	if limit < 1 {
		return page, nil, cost, fmt.Errorf("a limit of %d", limit)
	}
	start, err := decodeCursor(cursor, "PK", attentionPK(programme))
	if err != nil {
		return page, nil, cost, err
	}
	out, err := st.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &st.table,
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: item{":pk": s(attentionPK(programme))},
		ExclusiveStartKey:         start,
		Limit:                     aws.Int32(int32(limit)),
		ReturnConsumedCapacity:    types.ReturnConsumedCapacityTotal,
	})
	if err != nil {
		return page, nil, cost, fmt.Errorf("read what needs attention in %s: %w", programme, err)
	}
	addCost(&cost, out.ScannedCount, out.ConsumedCapacity)
	for _, it := range out.Items {
		r := grants.AttentionRow{AgreementID: str(it["agreementId"]), Reference: str(it["reference"]),
			Partner: str(it["partner"]), Status: grants.AgreementStatus(str(it["status"]))}
		for name, v := range map[string]*int{"instalmentsDue": &r.InstalmentsDue, "instalmentsHeld": &r.InstalmentsHeld,
			"checkInsOverdue": &r.CheckInsOverdue, "helpToFollowUp": &r.HelpToFollowUp, "changesAsked": &r.ChangesAsked,
			"bouncingContacts": &r.BouncingContacts} {
			if num, ok := it[name].(*types.AttributeValueMemberN); ok {
				fmt.Sscan(num.Value, v)
			}
		}
		page.Items = append(page.Items, r)
	}
	if page.NextCursor, err = encodeCursor(out.LastEvaluatedKey); err != nil || cursor != "" {
		return page, nil, cost, err
	}
	var past []string
	err = st.queryAll(ctx, &cost, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("PK = :pk AND SK < :today"),
		ExpressionAttributeValues: item{":pk": s(endsPK(programme)), ":today": s(today.String())},
	}, func(out *dynamodb.QueryOutput) {
		for _, it := range out.Items {
			past = append(past, str(it["agreementId"]))
		}
	})
	if err != nil {
		return page, nil, cost, fmt.Errorf("read agreements past their end date in %s: %w", programme, err)
	}
	list, err := st.agreementItems(ctx, past, &cost)
	if err != nil {
		return page, nil, cost, err
	}
	var ended []grants.AttentionRow
	for _, a := range list {
		if a.Status == grants.AgreementActive && a.EndDate.Before(today) {
			ended = append(ended, grants.AttentionRow{AgreementID: a.ID, Reference: a.Reference, Partner: a.Partner.Name,
				Status: a.Status, PastEndDate: true, EndDate: a.EndDate})
		}
	}
	grants.SortAttention(ended)
	return page, ended, cost, nil
}
