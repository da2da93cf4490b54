package service

import (
	"context"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/logs"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// CheckIn reads check-in n of an agreement with every reply to it.
func (s *Service) CheckIn(ctx context.Context, id string, n int) (*grants.Agreement, []grants.Reply, error) {
	a, err := s.Store.GetAgreement(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if a.CheckIn(n) == nil {
		return nil, nil, &grants.Error{Code: grants.NotFound, Message: "There is no such check-in.", Reason: "check_in_not_found"}
	}
	replies, err := s.Store.Replies(ctx, a.ID, n)
	return a, replies, err
}

// Waive excuses a check-in, with a reason.
func (s *Service) Waive(ctx context.Context, actor, id string, n int, reason string) (*grants.Agreement, error) {
	ctx = logs.WithAgreement(ctx, id)
	now := s.Now()
	var keys []outbox.Key
	a, err := s.Store.UpdateAgreement(ctx, id, 0, func(a *grants.Agreement) (grants.Effects, error) {
		before := a.Status
		entries, err := a.WaiveCheckIn(n, reason, now, actor)
		keys = thanked(before, a, nil)
		return grants.Effects{At: now, Audit: entries, Outbox: keys}, err
	})
	if err != nil {
		return nil, err
	}
	s.deliver(ctx, a.ID, a, nil, keys...)
	return a, nil
}

// Quarantine lists held messages of a status (pending by default).
func (s *Service) Quarantine(ctx context.Context, status string) ([]grants.Quarantined, error) {
	switch status {
	case "", grants.QuarantinePending, grants.QuarantineAccepted, grants.QuarantineRejected:
	default:
		return nil, &grants.Error{Code: grants.Invalid, Message: "The request has invalid fields.",
			Fields: []grants.FieldError{{Field: "status", Reason: "must be one of pending, accepted, rejected"}}, Reason: "validation"}
	}
	return s.Store.ListQuarantine(ctx, status)
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
func (s *Service) AcceptHeld(ctx context.Context, actor, messageID string, to Destination, note string) (*grants.Quarantined, error) {
	note, err := grants.OptionalNote("note", note)
	if err != nil {
		return nil, err
	}
	q, err := s.pendingHeld(ctx, messageID)
	if err != nil {
		return nil, err
	}
	reply := q.Reply
	if to.AgreementID != "" {
		reply.AgreementID, reply.CheckIn = to.AgreementID, to.CheckIn
	}
	if reply.AgreementID == "" || reply.CheckIn == 0 {
		return nil, &grants.Error{Code: grants.Invalid, Message: "Say which agreement and check-in this message answers.",
			Fields: []grants.FieldError{{Field: "agreementId", Reason: "is required: the message carried no valid token"}, {Field: "checkIn", Reason: "is required"}}, Reason: "validation"}
	}
	reply.AcceptedBy = actor
	now := s.Now()
	decided := grants.Effects{At: now,
		Audit: []grants.AuditEntry{{At: now.UTC(), Actor: actor, Action: "quarantine.accepted", Subject: reply.MessageID,
			Detail: "held as " + string(q.Reason) + "; " + note}},
		Decisions: []grants.Decision{{MessageID: q.ID, Status: grants.QuarantineAccepted, Actor: actor, Note: note}}}
	if err := s.AcceptReply(ctx, reply, actor, decided, Read{}); err != nil {
		return nil, s.decidedMeanwhile(ctx, q.ID, err)
	}
	return s.Store.GetQuarantined(ctx, q.ID)
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
func (s *Service) AcceptReply(ctx context.Context, reply grants.Reply, actor string, with grants.Effects, read Read) error {
	ctx = logs.WithAgreement(ctx, reply.AgreementID)
	ack, notice := outbox.AckKey(reply.CheckIn, reply.MessageID), outbox.ReplyNoticeKey(reply.CheckIn, reply.MessageID)
	reply.FlagHelp()
	if with.At.IsZero() {
		with.At = s.Now()
	}
	claim := s.claimFor(with.At, false)
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
		a, err = s.Store.UpdateRead(ctx, read.Agreement, change)
	} else {
		a, err = s.Store.UpdateAgreement(ctx, reply.AgreementID, 0, change)
	}
	if err != nil {
		return err
	}
	s.count(ctx, a.Programme, MetricRepliesReceived, 1)
	if s.Letters == nil {
		return nil
	}
	var p grants.ProgrammeSettings
	if read.Settings != nil {
		p = read.Settings.Defaults(s.Defaults)
	} else if p, err = s.settings(ctx, a.Programme); err != nil {
		logError(ctx, "read settings to deliver; the sweep will retry", err, a.ID)
		return nil
	}
	s.deliverClaimed(ctx, a, p, claim, &reply, keys...)
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
func (s *Service) RejectHeld(ctx context.Context, actor, messageID, reason string) (*grants.Quarantined, error) {
	// As for a waive: a blank reason is no reason.
	reason, err := grants.RequiredReason("reason", reason)
	if err != nil {
		return nil, err
	}
	q, err := s.Store.GetQuarantined(ctx, messageID)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	fx := grants.Effects{At: now, Decisions: []grants.Decision{{MessageID: q.ID, Status: grants.QuarantineRejected, Actor: actor, Note: reason}}}
	if q.AgreementID != "" {
		fx.Audit = []grants.AuditEntry{{At: now.UTC(), Actor: actor, Action: "quarantine.rejected", Subject: q.ID, Detail: reason}}
	}
	if err := s.Store.Apply(ctx, q.AgreementID, fx); err != nil {
		return nil, s.decidedMeanwhile(ctx, q.ID, err)
	}
	return s.Store.GetQuarantined(ctx, q.ID)
}

func (s *Service) pendingHeld(ctx context.Context, id string) (*grants.Quarantined, error) {
	q, err := s.Store.GetQuarantined(ctx, id)
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
func (s *Service) decidedMeanwhile(ctx context.Context, id string, err error) error {
	if q, gerr := s.Store.GetQuarantined(ctx, id); gerr == nil && q.Status != grants.QuarantinePending {
		return alreadyDecided(q.Status)
	}
	return err
}

// Conversations lists every reply to the agreement's check-ins, by check-in and
// oldest first: one read for the agreement page's conversations.
func (s *Service) Conversations(ctx context.Context, id string) ([]grants.Reply, error) {
	return s.Store.Replies(ctx, id, 0)
}

// RecordConversation records that check-in n was answered in a call,
// meeting or visit: it is stored as the check-in's reply and counts as
// received (freeing the instalment waiting on it), in one write with its
// history. Nobody is emailed about it (the partner was there, and the officer
// wrote it), unless it completes the agreement: then the partner is thanked;
// and finance is told if it unblocked an instalment.
func (s *Service) RecordConversation(ctx context.Context, actor, id string, n int, in grants.ConversationInput) (*grants.Agreement, grants.Reply, error) {
	ctx = logs.WithAgreement(ctx, id)
	now := s.Now()
	var reply grants.Reply
	var keys []outbox.Key
	a, err := s.Store.UpdateAgreement(ctx, id, 0, func(a *grants.Agreement) (grants.Effects, error) {
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
		s.deliver(ctx, a.ID, a, nil, keys...)
	}
	return a, reply, err
}
