package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/readcost"
)

// Finder is what the agreements list and the overview read (issue 26,
// items 1 and 2; find.go in each store).
type Finder interface {
	FindAgreements(ctx context.Context, programme string, words []string, owner string) ([]grants.Agreement, readcost.Cost, error)
	NeedingAttention(ctx context.Context, programme string, today grants.Date, cursor string, limit int) (grants.Page[grants.AttentionRow], []grants.AttentionRow, readcost.Cost, error)
}

func found(t *testing.T, st Store, programme, q, owner string) []string {
	t.Helper()
	list, _, err := st.(Finder).FindAgreements(context.Background(), programme, grants.SearchWords(q), owner)
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, a := range list {
		refs = append(refs, a.Reference)
	}
	slices.Sort(refs)
	return refs
}

// A search finds agreements by the beginnings of the words of their
// partner's name, reference, contacts' names and addresses, whatever the
// case and accents; every word must match; "my agreements" is the officer's;
// a change of contact is found at once, and other programmes never.
func findingAgreements(t *testing.T, st Store) {
	ctx := context.Background()
	names := []string{"Café Ünïon Arts", "Stockport Young Carers", "Ærø Dance Collective", "St Mary's Community Hub"}
	var ref []string // each agreement's reference, as the store gave it
	for i, name := range names {
		a := draft(t, "alpha", i, "2026-07-01")
		a.Reference = fmt.Sprintf("CP-2026-F%04d", i)
		a.Partner.Name = name
		a.Contacts[0] = grants.Contact{Name: fmt.Sprintf("Zoë Person%d", i), Email: fmt.Sprintf("zoe%d@hub%d.example", i, i), Role: "lead"}
		if i%2 == 0 {
			a.Owner = grants.Officer{Name: "Ola", Email: "ola@funder.example"}
		}
		a = create(t, st, a)
		if got, err := st.GetAgreement(ctx, a.ID); err != nil {
			t.Fatal(err)
		} else {
			ref = append(ref, got.Reference)
		}
	}
	refs := func(is ...int) []string {
		var out []string
		for _, i := range is {
			out = append(out, ref[i])
		}
		slices.Sort(out)
		return out
	}
	other := draft(t, "beta", 9, "2026-07-01")
	other.Reference, other.Partner.Name = "CP-2026-F9999", "Café Elsewhere"
	create(t, st, other)
	for _, c := range []struct {
		q, owner string
		want     []int
	}{
		{"cafe", "", []int{0}},
		{"CAFÉ union", "", []int{0}},
		{"aero", "", []int{2}},
		{"marys", "", []int{3}},
		{"stock car", "", []int{1}},
		{"", "", nil}, // ref[3], by its whole reference, below
		{"zoe1@hub1.example", "", []int{1}},
		{"zoe", "", []int{0, 1, 2, 3}},
		{"zoe", "ola@funder.example", []int{0, 2}},
		{"", "OLA@funder.example", []int{0, 2}},
		{"dance union", "", nil},
		{"elsewhere", "", nil},
		{"owner", "", nil},
	} {
		if c.q == "" && c.owner == "" {
			c.q, c.want = strings.ToLower(ref[3]), []int{3}
		}
		if got := found(t, st, "alpha", c.q, c.owner); !slices.Equal(got, refs(c.want...)) {
			t.Errorf("%q (owner %q): %v, want %v", c.q, c.owner, got, c.want)
		}
	}
	list, _, _ := st.(Finder).FindAgreements(ctx, "alpha", grants.SearchWords("stockport"), "")
	if len(list) != 1 || len(list[0].Instalments) != 0 || list[0].Programme != "alpha" {
		t.Fatalf("stockport: %+v", list)
	}
	if _, err := st.UpdateAgreement(ctx, list[0].ID, 0, func(a *grants.Agreement) (grants.Effects, error) {
		a.Contacts[0] = grants.Contact{Name: "Priya Shah", Email: "priya@carers.example", Role: "lead"}
		return grants.Effects{}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := found(t, st, "alpha", "priya", ""); !slices.Equal(got, refs(1)) {
		t.Errorf("the new contact: %v", got)
	}
	if got := found(t, st, "alpha", "zoe1", ""); got != nil {
		t.Errorf("the old contact still finds it: %v", got)
	}
	// A rebuild keeps what the writes kept.
	if err := st.RebuildAggregate(ctx, "alpha"); err != nil {
		t.Fatal(err)
	}
	if got := found(t, st, "alpha", "zoe", ""); len(got) != 3 {
		t.Errorf("after a rebuild, zoe: %v", got)
	}
}

// What needs attention follows each write: an instalment due, a check-in
// overdue, help to follow up, changes asked, a bouncing contact; gone when
// nothing does; past the end date from today; paged by reference.
func attentionKept(t *testing.T, st Store) {
	ctx := context.Background()
	f := st.(Finder)
	var ids []string
	for i := range 5 {
		a := draft(t, "alpha", i, "2026-01-31")
		ids = append(ids, create(t, st, a).ID)
	}
	var want []string // the references of 0 to 3, in order
	for _, id := range ids[:4] {
		a, err := st.GetAgreement(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, a.Reference)
	}
	slices.Sort(want)
	today := grants.Date{Year: 2026, Month: 6, Day: 15}
	read := func(limit int) ([]grants.AttentionRow, []grants.AttentionRow) {
		t.Helper()
		var all []grants.AttentionRow
		var ended []grants.AttentionRow
		cursor := ""
		for range 20 {
			p, e, _, err := f.NeedingAttention(ctx, "alpha", today, cursor, limit)
			if err != nil {
				t.Fatal(err)
			}
			if cursor == "" {
				ended = e
			} else if e != nil {
				t.Errorf("a later page repeats the agreements past their end")
			}
			all = append(all, p.Items...)
			if cursor = p.NextCursor; cursor == "" {
				return all, ended
			}
		}
		t.Fatal("endless")
		return nil, nil
	}
	if rows, ended := read(2); len(rows) != 0 || len(ended) != 0 {
		t.Fatalf("drafts need nothing: %+v %+v", rows, ended)
	}
	change := func(id string, fn func(a *grants.Agreement)) {
		t.Helper()
		if _, err := st.UpdateAgreement(ctx, id, 0, func(a *grants.Agreement) (grants.Effects, error) {
			fn(a)
			return grants.Effects{}, nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range ids {
		activate(t, st, id, true)
	}
	change(ids[0], func(a *grants.Agreement) { a.Instalments[0].Status = grants.InstalmentDue })
	change(ids[1], func(a *grants.Agreement) { a.CheckIns[0].Status = grants.CheckInOverdue })
	change(ids[2], func(a *grants.Agreement) { a.Contacts[0].Bounced = "2026-06-01T10:00:00Z" })
	change(ids[3], func(a *grants.Agreement) {
		a.PartnerAcceptance = &grants.PartnerAcceptance{Status: grants.AcceptanceChangesAsked, Proposed: []grants.Change{}}
	})
	change(ids[4], func(a *grants.Agreement) { a.EndDate = grants.Date{Year: 2026, Month: 6, Day: 1} })
	for _, limit := range []int{1, 2, 10} {
		rows, ended := read(limit)
		var refs []string
		for _, r := range rows {
			refs = append(refs, r.Reference)
		}
		if !slices.Equal(refs, want) {
			t.Errorf("limit %d: %v, want %v", limit, refs, want)
		}
		if len(ended) != 1 || ended[0].AgreementID != ids[4] || !ended[0].PastEndDate || ended[0].EndDate.String() != "2026-06-01" {
			t.Errorf("past the end: %+v", ended)
		}
		for _, r := range rows {
			var want grants.Attention
			switch r.AgreementID {
			case ids[0]:
				want.InstalmentsDue = 1
			case ids[1]:
				want.CheckInsOverdue = 1
			case ids[2]:
				want.BouncingContacts = 1
			case ids[3]:
				want.ChangesAsked = 1
			}
			if r.Attention != want || r.Partner == "" || r.Status != grants.AgreementActive {
				t.Errorf("%s: %+v, want %+v", r.Reference, r, want)
			}
		}
	}
	change(ids[0], func(a *grants.Agreement) {
		a.Instalments[0].Status, a.Instalments[0].PaidOn, a.Instalments[0].PaymentReference = grants.InstalmentPaid, today, "BACS-1"
	})
	change(ids[2], func(a *grants.Agreement) { a.Contacts[0].Bounced = "" })
	if rows, _ := read(10); len(rows) != 2 {
		t.Errorf("after paying and a new address: %+v", rows)
	}
	if _, _, _, err := f.NeedingAttention(ctx, "beta", today, "not a cursor", 5); code(err) != grants.Invalid {
		t.Errorf("a made-up cursor: %v", err)
	}
}

// The list of agreements pages both ways: from any page, PrevCursor leads
// to the page before it, back to the first.
func pagingAgreementsBothWays(t *testing.T, st Store) {
	ctx := context.Background()
	for i := range 7 {
		create(t, st, draft(t, "alpha", i, "2026-07-01"))
	}
	for _, limit := range []int{1, 2, 3} {
		var forward [][]string
		cursor := ""
		var last grants.Page[grants.Agreement]
		for range 20 {
			p, err := st.ListAgreements(ctx, "alpha", "", cursor, limit)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Items) == 0 {
				break
			}
			if (cursor == "") != (p.PrevCursor == "") {
				t.Errorf("limit %d: page %d's previous cursor %q", limit, len(forward)+1, p.PrevCursor)
			}
			var ids []string
			for _, a := range p.Items {
				ids = append(ids, a.ID)
			}
			forward, last = append(forward, ids), p
			if cursor = p.NextCursor; cursor == "" {
				break
			}
		}
		// Back from the last page, page by page, to the first.
		p := last
		for i := len(forward) - 2; i >= 0; i-- {
			if p.PrevCursor == "" {
				t.Fatalf("limit %d: page %d has no previous", limit, i+2)
			}
			var err error
			if p, err = st.ListAgreements(ctx, "alpha", "", p.PrevCursor, limit); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, a := range p.Items {
				ids = append(ids, a.ID)
			}
			if !slices.Equal(ids, forward[i]) {
				t.Errorf("limit %d, back to page %d: %v, want %v", limit, i+1, ids, forward[i])
			}
			if p.NextCursor == "" {
				t.Errorf("limit %d, back to page %d: no way forward", limit, i+1)
			}
		}
		if p.PrevCursor != "" {
			if before, err := st.ListAgreements(ctx, "alpha", "", p.PrevCursor, limit); err != nil || len(before.Items) != 0 {
				t.Errorf("limit %d: before the first page: %d items, %v", limit, len(before.Items), err)
			}
		}
	}
	if _, err := st.ListAgreements(ctx, "alpha", "", "~not a cursor", 2); code(err) != grants.Invalid {
		t.Errorf("a made-up previous cursor: %v", err)
	}
}
