package service

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
)

// The record of the relationship (issue 26, item 16): officers' dated
// notes on an agreement and the documents uploaded to them. The programme
// role writes them; every reader of the agreement reads them.

// NoteStore keeps an agreement's notes and their documents.
type NoteStore interface {
	GetAgreement(ctx context.Context, id string) (*grants.Agreement, error)
	EffectWriter
	// AddNote stores a note with its documents (pending), once: a note
	// with its ID stored already is no change.
	AddNote(ctx context.Context, n grants.Note) error
	// Notes are an agreement's notes, each with its documents.
	Notes(ctx context.Context, agreementID string) ([]grants.Note, error)
	// MarkUploaded marks a pending document uploaded, with its size; one
	// marked already is returned as it is. NotFound for none.
	MarkUploaded(ctx context.Context, agreementID, documentID string, size int64, at time.Time) (grants.Document, error)
}

// UploadForm is how a browser uploads one file straight to storage: an
// HTML form posted to URL with Fields (in order) and the file last, in a
// field named "file" (S3's presigned POST). The policy it carries bounds
// the file's key, size and type, and expires.
type UploadForm struct {
	URL    string      `json:"url"`
	Fields []FormField `json:"fields"`
}

// FormField is one field of an UploadForm.
type FormField struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// DocumentFiles is where documents are stored (the mail bucket's
// documents/ prefix; pkg/objects/links).
type DocumentFiles interface {
	// UploadForm lets a browser store one file of mediaType at key, of up
	// to maxSize bytes, then sends it on to redirect.
	UploadForm(ctx context.Context, key, mediaType string, maxSize int64, redirect string) (UploadForm, error)
	// Stat is a stored file's size and type; grants.NotFound when there is none.
	Stat(ctx context.Context, key string) (size int64, mediaType string, err error)
	// DownloadLink is a short-lived link that saves the file as name.
	DownloadLink(ctx context.Context, key, name, contentType string) (string, error)
}

// Record is the notes' and documents' use cases.
type Record struct {
	store NoteStore
	files DocumentFiles
	env   Env
}

// NewRecord builds the record's use cases on the store and the files.
func NewRecord(store NoteStore, files DocumentFiles, env Env) *Record {
	return &Record{store: store, files: files, env: env}
}

// NoteWriters may add notes and documents; every reader reads them.
var NoteWriters = []grants.Role{grants.RoleProgramme}

// agreement reads the agreement, refused unless actor holds one of roles
// in its programme.
func (x *Record) agreement(ctx context.Context, actor grants.Actor, id string, roles []grants.Role) (*grants.Agreement, error) {
	a, err := x.store.GetAgreement(ctx, id)
	if err != nil {
		return nil, err
	}
	if !actor.HasIn(a.Programme, roles...) {
		return nil, &grants.Error{Code: grants.Forbidden, Message: "Your role may not do this.", Reason: "forbidden"}
	}
	return a, nil
}

// Notes are an agreement's notes, the latest day first (on a day, the
// latest written first).
func (x *Record) Notes(ctx context.Context, actor grants.Actor, agreementID string) ([]grants.Note, error) {
	if _, err := x.agreement(ctx, actor, agreementID, grants.Readers); err != nil {
		return nil, err
	}
	return x.notes(ctx, agreementID)
}

func (x *Record) notes(ctx context.Context, agreementID string) ([]grants.Note, error) {
	notes, err := x.store.Notes(ctx, agreementID)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(notes, func(p, q grants.Note) int {
		return cmp.Or(cmp.Compare(q.On.String(), p.On.String()), q.At.Compare(p.At))
	})
	return notes, nil
}

// NoteAdded is a note as added, with the form that uploads each of its
// documents (by document ID).
type NoteAdded struct {
	Note    grants.Note           `json:"note"`
	Uploads map[string]UploadForm `json:"uploads"`
}

