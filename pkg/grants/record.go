package grants

// The record of the relationship (issue 26, item 16): officers' dated notes
// on an agreement (a call, a visit, a concern), each with the documents
// uploaded to it (the signed agreement, due diligence). A document is
// announced first (its title and type), uploaded by the browser straight to
// storage under a key only it names, then checked and marked uploaded; until
// then it is pending and offers no download.

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// The kinds of note.
const (
	NoteCall    = "call"
	NoteVisit   = "visit"
	NoteMeeting = "meeting"
	NoteConcern = "concern"
	NoteOther   = "other"
)

// NoteKinds are the kinds a note may be, in the order a form offers them.
var NoteKinds = []string{NoteCall, NoteVisit, NoteMeeting, NoteConcern, NoteOther}

// Bounds of a note and its documents.
const (
	MaxNoteText      = 4000
	MaxDocumentTitle = 120
	// MaxDocumentSize bounds an upload: the upload policy's
	// content-length-range, checked again when it is marked uploaded.
	MaxDocumentSize  = 10 << 20
	MaxNoteDocuments = 5
)

// Document statuses.
const (
	DocumentPending  = "pending"
	DocumentUploaded = "uploaded"
)

// DocumentType is a kind of file an officer may upload: its media type
// (what the upload policy requires and the download is served as) and
// its file extension.
type DocumentType struct {
	Code, Label, MediaType, Extension string
}

