package service

// Stories shared only with consent (issue 24, item 5): an officer marks a
// passage of a partner's reply as a story; the partner's lead contact is
// asked by email, from the outbox at the send time (the sweep, which signs
// its story+ reply address), whether it may be shared, where and with what
// name; a reply saying yes (grants.ReadStoryAnswer), or a consent an
// officer records with a note, makes it shareable; a later no withdraws it.

import (
	"context"
	"errors"
	"fmt"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/logs"
	"github.com/partnership-grants/backend/pkg/outbox"
	"github.com/partnership-grants/backend/pkg/readcost"
	"github.com/partnership-grants/backend/pkg/replytoken"
)

// StoryStore is what the stories' use cases read and write: the agreement
// the stories are kept on, the replies a passage is taken from, and the
// programme's agreements the shared stories are gathered from.
type StoryStore interface {
	AgreementWriter
	ReplyReader
	answerReader
	ProgrammeAgreements(ctx context.Context, programme string) ([]grants.Agreement, readcost.Cost, error)
}

// Stories are the stories' use cases.
type Stories struct {
	store StoryStore
	env   Env
}

// NewStories builds the stories' use cases. The consent emails they queue
// are left to the sweep, at the send time.
func NewStories(store StoryStore, env Env) *Stories { return &Stories{store: store, env: env} }

// StoryInput marks a passage of the reply to a check-in as a story.
type StoryInput struct {
	CheckIn int    `json:"checkIn"`
	Passage string `json:"passage"`
}

// AgreementStories are an agreement's stories, for the programme role.
type AgreementStories struct {
	AgreementID string         `json:"agreementId"`
	Reference   string         `json:"reference"`
	Stories     []grants.Story `json:"stories"`
}

// StoriesOf are an agreement's stories as the programme role reads them.
func StoriesOf(a *grants.Agreement) AgreementStories {
	out := AgreementStories{AgreementID: a.ID, Reference: a.Reference, Stories: []grants.Story{}}
	for _, s := range a.Stories {
		if s.Answers == nil {
			s.Answers = []grants.StoryAnswer{}
		}
		out.Stories = append(out.Stories, s)
	}
	return out
}

// List reads an agreement's stories (the programme role's: a passage not
// yet consented is part of a reply).
func (x *Stories) List(ctx context.Context, id string) (AgreementStories, error) {
	a, err := x.store.GetAgreement(ctx, id)
	if err != nil {
		return AgreementStories{}, err
	}
	return StoriesOf(a), nil
}

// Mark marks a passage of the partner's reply to a check-in as a story and
// asks the partner's consent by email (at the send time). The passage must
// be words of a reply to that check-in. Marking the same passage again is
// the story marked before; with once (an Idempotency-Key) a request
// answered before gets that answer back.
func (x *Stories) Mark(ctx context.Context, actor, id string, in StoryInput, once *idempotency.Once[grants.Story]) (grants.Story, *idempotency.Response, error) {
	ctx = logs.WithAgreement(ctx, id)
	now := x.env.Now()
	if err := grants.CheckStoryPassage(in.Passage, in.CheckIn); err != nil {
		return grants.Story{}, nil, err
	}
	if once != nil {
		if replay, err := x.store.Answered(ctx, once.Request, now); err != nil || replay != nil {
			return grants.Story{}, replay, err
		}
	}
	a, err := x.store.GetAgreement(ctx, id)
	if err != nil {
		return grants.Story{}, nil, err
	}
	if a.CheckIn(in.CheckIn) == nil {
		return grants.Story{}, nil, grants.Validation([]grants.FieldError{{Field: "checkIn", Reason: fmt.Sprintf("must be a check-in of the agreement, 1 to %d", len(a.CheckIns))}})
	}
	replies, err := x.store.Replies(ctx, id, in.CheckIn)
	if err != nil {
		return grants.Story{}, nil, err
	}
	if len(replies) == 0 {
		return grants.Story{}, nil, grants.Validation([]grants.FieldError{{Field: "checkIn", Reason: fmt.Sprintf("has no reply: check-in %d has no words of the partner's to share yet", in.CheckIn)}})
	}
	found := false
	for _, r := range replies {
		if grants.StoryFound(in.Passage, r.Text) || grants.StoryFound(in.Passage, r.FullText) {
			found = true
			break
		}
	}
	if !found {
		return grants.Story{}, nil, grants.Validation([]grants.FieldError{{Field: "passage", Reason: fmt.Sprintf("must be words of the partner's reply to check-in %d, copied as they wrote them", in.CheckIn)}})
	}
	var story grants.Story
	_, err = x.store.UpdateRead(ctx, a, func(a *grants.Agreement) (grants.Effects, error) {
		s, fx, err := grants.MarkStory(a, in.CheckIn, in.Passage, now, actor)
		if s.Answers == nil {
			s.Answers = []grants.StoryAnswer{} // a list in JSON, empty
		}
		story = s
		if err != nil {
			return fx, err
		}
		if once != nil {
			fx.Answer, err = once.Answer(s)
		}
		return fx, err
	})
	if errors.Is(err, grants.ErrNoChange) {
		return story, nil, nil
	}
	if err != nil {
		replay, err := answeredMeanwhile(ctx, x.store, once, err, now)
		return grants.Story{}, replay, err
	}
	return story, nil, nil
}

