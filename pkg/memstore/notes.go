package memstore

import (
	"context"
	"slices"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
)

// AddNote stores a note with its documents, once.
func (st *Store) AddNote(ctx context.Context, n grants.Note) error {
	if err := live(ctx); err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.notes == nil {
		st.notes = map[string][]grants.Note{}
	}
	if slices.ContainsFunc(st.notes[n.AgreementID], func(m grants.Note) bool { return m.ID == n.ID }) {
		return nil
	}
	n.Documents = slices.Clone(n.Documents)
	st.notes[n.AgreementID] = append(st.notes[n.AgreementID], n)
	return nil
}

// Notes are an agreement's notes, each with its documents, in the order
// written.
func (st *Store) Notes(ctx context.Context, agreementID string) ([]grants.Note, error) {
	if err := live(ctx); err != nil {
		return nil, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]grants.Note, 0, len(st.notes[agreementID]))
	for _, n := range st.notes[agreementID] {
		n.Documents = append([]grants.Document{}, n.Documents...)
		out = append(out, n)
	}
	return out, nil
}

// MarkUploaded marks a pending document uploaded.
func (st *Store) MarkUploaded(ctx context.Context, agreementID, documentID string, size int64, at time.Time) (grants.Document, error) {
	if err := live(ctx); err != nil {
		return grants.Document{}, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, n := range st.notes[agreementID] {
		for i := range n.Documents {
			if d := &n.Documents[i]; d.ID == documentID {
				if d.Status == grants.DocumentPending {
					d.Status, d.Size, d.UploadedAt = grants.DocumentUploaded, size, at.UTC()
				}
				return *d, nil
			}
		}
	}
	return grants.Document{}, &grants.Error{Code: grants.NotFound, Message: "There is no such document on this agreement.", Reason: "document_not_found"}
}
