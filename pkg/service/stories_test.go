package service_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/outbox"
	token "github.com/partnership-grants/backend/pkg/replytoken"
	"github.com/partnership-grants/backend/pkg/service"
)

// TestStoriesSharedOnlyWithConsent is issue 24, item 5, on pkg/memstore:
// a passage of a reply is marked as a story (refused by field with no
// passage, from a check-in with no reply, or with words not in the reply);
// the lead contact is asked once by email from the outbox, answering at the
// story's own story+ address; a yes (delivered twice, kept once) shares it
// with the name and place it gives; an unclear answer and a no share
// nothing; a later no withdraws it, its history kept; an officer records a
// consent given on the phone with a note; a reply about a story the
// agreement has not is kept as a message answering nothing.
func TestStoriesSharedOnlyWithConsent(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC), options{})
	lead := e.contact("lead")
	a := e.agreement(t, "2027-03-01", false, lead)
	replies := service.NewReplies(e.x.Store, e.x.delivery(), service.NoMetrics, e.x.env())
	if err := replies.AcceptReply(ctx, grants.Reply{AgreementID: a.ID, CheckIn: 1, MessageID: "ses-reply-1", From: lead,
		Text: "Progress: the young people wrote and staged their own play.\nEighty neighbours came on the night."}, lead, grants.Effects{}, service.Read{}); err != nil {
		t.Fatal(err)
	}
	stories := service.NewStories(e.store, e.x.env())
	refused := func(in service.StoryInput, field string) {
		t.Helper()
		_, _, err := stories.Mark(ctx, "olu", a.ID, in, nil)
		var ge *grants.Error
		if !errors.As(err, &ge) || ge.Code != grants.Invalid || len(ge.Fields) == 0 || ge.Fields[0].Field != field {
			t.Errorf("%+v: %v, want a fault in %q", in, err, field)
		}
	}
	refused(service.StoryInput{CheckIn: 1, Passage: "   "}, "passage")
	refused(service.StoryInput{CheckIn: 2, Passage: "the young people"}, "checkIn")
	refused(service.StoryInput{CheckIn: 1, Passage: "words the partner never wrote"}, "passage")

	once := &idempotency.Once[grants.Story]{Request: idempotency.Request{Scope: "stories.mark", Caller: "olu", Key: "k1", Payload: []byte("1")},
		Render: func(s grants.Story) (idempotency.Response, error) {
			return idempotency.Response{StatusCode: 201, Body: []byte("story")}, nil
		}}
	s1, _, err := stories.Mark(ctx, "olu", a.ID, service.StoryInput{CheckIn: 1, Passage: "the young people wrote and  staged their own play."}, once)
	if err != nil || s1.Number != 1 || s1.Status != grants.StoryAsked {
		t.Fatalf("mark: %+v %v", s1, err)
	}
	if _, replay, err := stories.Mark(ctx, "olu", a.ID, service.StoryInput{CheckIn: 1, Passage: "the young people wrote and  staged their own play."}, once); err != nil || replay == nil {
		t.Errorf("the same request again: %v %v", replay, err)
	}
	s2, _, err := stories.Mark(ctx, "olu", a.ID, service.StoryInput{CheckIn: 1, Passage: "Eighty neighbours came on the night."}, nil)
	if err != nil || s2.Number != 2 {
		t.Fatalf("mark 2: %+v %v", s2, err)
	}
	// Sent from the outbox, once each, by the courier that signs reply addresses.
	for range 2 {
		for _, k := range []outbox.Key{outbox.StoryKey(1), outbox.StoryKey(2)} {
			if err := e.x.automation().Deliver(ctx, a.ID, k.String()); err != nil {
				t.Fatal(err)
			}
		}
	}
	var mail []emulator.SESMessage
	for _, m := range e.mailTo(t, lead) {
		if !strings.HasPrefix(m.Subject, "Thanks") && !strings.HasPrefix(m.Subject, "Thank you") {
			mail = append(mail, m)
		}
	}
	if len(mail) != 2 {
		t.Fatalf("%d emails to the lead contact, want 2", len(mail))
	}
	signer := e.x.Replies.(*token.Signer)
	for _, m := range mail {
		tok, kind, ok := token.Parse(m.ReplyTo[0])
		if !ok || kind != token.ForStory || !strings.HasPrefix(m.Subject, "May we share your words?") || !strings.Contains(m.Body.Text, "anonymously") {
			t.Fatalf("the consent email: %q reply-to %v", m.Subject, m.ReplyTo)
		}
		if id, n, err := signer.VerifyKind(token.ForStory, tok); err != nil || id != a.ID || (n != 1 && n != 2) {
			t.Errorf("its token: %s %d %v", id, n, err)
		}
	}

	answer := func(story int, id, text string) {
		t.Helper()
		r := grants.Reply{AgreementID: a.ID, CheckIn: story, MessageID: id, From: lead, Text: text}
		if err := replies.AnswerStory(ctx, r, lead, grants.Effects{}, service.Read{}); err != nil {
			t.Fatal(err)
		}
	}
	shared := func() []grants.SharedStory {
		t.Helper()
		s, err := stories.Shared(ctx, a.Programme)
		if err != nil {
			t.Fatal(err)
		}
		return s.Stories
	}
	answer(1, "ses-s1-a", "Let me ask our trustees")
	if len(shared()) != 0 {
		t.Error("an unclear answer shared the story")
	}
	for range 2 {
		answer(1, "ses-s1-b", "Yes, you can use it with our organisation's name on your website")
	}
	answer(2, "ses-s2-a", "No, please don't")
	got := shared()
	if len(got) != 1 || got[0].Number != 1 || got[0].Consent.Name != grants.StoryOrganisation || got[0].Consent.How != grants.StoryByReply ||
		len(got[0].Consent.Where) != 1 || got[0].Consent.Where[0] != grants.StoryOnWebsite || got[0].Consent.By != "Contact A" {
		t.Fatalf("shared: %+v", got)
	}
	l, err := stories.List(ctx, a.ID)
	if err != nil || len(l.Stories) != 2 || len(l.Stories[0].Answers) != 2 || l.Stories[1].Status != grants.StoryDeclined {
		t.Fatalf("the agreement's stories: %+v %v", l, err)
	}

	answer(1, "ses-s1-c", "We've talked again: please don't use it any more.")
	if len(shared()) != 0 || grants.FindStory(e.get(t, a.ID), 1).Status != grants.StoryWithdrawn || len(grants.FindStory(e.get(t, a.ID), 1).Answers) != 3 {
		t.Errorf("after withdrawing: %+v", grants.FindStory(e.get(t, a.ID), 1))
	}
	if _, err := stories.RecordConsent(ctx, "olu", a.ID, 2, service.StoryConsentInput{Name: "firstNames"}); grants.ErrorCode(err) != grants.Invalid {
		t.Errorf("a consent with no note: %v", err)
	}
	if _, err := stories.RecordConsent(ctx, "olu", a.ID, 2, service.StoryConsentInput{Note: "Said yes on the phone, first names only", Name: "firstNames", Where: []string{"annualReport"}}); err != nil {
		t.Fatal(err)
	}
	if got := shared(); len(got) != 1 || got[0].Number != 2 || got[0].Consent.How != grants.StoryByOfficer || got[0].Consent.RecordedBy != "olu" || got[0].Consent.Note == "" {
		t.Errorf("recorded: %+v", got)
	}
	// A story the agreement has not: kept, answering nothing.
	answer(7, "ses-s7", "Yes")
	n := 0
	for _, h := range e.history(t, a.ID) {
		if strings.HasPrefix(h.Action, "story.") {
			n++
		}
	}
	if n != 2+5 { // two marked; unclear, yes, no, withdrawn, recorded
		t.Errorf("%d story entries in the history", n)
	}
}

