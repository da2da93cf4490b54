package service_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/service"
)

var _ service.NoteStore = (*memstore.Store)(nil)

// storedFiles stands in for the bucket: what a browser uploaded, by key.
type storedFiles map[string]struct {
	size int64
	typ  string
}

func (f storedFiles) UploadForm(_ context.Context, key, mediaType string, maxSize int64, redirect string) (service.UploadForm, error) {
	return service.UploadForm{URL: "https://bucket.example", Fields: []service.FormField{{Name: "key", Value: key}, {Name: "Content-Type", Value: mediaType}}}, nil
}

func (f storedFiles) Stat(_ context.Context, key string) (int64, string, error) {
	o, ok := f[key]
	if !ok {
		return 0, "", &grants.Error{Code: grants.NotFound}
	}
	return o.size, o.typ, nil
}

func (f storedFiles) DownloadLink(_ context.Context, key, name, contentType string) (string, error) {
	return "https://bucket.example/" + key + "?name=" + name, nil
}

// Notes and documents (issue 26, item 16): the programme role adds a note
// with a document; until the file is stored (of its type, within its size)
// it is pending and offers no download; a viewer reads but may not add,
// and someone with no role in the programme reads nothing.
func TestNotesAndDocuments(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	files := storedFiles{}
	record := service.NewRecord(st, files, service.Env{Now: func() time.Time { return now }, NewID: memstore.NewID})
	a := oldAgreement(t, st, "Levy Kitchen", "1180123", 0)
	officer := grants.Actor{ID: "o", Name: "olu@funder.example", Groups: []grants.Role{grants.RoleProgramme}}
	viewer := grants.Actor{ID: "v", Name: "vic@funder.example", Groups: []grants.Role{grants.RoleViewer}}
	stranger := grants.Actor{ID: "s", Name: "sam@funder.example", Groups: []grants.Role{grants.RoleProgramme.In("other")}}

	in := grants.NoteInput{Kind: grants.NoteVisit, Text: "Visited.", Documents: []grants.DocumentInput{{Title: "Signed agreement", Type: "pdf"}}}
	if _, err := record.AddNote(ctx, viewer, a.ID, in, func(string) string { return "" }); grants.ErrorCode(err) != grants.Forbidden {
		t.Errorf("a viewer's note: %v", err)
	}
	added, err := record.AddNote(ctx, officer, a.ID, in, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	d := added.Note.Documents[0]
	if f := added.Uploads[d.ID]; len(f.Fields) == 0 || f.Fields[0].Value != d.Key {
		t.Errorf("the upload form %+v", f)
	}
	if _, err := record.Download(ctx, viewer, a.ID, d.ID); grants.ErrorCode(err) != grants.Conflict {
		t.Errorf("a pending document's download: %v", err)
	}
	if _, err := record.Uploaded(ctx, officer, a.ID, d.ID); grants.ErrorCode(err) != grants.Conflict {
		t.Errorf("nothing stored, marked uploaded: %v", err)
	}
	files[d.Key] = struct {
		size int64
		typ  string
	}{2048, "text/html"}
	if _, err := record.Uploaded(ctx, officer, a.ID, d.ID); grants.ErrorCode(err) != grants.Invalid {
		t.Errorf("an HTML file for a PDF: %v", err)
	}
	files[d.Key] = struct {
		size int64
		typ  string
	}{2048, "application/pdf"}
	up, err := record.Uploaded(ctx, officer, a.ID, d.ID)
	if err != nil || up.Status != grants.DocumentUploaded || up.Size != 2048 {
		t.Fatalf("uploaded: %+v %v", up, err)
	}
	link, err := record.Download(ctx, viewer, a.ID, d.ID)
	if err != nil || link != "https://bucket.example/"+d.Key+"?name=Signed agreement.pdf" {
		t.Errorf("the viewer's download: %q %v", link, err)
	}
	notes, err := record.Notes(ctx, viewer, a.ID)
	if err != nil || len(notes) != 1 || notes[0].Documents[0].Status != grants.DocumentUploaded {
		t.Errorf("the viewer reads %+v %v", notes, err)
	}
	if _, err := record.Notes(ctx, stranger, a.ID); grants.ErrorCode(err) != grants.Forbidden {
		t.Errorf("someone of another programme reads the notes: %v", err)
	}
	hist, err := st.AllHistory(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	var said []string
	for _, h := range hist {
		if h.Action == "note.added" || h.Action == "document.uploaded" {
			said = append(said, h.Action+" by "+h.Actor)
		}
	}
	slices.Sort(said)
	if len(said) != 2 || said[0] != "document.uploaded by olu@funder.example" || said[1] != "note.added by olu@funder.example" {
		t.Errorf("the history says %q", said)
	}
}