// AddNote adds a note, and its history entry; redirect, when a browser
// uploads the documents, is where each upload sends it on to ("{id}" in
// it is the document's ID).
func (x *Record) AddNote(ctx context.Context, actor grants.Actor, agreementID string, in grants.NoteInput, redirect func(documentID string) string) (NoteAdded, error) {
	a, err := x.agreement(ctx, actor, agreementID, NoteWriters)
	if err != nil {
		return NoteAdded{}, err
	}
	now := x.env.Now()
	n, err := grants.NewNote(a, in, grants.Today(now, a.Location()), now, actor.Name, x.env.NewID)
	if err != nil {
		return NoteAdded{}, err
	}
	if err := x.store.AddNote(ctx, n); err != nil {
		return NoteAdded{}, err
	}
	detail := n.Kind + " on " + n.On.String()
	if len(n.Documents) > 0 {
		detail += ", with " + grants.Count(len(n.Documents), "document", "documents")
	}
	entry := grants.AuditEntry{At: now.UTC(), Actor: actor.Name, Action: "note.added", Detail: detail}
	if err := x.store.Apply(ctx, a.ID, grants.Audited(entry)); err != nil {
		return NoteAdded{}, err
	}
	out := NoteAdded{Note: n, Uploads: map[string]UploadForm{}}
	for _, d := range n.Documents {
		f, err := x.files.UploadForm(ctx, d.Key, d.Type, grants.MaxDocumentSize, redirect(d.ID))
		if err != nil {
			return NoteAdded{}, err
		}
		out.Uploads[d.ID] = f
	}
	return out, nil
}

// document is an agreement's document by ID.
func (x *Record) document(ctx context.Context, agreementID, documentID string) (grants.Document, error) {
	notes, err := x.store.Notes(ctx, agreementID)
	if err != nil {
		return grants.Document{}, err
	}
	for _, n := range notes {
		for _, d := range n.Documents {
			if d.ID == documentID {
				return d, nil
			}
		}
	}
	return grants.Document{}, &grants.Error{Code: grants.NotFound, Message: "There is no such document on this agreement.", Reason: "document_not_found"}
}

// UploadAgain is a fresh upload form for a pending document (the first
// one's policy expires).
func (x *Record) UploadAgain(ctx context.Context, actor grants.Actor, agreementID, documentID, redirect string) (grants.Document, UploadForm, error) {
	if _, err := x.agreement(ctx, actor, agreementID, NoteWriters); err != nil {
		return grants.Document{}, UploadForm{}, err
	}
	d, err := x.document(ctx, agreementID, documentID)
	if err != nil {
		return d, UploadForm{}, err
	}
	if d.Status != grants.DocumentPending {
		return d, UploadForm{}, &grants.Error{Code: grants.Conflict, Message: "This document is uploaded already.", Reason: "document_uploaded"}
	}
	f, err := x.files.UploadForm(ctx, d.Key, d.Type, grants.MaxDocumentSize, redirect)
	return d, f, err
}

// Uploaded marks a document uploaded once storage has it, of the size and
// type allowed; asked again, it answers the same.
func (x *Record) Uploaded(ctx context.Context, actor grants.Actor, agreementID, documentID string) (grants.Document, error) {
	a, err := x.agreement(ctx, actor, agreementID, NoteWriters)
	if err != nil {
		return grants.Document{}, err
	}
	d, err := x.document(ctx, a.ID, documentID)
	if err != nil || d.Status == grants.DocumentUploaded {
		return d, err
	}
	size, mediaType, err := x.files.Stat(ctx, d.Key)
	if grants.ErrorCode(err) == grants.NotFound {
		return d, &grants.Error{Code: grants.Conflict, Message: "The file has not arrived: upload it again.", Reason: "document_not_uploaded"}
	}
	if err != nil {
		return d, err
	}
	if err := d.CheckUpload(size, mediaType); err != nil {
		return d, err
	}
	now := x.env.Now()
	d, err = x.store.MarkUploaded(ctx, a.ID, d.ID, size, now)
	if err != nil {
		return d, err
	}
	entry := grants.AuditEntry{At: now.UTC(), Actor: actor.Name, Action: "document.uploaded", Detail: "“" + d.FileName() + "”"}
	return d, x.store.Apply(ctx, a.ID, grants.Audited(entry))
}

// Download is a short-lived link that saves an uploaded document, made
// when it is asked for (a page left open still downloads): for any reader
// of its agreement.
func (x *Record) Download(ctx context.Context, actor grants.Actor, agreementID, documentID string) (string, error) {
	a, err := x.agreement(ctx, actor, agreementID, grants.Readers)
	if err != nil {
		return "", err
	}
	d, err := x.document(ctx, a.ID, documentID)
	if err != nil {
		return "", err
	}
	if d.Status != grants.DocumentUploaded {
		return "", &grants.Error{Code: grants.Conflict, Message: "This document is not uploaded yet.", Reason: "document_not_uploaded"}
	}
	return x.files.DownloadLink(ctx, d.Key, d.FileName(), d.Type)
}
