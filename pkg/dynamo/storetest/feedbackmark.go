package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
)

// An officer's mark of a reply's feedback (issue 24) is set on the stored
// reply with its audit entry in one write, replaces the last mark, and
// fails the whole write when the reply is not there.
func feedbackMarks(t *testing.T, st Store) {
	ctx := context.Background()
	a := create(t, st, draft(t, "alpha", 1, "2026-07-01"))
	if err := st.Apply(ctx, a.ID, grants.Effects{At: Now, Replies: []grants.Reply{reply(a.ID, 1, "ses-a"), reply(a.ID, 1, "ses-b")}}); err != nil {
		t.Fatal(err)
	}
	before := actions(t, st, a.ID)
	mark := func(messageID, passage string, at time.Time) error {
		return st.Apply(ctx, a.ID, grants.Effects{At: at,
			Audit:         []grants.AuditEntry{{At: at, Actor: officer, Action: "reply.feedback_marked", Subject: "check-in 1"}},
			FeedbackMarks: []grants.MarkedFeedback{{AgreementID: a.ID, CheckIn: 1, MessageID: messageID, Mark: grants.FeedbackMark{Passage: passage, By: officer, At: at}}}})
	}
	if err := mark("ses-a", "four meals", Now); err != nil {
		t.Fatal(err)
	}
	if err := mark("ses-a", "", Now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := mark("ses-missing", "x", Now); code(err) != grants.Conflict {
		t.Errorf("marking a reply not there: %v, want a conflict", err)
	}
	got, err := st.Replies(ctx, a.ID, 1)
	if err != nil || len(got) != 2 {
		t.Fatal(got, err)
	}
	if m := got[0].FeedbackMark; m == nil || m.Passage != "" || m.By != officer || !m.At.Equal(Now.Add(time.Hour)) || got[0].Text != "We ran four meals." {
		t.Errorf("the marked reply reads %+v (mark %+v)", got[0], m)
	}
	if got[1].FeedbackMark != nil {
		t.Errorf("an unmarked reply reads a mark %+v", got[1].FeedbackMark)
	}
	if after := actions(t, st, a.ID); len(after) != len(before)+2 {
		t.Errorf("history %v after %v: want two entries more, none for the failed write", after, before)
	}
}
