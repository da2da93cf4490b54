package billing

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }

// The table as template.yaml defines it (two of its indexes suffice).
var table = Table{Hash: "PK", Range: "SK", Indexes: []Index{
	{Name: "ByProgramme", Hash: "gsi1pk", Range: "gsi1sk", Projection: types.ProjectionTypeAll},
	{Name: "ByNextAction", Hash: "napk", Range: "nask", Projection: types.ProjectionTypeKeysOnly},
}}

func TestSizeByTheDeveloperGuide(t *testing.T) {
	for _, c := range []struct {
		name string
		item Item
		want int
	}{
		{"string", Item{"PK": s("AGR#1")}, 2 + 5},
		{"utf-8 bytes", Item{"n": s("£")}, 1 + 2},
		{"number: 1 byte per two significant digits, plus 1", Item{"amount": n("1000000")}, 6 + 2},
		{"number with leading and trailing zeroes trimmed", Item{"x": n("-0012.3400")}, 1 + 3},
		{"bool and null", Item{"b": &types.AttributeValueMemberBOOL{Value: true}, "z": &types.AttributeValueMemberNULL{Value: true}}, 2 + 2},
		{"binary: raw bytes", Item{"b": &types.AttributeValueMemberB{Value: []byte{1, 2, 3}}}, 1 + 3},
		{"empty map: 3 bytes", Item{"m": &types.AttributeValueMemberM{}}, 1 + 3},
		{"list: 3 bytes and 1 per element", Item{"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{s("ab"), n("7")}}}, 1 + 3 + (1 + 2) + (1 + 2)},
		{"map element: its name too", Item{"m": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"k": s("v")}}}, 1 + 3 + 1 + 1 + 1},
		{"string set", Item{"ss": &types.AttributeValueMemberSS{Value: []string{"a", "bc"}}}, 2 + 3},
	} {
		if got := Size(c.item); got != c.want {
			t.Errorf("%s: %d bytes, want %d", c.name, got, c.want)
		}
	}
}

func TestReadUnits(t *testing.T) {
	for _, c := range []struct {
		name       string
		got, units float64
	}{
		{"a 3,500-byte item, eventually consistent", ReadUnits(3500, false), 0.5},
		{"a 3,500-byte item, strongly consistent", ReadUnits(3500, true), 1},
		{"a 10 KB item is 12 KB, strongly consistent", ReadUnits(10*1024, true), 3},
		{"a miss, eventually consistent", ReadUnits(0, false), 0.5},
		{"a miss, strongly consistent", ReadUnits(0, true), 1},
		{"an empty Query page", QueryUnits(nil, false), 0.5},
		// A Query adds the sizes first: 10 items of 1 KB are 10 KB, 12 KB rounded.
		{"a Query of ten 1 KB items", QueryUnits([]int{1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024}, false), 1.5},
		// BatchGetItem rounds each item: 1.5 KB and 6.5 KB are 4 KB + 8 KB.
		{"a BatchGetItem of 1.5 KB and 6.5 KB, strongly consistent", BatchGetUnits([]int{1536, 6656}, true), 3},
		{"a BatchGetItem with a miss, strongly consistent", BatchGetUnits([]int{100, 0}, true), 2},
	} {
		if c.got != c.units {
			t.Errorf("%s: %v RRU, want %v", c.name, c.got, c.units)
		}
	}
}

// agreement is an agreement item of about 1.5 KB in the ByProgramme index.
func agreement(status, terms string) Item {
	return Item{"PK": s("AGR#1"), "SK": s("AGR"), "gsi1pk": s("PROG#pilot"), "gsi1sk": s(status + "#AGR#1"),
		"status": s(status), "terms": s(terms)}
}

func TestWriteUnits(t *testing.T) {
	terms := strings.Repeat("t", 1500)
	created := agreement("draft", terms) // 1,561 bytes: 2 KB
	if got := Size(created); got != 2+5+2+3+6+10+6+11+6+5+5+1500 {
		t.Fatalf("agreement: %d bytes", got)
	}
	activated := agreement("active", terms)
	dueKeys := Item{"PK": s("AGR#1"), "SK": s("INS#1"), "napk": s("DUE#2027-03-01"), "nask": s("AGR#1#1"), "amount": n("250000"), "note": s(strings.Repeat("n", 1200))}
	for _, c := range []struct {
		name           string
		w              Write
		table, indexes float64
	}{
		{"put a new item in an ALL index: the item and its entry", Write{After: created}, 2, 2},
		{"the index key changes: out of the index and back in", Write{Before: created, After: activated}, 2, 2 + 2},
		{"only a non-key attribute changes: the entry is rewritten", Write{Before: created, After: withAttr(created, "note", s("x"))}, 2, 2},
		{"a KEYS_ONLY index: the entry is its keys alone", Write{After: dueKeys}, 2, 1},
		{"a KEYS_ONLY index when no key changed: not written", Write{Before: dueKeys, After: withAttr(dueKeys, "amount", n("1"))}, 2, 0},
		{"out of a sparse index: one delete", Write{Before: dueKeys, After: without(dueKeys, "napk")}, 2, 1},
		{"a delete: the item's size, and out of its index", Write{Before: created}, 2, 2},
		{"deleting nothing: 1 WRU", Write{}, 1, 0},
		{"a refused write: the item's size, no index", Write{Before: created, After: created, Failed: true}, 2, 0},
		{"an item in no index", Write{After: Item{"PK": s("X"), "SK": s("Y")}}, 1, 0},
	} {
		tu, iu := table.Units(c.w)
		if tu != c.table || iu != c.indexes {
			t.Errorf("%s: table %v, indexes %v WRU; want %v and %v", c.name, tu, iu, c.table, c.indexes)
		}
	}
}

func withAttr(it Item, name string, v types.AttributeValue) Item {
	out := Item{}
	for k, x := range it {
		out[k] = x
	}
	out[name] = v
	return out
}

func without(it Item, name string) Item {
	out := withAttr(it, name, nil)
	delete(out, name)
	return out
}