// DocumentTypes are the files a note may carry: documents and pictures
// that a browser never runs.
var DocumentTypes = []DocumentType{
	{"pdf", "PDF", "application/pdf", ".pdf"},
	{"docx", "Word document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"},
	{"xlsx", "Excel spreadsheet", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"},
	{"odt", "OpenDocument text", "application/vnd.oasis.opendocument.text", ".odt"},
	{"png", "PNG picture", "image/png", ".png"},
	{"jpeg", "JPEG photo", "image/jpeg", ".jpg"},
}

// DocumentTypeOf is the type whose code or media type is s.
func DocumentTypeOf(s string) (DocumentType, bool) {
	for _, t := range DocumentTypes {
		if t.Code == s || t.MediaType == s {
			return t, true
		}
	}
	return DocumentType{}, false
}

// Note is an officer's dated note on an agreement.
type Note struct {
	ID          string     `json:"id"`
	AgreementID string     `json:"agreementId"`
	Kind        string     `json:"kind"`
	On          Date       `json:"on"`
	Text        string     `json:"text"`
	By          string     `json:"by"`
	At          time.Time  `json:"at"`
	Documents   []Document `json:"documents"`
}

// Document is a file uploaded to a note.
type Document struct {
	ID     string `json:"id"`
	NoteID string `json:"noteId"`
	Title  string `json:"title"`
	// Type is the media type the upload was allowed, and is served as.
	Type   string `json:"type"`
	Status string `json:"status"`
	// Key is where the file is stored; no person reads it.
	Key        string    `json:"-"`
	Size       int64     `json:"size,omitempty"`
	By         string    `json:"by"`
	At         time.Time `json:"at"`
	UploadedAt time.Time `json:"uploadedAt,omitzero"`
}

// FileName is the name the document downloads as: its title and its
// type's extension.
func (d Document) FileName() string {
	t, _ := DocumentTypeOf(d.Type)
	name := d.Title
	if !strings.HasSuffix(strings.ToLower(name), t.Extension) {
		name += t.Extension
	}
	return name
}

// DocumentKey is where a document of an agreement is stored: under the
// documents/ prefix, which only the web app's and the API's roles write.
func DocumentKey(agreementID, documentID string) string {
	return "documents/" + agreementID + "/" + documentID
}

// NoteInput is a note as an officer writes it, with the documents to
// upload to it (each a title and a type code or media type).
type NoteInput struct {
	Kind      string          `json:"kind"`
	On        string          `json:"on"`
	Text      string          `json:"text"`
	Documents []DocumentInput `json:"documents,omitempty"`
}

// DocumentInput announces a document to upload.
type DocumentInput struct {
	Title string `json:"title"`
	Type  string `json:"type"`
}

// NewNote checks a note and gives it and its documents their IDs (newID's)
// and keys; its documents are pending until uploaded. A note is dated on a
// day up to today: what happened, not a plan.
func NewNote(a *Agreement, in NoteInput, today Date, at time.Time, by string, newID func() string) (Note, error) {
	var f fieldErrors
	kind := strings.TrimSpace(in.Kind)
	if !slices.Contains(NoteKinds, kind) {
		f.add("kind", "must be one of %s", strings.Join(NoteKinds, ", "))
	}
	day, err := ParseDate(strings.TrimSpace(in.On))
	switch {
	case strings.TrimSpace(in.On) == "":
		day = today
	case err != nil:
		f.add("on", "must be the day it happened, as YYYY-MM-DD")
	case day.After(today):
		f.add("on", "must be today or earlier: a note records what happened")
	}
	text := strings.TrimSpace(in.Text)
	switch {
	case text == "":
		f.add("text", "is required: what happened, what was said")
	case utf8.RuneCountInString(text) > MaxNoteText:
		f.add("text", "must be at most %d characters", MaxNoteText)
	}
	if len(in.Documents) > MaxNoteDocuments {
		f.add("documents", "must be at most %d", MaxNoteDocuments)
	}
	n := Note{ID: newID(), AgreementID: a.ID, Kind: kind, On: day, Text: text, By: by, At: at.UTC(), Documents: []Document{}}
	for i, d := range in.Documents {
		field := fmt.Sprintf("documents[%d]", i)
		title := CleanLine(d.Title)
		switch {
		case title == "":
			f.add(field+".title", "is required: what the document is")
		case utf8.RuneCountInString(title) > MaxDocumentTitle:
			f.add(field+".title", "must be at most %d characters", MaxDocumentTitle)
		case strings.ContainsAny(title, `/\`):
			f.add(field+".title", "must not contain / or \\")
		}
		t, ok := DocumentTypeOf(strings.TrimSpace(d.Type))
		if !ok {
			f.add(field+".type", "must be one of %s", documentTypeCodes())
		}
		id := newID()
		n.Documents = append(n.Documents, Document{ID: id, NoteID: n.ID, Title: title, Type: t.MediaType, Status: DocumentPending,
			Key: DocumentKey(a.ID, id), By: by, At: at.UTC()})
	}
	if err := f.err(); err != nil {
		return Note{}, err
	}
	return n, nil
}

func documentTypeCodes() string {
	codes := make([]string, len(DocumentTypes))
	for i, t := range DocumentTypes {
		codes[i] = t.Code
	}
	return strings.Join(codes, ", ")
}

// CheckUpload is nil when a stored object may be the document: its size
// within the bounds and its type the one announced. Storage enforces both
// through the upload's policy; this checks again, for storage that does
// not (a local stand-in) and as a second lock.
func (d Document) CheckUpload(size int64, mediaType string) error {
	switch {
	case size <= 0:
		return &Error{Code: Invalid, Message: "The uploaded file is empty.", Reason: "validation", Fields: []FieldError{{Field: "file", Reason: "is empty"}}}
	case size > MaxDocumentSize:
		return &Error{Code: Invalid, Message: fmt.Sprintf("The uploaded file is larger than %d MB.", MaxDocumentSize>>20), Reason: "validation",
			Fields: []FieldError{{Field: "file", Reason: fmt.Sprintf("must be at most %d MB", MaxDocumentSize>>20)}}}
	case !strings.EqualFold(strings.TrimSpace(strings.SplitN(mediaType, ";", 2)[0]), d.Type):
		return &Error{Code: Invalid, Message: "The uploaded file is not of the type announced.", Reason: "validation",
			Fields: []FieldError{{Field: "file", Reason: "must be a " + d.Type + " file"}}}
	}
	return nil
}
