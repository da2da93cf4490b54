package service_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/outbox"
	"github.com/partnership-grants/backend/pkg/service"
)

var _ service.EnquiryStore = (*memstore.Store)(nil)

const enquiryAddress = "enquiries@replies.funder.test"

// enquiries wires the enquiries' use cases on e's store and SES.
func (e *env) enquiries() *service.Enquiries {
	u := *e.x
	c := service.NewCourier(u.Store, u.Letters, service.NoEvents, service.NoReplyAddresses, u.metrics(), u.env(),
		service.CourierOptions{ReplyDomain: u.ReplyDomain, EnquiryAddress: enquiryAddress})
	return service.NewEnquiries(e.store.(*memstore.Store), c, u.env(), service.EnquiryOptions{Programme: "community-2026"})
}

// enquiry is an email to the enquiry address, as the receiver hands it on.
func enquiry(from, header string, refs []string, text string) service.ReceivedEnquiry {
	return service.ReceivedEnquiry{Name: "Amina Patel", Email: from, Subject: "Could we work with you?", Header: header, Refs: refs,
		Message: grants.EnquiryMessage{Text: text, MessageID: "ses-" + header, RawKey: "raw/ses-" + header,
			Attachments: []grants.Attachment{{Name: "leaflet.pdf", ContentType: "application/pdf", Size: 1234, Key: "attachments/enquiries/ses-" + header + "/01-leaflet.pdf"}}}}
}

func headerOf(m emulator.SESMessage, name string) string {
	for _, h := range m.Headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// An email to the enquiry address lands as an enquiry (who, organisation
// from the signature, words, files), and the enquirer is acknowledged once,
// not before the send time, with the day to expect an answer by (5
// working days on): the same email again makes no second enquiry and no
// second acknowledgement, however often the sweep runs.
func TestEnquiryLandsAndIsAcknowledgedOnceAtTheSendTime(t *testing.T) {
	ctx := context.Background()
	// Friday 5 March 2027, 07:00 in London: before the send time.
	e := newEnv(t, time.Date(2027, 3, 5, 7, 0, 0, 0, london), options{})
	x := e.enquiries()
	from := e.contact("amina")
	text := "Hello, we run a lunch club for older people and would love to talk.\n\nAmina Patel\nHulme Community Garden Trust"
	if err := x.ReceiveEnquiry(ctx, enquiry(from, "<first@garden.example>", nil, text), grants.Effects{}); err != nil {
		t.Fatal(err)
	}
	list, err := x.List(ctx, "community-2026")
	if err != nil || len(list) != 1 {
		t.Fatalf("enquiries: %+v %v", list, err)
	}
	q := list[0]
	if q.Name != "Amina Patel" || q.Email != from || q.Organisation != "Hulme Community Garden Trust" || q.Status != grants.EnquiryOpen ||
		len(q.Messages) != 1 || q.Messages[0].Text != text || len(q.Messages[0].Attachments) != 1 || q.ID != grants.EnquiryID("<first@garden.example>") {
		t.Fatalf("the enquiry: %+v", q)
	}
	if got := e.mailTo(t, from); len(got) != 0 {
		t.Fatalf("acknowledged before the send time: %q", got[0].Subject)
	}
	// The same email again (another SES message of it) is refused, so the
	// receiver retries it and finds it a copy.
	if err := x.ReceiveEnquiry(ctx, enquiry(from, "<first@garden.example>", nil, text), grants.Effects{}); grants.ErrorCode(err) != grants.Conflict {
		t.Fatalf("the same email again: %v", err)
	}
	e.clock.Set(time.Date(2027, 3, 5, 9, 30, 0, 0, london))
	for range 2 {
		if _, err := e.x.automation().Sweep(ctx); err != nil {
			t.Fatal(err)
		}
	}
	got := e.mailTo(t, from)
	if len(got) != 1 {
		t.Fatalf("%d acknowledgements, want 1", len(got))
	}
	ack := got[0]
	// Five working days from Friday 5 March: Friday 12 March.
	if !strings.Contains(ack.Subject, "12 March 2027") || !strings.Contains(ack.Body.Text, "5 working days") ||
		len(ack.ReplyTo) != 1 || ack.ReplyTo[0] != enquiryAddress || headerOf(ack, "In-Reply-To") != "<first@garden.example>" {
		t.Errorf("the acknowledgement: %q reply-to %v in-reply-to %q\n%s", ack.Subject, ack.ReplyTo, headerOf(ack, "In-Reply-To"), ack.Body.Text)
	}
	if entry, err := e.store.Outbox(ctx, outbox.InboundPartition, outbox.EnquiryAckKey(q.ID).String()); err != nil || entry == nil || entry.Status != outbox.StatusDone {
		t.Errorf("the acknowledgement's outbox entry: %+v %v", entry, err)
	}
}

// An officer answers from the page: the answer threads with the
// enquirer's email (In-Reply-To, References) and comes from the enquiry
// address; sent again it is kept and sent once. The enquirer's answer to
// it (References naming their first email) lands on the same enquiry and
// reopens it. Closing needs an outcome, named by field.
func TestEnquiryAnsweredThreadedAndClosed(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, time.Date(2027, 3, 8, 10, 0, 0, 0, london), options{})
	x := e.enquiries()
	from := e.contact("jo")
	if err := x.ReceiveEnquiry(ctx, enquiry(from, "<q1@jo.example>", nil, "Can a choir apply?"), grants.Effects{}); err != nil {
		t.Fatal(err)
	}
	id := grants.EnquiryID("<q1@jo.example>")
	if _, err := x.Reply(ctx, "olu@funder.test", id, "  "); !slices.Equal(fieldsOf(err), []string{"text"}) {
		t.Errorf("an empty answer: %v", err)
	}
	for range 2 {
		q, err := x.Reply(ctx, "olu@funder.test", id, "Yes, a choir can apply.\n\nShall we talk on Tuesday?")
		if err != nil || len(q.Messages) != 2 || q.Status != grants.EnquiryAnswered {
			t.Fatalf("answered: %+v %v", q, err)
		}
	}
	var answers []emulator.SESMessage
	for _, m := range e.mailTo(t, from) {
		if m.Subject == "Re: Could we work with you?" {
			answers = append(answers, m)
		}
	}
	if len(answers) != 1 {
		t.Fatalf("%d answers sent, want 1", len(answers))
	}
	if a := answers[0]; headerOf(a, "In-Reply-To") != "<q1@jo.example>" || headerOf(a, "References") != "<q1@jo.example>" ||
		a.ReplyTo[0] != enquiryAddress || !strings.Contains(a.Body.Text, "Shall we talk on Tuesday?") {
		t.Errorf("the answer: %+v", a)
	}
	// Their answer to ours: its References name their first email and ours.
	if err := x.ReceiveEnquiry(ctx, enquiry(from, "<q2@jo.example>", []string{"<0100abc@eu-west-2.amazonses.com>", "<q1@jo.example>"}, "Tuesday is good."), grants.Effects{}); err != nil {
		t.Fatal(err)
	}
	q, err := x.Get(ctx, id)
	if err != nil || len(q.Messages) != 3 || q.Messages[2].Text != "Tuesday is good." || q.Status != grants.EnquiryOpen {
		t.Fatalf("after their answer: %+v %v", q, err)
	}
	if list, _ := x.List(ctx, "community-2026"); len(list) != 1 {
		t.Errorf("%d enquiries, want their answer on the first", len(list))
	}
	if _, err := x.Close(ctx, "olu@funder.test", id, ""); !slices.Equal(fieldsOf(err), []string{"outcome"}) {
		t.Errorf("closed with no outcome: %v", err)
	}
	q, err = x.Close(ctx, "olu@funder.test", id, "Invited to apply in round 2")
	if err != nil || q.Status != grants.EnquiryClosed || q.Outcome != "Invited to apply in round 2" || q.ClosedBy != "olu@funder.test" {
		t.Fatalf("closed: %+v %v", q, err)
	}
	if _, err := x.Reply(ctx, "olu@funder.test", id, "One more thing"); grants.ErrorCode(err) != grants.Conflict {
		t.Errorf("an answer to a closed enquiry: %v", err)
	}
}

