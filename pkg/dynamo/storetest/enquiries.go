package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// An enquiry (issue 24, item 6) is created once (a second create of its ID
// is a Conflict, and nothing else of that write lands: not its outbox
// entry), replaced only at the version read, read back as written, and
// listed for its programme only, newest first.
func enquiriesOnce(t *testing.T, st Store) {
	ctx := context.Background()
	e := grants.Enquiry{ID: grants.EnquiryID("<a@garden.example>"), Programme: "trust-2026", Name: "Amina Patel", Email: "amina@garden.example",
		Organisation: "Hulme Community Garden Trust", Subject: "Could we work with you?", ReceivedAt: Now.UTC(), Status: grants.EnquiryOpen}
	e.AddMessage(grants.EnquiryMessage{In: true, From: "amina@garden.example", At: Now, Text: "Hello", MessageID: "ses-1", Header: "<a@garden.example>", RawKey: "raw/ses-1",
		Attachments: []grants.Attachment{{Name: "leaflet.pdf", ContentType: "application/pdf", Size: 12, Key: "attachments/enquiries/ses-1/01-leaflet.pdf"}}})
	ack := outbox.EnquiryAckKey(e.ID)
	if err := st.Apply(ctx, outbox.InboundPartition, grants.Effects{At: Now, Enquiries: []grants.EnquiryWrite{{Enquiry: e}}, Outbox: []outbox.Key{ack}}); err != nil {
		t.Fatal(err)
	}
	other := e
	other.ID, other.Programme, other.ReceivedAt = grants.EnquiryID("<b@x.example>"), "other", Now.Add(time.Hour).UTC()
	newer := e
	newer.ID, newer.ReceivedAt = grants.EnquiryID("<c@x.example>"), Now.Add(2*time.Hour).UTC()
	if err := st.Apply(ctx, outbox.InboundPartition, grants.Effects{At: Now, Enquiries: []grants.EnquiryWrite{{Enquiry: other}, {Enquiry: newer}}}); err != nil {
		t.Fatal(err)
	}
	again := e
	again.Subject = "changed"
	err := st.Apply(ctx, outbox.InboundPartition, grants.Effects{At: Now, Enquiries: []grants.EnquiryWrite{{Enquiry: again}}, Outbox: []outbox.Key{outbox.EnquiryReplyKey(e.ID, 9)}})
	if code(err) != grants.Conflict {
		t.Fatalf("an enquiry created twice: %v", err)
	}
	if en, err := st.Outbox(ctx, outbox.InboundPartition, outbox.EnquiryReplyKey(e.ID, 9).String()); err != nil || en != nil {
		t.Errorf("the refused write's outbox entry: %+v %v", en, err)
	}
	got, err := st.GetEnquiry(ctx, e.ID)
	want := e
	want.Version = 1
	if err != nil || !reflect.DeepEqual(*got, want) {
		t.Fatalf("read back:\n got %+v %v\nwant %+v", got, err, want)
	}
	got.AddMessage(grants.EnquiryMessage{From: officer, At: Now, Text: "Yes"})
	if err := st.Apply(ctx, outbox.InboundPartition, grants.Effects{At: Now, Enquiries: []grants.EnquiryWrite{{Enquiry: *got, Version: 1}}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Apply(ctx, outbox.InboundPartition, grants.Effects{At: Now, Enquiries: []grants.EnquiryWrite{{Enquiry: *got, Version: 1}}}); code(err) != grants.Conflict {
		t.Errorf("written again at a stale version: %v", err)
	}
	if got, err := st.GetEnquiry(ctx, e.ID); err != nil || got.Version != 2 || len(got.Messages) != 2 || got.Status != grants.EnquiryAnswered {
		t.Errorf("after the answer: %+v %v", got, err)
	}
	list, err := st.ListEnquiries(ctx, "trust-2026")
	if err != nil || len(list) != 2 || list[0].ID != newer.ID || list[1].ID != e.ID {
		t.Errorf("the programme's enquiries: %+v %v", list, err)
	}
	if _, err := st.GetEnquiry(ctx, "nosuchenquiry"); code(err) != grants.NotFound {
		t.Errorf("no such enquiry: %v", err)
	}
}
