package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/outbox"
	"github.com/partnership-grants/backend/pkg/service"
)

// links stands in for the mail bucket's presigned links: a link names the
// key and the name the browser saves it as.
type links struct{}

func (links) DownloadLink(_ context.Context, key, name, _ string) (string, error) {
	return "https://mail.example/" + key + "?name=" + url.QueryEscape(name), nil
}

// A message held because it could not be read safely says which limit it
// is past, and offers the message as received, which is all there is to
// read.
func TestHeldMessageSaysWhyAndOffersTheMessageAsReceived(t *testing.T) {
	a := newApp(t)
	a.pages.Links = links{}
	ctx := context.Background()
	q := grants.Quarantined{ID: "m25", Status: grants.QuarantinePending, Reason: grants.QuarantineTooComplex,
		Detail: "its parts are nested more than 10 deep", Programme: programme,
		Reply: grants.Reply{MessageID: "m25", From: "sarah@hope.example", Subject: "Re: check-in", RawKey: "raw/m25", ReceivedAt: a.clock.Now()}}
	if err := a.store.Apply(ctx, outbox.InboundPartition, grants.Effects{At: a.clock.Now(), Held: []grants.Quarantined{q}}); err != nil {
		t.Fatal(err)
	}
	r := a.as("olu@funder.example", grants.RoleProgramme, "GET", "/app/quarantine", nil)
	if r.code != http.StatusOK {
		t.Fatalf("held messages: %d", r.code)
	}
	for _, want := range []string{
		"Held because the message is built past what is read safely (see it as received): its parts are nested more than 10 deep.",
		`<a href="/app/quarantine/m25/message" download="message-m25.eml">Download the message as received</a>`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the page does not say %s", want)
		}
	}
	// The link is signed when followed (issue 26, item 15).
	if r := a.as("olu@funder.example", grants.RoleProgramme, "GET", "/app/quarantine/m25/message", nil); r.code != http.StatusSeeOther || r.location != "https://mail.example/raw/m25?name=message-m25.eml" {
		t.Errorf("following the link: %d to %q", r.code, r.location)
	}
	if r := a.as("vic@funder.example", grants.RoleViewer, "GET", "/app/quarantine/m25/message", nil); r.code != http.StatusForbidden {
		t.Errorf("a viewer following the link: %d, want 403", r.code)
	}
	if r := a.as("olu@funder.example", grants.RoleProgramme, "GET", "/app/quarantine/m25/text", nil); r.code != http.StatusNotFound {
		t.Errorf("a whole text the message does not have: %d, want 404", r.code)
	}
}

// A reply longer than a reply holds shows its beginning, says the whole
// text is kept and offers it; one whose files past the first hundred were
// left in the message says how many and offers the message as received.
func TestLongReplyShowsItsBeginningAndOffersTheRest(t *testing.T) {
	a := newApp(t)
	a.pages.Links = links{}
	ctx := context.Background()
	id := a.create("k")
	path := "/app/agreements/" + id
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/activate", url.Values{}); r.code != http.StatusSeeOther {
		t.Fatalf("activate: %d %s", r.code, r.body)
	}
	r := grants.Reply{AgreementID: id, CheckIn: 1, MessageID: "m1", From: "amina@levykitchen.org.uk", Subject: "Re: check-in", ReceivedAt: a.clock.Now(),
		Text: "Week 1: the kitchen opened.", FullText: "Week 1: the kitchen opened.", RawKey: "raw/m1",
		TextKey: "attachments/" + id + "/check-in-1/m1/text.txt", TextSize: 204800,
		Attachments: []grants.Attachment{{Name: "photo 1.jpg", ContentType: "image/jpeg", Size: 3, Key: "attachments/" + id + "/check-in-1/m1/01-photo_1.jpg"}}, MoreAttachments: 2999}
	if err := a.svc.AcceptReply(ctx, r, r.From, grants.Effects{}, service.Read{}); err != nil {
		t.Fatal(err)
	}
	// The whole text and the message as received hold the feedback: the
	// programme role's only (issue 24).
	page := a.as("olu@funder.example", grants.RoleProgramme, "GET", path, nil)
	for _, want := range []string{
		"<blockquote>Week 1: the kitchen opened.</blockquote>",
		"The message's text (200 KB) is longer than a reply shows; the whole text is kept.",
		`<a href="` + path + `/replies/m1/text" download="reply-m1.txt">Download the whole text</a>`,
		"And 2999 more files, kept in the message as received: a reply stores its first 100 files one by one.",
		`<a href="` + path + `/replies/m1/message" download="message-m1.eml">Download the message as received</a>`,
		`<a href="` + path + `/replies/m1/files/1" download="photo 1.jpg">photo 1.jpg</a>`,
	} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the agreement page lacks %s", want)
		}
	}
	// Each link is signed when it is followed, not when the page was
	// drawn (issue 26, item 15): a page left open still downloads.
	for link, to := range map[string]string{
		"/replies/m1/text":    "https://mail.example/attachments/" + id + "/check-in-1/m1/text.txt?name=reply-m1.txt",
		"/replies/m1/message": "https://mail.example/raw/m1?name=message-m1.eml",
		"/replies/m1/files/1": "https://mail.example/attachments/" + id + "/check-in-1/m1/01-photo_1.jpg?name=photo+1.jpg",
		"/replies/m1/files/2": "",
		"/replies/m2/text":    "",
	} {
		r := a.as("olu@funder.example", grants.RoleProgramme, "GET", path+link, nil)
		if to == "" && r.code != http.StatusNotFound || to != "" && (r.code != http.StatusSeeOther || r.location != to) {
			t.Errorf("%s: %d to %q, want %q", link, r.code, r.location, to)
		}
	}
	// What the page does not show a viewer, its link does not give them.
	viewer := a.as("vic@funder.example", grants.RoleViewer, "GET", path, nil)
	for _, link := range []string{"/replies/m1/text", "/replies/m1/message"} {
		r := a.as("vic@funder.example", grants.RoleViewer, "GET", path+link, nil)
		if shown := strings.Contains(viewer.body, `href="`+path+link+`"`); shown != (r.code == http.StatusSeeOther) {
			t.Errorf("a viewer: the page shows %s: %t; following it answers %d", link, shown, r.code)
		}
	}
}
