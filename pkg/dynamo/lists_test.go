package dynamo

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/readcost"
	"github.com/partnership-grants/backend/pkg/service"
)

// meteredDB counts what the store's Queries read, as DynamoDB reports it:
// items read before any filter (ScannedCount) and capacity consumed.
// pageLimit, if set, cuts every Query's page to that many items, and tamper,
// if set, may change what an index Query returns.
type meteredDB struct {
	*dynamodb.Client
	pageLimit int32
	tamper    func(*dynamodb.QueryInput, *dynamodb.QueryOutput)

	mu   sync.Mutex
	cost readcost.Cost
}

func (m *meteredDB) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	c := *in
	c.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	if m.pageLimit > 0 {
		c.Limit = aws.Int32(m.pageLimit)
	}
	out, err := m.Client.Query(ctx, &c, opts...)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	addCost(&m.cost, out.ScannedCount, out.ConsumedCapacity)
	m.mu.Unlock()
	if m.tamper != nil && in.IndexName != nil {
		m.tamper(in, out)
	}
	return out, nil
}

// read returns what the Queries of f read.
func (m *meteredDB) read(t *testing.T, f func() error) readcost.Cost {
	t.Helper()
	m.mu.Lock()
	m.cost = readcost.Cost{}
	m.mu.Unlock()
	if err := f(); err != nil {
		t.Fatal(err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cost
}

func heldMessage(i int, programme string) grants.Quarantined {
	id := fmt.Sprintf("%04d-%s", (i*7919)%10000, NewID()) // IDs out of write order, as SES's are
	return grants.Quarantined{ID: id, Status: grants.QuarantinePending, Reason: grants.QuarantineSpam, Programme: programme,
		Reply: grants.Reply{MessageID: id, From: "partner@example.org", Subject: "Our quarter", Text: strings.Repeat("We ran four meals. ", 80)}}
}

// One programme's pending messages are read by key: once 1,000 of its
// messages are resolved, listing its 3 pending ones reads those 3 (and the 2
// naming no programme, which every programme's staff see), not the 1,000.
// A decision moves its message to its new status in the write that records
// it; a second decision fails and moves nothing.
func TestQuarantineListReadsOneProgrammesStatus(t *testing.T) {
	client, table := testenv.AppTable(t)
	db := &meteredDB{Client: client}
	st := New(db, table)
	ctx := context.Background()
	var resolved []grants.Quarantined
	var held []map[string]types.AttributeValue
	hold := func(q grants.Quarantined) {
		it, err := st.heldItem(q)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, it.Put.Item)
	}
	for i := range 1000 {
		q := heldMessage(i, "alpha")
		resolved = append(resolved, q)
		hold(q)
	}
	want := map[string][]string{}
	for i, p := range []string{"alpha", "alpha", "alpha", "", "", "beta", "beta", "beta", "beta"} {
		q := heldMessage(2000+i, p)
		want[p] = append(want[p], q.ID)
		hold(q)
	}
	for chunk := range slices.Chunk(held, 25) {
		if err := writeBatch(context.Background(), client, table, chunk); err != nil {
			t.Fatal(err)
		}
	}
	decide := func(q grants.Quarantined, i int) error {
		status := grants.QuarantineAccepted
		if i%2 == 1 {
			status = grants.QuarantineRejected
		}
		return st.Transact(ctx, st.decisionItem(grants.Decision{MessageID: q.ID, Status: status, Actor: "officer"}, benchNow))
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for range 16 {
		wg.Go(func() {
			for i := range next {
				if err := decide(resolved[i], i); err != nil {
					t.Error(err)
				}
			}
		})
	}
	for i := range resolved {
		next <- i
	}
	close(next)
	wg.Wait()

	ids := func(list []grants.Quarantined) []string {
		var out []string
		for _, q := range list {
			out = append(out, q.ID)
		}
		return out
	}
	sorted := func(s ...[]string) []string { return slices.Sorted(slices.Values(slices.Concat(s...))) }
	var got []grants.Quarantined
	for _, c := range []struct {
		name      string
		programme string
		want      []string
	}{{"alpha", "alpha", want["alpha"]}, {"beta", "beta", want["beta"]}, {"naming none", "", want[""]}, {"unknown", "gamma", nil}} {
		cost := db.read(t, func() (err error) { got, err = st.ListQuarantineOf(ctx, c.programme, ""); return err })
		if !slices.Equal(ids(got), sorted(c.want)) {
			t.Errorf("%s pending: %v, want %v", c.name, ids(got), sorted(c.want))
		}
		if cost.Items != len(c.want) || cost.Requests != 1 {
			t.Errorf("%s pending: read %d items in %d queries to list %d", c.name, cost.Items, cost.Requests, len(c.want))
		}
		t.Logf("%s pending: %d listed, %d items read, %.1f RCU", c.name, len(got), cost.Items, cost.CapacityUnits)
	}

	// What staff of a programme see: its own and those naming none, in ID
	// order, as HeldFor's filter over every pending message gave them.
	views := service.NewViews(st, service.Env{})
	var seen []grants.Quarantined
	cost := db.read(t, func() (err error) { seen, err = views.HeldFor(ctx, "alpha"); return err })
	if !slices.Equal(ids(seen), sorted(want["alpha"], want[""])) || cost.Items != 5 {
		t.Errorf("held for alpha: %v after reading %d items", ids(seen), cost.Items)
	}
	t.Logf("held for alpha (its own and those naming none): %d listed, %d queries, %d items read, %.1f RCU", len(seen), cost.Requests, cost.Items, cost.CapacityUnits)
	cost = db.read(t, func() (err error) { got, err = st.ListQuarantine(ctx, grants.QuarantinePending); return err })
	if !slices.Equal(ids(got), sorted(want["alpha"], want[""], want["beta"])) || cost.Items != 9 {
		t.Errorf("every programme's pending: %v after reading %d items", ids(got), cost.Items)
	}
	t.Logf("every programme's pending: %d listed, %d items read, %.1f RCU", len(got), cost.Items, cost.CapacityUnits)
	for status, n := range map[string]int{grants.QuarantineAccepted: 500, grants.QuarantineRejected: 500} {
		list, err := st.ListQuarantine(ctx, status)
		if err != nil || len(list) != n || !slices.IsSorted(ids(list)) || list[0].Status != status || list[0].ResolvedBy != "officer" {
			t.Fatalf("%s: %d listed, want %d (%v)", status, len(list), n, err)
		}
	}

	// That a second decision is a conflict and moves nothing is the store
	// contract's (storetest).
}

// Finance's list of one programme's 4 scheduled instalments is one page of
// 4 items, however many another programme has (here 1,200).
func TestInstalmentListReadsOneProgrammesRows(t *testing.T) {
	client, table := testenv.AppTable(t)
	db := &meteredDB{Client: client}
	st := New(db, table)
	seed(t, client, table, "big", 300) // 1,200 instalments
	seed(t, client, table, "small", 1) // one draft: 4 scheduled instalments
	ctx := context.Background()

	var page grants.Page[grants.InstalmentRow]
	cost := db.read(t, func() (err error) {
		page, err = st.ListInstalments(ctx, grants.InstalmentFilter{Programme: "small", Status: grants.InstalmentScheduled}, "", 50)
		return err
	})
	if len(page.Items) != 4 || page.NextCursor != "" || cost.Requests != 1 || cost.Items != 4 {
		t.Fatalf("%d rows (cursor %q) after %d queries reading %d items; want 4 rows, 1 query, 4 items", len(page.Items), page.NextCursor, cost.Requests, cost.Items)
	}
	for i, r := range page.Items {
		if r.Programme != "small" || r.Number != i+1 || r.Status != grants.InstalmentScheduled || i > 0 && r.DueDate.String() <= page.Items[i-1].DueDate.String() {
			t.Errorf("row %d: %+v", i, r)
		}
	}
	t.Logf("small's 4 scheduled rows: %d queries, %d items read, %.1f RCU", cost.Requests, cost.Items, cost.CapacityUnits)

	// A date range is a key range too: the second and third instalments.
	from, to := page.Items[1].DueDate, page.Items[2].DueDate
	cost = db.read(t, func() (err error) {
		page, err = st.ListInstalments(ctx, grants.InstalmentFilter{Programme: "small", Status: grants.InstalmentScheduled, From: from, To: to}, "", 50)
		return err
	})
	if len(page.Items) != 2 || page.Items[0].Number != 2 || page.Items[1].Number != 3 || cost.Items != 2 {
		t.Errorf("from %s to %s: %+v after reading %d items", from, to, page.Items, cost.Items)
	}

	// The big programme's list pages through its own rows only, in due-date order.
	var rows []grants.InstalmentRow
	cursor := ""
	cost = db.read(t, func() error {
		for {
			p, err := st.ListInstalments(ctx, grants.InstalmentFilter{Programme: "big", Status: grants.InstalmentDue}, cursor, 64)
			if err != nil {
				return err
			}
			rows = append(rows, p.Items...)
			if cursor = p.NextCursor; cursor == "" {
				return nil
			}
		}
	})
	if len(rows) != 200 || cost.Items != 200 {
		t.Errorf("big's due rows: %d listed after reading %d items, want 200", len(rows), cost.Items)
	}
	if !slices.IsSortedFunc(rows, func(x, y grants.InstalmentRow) int { return strings.Compare(x.DueDate.String(), y.DueDate.String()) }) {
		t.Error("big's due rows are not in due-date order")
	}
}

// The exports read a programme's agreements with their plans by paging one
// index: about one Query per 1 MB, not one per agreement, and the same
// agreements in the same order as the programme index and a read of each
// agreement's partition give.
func TestProgrammePlansPageThroughOneIndex(t *testing.T) {
	client, table := testenv.AppTable(t)
	db := &meteredDB{Client: client}
	st := New(db, table)
	const n = 400 // about 1.6 MB of items: two pages
	seed(t, client, table, "alpha", n)
	seed(t, client, table, "beta", 20)
	ctx := context.Background()

	var full []grants.Agreement
	cost := db.read(t, func() (err error) { full, _, err = st.ProgrammePlans(ctx, "alpha"); return err })
	// 0.5 RCU per 4 KB eventually consistent: 128 RCU is 1 MB.
	pages := int(math.Ceil(cost.CapacityUnits / 128))
	if len(full) != n || cost.Requests > pages+1 || cost.Items != n*9 {
		t.Fatalf("%d agreements in %d queries reading %d items (%.1f RCU, %d MB pages); want %d agreements, about one query per MB",
			len(full), cost.Requests, cost.Items, cost.CapacityUnits, pages, n)
	}
	if cost.Requests < 2 {
		t.Fatalf("one query for %.1f RCU: the test no longer crosses a page boundary", cost.CapacityUnits)
	}
	t.Logf("alpha's %d agreements with plans: %d queries, %d items read, %.1f RCU", n, cost.Requests, cost.Items, cost.CapacityUnits)

	// The same as before: the programme index's order, each agreement as its
	// partition reads.
	list, _, err := st.ProgrammeAgreements(ctx, "alpha")
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(list))
	for i := range list {
		ids[i] = list[i].ID
	}
	var before []grants.Agreement
	perAgreement := db.read(t, func() (err error) { before, err = st.AgreementsWithPlans(ctx, ids); return err })
	t.Logf("the same read one Query per agreement: %d queries, %d items read, %.1f RCU", perAgreement.Requests, perAgreement.Items, perAgreement.CapacityUnits)
	if fmt.Sprint(full) != fmt.Sprint(before) {
		t.Fatal("the agreements with plans differ from a read of each agreement's partition in the programme index's order")
	}

	// Pages of 4 items cut through every agreement (9 items each): each
	// still comes out whole.
	small := &meteredDB{Client: client, pageLimit: 4}
	cut, _, err := New(small, table).ProgrammePlans(ctx, "beta")
	if err != nil {
		t.Fatal(err)
	}
	whole, _, err := st.ProgrammePlans(ctx, "beta")
	if err != nil || len(cut) != 20 || fmt.Sprint(cut) != fmt.Sprint(whole) || small.cost.Requests < 45 {
		t.Fatalf("beta read in pages of 4: %d agreements in %d queries, same as whole: %v (%v)", len(cut), small.cost.Requests, fmt.Sprint(cut) == fmt.Sprint(whole), err)
	}

	// An agreement caught midway through a change (here an instalment whose
	// index copy is not yet the new amount) is read again from its partition.
	var changed string
	tampered := &meteredDB{Client: client, tamper: func(_ *dynamodb.QueryInput, out *dynamodb.QueryOutput) {
		for _, it := range out.Items {
			if sk := it["SK"].(*types.AttributeValueMemberS).Value; sk == "A#I#02" && changed == "" {
				changed = it["agreementId"].(*types.AttributeValueMemberS).Value
				it["amount"] = &types.AttributeValueMemberN{Value: "1"}
			}
		}
	}}
	again, _, err := New(tampered, table).ProgrammePlans(ctx, "beta")
	if err != nil || changed == "" || fmt.Sprint(again) != fmt.Sprint(whole) {
		t.Fatalf("an agreement read midway through a change: %v, changed %q, same as whole: %v", err, changed, fmt.Sprint(again) == fmt.Sprint(whole))
	}
}

// A table written before the lists were keyed by programme gets the new
// keys from Rekey: every item then lists as one written now, and a second
// run changes nothing.
func TestRekeyGivesOldItemsTheListKeys(t *testing.T) {
	db, table := testenv.AppTable(t)
	st := New(db, table)
	ctx := context.Background()
	a := benchAgreement(t, "alpha", 1) // active: instalment 1 paid, 2 due
	items := []item{}
	ai, err := agreementItem(a)
	if err != nil {
		t.Fatal(err)
	}
	items = append(items, ai)
	for _, in := range a.Instalments {
		it, err := instalmentItem(a, in)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, it)
	}
	for _, c := range a.CheckIns {
		it, err := checkInItem(a, c)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, it)
	}
	for _, p := range []string{"alpha", ""} {
		hi, err := st.heldItem(heldMessage(1, p))
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, hi.Put.Item)
	}
	// As the previous version wrote them.
	var old []item
	for _, it := range items {
		o := maps.Clone(it)
		delete(o, "plpk")
		delete(o, "plsk")
		if o["type"].(*types.AttributeValueMemberS).Value == "quarantine" {
			delete(o, "gsi1pk")
			delete(o, "gsi1sk")
		}
		if status, ok := o["status"].(*types.AttributeValueMemberS); ok && o["type"].(*types.AttributeValueMemberS).Value == typeInstalment {
			o["ispk"] = s("INST#" + status.Value)
		}
		old = append(old, o)
	}
	if err := writeBatch(context.Background(), db, table, old); err != nil {
		t.Fatal(err)
	}
	if due, err := st.ListInstalments(ctx, grants.InstalmentFilter{Programme: "alpha", Status: grants.InstalmentDue}, "", 50); err != nil || len(due.Items) != 0 {
		t.Fatalf("old items listed before rekeying: %v %v", due.Items, err)
	}

	rep, err := Rekey(ctx, db, table)
	if err != nil || rep.Rekeyed != len(items) || rep.Changed != 0 {
		t.Fatalf("rekey: %+v %v, want %d rekeyed", rep, err, len(items))
	}
	for _, want := range items {
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: item{"PK": want["PK"], "SK": want["SK"]}})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"ispk", "issk", "plpk", "plsk", "gsi1pk", "gsi1sk"} {
			if fmt.Sprint(out.Item[k]) != fmt.Sprint(want[k]) {
				t.Errorf("%v after rekey: %s = %v, want %v", want["SK"], k, out.Item[k], want[k])
			}
		}
	}
	if due, err := st.ListInstalments(ctx, grants.InstalmentFilter{Programme: "alpha", Status: grants.InstalmentDue}, "", 50); err != nil || len(due.Items) != 1 {
		t.Errorf("due after rekey: %v %v", due.Items, err)
	}
	if plans, _, err := st.ProgrammePlans(ctx, "alpha"); err != nil || len(plans) != 1 || len(plans[0].Instalments) != 4 || len(plans[0].CheckIns) != 4 {
		t.Errorf("plans after rekey: %v %v", plans, err)
	}
	if held, err := service.NewViews(st, service.Env{}).HeldFor(ctx, "alpha"); err != nil || len(held) != 2 {
		t.Errorf("held after rekey: %v %v", held, err)
	}
	if rep, err := Rekey(ctx, db, table); err != nil || rep.Rekeyed != 0 || rep.Scanned != len(items) {
		t.Errorf("second rekey: %+v %v", rep, err)
	}
}
