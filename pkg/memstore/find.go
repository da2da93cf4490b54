package memstore

import (
	"context"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/readcost"
	"github.com/partnership-grants/backend/pkg/reports"
)

// FindAgreements is pkg/dynamo's: the programme's agreements having, for
// every word, a term beginning with it, and that officer if owner is
// given; in ID order, without their plans.
func (st *Store) FindAgreements(ctx context.Context, programme string, words []string, owner string) ([]grants.Agreement, readcost.Cost, error) {
	cost := readcost.Cost{Requests: len(words)}
	if owner != "" {
		cost.Requests++
	}
	if err := live(ctx); err != nil {
		return nil, cost, err
	}
	st.mu.Lock()
	var items []keyed[grants.Agreement]
	for id, rec := range st.agreements {
		if rec.a.Programme == programme && rec.a.Matches(words, owner) {
			items = append(items, keyed[grants.Agreement]{id, *rec.agreement(false)})
		}
	}
	st.mu.Unlock()
	sortKeyed(items)
	out := make([]grants.Agreement, 0, len(items))
	for _, it := range items {
		out = append(out, it.v)
	}
	cost.Items = len(out)
	return readable(ctx, out), cost, nil
}

// NeedingAttention is pkg/dynamo's: a page of the programme's agreements
// needing a person (grants.AttentionOf), in reference order; and, on the
// first page, the active ones past their end date.
func (st *Store) NeedingAttention(ctx context.Context, programme string, today grants.Date, cursor string, limit int) (grants.Page[grants.AttentionRow], []grants.AttentionRow, readcost.Cost, error) {
	cost := readcost.Cost{Requests: 1}
	if err := live(ctx); err != nil {
		return grants.Page[grants.AttentionRow]{}, nil, cost, err
	}
	st.mu.Lock()
	list := st.programme(programme, false)
	st.mu.Unlock()
	var items []keyed[grants.AttentionRow]
	var ended []grants.AttentionRow
	for i := range list {
		a := &list[i]
		if t := grants.AttentionOf(a); !t.IsZero() {
			items = append(items, keyed[grants.AttentionRow]{a.Reference + "#" + a.ID, grants.AttentionRow{AgreementID: a.ID,
				Reference: a.Reference, Partner: a.Partner.Name, Status: a.Status, Attention: t}})
		}
		if m := reports.MarksOf(a); cursor == "" && !m.EndDate.IsZero() && m.EndDate.Before(today) {
			ended = append(ended, grants.AttentionRow{AgreementID: a.ID, Reference: a.Reference, Partner: a.Partner.Name,
				Status: a.Status, PastEndDate: true, EndDate: a.EndDate})
		}
	}
	sortKeyed(items)
	p, err := page(items, "PROG#"+programme+"#ATTN", cursor, limit)
	if err != nil {
		return p, nil, cost, err
	}
	grants.SortAttention(ended)
	cost.Items = len(p.Items) + len(ended)
	return p, ended, cost, nil
}
