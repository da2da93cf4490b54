package service

// The partner's acceptance of their agreement and of changes to it (issue
// 23, items 4 and 5): the reply that accepts or asks for changes, and an
// acceptance an officer records that was given another way. The agreement
// and each proposal are sent from the outbox at the send time (the sweep,
// which signs their reply addresses); activating and amending enqueue them
// (Agreements.Activate, Agreements.Amend).

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/logs"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// RecordAcceptance records that the partner accepted the agreement, and
// any change proposed, another way (channel: paper, meeting, call, other),
// with the officer's note, in one write with its history.
func (x *Agreements) RecordAcceptance(ctx context.Context, actor, id, channel, note string) (*grants.Agreement, error) {
	ctx = logs.WithAgreement(ctx, id)
	now := x.env.Now()
	var keys []outbox.Key
	a, err := x.store.UpdateAgreement(ctx, id, 0, func(a *grants.Agreement) (grants.Effects, error) {
		waited := a.FirstInstalmentWaiting(1)
		e, err := a.RecordAcceptance(channel, note, now, actor)
		keys = acceptedPayable(a, waited)
		return grants.Effects{At: now, Audit: []grants.AuditEntry{e}, Outbox: keys}, err
	})
	if err == nil && len(keys) > 0 {
		x.delivery.deliverChange(ctx, a, nil, nil, nil, keys...)
	}
	return a, err
}

// acceptedPayable is finance's now-payable notice owed when the partner's
// acceptance released instalment 1 (waited: it waited for it before):
// finance was not told it was due while it waited (truewhen.go).
func acceptedPayable(a *grants.Agreement, waited bool) []outbox.Key {
	in := a.Instalment(1)
	if !waited || a.FirstInstalmentWaiting(1) || in == nil || in.Status != grants.InstalmentDue || in.AwaitingCheckIn {
		return nil
	}
	return []outbox.Key{outbox.NowPayableKey(1)}
}

// AcceptAgreementReply records a partner's reply to their agreement or to
// a proposed change (its token names the agreement, not a check-in): a
// plain yes accepts, anything else asks for changes (grants.ReceiveAcceptance).
// It is written in one write with what else records the message (with: the
// delivery's once-only record). Another delivery of a message already
// recorded changes nothing: only with is written.
func (x *Replies) AcceptAgreementReply(ctx context.Context, reply grants.Reply, actor string, with grants.Effects, read Read) error {
	ctx = logs.WithAgreement(ctx, reply.AgreementID)
	if with.At.IsZero() {
		with.At = x.env.Now()
	}
	ans := grants.AcceptanceReply{MessageID: reply.MessageID, From: reply.From, Text: reply.Text, At: with.At}
	dup := false
	change := func(a *grants.Agreement) (grants.Effects, error) {
		waited := a.FirstInstalmentWaiting(1)
		entries, err := a.ReceiveAcceptance(ans, actor)
		dup = errors.Is(err, grants.ErrNoChange)
		fx := with
		fx.Audit = append(entries, with.Audit...)
		if err == nil {
			// Left for the sweep, which sends it at the send time.
			fx.Outbox = append(slices.Clip(fx.Outbox), acceptedPayable(a, waited)...)
		}
		return fx, err
	}
	var err error
	if read.Agreement != nil && read.Agreement.ID == reply.AgreementID {
		_, err = x.store.UpdateRead(ctx, read.Agreement, change)
	} else {
		_, err = x.store.UpdateAgreement(ctx, reply.AgreementID, 0, change)
	}
	if err == nil && dup {
		// The store wrote nothing; the delivery is recorded all the same.
		return x.store.Apply(ctx, reply.AgreementID, with)
	}
	return err
}

// agreementReplies is the check-in number a reply address names for the
// agreement itself (pkg/replytoken's Agreement).
const agreementReplies = 0

// leadAddresses is whom the agreement and its changes go to: the lead
// contact (role "lead"), when mail reaches them, else every contact it
// reaches.
func leadAddresses(a *grants.Agreement) []string {
	contacts := a.DeliverableContacts()
	for _, c := range contacts {
		if strings.EqualFold(c.Role, "lead") {
			return []string{c.Email}
		}
	}
	var to []string
	for _, c := range contacts {
		to = append(to, c.Email)
	}
	return to
}
