package storetest

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
)

// An agreement's notes (issue 26, item 16) are kept once each with their
// documents, read back as written and only for their agreement; a document
// is marked uploaded once, with the size it first had.
func notesKept(t *testing.T, st Store) {
	ctx := context.Background()
	a := &grants.Agreement{ID: NewID()}
	seq := 0
	newID := func() string { seq++; return fmt.Sprintf("%s-%d", a.ID, seq) }
	n, err := grants.NewNote(a, grants.NoteInput{Kind: grants.NoteVisit, On: "2026-05-01", Text: "Visited the lunch club.",
		Documents: []grants.DocumentInput{{Title: "Signed agreement", Type: "pdf"}, {Title: "Photo of the hall", Type: "image/png"}}},
		grants.Date{Year: 2026, Month: 5, Day: 2}, Now, officer, newID)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := st.AddNote(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	other, err := grants.NewNote(a, grants.NoteInput{Kind: grants.NoteCall, Text: "Called about the next check-in."},
		grants.Date{Year: 2026, Month: 5, Day: 2}, Now.Add(time.Minute), officer, newID)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddNote(ctx, other); err != nil {
		t.Fatal(err)
	}
	got, err := st.Notes(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]grants.Note{}
	for _, g := range got {
		byID[g.ID] = g
	}
	if len(got) != 2 || !sameNote(byID[n.ID], n) || !sameNote(byID[other.ID], other) {
		t.Fatalf("notes read back\n%+v\nwant\n%+v\n%+v", got, n, other)
	}

	d := n.Documents[0]
	up, err := st.MarkUploaded(ctx, a.ID, d.ID, 1234, Now.Add(time.Hour))
	if err != nil || up.Status != grants.DocumentUploaded || up.Size != 1234 || !up.UploadedAt.Equal(Now.Add(time.Hour)) || up.Key != d.Key {
		t.Fatalf("marked uploaded: %+v, %v", up, err)
	}
	again, err := st.MarkUploaded(ctx, a.ID, d.ID, 99, Now.Add(2*time.Hour))
	if err != nil || again.Size != 1234 || !again.UploadedAt.Equal(Now.Add(time.Hour)) {
		t.Errorf("marked again: %+v, %v; want the first upload kept", again, err)
	}
	if _, err := st.MarkUploaded(ctx, a.ID, "no-such-document", 1, Now); grants.ErrorCode(err) != grants.NotFound {
		t.Errorf("an unknown document: %v, want not found", err)
	}
	got, _ = st.Notes(ctx, a.ID)
	for _, g := range got {
		for _, doc := range g.Documents {
			if want := grants.DocumentPending; doc.ID != d.ID && doc.Status != want {
				t.Errorf("document %s is %s, want %s", doc.ID, doc.Status, want)
			}
			if doc.ID == d.ID && doc.Status != grants.DocumentUploaded {
				t.Errorf("document %s reads %s after its upload", doc.ID, doc.Status)
			}
		}
	}
	if none, err := st.Notes(ctx, NewID()); err != nil || len(none) != 0 {
		t.Errorf("another agreement's notes: %v %v", none, err)
	}
}

// sameNote compares notes as stored: instants by Equal, documents in any order.
func sameNote(got, want grants.Note) bool {
	if !got.At.Equal(want.At) || len(got.Documents) != len(want.Documents) {
		return false
	}
	docs := map[string]grants.Document{}
	for _, d := range got.Documents {
		docs[d.ID] = d
	}
	for _, w := range want.Documents {
		d, ok := docs[w.ID]
		if !ok || !d.At.Equal(w.At) {
			return false
		}
		d.At, w.At, d.UploadedAt, w.UploadedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if !reflect.DeepEqual(d, w) {
			return false
		}
	}
	got.At, want.At, got.Documents, want.Documents = time.Time{}, time.Time{}, nil, nil
	return reflect.DeepEqual(got, want)
}
