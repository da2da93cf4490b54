package dynamo

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/big"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/money"
	"github.com/partnership-grants/backend/pkg/readcost"
	"github.com/partnership-grants/backend/pkg/reports"
)

// A programme's aggregate is its summary kept up to date: the sum of its
// agreements' tallies (reports.Tally), changed by each write's delta with
// ADD in the same transaction as the agreement. One item per programme would
// be a hot item that makes concurrent writes to different agreements
// conflict, so it is split into aggregateShards items, an agreement's deltas
// always going to the shard its ID hashes to (each shard is then the exact
// tally of its own agreements). The summary reads them all in one
// BatchGetItem: a constant cost whatever the programme's size.
//
// What depends on today is kept as marker items, read in proportion to
// what they hold: an active agreement's end date (PROG#<p>#ENDS /
// <end date>#<id>: those before today are past their end date) and a running
// agreement whose partner's mail bounces (PROG#<p>#BOUNCING / <id>).
const aggregateShards = 16

const typeAggregate = "aggregate"

func aggregateKey(programme string, shard int) item {
	return keyOf("PROG#"+programme, fmt.Sprintf("AGG#%02d", shard))
}

// aggregateBuiltKey marks a programme whose aggregate was built (by
// RebuildAggregate), with the reports.TallyVersion it was built under;
// without it, or under another version, the summary builds it first, so a
// table from before aggregates, or from before a change to what an
// agreement counts, heals itself on its first summary.
func aggregateBuiltKey(programme string) item { return keyOf("PROG#"+programme, "AGG#BUILT") }

func shardOf(agreementID string) int {
	h := fnv.New32a()
	h.Write([]byte(agreementID))
	return int(h.Sum32() % aggregateShards)
}

func endsPK(programme string) string     { return "PROG#" + programme + "#ENDS" }
func bouncingPK(programme string) string { return "PROG#" + programme + "#BOUNCING" }

// endMarker is the marker of an active agreement's end date.
func endMarker(programme, id string, end grants.Date) item {
	m := keyOf(endsPK(programme), end.String()+"#"+id)
	m["type"], m["agreementId"] = s("end"), s(id)
	return m
}

// bouncingMarker is the marker of a running agreement's bouncing partner.
func bouncingMarker(programme string, b reports.BouncingPartner) item {
	m := keyOf(bouncingPK(programme), b.AgreementID)
	m["type"], m["agreementId"], m["reference"], m["partner"], m["contacts"] = s("bouncing"), s(b.AgreementID), s(b.Reference), s(b.Partner), n(b.Contacts)
	return m
}

// markers are the marker items of an agreement's marks.
func markers(programme, id string, m reports.AgreementMarks) []item {
	var out []item
	if !m.EndDate.IsZero() {
		out = append(out, endMarker(programme, id, m.EndDate))
	}
	if m.IsBouncing() {
		out = append(out, bouncingMarker(programme, m.Bouncing))
	}
	return out
}

// summaryItems are the transaction items that write c, the change of an
// agreement's programme summary (reports.ChangeOf decides it): the
// delta added to the agreement's shard; the markers it has after, put (on
// every write, changed or not: so they always were, which also restores
// one that a rebuild missed); and the markers it had before and no longer
// has under the same key, deleted.
func (st *Store) summaryItems(programme, id string, c reports.Change) []types.TransactWriteItem {
	var items []types.TransactWriteItem
	if len(c.Delta) > 0 {
		names := map[string]string{"#type": "type"}
		values := item{":type": s(typeAggregate)}
		var adds []string
		for i, name := range c.Delta.Names() {
			names[fmt.Sprintf("#n%d", i)] = name
			values[fmt.Sprintf(":v%d", i)] = &types.AttributeValueMemberN{Value: fmt.Sprint(c.Delta[name])}
			adds = append(adds, fmt.Sprintf("#n%d :v%d", i, i))
		}
		items = append(items, types.TransactWriteItem{Update: &types.Update{
			TableName:                 &st.table,
			Key:                       aggregateKey(programme, shardOf(id)),
			UpdateExpression:          aws.String("SET #type = :type ADD " + strings.Join(adds, ", ")),
			ExpressionAttributeNames:  names,
			ExpressionAttributeValues: values,
		}})
	}
	kept := map[string]bool{}
	for _, m := range markers(programme, id, c.After) {
		items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: m}})
		kept[keyString(m)] = true
	}
	for _, m := range markers(programme, id, c.Before) {
		if !kept[keyString(m)] {
			items = append(items, st.deleteItem(m))
		}
	}
	return items
}

