package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

// Notes and documents on an agreement (issue 26, item 16). A note is added
// from the agreement's page; a document announced with it is uploaded from
// a page of its own whose form posts the file straight to S3 (a presigned
// POST: the pages' CSP lets forms lead to DocumentsOrigin), which sends the
// browser back here to check what arrived. A download is a link made when
// it is clicked, for whoever may read the agreement then.

// notesOf are the agreement's notes, for its page (none without a Record).
func (a *App) notesOf(r *http.Request, v *view, id string) ([]grants.Note, error) {
	if a.Record == nil {
		return nil, nil
	}
	return a.Record.Notes(r.Context(), v.Actor, id)
}

// addNote adds a note; with a document announced, the browser goes on to
// upload it.
func (a *App) addNote(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "", "agreements", programmeOnly...)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		a.fail(w, r, &grants.Error{Code: grants.Malformed, Message: "The form could not be read."})
		return
	}
	if a.Record == nil {
		a.fail(w, r, &grants.Error{Code: grants.NotFound, Message: "There is no such page."})
		return
	}
	id := r.PathValue("id")
	in := grants.NoteInput{Kind: r.PostForm.Get("kind"), On: r.PostForm.Get("on"), Text: r.PostForm.Get("text")}
	if title, typ := strings.TrimSpace(r.PostForm.Get("documentTitle")), r.PostForm.Get("documentType"); title != "" || typ != "" {
		in.Documents = []grants.DocumentInput{{Title: title, Type: typ}}
	}
	added, err := a.Record.AddNote(r.Context(), v.Actor, id, in, func(doc string) string { return a.uploadedURL(r, id, doc) })
	if err != nil {
		if status(err) == http.StatusInternalServerError {
			a.fail(w, r, err)
			return
		}
		v.Error = message(err)
		a.showAgreement(w, r, v, status(err))
		return
	}
	if len(added.Note.Documents) > 0 {
		http.Redirect(w, r, base(r)+"/app/agreements/"+id+"/documents/"+added.Note.Documents[0].ID+"/upload", http.StatusSeeOther)
		return
	}
	done(w, r, "/app/agreements/"+id, "note-added")
}

// uploadedURL is where S3 sends the browser once a document is stored:
// an absolute URL, on the app's own origin.
func (a *App) uploadedURL(r *http.Request, agreementID, documentID string) string {
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: r.Host, Path: base(r) + "/app/agreements/" + agreementID + "/documents/" + documentID + "/uploaded"}
	return u.String()
}

// uploadView is the upload page of one document.
type uploadView struct {
	AgreementID string
	Partner     string
	Document    grants.Document
	Form        service.UploadForm
}

// uploadDocument is a document's upload page, with a fresh policy.
func (a *App) uploadDocument(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "Upload a document", "agreements", programmeOnly...)
	if !ok {
		return
	}
	a.showUpload(w, r, v, http.StatusOK)
}

func (a *App) showUpload(w http.ResponseWriter, r *http.Request, v *view, code int) {
	if a.Record == nil {
		a.fail(w, r, &grants.Error{Code: grants.NotFound, Message: "There is no such page."})
		return
	}
	id, doc := r.PathValue("id"), r.PathValue("documentId")
	d, form, err := a.Record.UploadAgain(r.Context(), v.Actor, id, doc, a.uploadedURL(r, id, doc))
	if grants.ErrorCode(err) == grants.Conflict {
		done(w, r, "/app/agreements/"+id+"#notes", "document-uploaded")
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ag, err := a.Agreements.Agreement(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v.Title = "Upload “" + d.Title + "”"
	a.render(w, r, code, layout(v, uploadPage(v, uploadView{AgreementID: id, Partner: ag.Partner.Name, Document: d, Form: form})))
}

// documentUploaded is where S3 sends the browser after an upload: the
// upload is checked, and the document marked uploaded (a reload asks
// again and changes nothing).
func (a *App) documentUploaded(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "Upload a document", "agreements", programmeOnly...)
	if !ok {
		return
	}
	if a.Record == nil {
		a.fail(w, r, &grants.Error{Code: grants.NotFound, Message: "There is no such page."})
		return
	}
	id := r.PathValue("id")
	_, err := a.Record.Uploaded(r.Context(), v.Actor, id, r.PathValue("documentId"))
	if err != nil {
		if status(err) == http.StatusInternalServerError || grants.ErrorCode(err) == grants.NotFound {
			a.fail(w, r, err)
			return
		}
		v.Error = message(err)
		a.showUpload(w, r, v, status(err))
		return
	}
	done(w, r, "/app/agreements/"+id, "document-uploaded")
}

// downloadDocument sends the browser to a link made now, which saves the
// document under its title.
func (a *App) downloadDocument(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "Document", "agreements", grants.Readers...)
	if !ok {
		return
	}
	if a.Record == nil {
		a.fail(w, r, &grants.Error{Code: grants.NotFound, Message: "There is no such document."})
		return
	}
	link, err := a.Record.Download(r.Context(), v.Actor, r.PathValue("id"), r.PathValue("documentId"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	http.Redirect(w, r, link, http.StatusSeeOther)
}

// noteKind is a note's kind in words.
func noteKind(k string) string {
	switch k {
	case grants.NoteCall:
		return "Call"
	case grants.NoteVisit:
		return "Visit"
	case grants.NoteMeeting:
		return "Meeting"
	case grants.NoteConcern:
		return "Concern"
	}
	return "Note"
}

// acceptOf is what a file input offers for a document: its type and extension.
func acceptOf(d grants.Document) string {
	t, _ := grants.DocumentTypeOf(d.Type)
	return t.MediaType + "," + t.Extension
}