// StoryConsentInput records a consent the partner gave another way.
type StoryConsentInput struct {
	Note  string   `json:"note"`
	Name  string   `json:"name"`
	Where []string `json:"where"`
}

// RecordConsent records, with the officer's note, that the partner consented
// to share story n another way than by replying.
func (x *Stories) RecordConsent(ctx context.Context, actor, id string, n int, in StoryConsentInput) (grants.Story, error) {
	ctx = logs.WithAgreement(ctx, id)
	now := x.env.Now()
	a, err := x.store.UpdateAgreement(ctx, id, 0, func(a *grants.Agreement) (grants.Effects, error) {
		e, err := grants.RecordStoryConsent(a, n, in.Note, in.Name, in.Where, now, actor)
		return grants.Effects{At: now, Audit: []grants.AuditEntry{e}}, err
	})
	if err != nil {
		return grants.Story{}, err
	}
	return *grants.FindStory(a, n), nil
}

// SharedStories are a programme's consented stories, with their consent.
type SharedStories struct {
	Programme string               `json:"programme"`
	Stories   []grants.SharedStory `json:"stories"`
}

// Shared lists a programme's consented stories, newest consent first: the
// stories a viewer may read too, as they are meant to be shared.
func (x *Stories) Shared(ctx context.Context, programme string) (SharedStories, error) {
	list, _, err := x.store.ProgrammeAgreements(ctx, programme)
	if err != nil {
		return SharedStories{}, err
	}
	return SharedStories{Programme: programme, Stories: grants.SharedStories(list)}, nil
}

// AnswerStory records a partner's reply about a story (its story+ token
// names the agreement and the story, reply.CheckIn the story's number):
// yes, no or unclear (grants.ReceiveStoryAnswer). It is written in one
// write with what else records the message (with: the delivery's once-only
// record); another delivery of a message already recorded changes nothing.
// A reply about a story the agreement has not is kept as a message that
// answers nothing.
func (x *Replies) AnswerStory(ctx context.Context, reply grants.Reply, actor string, with grants.Effects, read Read) error {
	ctx = logs.WithAgreement(ctx, reply.AgreementID)
	if with.At.IsZero() {
		with.At = x.env.Now()
	}
	ans := grants.StoryReply{Story: reply.CheckIn, MessageID: reply.MessageID, From: reply.From, Text: reply.Text, At: with.At}
	dup := false
	change := func(a *grants.Agreement) (grants.Effects, error) {
		entries, err := grants.ReceiveStoryAnswer(a, ans, actor)
		dup = errors.Is(err, grants.ErrNoChange)
		fx := with
		fx.Audit = append(entries, with.Audit...)
		return fx, err
	}
	var err error
	if read.Agreement != nil && read.Agreement.ID == reply.AgreementID {
		_, err = x.store.UpdateRead(ctx, read.Agreement, change)
	} else {
		_, err = x.store.UpdateAgreement(ctx, reply.AgreementID, 0, change)
	}
	switch {
	case err == nil && dup:
		// The store wrote nothing; the delivery is recorded all the same.
		return x.store.Apply(ctx, reply.AgreementID, with)
	case grants.ErrorCode(err) == grants.NotFound && reply.AgreementID != "":
		return x.IgnoreMessage(ctx, reply, fmt.Sprintf("story %d is not the agreement's", reply.CheckIn), with)
	}
	return err
}

// storyLetter is the email asking the partner's lead contact whether story
// k.Story may be shared, answered at its own story+ address; once the story
// has an answer (an officer recorded one first), it goes to nobody
// (recorded as skipped).
func (c *Courier) storyLetter(l *Letter, a *grants.Agreement, k outbox.Key) error {
	s := grants.FindStory(a, k.Story)
	if s == nil {
		return fmt.Errorf("no story for %s", k)
	}
	l.Story, l.To = *s, leadAddresses(a)
	if len(s.Answers) > 0 {
		l.To = nil
	}
	signer, ok := c.replies.(kindAddresses)
	if !ok {
		return fmt.Errorf("%s: %w", k, errNoReplyAddresses)
	}
	var err error
	l.ReplyTo, err = signer.AddressFor(replytoken.ForStory, a.ID, s.Number, c.opts.ReplyDomain)
	return err
}