func (st *Store) deleteItem(it item) types.TransactWriteItem {
	return types.TransactWriteItem{Delete: &types.Delete{TableName: &st.table, Key: keyOf(str(it["PK"]), str(it["SK"]))}}
}

func str(v types.AttributeValue) string {
	if sv, ok := v.(*types.AttributeValueMemberS); ok {
		return sv.Value
	}
	return ""
}

// ProgrammeTally reads a programme's aggregate (every shard, in one
// BatchGetItem) and today's markers (the end dates before today, the
// bouncing partners): a cost that does not grow with the programme, only
// with what the markers hold. A programme whose aggregate was never built
// (a table from before aggregates) is built first, once.
func (st *Store) ProgrammeTally(ctx context.Context, programme string, today grants.Date) (reports.Tally, reports.Marks, readcost.Cost, error) {
	var cost readcost.Cost
	tally, built, err := st.readShards(ctx, programme, &cost)
	if err == nil && !built {
		if err = st.RebuildAggregate(ctx, programme); err == nil {
			tally, _, err = st.readShards(ctx, programme, &cost)
		}
	}
	if err != nil {
		return nil, reports.Marks{}, cost, err
	}
	var marks reports.Marks
	err = st.queryAll(ctx, &cost, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("PK = :pk AND SK < :today"),
		ExpressionAttributeValues: item{":pk": s(endsPK(programme)), ":today": s(today.String())},
		Select:                    types.SelectCount,
	}, func(out *dynamodb.QueryOutput) { marks.PastEndDate += int(out.Count) })
	if err != nil {
		return nil, marks, cost, fmt.Errorf("read agreements past their end date: %w", err)
	}
	err = st.queryAll(ctx, &cost, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: item{":pk": s(bouncingPK(programme))},
	}, func(out *dynamodb.QueryOutput) {
		for _, it := range out.Items {
			var b reports.BouncingPartner
			if v, ok := it["contacts"].(*types.AttributeValueMemberN); ok {
				fmt.Sscan(v.Value, &b.Contacts)
			}
			b.AgreementID, b.Reference, b.Partner = str(it["agreementId"]), str(it["reference"]), str(it["partner"])
			marks.Bouncing = append(marks.Bouncing, b)
		}
	})
	if err != nil {
		return nil, marks, cost, fmt.Errorf("read bouncing partners: %w", err)
	}
	reports.SortBouncing(marks.Bouncing)
	return tally, marks, cost, nil
}

// queryAll runs a Query on the table to its last page, eventually
// consistent, adding what it consumed to cost.
func (st *Store) queryAll(ctx context.Context, cost *readcost.Cost, in *dynamodb.QueryInput, page func(*dynamodb.QueryOutput)) error {
	in.TableName = &st.table
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	for {
		out, err := st.db.Query(ctx, in)
		if err != nil {
			return err
		}
		addCost(cost, out.ScannedCount, out.ConsumedCapacity)
		page(out)
		if in.ExclusiveStartKey = out.LastEvaluatedKey; in.ExclusiveStartKey == nil {
			return nil
		}
	}
}

// readShards sums a programme's shards with checked sums: a total past
// int64 is an error, never a wrapped number. built is false until the
// aggregate has been built once under the current reports.TallyVersion.
func (st *Store) readShards(ctx context.Context, programme string, cost *readcost.Cost) (reports.Tally, bool, error) {
	keys := []item{aggregateBuiltKey(programme)}
	for i := range aggregateShards {
		keys = append(keys, aggregateKey(programme, i))
	}
	// Eventually consistent: half the price, and a summary a second old is
	// as good as one that is current.
	pending := map[string]types.KeysAndAttributes{st.table: {Keys: keys}}
	tally := reports.Tally{}
	built := false
	for len(pending) > 0 {
		out, err := st.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: pending, ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
		if err != nil {
			return nil, false, fmt.Errorf("read aggregate of %s: %w", programme, err)
		}
		cost.Requests++
		for _, c := range out.ConsumedCapacity {
			cost.CapacityUnits += aws.ToFloat64(c.CapacityUnits)
		}
		for _, it := range out.Responses[st.table] {
			cost.Items++
			if str(it["SK"]) == "AGG#BUILT" {
				v, ok := it["tallyVersion"].(*types.AttributeValueMemberN)
				built = ok && v.Value == fmt.Sprint(reports.TallyVersion)
				continue
			}
			shard, err := shardTally(it)
			if err == nil {
				err = tally.Add(shard)
			}
			if err != nil {
				return nil, false, fmt.Errorf("aggregate of %s: %w", programme, err)
			}
		}
		pending = out.UnprocessedKeys
	}
	return tally, built, nil
}

