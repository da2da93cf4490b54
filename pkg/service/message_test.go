package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/outbox"
	"github.com/partnership-grants/backend/pkg/service"
)

func messageOnce(caller, key, words string) *idempotency.Once[*grants.Agreement] {
	return &idempotency.Once[*grants.Agreement]{
		Request: idempotency.Request{Scope: "web message", Caller: caller, Key: key, Payload: []byte(words)},
		Render: func(a *grants.Agreement) (idempotency.Response, error) {
			return idempotency.Response{StatusCode: 303, Body: []byte(a.ID)}, nil
		},
	}
}

// An officer emails the partner from the agreement (issue 26, item 16):
// only the programme role of its programme may; blank words are refused by
// their field, an agreement nobody's mail reaches is refused plainly; the
// same form sent twice queues one email, which goes at the send time from
// the officer with the agreement's message+ Reply-To, is kept with its body
// in the history, and whose answer is kept on the agreement as a message.
func TestOfficerMessagesThePartner(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2027, 3, 1, 7, 0, 0, 0, time.UTC) // a Monday, before the 09:00 send time
	e := newEnv(t, start, options{})
	lead := e.contact("lead")
	a := e.agreement(t, "2027-04-01", false, lead)
	x := e.x.agreements()
	officer := grants.Actor{ID: "olu", Name: "olu@funder.test", Groups: []grants.Role{grants.RoleProgramme.In("community-2026")}}
	words := "Thank you for the visit on Tuesday. Could you send us the photos?"

	for _, who := range []grants.Actor{
		{ID: "fin", Name: "fin@funder.test", Groups: []grants.Role{grants.RoleFinance}},
		{ID: "vic", Name: "vic@funder.test", Groups: []grants.Role{grants.RoleViewer}},
		{ID: "kim", Name: "kim@funder.test", Groups: []grants.Role{grants.RoleProgramme.In("other")}},
	} {
		if _, _, err := x.MessagePartner(ctx, who, a.ID, words, messageOnce(who.ID, "k-"+who.ID, words)); grants.ErrorCode(err) != grants.Forbidden {
			t.Errorf("a message from %v: %v, want forbidden", who.Groups, err)
		}
	}
	if _, _, err := x.MessagePartner(ctx, officer, a.ID, "  \n ", messageOnce("olu", "blank", "")); grants.ErrorCode(err) != grants.Invalid || !strings.Contains(strings.Join(fieldsOf(err), ","), "message") {
		t.Errorf("a blank message: %v (fields %v), want invalid message", err, fieldsOf(err))
	}

	for range 2 { // a double submit
		if _, _, err := x.MessagePartner(ctx, officer, a.ID, words, messageOnce("olu", "k1", words)); err != nil {
			t.Fatal(err)
		}
	}
	got := e.get(t, a.ID)
	if len(got.Notices) != 1 || got.Notices[0].Kind != grants.NoticeMessage || got.Notices[0].Message != words {
		t.Fatalf("notices after a double submit: %+v", got.Notices)
	}
	if en, err := e.store.Outbox(ctx, a.ID, outbox.NoticeKey(1).String()); err != nil || en == nil {
		t.Fatalf("the message is not queued: %v", err)
	}
	if en, _ := e.store.Outbox(ctx, a.ID, outbox.NoticeKey(2).String()); en != nil {
		t.Fatal("a second message queued")
	}

	// Not before the send time; then once, threaded.
	if _, err := e.x.automation().Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if ms := e.mailTo(t, lead); len(ms) != 0 {
		t.Fatalf("sent before the send time: %v", subjects(ms))
	}
	e.clock.Set(time.Date(2027, 3, 1, 9, 5, 0, 0, time.UTC))
	for range 2 {
		if _, err := e.x.automation().Sweep(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var sent []string
	for _, m := range e.mailTo(t, lead) {
		if strings.HasPrefix(m.Subject, "A message about your partnership") {
			sent = append(sent, m.Subject)
			if len(m.ReplyTo) != 1 || !strings.HasPrefix(m.ReplyTo[0], "message+") || !strings.Contains(m.Body.Text, words) {
				t.Errorf("the message's Reply-To %v, or its text:\n%s", m.ReplyTo, m.Body.Text)
			}
		}
	}
	if len(sent) != 1 {
		t.Fatalf("messages sent: %v, want one", sent)
	}
	var kept bool
	for _, h := range e.history(t, a.ID) {
		if h.Action == "email.sent" && h.Subject == outbox.NoticeKey(1).String() && strings.Contains(h.Body, words) {
			kept = true
		}
	}
	if !kept || count(e.history(t, a.ID), "message.queued", "") != 1 {
		t.Error("the history does not keep the message queued once and sent with its body")
	}

	// The partner's answer is a message on the agreement.
	replies := e.x.replies()
	answer := grants.Reply{AgreementID: a.ID, MessageID: "ses-answer-1", From: lead, Subject: "Re: A message about your partnership", Text: "Photos attached tomorrow.", ReceivedAt: e.clock.Now()}
	if err := replies.AcceptMessage(ctx, answer, lead, grants.Effects{}, service.Read{}); err != nil {
		t.Fatal(err)
	}
	msgs, err := replies.Messages(ctx, officer, a.ID)
	if err != nil || len(msgs) != 1 || msgs[0].Text != answer.Text {
		t.Errorf("the partner's answer: %+v %v", msgs, err)
	}

	// Nobody to write to: refused, nothing queued.
	bounced := e.agreement(t, "2027-04-01", false, e.contact("gone"))
	if _, err := e.store.UpdateAgreement(ctx, bounced.ID, 0, func(a *grants.Agreement) (grants.Effects, error) {
		a.Contacts[0].Bounced = "bounce"
		return grants.Effects{}, nil
	}); err != nil {
		t.Fatal(err)
	}
	_, _, err = x.MessagePartner(ctx, officer, bounced.ID, words, messageOnce("olu", "k2", words))
	if grants.ErrorCode(err) != grants.Conflict || !strings.Contains(err.Error(), "can be emailed") {
		t.Errorf("a message nobody's mail reaches: %v", err)
	}
	if got := e.get(t, bounced.ID); len(got.Notices) != 0 {
		t.Errorf("notices after a refusal: %+v", got.Notices)
	}
}
