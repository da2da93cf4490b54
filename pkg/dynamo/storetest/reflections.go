package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
)

// A programme's "you said, we did" is kept once a round: a second started
// for the round gets the first back; it is finished once, with its
// request's answer (a second finish, or another request's, is
// idempotency.ErrAnswered); it reads back as written, by round, and only
// for its programme.
func reflectionsOnceARound(t *testing.T, st Store) {
	ctx := context.Background()
	r1, err := grants.NewReflection("trust-2026", 1, "You said: late payments.\nWe did: paid on the 1st.", Now, officer)
	if err != nil {
		t.Fatal(err)
	}
	r1.Request = "request-1"
	if got, err := st.StartReflection(ctx, r1); err != nil || !reflect.DeepEqual(*got, r1) {
		t.Fatalf("start: %+v %v", got, err)
	}
	other := r1
	other.Request, other.Message, other.At = "request-2", "Another", Now.Add(time.Minute)
	if got, err := st.StartReflection(ctx, other); err != nil || !reflect.DeepEqual(*got, r1) {
		t.Errorf("a second for round 1 gets the first: %+v %v", got, err)
	}
	if _, err := st.Reflection(ctx, "trust-2026", 2); grants.ErrorCode(err) != grants.NotFound {
		t.Errorf("round 2: %v", err)
	}
	req := idempotency.Request{Scope: "reflections", Caller: "c", Key: "k", Payload: []byte("p")}
	done := r1
	done.Status, done.Agreements = grants.ReflectionQueued, 3
	if err := st.FinishReflection(ctx, other, nil, Now); !errors.Is(err, idempotency.ErrAnswered) {
		t.Errorf("finished by another request: %v", err)
	}
	if err := st.FinishReflection(ctx, done, &idempotency.Answer{Request: req, Response: idempotency.Response{StatusCode: 201, Body: []byte("{}")}}, Now); err != nil {
		t.Fatal(err)
	}
	if err := st.FinishReflection(ctx, done, nil, Now); !errors.Is(err, idempotency.ErrAnswered) {
		t.Errorf("finished twice: %v", err)
	}
	if resp, err := st.Answered(ctx, req, Now); err != nil || resp == nil || resp.StatusCode != 201 {
		t.Errorf("the answer: %+v %v", resp, err)
	}
	r2 := other
	r2.Round = 2
	if _, err := st.StartReflection(ctx, r2); err != nil {
		t.Fatal(err)
	}
	all, err := st.Reflections(ctx, "trust-2026")
	if err != nil || len(all) != 2 || !reflect.DeepEqual(all[0], done) || !reflect.DeepEqual(all[1], r2) {
		t.Errorf("reflections: %+v %v", all, err)
	}
	if got, err := st.Reflection(ctx, "trust-2026", 1); err != nil || !reflect.DeepEqual(*got, done) {
		t.Errorf("round 1: %+v %v", got, err)
	}
	if none, err := st.Reflections(ctx, "other-programme"); err != nil || len(none) != 0 {
		t.Errorf("another programme's: %+v %v", none, err)
	}
}

// An answer to a message is kept as written, beside the check-ins' replies
// (number 0), marked as a message, once per SES message.
func messagesKeptApart(t *testing.T, st Store) {
	ctx := context.Background()
	id := NewID()
	m := grants.Reply{AgreementID: id, MessageID: "ses-m-1", From: "lead@partner.example", Subject: "Re: You said, we did", ReceivedAt: Now,
		Text: "Thank you.", FullText: "Thank you.", Attachments: []grants.Attachment{}, AnswersMessage: true}
	reply := grants.Reply{AgreementID: id, CheckIn: 1, MessageID: "ses-r-1", From: "lead@partner.example", ReceivedAt: Now, Text: "We ran four meals.", Attachments: []grants.Attachment{}}
	if err := st.Apply(ctx, id, grants.Effects{At: Now, Replies: []grants.Reply{m, reply}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Apply(ctx, id, grants.Effects{At: Now, Replies: []grants.Reply{m}}); grants.ErrorCode(err) != grants.Conflict {
		t.Errorf("the same message again: %v", err)
	}
	all, err := st.Replies(ctx, id, 0)
	if err != nil || len(all) != 2 || !all[0].AnswersMessage || all[0].CheckIn != 0 || all[0].Text != "Thank you." || all[1].AnswersMessage {
		t.Errorf("replies: %+v %v", all, err)
	}
	if one, err := st.Replies(ctx, id, 1); err != nil || len(one) != 1 || one[0].MessageID != "ses-r-1" {
		t.Errorf("check-in 1's: %+v %v", one, err)
	}
}
