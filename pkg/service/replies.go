package service

import (
	"context"
	"fmt"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/logs"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// ReplyStore is the storage of check-ins' replies and of held messages.
type ReplyStore interface {
	AgreementWriter
	SettingsReader
	EffectWriter
	// Replies lists the replies to check-in n, or to every check-in when n is 0.
	Replies(ctx context.Context, agreementID string, n int) ([]grants.Reply, error)
	ListQuarantine(ctx context.Context, status string) ([]grants.Quarantined, error)
	GetQuarantined(ctx context.Context, id string) (*grants.Quarantined, error)
	// referenceReader files a held message by the reference staff see
	// (forms.go).
	referenceReader
}

// Replies are the use cases of what partners tell us: a reply received by
// email (AcceptReply), held for a person (HoldMessage) or set aside as no
// answer (IgnoreMessage), a held message accepted or rejected, a
// conversation recorded, a check-in waived. delivery is handed the thanks
// and notices a reply queues.
type Replies struct {
	store    ReplyStore
	delivery Delivery
	metrics  Metrics
	env      Env
}

// NewReplies builds the replies' use cases.
func NewReplies(store ReplyStore, delivery Delivery, metrics Metrics, env Env) *Replies {
	return &Replies{store: store, delivery: delivery, metrics: metrics, env: env}
}

// Measured sets a's lateness as of today (Env.Measured).
func (x *Replies) Measured(a *grants.Agreement) *grants.Agreement { return x.env.Measured(a) }

// CheckIn reads check-in n of an agreement with every reply to it, as
// actor may read them (grants.Reply.ReadBy: the feedback answer is the
// programme role's only).
func (x *Replies) CheckIn(ctx context.Context, actor grants.Actor, id string, n int) (*grants.Agreement, []grants.Reply, error) {
	a, err := x.store.GetAgreement(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if a.CheckIn(n) == nil {
		return nil, nil, &grants.Error{Code: grants.NotFound, Message: "There is no such check-in.", Reason: "check_in_not_found"}
	}
	replies, err := x.store.Replies(ctx, a.ID, n)
	if err != nil {
		return nil, nil, err
	}
	replies, err = x.readBy(ctx, actor, a, replies)
	return a, replies, err
}

// Waive excuses a check-in, with a reason (internal), and tells the
// partner in message (nil or blank: the default words), unless waiving it
// completed the agreement: then the thank-you is their one email.
func (x *Replies) Waive(ctx context.Context, actor, id string, n int, reason string, message *string) (*grants.Agreement, error) {
	ctx = logs.WithAgreement(ctx, id)
	now := x.env.Now()
	if _, err := grants.PartnerMessage(message); err != nil {
		return nil, err
	}
	var keys []outbox.Key
	var notice *outbox.Key
	a, err := x.store.UpdateAgreement(ctx, id, 0, func(a *grants.Agreement) (grants.Effects, error) {
		before, waiting := a.Status, a.WaitingForCheckIn()
		entries, err := a.WaiveCheckIn(n, reason, now, actor)
		if err != nil {
			return grants.Effects{}, err
		}
		keys, notice = thanked(before, a, nil), nil
		fx := grants.Effects{At: now, Audit: entries, Outbox: keys}
		if len(keys) == 0 {
			k, err := a.Tell(grants.NoticeWaived, n, message, now, actor)
			if err != nil {
				return grants.Effects{}, err
			}
			notice, fx.Outbox = &k, []outbox.Key{k}
		}
		// Finance was not told of an instalment waiting on this check-in
		// (truewhen.go): they are now that it can be paid.
		payable := nowPayable(a, waiting)
		keys = append(keys, payable...)
		fx.Outbox = append(fx.Outbox, payable...)
		return fx, nil
	})
	if err != nil {
		return nil, err
	}
	x.delivery.deliverChange(ctx, a, nil, nil, nil, keys...)
	if notice != nil {
		tellNow(ctx, x.delivery, a, now, *notice)
	}
	return a, nil
}

// Quarantine lists held messages of a status (pending by default).
func (x *Replies) Quarantine(ctx context.Context, status string) ([]grants.Quarantined, error) {
	switch status {
	case "", grants.QuarantinePending, grants.QuarantineAccepted, grants.QuarantineRejected:
	default:
		return nil, &grants.Error{Code: grants.Invalid, Message: "The request has invalid fields.",
			Fields: []grants.FieldError{{Field: "status", Reason: "must be one of pending, accepted, rejected"}}, Reason: "validation"}
	}
	return x.store.ListQuarantine(ctx, status)
}

// Destination names the check-in a held message answers, when its token
// did not (a forged or missing token); zero keeps the message's own.
type Destination struct {
	AgreementID string
	CheckIn     int
}

// AcceptHeld attaches a held message to its check-in as a reply, as if it
// had passed the checks, recording who vouched for it: the reply, the
// decision and the acknowledgement are one write.
func (x *Replies) AcceptHeld(ctx context.Context, actor, messageID string, to Destination, note string) (*grants.Quarantined, error) {
	note, err := grants.OptionalNote("note", note)
	if err != nil {
		return nil, err
	}
	q, err := pendingHeld(ctx, x.store, messageID)
	if err != nil {
		return nil, err
	}
	reply := q.Reply
	if to.AgreementID, err = agreementIDOf(ctx, x.store, to.AgreementID); err != nil {
		return nil, err
	}
	if to.AgreementID != "" {
		reply.AgreementID, reply.CheckIn, reply.AnswersMessage, reply.AnswersStory = to.AgreementID, to.CheckIn, false, false
	}
	// A held answer to the agreement itself is the partner's acceptance, or
	// the changes they ask for; any other answers a check-in.
	toAgreement := to.AgreementID == "" && reply.AgreementID != "" && reply.CheckIn == agreementReplies
	if !toAgreement && (reply.AgreementID == "" || reply.CheckIn == 0) {
		return nil, &grants.Error{Code: grants.Invalid, Message: "Say which agreement and check-in this message answers.",
			Fields: []grants.FieldError{{Field: "agreementId", Reason: "is required: the message carried no valid token"}, {Field: "checkIn", Reason: "is required"}}, Reason: "validation"}
	}
	reply.AcceptedBy = actor
	now := x.env.Now()
	decided := grants.Effects{At: now,
		Audit: []grants.AuditEntry{{At: now.UTC(), Actor: actor, Action: "quarantine.accepted", Subject: reply.MessageID,
			Detail: "held as " + string(q.Reason) + "; " + note}},
		Decisions: []grants.Decision{{MessageID: q.ID, Status: grants.QuarantineAccepted, Actor: actor, Note: note}}}
	accept := x.AcceptReply
	if toAgreement {
		accept = x.AcceptAgreementReply
	}
	if reply.AnswersMessage && to.AgreementID == "" {
		// An answer to "you said, we did" stays a message (issue 24, item 4).
		accept = x.AcceptMessage
	}
	if reply.AnswersStory && to.AgreementID == "" {
		// An answer about a story is the story's: consent, or not (item 5).
		accept = x.AnswerStory
	}
	if err := accept(ctx, reply, actor, decided, Read{}); err != nil {
		return nil, decidedMeanwhile(ctx, x.store, q.ID, err)
	}
	return x.store.GetQuarantined(ctx, q.ID)
}

// AcceptReply stores a partner's reply on its check-in, in one write with
// what else records it (with: the delivery's once-only record, or a held
// message's decision): the first reply moves the check-in to received and
// frees the instalment waiting on it; the partner is thanked and the officer
// told, and finance is told of an instalment it made payable. Email replies and replies accepted from quarantine both come here.
//
// read is what the caller has read already (the agreement, consistently,
// and its programme's settings), so it is not read again; either may be nil.
// The thanks and the notice are enqueued already claimed, sent, and
// recorded in one write.
func (x *Replies) AcceptReply(ctx context.Context, reply grants.Reply, actor string, with grants.Effects, read Read) error {
	ctx = logs.WithAgreement(ctx, reply.AgreementID)
	ack, notice := outbox.AckKey(reply.CheckIn, reply.MessageID), outbox.ReplyNoticeKey(reply.CheckIn, reply.MessageID)
	reply.FlagHelp()
	if with.At.IsZero() {
		with.At = x.env.Now()
	}
	claim := x.delivery.claim(with.At, false)
	var keys []outbox.Key
	change := func(a *grants.Agreement) (grants.Effects, error) {
		before, waiting := a.Status, a.WaitingForCheckIn()
		entries, err := a.ReceiveReply(reply.CheckIn, reply, with.At, actor)
		keys = thanked(before, a, append([]outbox.Key{ack, notice}, nowPayable(a, waiting)...))
		fx := with
		fx.Audit = append(entries, with.Audit...)
		fx.Replies, fx.Outbox, fx.ClaimedBy = []grants.Reply{a.FileReply(reply)}, keys, claim
		return fx, err
	}
	var a *grants.Agreement
	var err error
	if read.Agreement != nil && read.Agreement.ID == reply.AgreementID {
		a, err = x.store.UpdateRead(ctx, read.Agreement, change)
	} else {
		a, err = x.store.UpdateAgreement(ctx, reply.AgreementID, 0, change)
	}
	if err != nil {
		return err
	}
	count(ctx, x.metrics, a.Programme, MetricRepliesReceived, 1)
	if claim == nil {
		// Not delivered here (LeaveQueued): the outbox keeps them.
		return nil
	}
	var p grants.ProgrammeSettings
	if read.Settings != nil {
		p = read.Settings.Defaults(x.env.Defaults)
	} else if p, err = x.env.settings(ctx, x.store, a.Programme); err != nil {
		logError(ctx, "read settings to deliver; the sweep will retry", err, a.ID)
		return nil
	}
	x.delivery.deliverChange(ctx, a, &p, claim, &reply, keys...)
	return nil
}

// Read is what a caller has read already, handed on so a use case does not
// read it again.
type Read struct {
	Agreement *grants.Agreement         // read consistently
	Settings  *grants.ProgrammeSettings // its programme's, as stored
}

// RejectHeld settles a held message as not a reply, with a reason; the
// decision and its audit entry are one write.
func (x *Replies) RejectHeld(ctx context.Context, actor, messageID, reason string) (*grants.Quarantined, error) {
	// As for a waive: a blank reason is no reason.
	reason, err := grants.RequiredReason("reason", reason)
	if err != nil {
		return nil, err
	}
	q, err := x.store.GetQuarantined(ctx, messageID)
	if err != nil {
		return nil, err
	}
	now := x.env.Now()
	fx := grants.Effects{At: now, Decisions: []grants.Decision{{MessageID: q.ID, Status: grants.QuarantineRejected, Actor: actor, Note: reason}}}
	if q.AgreementID != "" {
		fx.Audit = []grants.AuditEntry{{At: now.UTC(), Actor: actor, Action: "quarantine.rejected", Subject: q.ID, Detail: reason}}
	}
	if err := x.store.Apply(ctx, q.AgreementID, fx); err != nil {
		return nil, decidedMeanwhile(ctx, x.store, q.ID, err)
	}
	return x.store.GetQuarantined(ctx, q.ID)
}

// heldReader reads a held message, to decide it.
type heldReader interface {
	GetQuarantined(ctx context.Context, id string) (*grants.Quarantined, error)
}

// pendingHeld reads a held message still to be decided.
func pendingHeld(ctx context.Context, store heldReader, id string) (*grants.Quarantined, error) {
	q, err := store.GetQuarantined(ctx, id)
	if err == nil && q.Status != grants.QuarantinePending {
		err = alreadyDecided(q.Status)
	}
	return q, err
}

func alreadyDecided(status string) error {
	return &grants.Error{Code: grants.Conflict, Message: "This message was already " + status + ".", Reason: "already_resolved"}
}

// decidedMeanwhile explains a failed decision: if someone else decided the
// message in the meantime, say so rather than pass on the write's conflict.
func decidedMeanwhile(ctx context.Context, store heldReader, id string, err error) error {
	if q, gerr := store.GetQuarantined(ctx, id); gerr == nil && q.Status != grants.QuarantinePending {
		return alreadyDecided(q.Status)
	}
	return err
}

// Conversations lists every reply to the agreement's check-ins, by check-in and
// oldest first: one read for the agreement page's conversations, as actor
// may read them (grants.Reply.ReadBy).
func (x *Replies) Conversations(ctx context.Context, actor grants.Actor, a *grants.Agreement) ([]grants.Reply, error) {
	replies, err := x.store.Replies(ctx, a.ID, 0)
	if err != nil {
		return nil, err
	}
	return x.readBy(ctx, actor, a, replies)
}

// RecordConversation records that check-in n was answered in a call,
// meeting or visit: it is stored as the check-in's reply and counts as
// received (freeing the instalment waiting on it), in one write with its
// history. Nobody is emailed about it (the partner was there, and the officer
// wrote it), unless it completes the agreement: then the partner is thanked;
// and finance is told if it unblocked an instalment.
func (x *Replies) RecordConversation(ctx context.Context, actor, id string, n int, in grants.ConversationInput) (*grants.Agreement, grants.Reply, error) {
	ctx = logs.WithAgreement(ctx, id)
	now := x.env.Now()
	var reply grants.Reply
	var keys []outbox.Key
	a, err := x.store.UpdateAgreement(ctx, id, 0, func(a *grants.Agreement) (grants.Effects, error) {
		var err error
		if reply, err = a.NewConversation(n, in, now, actor); err != nil {
			return grants.Effects{}, err
		}
		before, waiting := a.Status, a.WaitingForCheckIn()
		entries, err := a.ReceiveReply(n, reply, now, actor)
		if err != nil {
			return grants.Effects{}, err
		}
		a.UpdatedAt, a.UpdatedBy = now.UTC(), actor
		keys = thanked(before, a, nowPayable(a, waiting))
		return grants.Effects{At: now, Audit: entries, Replies: []grants.Reply{reply}, Outbox: keys}, nil
	})
	if err == nil {
		x.delivery.deliverChange(ctx, a, nil, nil, nil, keys...)
	}
	return a, reply, err
}

// IgnoreMessage records a message that answers nothing (an auto-reply, a
// delivery report, another copy of an email stored) against its agreement:
// kept in the history, not counted as an answer, in one write with what
// else records it (with: the delivery's once-only record). Only the history
// changes: an out-of-office must not move the agreement's version under a
// person editing it.
func (x *Replies) IgnoreMessage(ctx context.Context, r grants.Reply, reason string, with grants.Effects) error {
	if r.AgreementID != "" {
		with.Audit = []grants.AuditEntry{{At: with.At.UTC(), Actor: grants.System, Action: "reply.ignored",
			Subject: fmt.Sprintf("check-in %d", r.CheckIn), Detail: fmt.Sprintf("%s from %s (SES message %s)", reason, r.From, r.MessageID)}}
	}
	return x.store.Apply(ctx, r.AgreementID, with)
}

// HoldMessage holds a message for a person, for q's reason, in one write
// with what else records it (with), and counts it. It is held quietly:
// nobody is emailed now (anyone can write to the reply domain); the
// officers hear of it in the next daily digest (Automation.HeldDigest). a,
// when known, is the agreement it names, whose reference and programme the
// Held messages page shows.
func (x *Replies) HoldMessage(ctx context.Context, r grants.Reply, q grants.Quarantined, a *grants.Agreement, with grants.Effects) error {
	q.ID, q.Status, q.AgreementID, q.CheckIn, q.Reply = r.MessageID, grants.QuarantinePending, r.AgreementID, r.CheckIn, r
	if a != nil {
		q.Reference, q.Programme = a.Reference, a.Programme
	}
	with.Held = []grants.Quarantined{q}
	if err := x.store.Apply(ctx, outbox.InboundPartition, with); err != nil {
		return err
	}
	count(logs.WithAgreement(ctx, q.AgreementID), x.metrics, q.Programme, MetricRepliesQuarantined, 1)
	return nil
}

// FollowUpHelp marks a reply that asked for help as followed up, with an
// optional note, in one write with its history.
func (x *Replies) FollowUpHelp(ctx context.Context, actor, id, messageID, note string) (*grants.Agreement, error) {
	ctx = logs.WithAgreement(ctx, id)
	now := x.env.Now()
	return x.store.UpdateAgreement(ctx, id, 0, func(a *grants.Agreement) (grants.Effects, error) {
		e, err := a.FollowUpHelp(messageID, note, now, actor)
		return grants.Audited(e), err
	})
}

// nowPayable are the notices owed for the instalments of waiting (as
// WaitingForCheckIn listed them before a change) that the change made
// payable. Their keys are per instalment, so a duplicate delivery of the
// check-in that unblocked one enqueues nothing new.
func nowPayable(a *grants.Agreement, waiting []int) []outbox.Key {
	var keys []outbox.Key
	for _, n := range a.NowPayable(waiting) {
		keys = append(keys, outbox.NowPayableKey(n))
	}
	return keys
}
