package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/partnership-grants/backend/pkg/grants"
)

// Downloads are signed when they are clicked, not when the page is drawn
// (issue 26, item 15): a page shows links to the routes below, and each
// checks that the person may read the file now, as the page that offers
// it does (the same use cases, the same role), then sends the browser on
// to a freshly presigned, short-lived URL of the object. A page left open
// for an hour still downloads; the object's key never leaves the server.

// downloadRoutes are the routes, added to New's mux.
func (a *App) downloadRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /app/agreements/{id}/replies/{messageId}/files/{n}", a.replyFile("file"))
	mux.HandleFunc("GET /app/agreements/{id}/replies/{messageId}/text", a.replyFile("text"))
	mux.HandleFunc("GET /app/agreements/{id}/replies/{messageId}/message", a.replyFile("message"))
	mux.HandleFunc("GET /app/quarantine/{id}/text", a.heldFile("text"))
	mux.HandleFunc("GET /app/quarantine/{id}/message", a.heldFile("message"))
	mux.HandleFunc("GET /app/enquiries/{id}/messages/{m}/files/{n}", a.enquiryFile)
}

// Where each file's download route is.
func replyFilePath(agreementID, messageID string, n int) string {
	return replyPath(agreementID, messageID, "files/"+strconv.Itoa(n))
}
func replyPath(agreementID, messageID, what string) string {
	return "/app/agreements/" + url.PathEscape(agreementID) + "/replies/" + url.PathEscape(messageID) + "/" + what
}
func heldPath(id, what string) string { return "/app/quarantine/" + url.PathEscape(id) + "/" + what }
func enquiryFilePath(id string, m, n int) string {
	return "/app/enquiries/" + url.PathEscape(id) + "/messages/" + strconv.Itoa(m) + "/files/" + strconv.Itoa(n)
}

// replyFile is a file of a reply on an agreement's page: one of its
// attachments (files/{n}, from 1), its whole text, or the message as
// received where the page offers it (files were left in it). The reply is
// read as the page reads it for this person (Conversations), so what the
// page would not show them is not found.
func (a *App) replyFile(what string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { a.serveReplyFile(w, r, what) }
}

func (a *App) serveReplyFile(w http.ResponseWriter, r *http.Request, what string) {
	v, ok := a.page(w, r, "Download", "agreements", grants.Readers...)
	if !ok {
		return
	}
	ag, err := a.Agreements.Agreement(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	replies, err := a.Replies.Conversations(r.Context(), v.Actor, ag)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	for _, rep := range replies {
		if rep.MessageID == r.PathValue("messageId") {
			a.sendReplyFile(w, r, what, rep, false)
			return
		}
	}
	a.fail(w, r, noFile)
}

// heldFile is a held message's whole text or the message as received.
func (a *App) heldFile(what string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { a.serveHeldFile(w, r, what) }
}

func (a *App) serveHeldFile(w http.ResponseWriter, r *http.Request, what string) {
	v, ok := a.page(w, r, "Download", "quarantine", programmeOnly...)
	if !ok {
		return
	}
	held, err := a.Views.HeldFor(r.Context(), v.Programme)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	for _, q := range held {
		if q.ID == r.PathValue("id") {
			a.sendReplyFile(w, r, what, q.Reply, true)
			return
		}
	}
	a.fail(w, r, noFile)
}

// sendReplyFile sends the browser to the file of rep the route names:
// those replyLinks and the attachments' links offer, and no other.
func (a *App) sendReplyFile(w http.ResponseWriter, r *http.Request, what string, rep grants.Reply, raw bool) {
	switch what {
	case "file":
		n, err := strconv.Atoi(r.PathValue("n"))
		if err != nil || n < 1 || n > len(rep.Attachments) {
			break
		}
		att := rep.Attachments[n-1]
		a.download(w, r, att.Key, att.Name, att.ContentType)
		return
	case "message":
		if !raw && rep.MoreAttachments == 0 {
			break
		}
		a.download(w, r, rep.RawKey, rawName(rep.MessageID), "message/rfc822")
		return
	case "text":
		a.download(w, r, rep.TextKey, textName(rep.MessageID), "text/plain; charset=utf-8")
		return
	}
	a.fail(w, r, noFile)
}

// enquiryFile is an attachment of an enquiry's message m (from 0, as the
// enquiry lists them), file n (from 1).
func (a *App) enquiryFile(w http.ResponseWriter, r *http.Request) {
	if _, ok := a.page(w, r, "Download", "enquiries", programmeOnly...); !ok {
		return
	}
	e, err := a.Enquiries.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	m, err1 := strconv.Atoi(r.PathValue("m"))
	n, err2 := strconv.Atoi(r.PathValue("n"))
	if err1 != nil || err2 != nil || m < 0 || m >= len(e.Messages) || n < 1 || n > len(e.Messages[m].Attachments) {
		a.fail(w, r, noFile)
		return
	}
	att := e.Messages[m].Attachments[n-1]
	a.download(w, r, att.Key, att.Name, att.ContentType)
}

var noFile = &grants.Error{Code: grants.NotFound, Message: "There is no such file."}

// download sends the browser on to a link to the stored object made now.
// The redirect is not cached (headers: no-store), so every click signs anew.
func (a *App) download(w http.ResponseWriter, r *http.Request, key, name, contentType string) {
	if a.Links == nil || key == "" {
		a.fail(w, r, noFile)
		return
	}
	link, err := a.Links.DownloadLink(r.Context(), key, name, contentType)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	http.Redirect(w, r, link, http.StatusSeeOther)
}

// fileLink is a page's link to a download route, or "" when the app
// makes no links (no Links) or there is nothing stored.
func (a *App) fileLink(v *view, key, path string) string {
	if a.Links == nil || key == "" {
		return ""
	}
	return string(v.Link(path))
}
