package memstore

import (
	"context"
	"slices"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
)

// confidentialOps store confidential feedback and where it came from
// (issue 24, item 2), each once, under pkg/dynamo's keys.
func (st *Store) confidentialOps(fx grants.Effects) []op {
	var ops []op
	for _, f := range fx.Confidential {
		f := clone(f)
		ops = append(ops, op{
			item: "PROG#" + f.Programme + "#CONFIDENTIAL\x00F#" + f.On.String() + "#" + f.ID,
			cond: func() bool {
				return !slices.ContainsFunc(st.confidential[f.Programme], func(g grants.ConfidentialFeedback) bool { return g.ID == f.ID })
			},
			apply: func() {
				if st.confidential == nil {
					st.confidential = map[string][]grants.ConfidentialFeedback{}
				}
				list := append(st.confidential[f.Programme], f)
				slices.SortStableFunc(list, func(x, y grants.ConfidentialFeedback) int {
					return strings.Compare(x.On.String()+"#"+x.ID, y.On.String()+"#"+y.ID)
				})
				st.confidential[f.Programme] = list
			},
		})
	}
	for _, c := range fx.ConfidentialSenders {
		c := clone(c)
		ops = append(ops, op{
			item: "CONFIDENTIAL#" + c.ID + "\x00SENDER",
			cond: func() bool { _, ok := st.confidentialSenders[c.ID]; return !ok },
			apply: func() {
				if st.confidentialSenders == nil {
					st.confidentialSenders = map[string]grants.ConfidentialSender{}
				}
				st.confidentialSenders[c.ID] = c
			},
		})
	}
	return ops
}

// ConfidentialFeedback reads what reached a programme's confidential
// feedback addresses, shown and set aside, in day order.
func (st *Store) ConfidentialFeedback(ctx context.Context, programme string) ([]grants.ConfidentialFeedback, error) {
	if err := live(ctx); err != nil {
		return nil, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return append([]grants.ConfidentialFeedback{}, st.confidential[programme]...), nil
}

// ConfidentialSender reads where confidential feedback id came from, or
// nil. Nothing in the product calls it (see pkg/dynamo).
func (st *Store) ConfidentialSender(ctx context.Context, id string) (*grants.ConfidentialSender, error) {
	if err := live(ctx); err != nil {
		return nil, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	c, ok := st.confidentialSenders[id]
	if !ok {
		return nil, nil
	}
	return &c, nil
}