// An answer about a story that was held (sent from an address the
// agreement does not know) is the story's answer once an officer accepts
// it: never a second reply to the check-in its number resembles.
func TestHeldStoryAnswerIsFiledAsTheStorys(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)
	e := newEnv(t, now, options{})
	lead := e.contact("lead")
	a := e.agreement(t, "2027-03-01", false, lead)
	replies := service.NewReplies(e.x.Store, e.x.delivery(), service.NoMetrics, e.x.env())
	if err := replies.AcceptReply(ctx, grants.Reply{AgreementID: a.ID, CheckIn: 1, MessageID: "ses-reply-1", From: lead,
		Text: "Progress: the young people staged their own play."}, lead, grants.Effects{}, service.Read{}); err != nil {
		t.Fatal(err)
	}
	stories := service.NewStories(e.store, e.x.env())
	if _, _, err := stories.Mark(ctx, "olu", a.ID, service.StoryInput{CheckIn: 1, Passage: "the young people staged their own play."}, nil); err != nil {
		t.Fatal(err)
	}
	r := grants.Reply{AgreementID: a.ID, CheckIn: 1, MessageID: "ses-held-story", From: "chair.home@elsewhere.example",
		Text: "Yes, you can use it", ReceivedAt: now, AnswersStory: true}
	if err := replies.HoldMessage(ctx, r, grants.Quarantined{Reason: grants.QuarantineUnknownSender}, e.get(t, a.ID), grants.Effects{At: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := replies.AcceptHeld(ctx, "olu", "ses-held-story", service.Destination{}, "their chair, from home"); err != nil {
		t.Fatal(err)
	}
	if s := grants.FindStory(e.get(t, a.ID), 1); s == nil || s.Status != grants.StoryConsented {
		t.Errorf("the story after its held answer was accepted: %+v", s)
	}
	if got := e.get(t, a.ID).CheckIns[0]; got.Status != grants.CheckInReceived {
		t.Errorf("check-in 1: %+v", got)
	}
	_, all, err := replies.CheckIn(ctx, grants.Actor{ID: "olu", Groups: []grants.Role{grants.RoleProgramme}}, a.ID, 1)
	if err != nil || len(all) != 1 {
		t.Errorf("check-in 1's replies: %d %v, want the partner's one", len(all), err)
	}
}
