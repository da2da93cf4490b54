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
		`<a href="https://mail.example/raw/m25?name=message-m25.eml" download="message-m25.eml">Download the message as received</a>`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the page does not say %s", want)
		}
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
		`<a href="https://mail.example/attachments/` + id + `/check-in-1/m1/text.txt?name=reply-m1.txt" download="reply-m1.txt">Download the whole text</a>`,
		"And 2999 more files, kept in the message as received: a reply stores its first 100 files one by one.",
		`<a href="https://mail.example/raw/m1?name=message-m1.eml" download="message-m1.eml">Download the message as received</a>`,
	} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the agreement page lacks %s", want)
		}
	}
}
