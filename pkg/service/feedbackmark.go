package service

import (
	"context"
	"slices"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/logs"
)

// MarkFeedback records which part of a reply to check-in n is its feedback
// for the programme team (issue 24): passage must be text of the reply's
// words (white space aside), or empty when the reply holds no feedback;
// nil is refused, so that forgetting the field never clears a mark. The
// programme role only: the answer holds the feedback. Marking as marked
// already is no change; a new mark replaces the last, with an entry on
// the agreement's timeline that names no words. It returns the reply as
// the programme role reads it.
func (x *Replies) MarkFeedback(ctx context.Context, actor grants.Actor, id string, n int, messageID string, passage *string) (grants.Reply, error) {
	ctx = logs.WithAgreement(ctx, id)
	if !actor.Has(grants.RoleProgramme) {
		return grants.Reply{}, &grants.Error{Code: grants.Forbidden, Message: "Only the programme team marks partners' feedback.", Reason: "forbidden"}
	}
	var fields []grants.FieldError
	if messageID == "" {
		fields = append(fields, grants.FieldError{Field: "messageId", Reason: "is required"})
	}
	if passage == nil {
		fields = append(fields, grants.FieldError{Field: "passage", Reason: `is required: the part of the reply that is feedback, or "" when it holds none`})
	}
	if len(fields) > 0 {
		return grants.Reply{}, grants.Validation(fields)
	}
	a, err := x.store.GetAgreement(ctx, id)
	if err != nil {
		return grants.Reply{}, err
	}
	if a.CheckIn(n) == nil {
		return grants.Reply{}, &grants.Error{Code: grants.NotFound, Message: "There is no such check-in.", Reason: "check_in_not_found"}
	}
	replies, err := x.store.Replies(ctx, a.ID, n)
	if err != nil {
		return grants.Reply{}, err
	}
	i := slices.IndexFunc(replies, func(r grants.Reply) bool { return r.MessageID == messageID })
	if i < 0 {
		return grants.Reply{}, grants.Validation([]grants.FieldError{{Field: "messageId", Reason: "must be a reply to this check-in"}})
	}
	reply := replies[i]
	now := x.env.Now()
	mark, entry, changed, err := reply.MarkFeedback(*passage, now, actor.Name)
	if err != nil {
		return grants.Reply{}, err
	}
	if changed {
		fx := grants.Effects{At: now, Audit: []grants.AuditEntry{entry},
			FeedbackMarks: []grants.MarkedFeedback{{AgreementID: a.ID, CheckIn: n, MessageID: messageID, Mark: mark}}}
		if err := x.store.Apply(ctx, a.ID, fx); err != nil {
			return grants.Reply{}, err
		}
	}
	reply.FeedbackMark = &mark
	read, err := x.readBy(ctx, actor, a, []grants.Reply{reply})
	if err != nil {
		return grants.Reply{}, err
	}
	return read[0], nil
}
