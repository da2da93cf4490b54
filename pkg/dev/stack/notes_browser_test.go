package stack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/partnership-grants/backend/pkg/dev/testenv/chromium"
	"github.com/partnership-grants/backend/pkg/grants"
)

// TestNoteWithDocumentInTheBrowser is issue 26, item 16, on the local
// stack: the officer adds a note of a visit on the agreement's page with
// a document; the browser uploads the file straight to the bucket (S3's
// presigned POST to s3rver) and comes back to the page, which lists the
// note and the document; the document downloads as an attachment, its
// bytes as uploaded, by a link made when asked; a viewer reads the note
// but is offered no form, and the API refuses them a note.
func TestNoteWithDocumentInTheBrowser(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	browser := chromium.Browser(t)
	now := time.Now()
	tok, err := st.Auth.Issue("olu", "programme", now)
	if err != nil {
		t.Fatal(err)
	}
	api := client{t, st.opts.APIAddr, tok}
	var a grants.Agreement
	api.must(201, "POST", "/agreements", fmt.Sprintf(`{"programme": %q,
		"partner": {"name": "Levenshulme Lunch Club", "registrationNumber": "1164567", "address": "2 Stockport Road, Manchester M19 3AB"},
		"contacts": [{"name": "Jo Reid", "email": "jo-%d@lunchclub.example", "role": "lead"}],
		"amount": 1000000, "startDate": %q, "terms": ["Serve lunch twice a week"]}`,
		DemoProgramme, now.UnixNano(), grants.Today(st.Clock.Now(), time.UTC)), &a)

	file := filepath.Join(t.TempDir(), "signed.pdf")
	content := []byte("%PDF-1.4\n% the signed agreement\n%%EOF\n")
	if err := os.WriteFile(file, content, 0o600); err != nil {
		t.Fatal(err)
	}
	officer := signIn(t, st, browser, "olu")
	page := "/app/agreements/" + a.ID
	officer.open(page)
	chromium.Do(t, officer.tab, "write a note",
		chromedp.Click(chromedp.CSS(`details:has(form[action$="/notes"]) summary`)),
		chromedp.SetValue(chromedp.CSS("#note-kind"), grants.NoteVisit),
		chromedp.SetValue(chromedp.CSS("#note-text"), "Visited the lunch club: 40 at lunch, a new cook."),
		chromedp.SetValue(chromedp.CSS("#note-doc-title"), "Signed agreement"),
		chromedp.SetValue(chromedp.CSS("#note-doc-type"), "pdf"))
	if code := chromium.Submit(t, officer.tab, "add the note", `form[action$="/notes"] button[type=submit]`); code != 200 {
		t.Fatalf("add the note: %d", code)
	}
	if got := officer.text("h1"); !strings.Contains(got, "Signed agreement") {
		t.Fatalf("after the note, the page is %q, not the document's upload", got)
	}
	officer.keep("document-upload")
	chromium.Do(t, officer.tab, "choose the file", chromedp.SetUploadFiles(chromedp.CSS(`#upload-file`), []string{file}))
	if code := chromium.Submit(t, officer.tab, "upload", `form[enctype="multipart/form-data"] button[type=submit]`); code != 200 {
		t.Fatalf("upload: %d", code)
	}
	if at := chromium.Get(t, officer.tab, "where", chromedp.Location()); !strings.Contains(at, page+"?done=document-uploaded") {
		t.Fatalf("after the upload the browser is at %s", at)
	}
	notes := officer.text("section:has(#notes)")
	for _, want := range []string{"Visit on", "Visited the lunch club: 40 at lunch, a new cook.", "Signed agreement.pdf", "Written by Olu Adeyemi"} {
		if !strings.Contains(notes, want) {
			t.Errorf("the notes say %q, without %q", notes, want)
		}
	}
	if strings.Contains(notes, "olu@funder.local") {
		t.Errorf("the notes name their writer by address: %q", notes)
	}
	// The history says it in words: by name, the note and the document.
	history := officer.text("section:has(#history)")
	for _, want := range []string{"Note added by Olu Adeyemi", "Document uploaded by Olu Adeyemi: “Signed agreement.pdf”"} {
		if !strings.Contains(history, want) {
			t.Errorf("the history says %q, without %q", history, want)
		}
	}
	officer.keep("notes")

	// The document, by the API: a link made now, saving the file.
	var list struct{ Notes []grants.Note }
	api.must(200, "GET", "/agreements/"+a.ID+"/notes", "", &list)
	if len(list.Notes) != 1 || len(list.Notes[0].Documents) != 1 || list.Notes[0].Documents[0].Status != grants.DocumentUploaded {
		t.Fatalf("notes by the API: %+v", list.Notes)
	}
	doc := list.Notes[0].Documents[0]
	if doc.Size != int64(len(content)) {
		t.Errorf("the document's size is %d, want %d", doc.Size, len(content))
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("GET", "http://"+st.opts.APIAddr+"/agreements/"+a.ID+"/documents/"+doc.ID, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var link struct{ URL string }
	json.NewDecoder(resp.Body).Decode(&link)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") == "" || resp.Header.Get("Location") != link.URL {
		t.Fatalf("download: %d, Location %q, body %q", resp.StatusCode, resp.Header.Get("Location"), link.URL)
	}
	file2, err := http.Get(link.URL)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(file2.Body)
	file2.Body.Close()
	if file2.StatusCode != 200 || !bytes.Equal(got, content) {
		t.Errorf("the download: %d, %q; want the file uploaded", file2.StatusCode, got)
	}
	if cd := file2.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "Signed agreement.pdf") {
		t.Errorf("the download is served with Content-Disposition %q, want an attachment named Signed agreement.pdf", cd)
	}
	if ct := file2.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Errorf("the download's type is %q", ct)
	}

	// A viewer reads the note, is offered no form, and may not add one.
	viewer := signIn(t, st, browser, "vic")
	viewer.open(page)
	if got := viewer.text("section:has(#notes)"); !strings.Contains(got, "Visited the lunch club") || !strings.Contains(got, "Signed agreement.pdf") {
		t.Errorf("the viewer reads the notes as %q", got)
	}
	if strings.Contains(viewer.html(), `action="/app/agreements/`+a.ID+`/notes"`) {
		t.Error("the viewer is offered the note form")
	}
	vtok, err := st.Auth.Issue("vic", "viewer", now)
	if err != nil {
		t.Fatal(err)
	}
	if code, body := (client{t, st.opts.APIAddr, vtok}).do("POST", "/agreements/"+a.ID+"/notes", `{"kind": "call", "text": "Called."}`); code != 403 {
		t.Errorf("a viewer's note: %d %s", code, body)
	}
}
