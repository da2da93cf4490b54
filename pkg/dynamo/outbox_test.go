package dynamo

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/grants"
)

// TestDueWorkShardsListWhatOnePartitionDid: the sharded index lists the same
// work, in the same order, as the one "NA" partition it replaced; each
// agreement's items sit in one shard; and items still in the old partition
// (a table written before sharding) are listed with the rest.
func TestDueWorkShardsListWhatOnePartitionDid(t *testing.T) {
	ctx := context.Background()
	db, table := testenv.AppTable(t)
	st := New(db, table)
	seed(t, db, table, "P1", 90)
	// Outbox entries too: pending ones sit in the index under their agreement.
	for _, id := range []string{"agr-one", "agr-two", "inbound"} {
		if ok, err := st.Claim(ctx, id, "checkin#01", "tok", benchNow, time.Minute); err != nil || !ok {
			t.Fatalf("claim %s: %v %v", id, ok, err)
		}
	}
	upto := grants.Date{Year: 2027, Month: 12, Day: 31}

	sharded, err := st.DueWork(ctx, upto)
	if err != nil {
		t.Fatal(err)
	}
	if len(sharded) < 250 {
		t.Fatalf("only %d items due; the test needs a full index", len(sharded))
	}

	entries := indexEntries(t, db, table)
	shardOf := map[string]string{}
	used := map[string]bool{}
	for _, e := range entries {
		used[e.napk] = true
		if prev, ok := shardOf[e.pk]; ok && prev != e.napk {
			t.Errorf("%s has items in %s and %s", e.pk, prev, e.napk)
		}
		shardOf[e.pk] = e.napk
	}
	// With 90 random IDs a shard may by chance hold none (about one run in
	// twenty), so the spread is checked on fixed IDs below, not here.
	if len(used) < nextActionShards/2 {
		t.Errorf("items use %d shards of %d: %v", len(used), nextActionShards, used)
	}

	// Move every entry back into the single partition, as the index was
	// before, and read it the old way: one query.
	for _, e := range entries {
		setNapk(t, db, table, e, legacyNextAction)
	}
	single, err := st.dueIn(ctx, legacyNextAction, upto)
	if err != nil {
		t.Fatal(err)
	}
	var want []grants.Work
	for _, e := range single {
		want = append(want, e.work)
	}
	if !slices.Equal(sharded, want) {
		t.Fatalf("the shards list %d items, the single partition %d, or in another order", len(sharded), len(want))
	}
	// Half moved back to shards, half still in the old partition: the same.
	for i, e := range entries {
		if i%2 == 0 {
			setNapk(t, db, table, e, e.napk)
		}
	}
	mixed, err := st.DueWork(ctx, upto)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(mixed, want) {
		t.Fatalf("with half the items in the old partition DueWork lists %d items, want the same %d", len(mixed), len(want))
	}
}

// TestNextActionShardsSpreadAgreements: 1,600 IDs of NewID's shape spread
// over all 16 shards, none holding more than twice its share. The IDs are
// fixed, so the test cannot pass or fail by chance.
func TestNextActionShardsSpreadAgreements(t *testing.T) {
	count := map[string]int{}
	for i := range 1600 {
		sum := sha256.Sum256([]byte(strconv.Itoa(i)))
		count[nextActionShard(strings.ToLower(base32.StdEncoding.EncodeToString(sum[:10])))]++
	}
	if len(count) != nextActionShards {
		t.Fatalf("1,600 agreements use %d shards, want %d: %v", len(count), nextActionShards, count)
	}
	for shard, n := range count {
		if n < 50 || n > 200 {
			t.Errorf("%s holds %d of 1,600 agreements, want about 100", shard, n)
		}
	}
}

type indexEntry struct{ pk, sk, napk string }

// indexEntries scans the table for the items in the next-action index.
func indexEntries(t *testing.T, db *dynamodb.Client, table string) []indexEntry {
	t.Helper()
	var out []indexEntry
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: &table, FilterExpression: aws.String("attribute_exists(napk)")})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			str := func(k string) string { return it[k].(*types.AttributeValueMemberS).Value }
			out = append(out, indexEntry{str("PK"), str("SK"), str("napk")})
		}
	}
	return out
}

func setNapk(t *testing.T, db *dynamodb.Client, table string, e indexEntry, napk string) {
	t.Helper()
	_, err := db.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName: &table, Key: keyOf(e.pk, e.sk),
		UpdateExpression:          aws.String("SET napk = :p"),
		ExpressionAttributeValues: item{":p": s(napk)},
	})
	if err != nil {
		t.Fatal(err)
	}
}
