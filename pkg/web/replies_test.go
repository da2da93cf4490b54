package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/outbox"
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