// shardTally decodes a shard's counters: every number attribute.
func shardTally(it item) (reports.Tally, error) {
	t := reports.Tally{}
	for name, v := range it {
		num, ok := v.(*types.AttributeValueMemberN)
		if !ok {
			continue
		}
		b, ok := new(big.Int).SetString(num.Value, 10)
		if !ok || !b.IsInt64() {
			return nil, fmt.Errorf("counter %s = %s: %w", name, num.Value, money.ErrOverflow)
		}
		if b.Sign() != 0 {
			t[name] = b.Int64()
		}
	}
	return t, nil
}

// RebuildAggregate recomputes a programme's aggregate and markers from its
// agreements (read from the ByProgramme index, one entry each) and replaces
// what is stored: for a table from before aggregates (the summary does it by
// itself the first time) or a repair. A change committed while it runs can
// be missed: run it when the programme is quiet, or run it again.
func (st *Store) RebuildAggregate(ctx context.Context, programme string) error {
	list, _, err := st.ProgrammeAgreements(ctx, programme)
	if err != nil {
		return err
	}
	shards := make([]reports.Tally, aggregateShards)
	for i := range shards {
		shards[i] = reports.Tally{}
	}
	want := map[string]item{}
	for i := range list {
		a := &list[i]
		t, err := reports.TallyOf(a)
		if err == nil {
			err = shards[shardOf(a.ID)].Add(t)
		}
		if err != nil {
			return fmt.Errorf("rebuild aggregate of %s: %w", programme, err)
		}
		for _, m := range markers(programme, a.ID, reports.MarksOf(a)) {
			want[keyString(m)] = m
		}
		for _, m := range findMarkers(a) { // find.go
			want[keyString(m)] = m
		}
	}
	for i, t := range shards {
		it := aggregateKey(programme, i)
		it["type"] = s(typeAggregate)
		for name, v := range t {
			it[name] = &types.AttributeValueMemberN{Value: fmt.Sprint(v)}
		}
		if _, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table, Item: it}); err != nil {
			return fmt.Errorf("rebuild aggregate of %s: %w", programme, err)
		}
	}
	// A term is all in its key: one already there is not put again (a
	// rebuild after Import, which wrote them, puts none).
	there := map[string]bool{}
	for _, pk := range []string{endsPK(programme), bouncingPK(programme), termsPK(programme), attentionPK(programme)} {
		var stale []item
		err := st.queryAll(ctx, &readcost.Cost{}, &dynamodb.QueryInput{
			KeyConditionExpression:    aws.String("PK = :pk"),
			ExpressionAttributeValues: item{":pk": s(pk)},
			ProjectionExpression:      aws.String("PK, SK"),
		}, func(out *dynamodb.QueryOutput) {
			for _, it := range out.Items {
				if _, keep := want[keyString(it)]; !keep {
					stale = append(stale, it)
				} else if pk == termsPK(programme) {
					there[keyString(it)] = true
				}
			}
		})
		if err != nil {
			return fmt.Errorf("rebuild markers of %s: %w", programme, err)
		}
		for _, it := range stale {
			if _, err := st.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &st.table, Key: keyOf(str(it["PK"]), str(it["SK"]))}); err != nil {
				return fmt.Errorf("rebuild markers of %s: %w", programme, err)
			}
		}
	}
	for k, m := range want {
		if there[k] {
			continue
		}
		if _, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table, Item: m}); err != nil {
			return fmt.Errorf("rebuild markers of %s: %w", programme, err)
		}
	}
	built := aggregateBuiltKey(programme)
	built["type"], built["at"], built["tallyVersion"] = s(typeAggregate), s(time.Now().UTC().Format(time.RFC3339)), n(reports.TallyVersion)
	if _, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table, Item: built}); err != nil {
		return fmt.Errorf("rebuild aggregate of %s: %w", programme, err)
	}
	return nil
}
