package billing

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/callmeter"
	"github.com/partnership-grants/backend/pkg/dynamo"
)

// DB is a store's DynamoDB client that also works out what each call inside
// an invocation would be billed, and adds it to the invocation's meter
// (callmeter.Meter.Billed). Outside an invocation it only passes calls on.
// It reads the items a call touches with Shadow, a client that meters
// nothing: before and after each write, and whole items where a read's
// projection or filter left them out. A development tool: it doubles the
// calls DynamoDB Local answers.
type DB struct {
	Inner  dynamo.DB
	Shadow *dynamodb.Client
	// Trace, when set, is told each billed call: the operation, the sizes
	// it was billed on, and its units (make cost prints one create's and
	// one approval's, to be checked by hand).
	Trace func(ctx context.Context, op, sizes string, read, written float64)

	mu     sync.Mutex
	tables map[string]Table
}

var _ dynamo.DB = (*DB)(nil)

// Describe is a table's key and indexes as DynamoDB describes them.
func Describe(ctx context.Context, c *dynamodb.Client, name string) (Table, error) {
	out, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &name})
	if err != nil {
		return Table{}, err
	}
	var t Table
	t.Hash, t.Range = keys(out.Table.KeySchema)
	for _, g := range out.Table.GlobalSecondaryIndexes {
		ix := Index{Name: aws.ToString(g.IndexName)}
		ix.Hash, ix.Range = keys(g.KeySchema)
		if g.Projection != nil {
			ix.Projection, ix.NonKey = g.Projection.ProjectionType, g.Projection.NonKeyAttributes
		}
		t.Indexes = append(t.Indexes, ix)
	}
	return t, nil
}

func keys(ks []types.KeySchemaElement) (hash, rng string) {
	for _, k := range ks {
		if k.KeyType == types.KeyTypeHash {
			hash = aws.ToString(k.AttributeName)
		} else {
			rng = aws.ToString(k.AttributeName)
		}
	}
	return hash, rng
}

// bill adds a call's units to the invocation's meter, and tells Trace.
func (d *DB) bill(ctx context.Context, m *callmeter.Meter, op, sizes string, read, written float64) {
	m.Billed(read, written)
	if d.Trace != nil {
		d.Trace(ctx, op, sizes, read, written)
	}
}

func (d *DB) table(ctx context.Context, name string) (Table, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if t, ok := d.tables[name]; ok {
		return t, nil
	}
	t, err := Describe(ctx, d.Shadow, name)
	if err != nil {
		return Table{}, fmt.Errorf("billing: describing %s: %w", name, err)
	}
	if d.tables == nil {
		d.tables = map[string]Table{}
	}
	d.tables[name] = t
	return t, nil
}

// image is the item with this key now, read consistently (nil: none).
func (d *DB) image(ctx context.Context, table string, key Item) Item {
	out, err := d.Shadow.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil || len(out.Item) == 0 {
		return nil
	}
	return out.Item
}

func keyOf(t Table, item Item) Item {
	k := Item{t.Hash: item[t.Hash]}
	if t.Range != "" {
		k[t.Range] = item[t.Range]
	}
	return k
}

func (d *DB) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	out, err := d.Inner.GetItem(ctx, in, o...)
	m := callmeter.From(ctx)
	if m == nil || err != nil {
		return out, err
	}
	item := out.Item
	if in.ProjectionExpression != nil && len(item) > 0 {
		item = d.image(ctx, aws.ToString(in.TableName), in.Key) // billed on the whole item
	}
	d.bill(ctx, m, "GetItem", fmt.Sprintf("item %d B, consistent %t", Size(item), aws.ToBool(in.ConsistentRead)), ReadUnits(Size(item), aws.ToBool(in.ConsistentRead)), 0)
	return out, err
}

func (d *DB) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	out, err := d.Inner.BatchGetItem(ctx, in, o...)
	m := callmeter.From(ctx)
	if m == nil || err != nil {
		return out, err
	}
	units, desc := 0.0, ""
	for table, ka := range in.RequestItems {
		sizes := make([]int, 0, len(ka.Keys))
		for _, k := range ka.Keys {
			sizes = append(sizes, Size(d.image(ctx, table, k)))
		}
		units += BatchGetUnits(sizes, aws.ToBool(ka.ConsistentRead))
		desc += fmt.Sprintf("items %v B, consistent %t", sizes, aws.ToBool(ka.ConsistentRead))
	}
	d.bill(ctx, m, "BatchGetItem", desc, units, 0)
	return out, err
}

func (d *DB) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	out, err := d.Inner.Query(ctx, in, o...)
	m := callmeter.From(ctx)
	if m == nil || err != nil {
		return out, err
	}
	items := out.Items
	if in.ProjectionExpression != nil || in.FilterExpression != nil || in.Select == types.SelectCount || in.Select == types.SelectSpecificAttributes {
		// The same page read whole and unfiltered: what DynamoDB read.
		whole := &dynamodb.QueryInput{TableName: in.TableName, IndexName: in.IndexName, KeyConditionExpression: in.KeyConditionExpression,
			ExclusiveStartKey: in.ExclusiveStartKey, Limit: in.Limit, ScanIndexForward: in.ScanIndexForward, ConsistentRead: in.ConsistentRead}
		whole.ExpressionAttributeNames, whole.ExpressionAttributeValues = usedIn(aws.ToString(in.KeyConditionExpression), in.ExpressionAttributeNames, in.ExpressionAttributeValues)
		w, werr := d.Shadow.Query(ctx, whole)
		if werr != nil {
			return out, fmt.Errorf("billing: reading the page whole: %w", werr)
		}
		items = w.Items
	}
	sizes := make([]int, len(items))
	for i, it := range items {
		sizes[i] = Size(it)
	}
	d.bill(ctx, m, "Query "+aws.ToString(in.IndexName), fmt.Sprintf("items %v B, consistent %t", sizes, aws.ToBool(in.ConsistentRead)), QueryUnits(sizes, aws.ToBool(in.ConsistentRead)), 0)
	return out, err
}

