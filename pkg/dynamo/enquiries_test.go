package dynamo

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// TestEnquiryItemsGolden pins an enquiry's item (issue 24, item 6): one
// item in the ENQUIRIES partition holding its thread, an answer and a file
// included (testdata/enquiry-items.golden.json; -update rewrites it), and
// that it reads back as written.
func TestEnquiryItemsGolden(t *testing.T) {
	ctx := context.Background()
	db, table := testenv.AppTable(t)
	st := New(db, table)
	closed := at(3)
	e := grants.Enquiry{ID: grants.EnquiryID("<golden@garden.example>"), Programme: goldenProg, Name: "Amina Patel", Email: "amina@garden.example",
		Organisation: "Hulme Community Garden Trust", Subject: "Could we work with you?", ReceivedAt: at(1), Status: grants.EnquiryClosed,
		Messages: []grants.EnquiryMessage{
			{N: 1, In: true, From: "amina@garden.example", At: at(1), Text: "Hello", MessageID: "ses-enq-1", Header: "<golden@garden.example>", RawKey: "raw/ses-enq-1",
				Attachments: []grants.Attachment{{Name: "leaflet.pdf", ContentType: "application/pdf", Size: 1234, Key: "attachments/enquiries/ses-enq-1/01-leaflet.pdf", Inline: true}}},
			{N: 2, From: goldenActor, At: at(2), Text: "Yes, do apply."},
		},
		Outcome: "Invited to apply", ClosedBy: goldenActor, ClosedAt: &closed, AgreementID: goldenID, Version: 3}
	// Every stored field set, in the first message (the answer has none of
	// a received message's); URL is a link made when read, never stored.
	chk, m := e, e.Messages[0]
	m.Attachments = []grants.Attachment{m.Attachments[0]}
	m.Attachments[0].URL = "not stored"
	chk.Messages = []grants.EnquiryMessage{m}
	checkAllSet(t, "Enquiry", chk)
	if err := st.Apply(ctx, outbox.InboundPartition, grants.Effects{At: at(1), Enquiries: []grants.EnquiryWrite{{Enquiry: e, Version: 2}}}); grants.ErrorCode(err) != grants.Conflict {
		t.Fatalf("replaced with none stored: %v", err)
	}
	if err := st.Apply(ctx, outbox.InboundPartition, grants.Effects{At: at(1), Enquiries: []grants.EnquiryWrite{{Enquiry: e}}}); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, filepath.Join("testdata", "enquiry-items.golden.json"), dumpTable(t, db, table, "none"))
	got, err := st.GetEnquiry(ctx, e.ID)
	want := e
	want.Version = 1
	same(t, "enquiry", *got, want, err)
}
