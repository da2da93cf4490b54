package memstore

import (
	"cmp"
	"context"
	"slices"

	"github.com/partnership-grants/backend/pkg/grants"
)

// enquiryOp writes an enquiry: created once (Version 0), else replaced at
// the version read.
func (st *Store) enquiryOp(w grants.EnquiryWrite) op {
	e := clone(w.Enquiry)
	e.Version = w.Version + 1
	return op{
		item: "ENQUIRIES\x00E#" + e.ID,
		cond: func() bool {
			old, ok := st.enquiries[e.ID]
			if w.Version == 0 {
				return !ok
			}
			return ok && old.Version == w.Version
		},
		apply: func() {
			if st.enquiries == nil {
				st.enquiries = map[string]grants.Enquiry{}
			}
			st.enquiries[e.ID] = e
		},
	}
}

// GetEnquiry reads an enquiry.
func (st *Store) GetEnquiry(ctx context.Context, id string) (*grants.Enquiry, error) {
	if err := live(ctx); err != nil {
		return nil, err
	}
	st.mu.Lock()
	e, ok := st.enquiries[id]
	st.mu.Unlock()
	if !ok {
		return nil, grants.EnquiryNotFound()
	}
	e = clone(e)
	return &e, nil
}

// ListEnquiries lists a programme's enquiries, newest first.
func (st *Store) ListEnquiries(ctx context.Context, programme string) ([]grants.Enquiry, error) {
	if err := live(ctx); err != nil {
		return nil, err
	}
	st.mu.Lock()
	out := []grants.Enquiry{}
	for _, e := range st.enquiries {
		if e.Programme == programme {
			out = append(out, clone(e))
		}
	}
	st.mu.Unlock()
	slices.SortFunc(out, func(x, y grants.Enquiry) int {
		return cmp.Or(y.ReceivedAt.Compare(x.ReceivedAt), cmp.Compare(x.ID, y.ID))
	})
	return out, nil
}
