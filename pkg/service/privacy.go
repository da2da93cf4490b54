package service

import (
	"context"

	"github.com/partnership-grants/backend/pkg/answers"
	"github.com/partnership-grants/backend/pkg/grants"
)

// feedbackSplitter parts a reply to an agreement of programme as its
// check-ins asked: by the programme's questions (answers.SplitFeedback),
// wherever its feedback question is; a reply in which its answer is not
// found is parted as grants.SplitFeedback parts it (a "Feedback for us"
// heading, else the whole reply is feedback). A programme that asks no feedback
// question has none to withhold from a reply that answers its questions.
func (x *Replies) feedbackSplitter(ctx context.Context, programme string) (grants.FeedbackSplitter, error) {
	p, err := x.env.settings(ctx, x.store, programme)
	if err != nil {
		return nil, err
	}
	qs := p.QuestionsOf()
	labels, feedback := make([]string, len(qs)), -1
	for i, q := range qs {
		labels[i] = q.Label()
		if q.Key == "feedback" {
			feedback = i
		}
	}
	return func(text string) (string, string, bool) {
		// Only a feedback answer found by its question parts the reply this
		// way: a reply whose prose starts like a heading ("Progress has
		// been slow...") is not taken to have answered no feedback.
		if rest, answer, ok := answers.SplitFeedback(text, labels, feedback); ok && (answer != "" || feedback < 0) {
			return rest, answer, false
		}
		return grants.SplitFeedback(text)
	}, nil
}

// readBy is the replies to an agreement as actor may read them
// (grants.Reply.ReadWith): the feedback answer is the programme role's only.
func (x *Replies) readBy(ctx context.Context, actor grants.Actor, a *grants.Agreement, replies []grants.Reply) ([]grants.Reply, error) {
	split, err := x.feedbackSplitter(ctx, a.Programme)
	if err != nil {
		return nil, err
	}
	return grants.RepliesReadBy(replies, actor, split), nil
}