var placeholder = regexp.MustCompile(`[#:][A-Za-z0-9_]+`)

// usedIn keeps the names and values expr uses: DynamoDB refuses unused ones.
func usedIn(expr string, names map[string]string, values map[string]types.AttributeValue) (map[string]string, map[string]types.AttributeValue) {
	var n map[string]string
	var v map[string]types.AttributeValue
	for _, p := range placeholder.FindAllString(expr, -1) {
		if s, ok := names[p]; ok {
			if n == nil {
				n = map[string]string{}
			}
			n[p] = s
		}
		if x, ok := values[p]; ok {
			if v == nil {
				v = map[string]types.AttributeValue{}
			}
			v[p] = x
		}
	}
	return n, v
}

// write bills one write (op) of the item with key in table, run by do.
func (d *DB) write(ctx context.Context, op, table string, key func(Table) Item, do func() error) error {
	m := callmeter.From(ctx)
	if m == nil {
		return do()
	}
	t, err := d.table(ctx, table)
	if err != nil {
		return err
	}
	k := key(t)
	before := d.image(ctx, table, k)
	err = do()
	var refused *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		after := d.image(ctx, table, k)
		tu, iu := t.Units(Write{Before: before, After: after})
		d.bill(ctx, m, op, fmt.Sprintf("before %d B, after %d B; table %v, indexes %v", Size(before), Size(after), tu, iu), 0, tu+iu)
	case errors.As(err, &refused):
		tu, _ := t.Units(Write{Before: before, After: before, Failed: true})
		d.bill(ctx, m, op+" (refused)", fmt.Sprintf("item %d B", Size(before)), 0, tu)
	}
	return err
}

func (d *DB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (out *dynamodb.PutItemOutput, err error) {
	err = d.write(ctx, "PutItem", aws.ToString(in.TableName), func(t Table) Item { return keyOf(t, in.Item) }, func() error {
		out, err = d.Inner.PutItem(ctx, in, o...)
		return err
	})
	return out, err
}

func (d *DB) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (out *dynamodb.UpdateItemOutput, err error) {
	err = d.write(ctx, "UpdateItem", aws.ToString(in.TableName), func(Table) Item { return in.Key }, func() error {
		out, err = d.Inner.UpdateItem(ctx, in, o...)
		return err
	})
	return out, err
}

func (d *DB) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (out *dynamodb.DeleteItemOutput, err error) {
	err = d.write(ctx, "DeleteItem", aws.ToString(in.TableName), func(Table) Item { return in.Key }, func() error {
		out, err = d.Inner.DeleteItem(ctx, in, o...)
		return err
	})
	return out, err
}

// TransactWriteItems bills each item twice its units, ConditionChecks
// included; a cancelled transaction is billed as refused writes.
func (d *DB) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	m := callmeter.From(ctx)
	if m == nil {
		return d.Inner.TransactWriteItems(ctx, in, o...)
	}
	type member struct {
		table  string
		t      Table
		key    Item
		check  bool
		before Item
	}
	members := make([]member, 0, len(in.TransactItems))
	for _, ti := range in.TransactItems {
		var mb member
		switch {
		case ti.Put != nil:
			mb.table = aws.ToString(ti.Put.TableName)
		case ti.Update != nil:
			mb.table, mb.key = aws.ToString(ti.Update.TableName), ti.Update.Key
		case ti.Delete != nil:
			mb.table, mb.key = aws.ToString(ti.Delete.TableName), ti.Delete.Key
		case ti.ConditionCheck != nil:
			mb.table, mb.key, mb.check = aws.ToString(ti.ConditionCheck.TableName), ti.ConditionCheck.Key, true
		}
		t, err := d.table(ctx, mb.table)
		if err != nil {
			return nil, err
		}
		mb.t = t
		if ti.Put != nil {
			mb.key = keyOf(t, ti.Put.Item)
		}
		mb.before = d.image(ctx, mb.table, mb.key)
		members = append(members, mb)
	}
	out, err := d.Inner.TransactWriteItems(ctx, in, o...)
	var cancelled *types.TransactionCanceledException
	if err != nil && !errors.As(err, &cancelled) {
		return out, err
	}
	units, desc := 0.0, ""
	for _, mb := range members {
		w := Write{Before: mb.before, Check: mb.check, Failed: err != nil}
		if err == nil && !mb.check {
			w.After = d.image(ctx, mb.table, mb.key)
		} else {
			w.After = mb.before
		}
		tu, iu := mb.t.Units(w)
		units += 2 * (tu + iu)
		desc += fmt.Sprintf("[before %d B, after %d B; 2x(table %v + indexes %v)] ", Size(w.Before), Size(w.After), tu, iu)
	}
	op := "TransactWriteItems"
	if err != nil {
		op += " (cancelled)"
	}
	d.bill(ctx, m, op, desc, 0, units)
	return out, err
}