// A draft agreement started from an enquiry has its partner (the
// organisation) and lead contact (the enquirer) filled in; a second start
// returns the same draft; a missing award is refused by field.
func TestDraftAgreementFromAnEnquiry(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, time.Date(2027, 3, 8, 10, 0, 0, 0, london), options{})
	e.x.NewID = memstore.NewID
	x := e.enquiries()
	from := e.contact("amina")
	if err := x.ReceiveEnquiry(ctx, enquiry(from, "<d1@garden.example>", nil, "Hello\n\nAmina\nHulme Community Garden Trust"), grants.Effects{}); err != nil {
		t.Fatal(err)
	}
	id := grants.EnquiryID("<d1@garden.example>")
	garden := grants.Partner{Type: "unincorporated", Address: "1 Hulme Walk, Manchester M15 5AA"}
	drafts := service.NewEnquiryDrafts(e.store.(*memstore.Store), e.x.agreements(), e.x.env())
	if _, _, err := drafts.Start(ctx, "olu@funder.test", id, service.EnquiryAgreementInput{StartDate: "2027-04-01"}); !slices.Contains(fieldsOf(err), "amount") {
		t.Errorf("no award: %v", err)
	}
	a, created, err := drafts.Start(ctx, "olu@funder.test", id, service.EnquiryAgreementInput{Amount: 1_000_000, StartDate: "2027-04-01", Partner: garden})
	if err != nil || !created || a.Status != grants.AgreementDraft || a.Partner.Name != "Hulme Community Garden Trust" || a.Programme != "community-2026" ||
		len(a.Contacts) != 1 || a.Contacts[0].Email != from || a.Contacts[0].Name != "Amina Patel" || a.Contacts[0].Role != "lead" {
		t.Fatalf("the draft: %+v %v", a, err)
	}
	again, created, err := drafts.Start(ctx, "olu@funder.test", id, service.EnquiryAgreementInput{Amount: 1_000_000, StartDate: "2027-04-01", Partner: garden})
	if err != nil || created || again.ID != a.ID {
		t.Errorf("started again: %v %v %v", again.ID, created, err)
	}
	if q, _ := x.Get(ctx, id); q.AgreementID != a.ID {
		t.Errorf("the enquiry names draft %q", q.AgreementID)
	}
}
