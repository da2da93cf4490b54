// Package billing computes the request units AWS would bill a DynamoDB
// call on an on-demand table, from the sizes of the items it read and
// wrote. DynamoDB Local's own ReturnConsumedCapacity is wrong in ways that
// matter to a bill: it sums distinct item sizes for a transaction (no 2x),
// reports 0 for a miss, and counts no index writes. So the local stack
// wraps its store's DynamoDB client (DB) and puts both figures on each
// invocation line (pkg/callmeter); make cost prices the billed ones.
//
// The rules, from the DynamoDB Developer Guide ("DynamoDB read and write
// operations", "DynamoDB item sizes and formats", "Global secondary
// indexes: provisioned throughput considerations") and the on-demand
// pricing page, as read on 2026-12-07:
//
//   - Reads: one read request unit (RRU) per 4 KB, rounded up, for a
//     strongly consistent read; half that eventually consistent; a read that
//     finds nothing still costs one 4 KB read (0.5 RRU eventually consistent).
//   - Query: the summed size of every item it read (before any filter, whole
//     items whatever the projection), rounded up to 4 KB; an empty page
//     costs the minimum. On an index, the size of the index entries.
//   - BatchGetItem: each item as its own GetItem, each rounded up to 4 KB.
//   - Writes: one write request unit (WRU) per 1 KB, rounded up, of the
//     larger of the item before and after (PutItem, UpdateItem) or of the
//     item deleted; at least 1. A write refused by its condition still
//     costs that.
//   - Transactions: twice the units of each item in it, ConditionCheck
//     included.
//   - Each global secondary index the write touches: 1 KB units of the
//     index entry (its projected attributes); two writes (delete and put)
//     when the index's key changes; none when the item is not in the index
//     before or after, or nothing the index projects changed.
package billing

import (
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Item is a DynamoDB item as the SDK holds it.
type Item = map[string]types.AttributeValue

// Size is an item's size in bytes as DynamoDB counts it for capacity: its
// attribute names and values (the 100 bytes of storage overhead per item
// are for storage, not capacity).
func Size(item Item) int {
	n := 0
	for name, v := range item {
		n += len(name) + valueSize(v)
	}
	return n
}

func valueSize(v types.AttributeValue) int {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return len(v.Value)
	case *types.AttributeValueMemberN:
		return numberSize(v.Value)
	case *types.AttributeValueMemberB:
		return len(v.Value)
	case *types.AttributeValueMemberBOOL, *types.AttributeValueMemberNULL:
		return 1
	case *types.AttributeValueMemberSS:
		n := 0
		for _, s := range v.Value {
			n += len(s)
		}
		return n
	case *types.AttributeValueMemberNS:
		n := 0
		for _, s := range v.Value {
			n += numberSize(s)
		}
		return n
	case *types.AttributeValueMemberBS:
		n := 0
		for _, b := range v.Value {
			n += len(b)
		}
		return n
	case *types.AttributeValueMemberL:
		n := 3 // a list's overhead, whatever it holds
		for _, e := range v.Value {
			n += 1 + valueSize(e)
		}
		return n
	case *types.AttributeValueMemberM:
		n := 3
		for name, e := range v.Value {
			n += 1 + len(name) + valueSize(e)
		}
		return n
	}
	return 0
}

// numberSize is 1 byte per two significant digits, plus 1: leading and
// trailing zeroes do not count.
func numberSize(s string) int {
	s = strings.TrimLeft(s, "+-")
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		s = s[:i]
	}
	digits := strings.Trim(strings.Replace(s, ".", "", 1), "0")
	if digits == "" {
		return 2 // zero
	}
	return (len(digits)+1)/2 + 1
}

const (
	readUnit  = 4096
	writeUnit = 1024
)

// ReadUnits is what reading size bytes costs: whole 4 KB units, at least
// one, halved when eventually consistent. A miss is size 0.
func ReadUnits(size int, consistent bool) float64 {
	u := math.Max(1, math.Ceil(float64(size)/readUnit))
	if !consistent {
		u /= 2
	}
	return u
}

// QueryUnits is what one Query (or Scan) page costs: the summed size of the
// items it read, rounded up to 4 KB once.
func QueryUnits(sizes []int, consistent bool) float64 {
	total := 0
	for _, s := range sizes {
		total += s
	}
	return ReadUnits(total, consistent)
}

// BatchGetUnits is what one BatchGetItem costs: each item (a miss is 0) as
// its own read.
func BatchGetUnits(sizes []int, consistent bool) float64 {
	u := 0.0
	for _, s := range sizes {
		u += ReadUnits(s, consistent)
	}
	return u
}

// writeUnits is 1 KB units of size bytes, at least one.
func writeUnits(size int) float64 {
	return math.Max(1, math.Ceil(float64(size)/writeUnit))
}

// Index is a global secondary index as the table describes it.
type Index struct {
	Name       string
	Hash       string
	Range      string // "" when the index has no sort key
	Projection types.ProjectionType
	NonKey     []string // INCLUDE's attributes
}

// Table is what the model needs of a table: its key and its indexes.
type Table struct {
	Hash, Range string
	Indexes     []Index
}

// Write is one item's write, with the item as it was before and after it
// (nil: absent).
type Write struct {
	Before, After Item
	// Failed: the write was refused (its condition, or its transaction
	// cancelled): the item is unchanged and no index is written.
	Failed bool
	// Check is a transaction's ConditionCheck: it reads the item and
	// writes nothing, but is billed as a write of its size.
	Check bool
}

// Units is what one write costs on the table and on its indexes, outside a
// transaction (Transact doubles it).
func (t Table) Units(w Write) (table, indexes float64) {
	table = writeUnits(max(Size(w.Before), Size(w.After)))
	if w.Failed || w.Check {
		return table, 0
	}
	for _, ix := range t.Indexes {
		indexes += t.indexUnits(ix, w.Before, w.After)
	}
	return table, indexes
}

func (t Table) indexUnits(ix Index, before, after Item) float64 {
	b, a := t.entry(ix, before), t.entry(ix, after)
	switch {
	case b == nil && a == nil:
		return 0
	case b == nil:
		return writeUnits(Size(a))
	case a == nil:
		return writeUnits(Size(b))
	case !sameValue(b[ix.Hash], a[ix.Hash]) || ix.Range != "" && !sameValue(b[ix.Range], a[ix.Range]):
		return writeUnits(Size(b)) + writeUnits(Size(a)) // out of the index under the old key, in under the new
	case sameItem(b, a):
		return 0 // nothing the index holds changed
	}
	return writeUnits(max(Size(b), Size(a)))
}

// entry is the item's entry in the index (its projected attributes), or nil
// when the item lacks the index's key and so is not in it.
func (t Table) entry(ix Index, item Item) Item {
	if item == nil || item[ix.Hash] == nil || ix.Range != "" && item[ix.Range] == nil {
		return nil
	}
	if ix.Projection == types.ProjectionTypeAll {
		return item
	}
	keep := []string{t.Hash, t.Range, ix.Hash, ix.Range}
	if ix.Projection == types.ProjectionTypeInclude {
		keep = append(keep, ix.NonKey...)
	}
	e := Item{}
	for name, v := range item {
		if name != "" && slices.Contains(keep, name) {
			e[name] = v
		}
	}
	return e
}

func sameItem(a, b Item) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !sameValue(v, b[k]) {
			return false
		}
	}
	return true
}

func sameValue(a, b types.AttributeValue) bool { return reflect.DeepEqual(a, b) }
