package service

import (
	"context"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/logs"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// tellNow delivers a notice to the partner (grants.Tell) that a committed
// change queued, now if it is a working day after the programme's send
// time; else the sweep sends it at the next send time (sweepOne waits for
// it). Either way the outbox sends it once.
func tellNow(ctx context.Context, d Delivery, a *grants.Agreement, now time.Time, key outbox.Key) {
	if a.Sendable(grants.Today(now, a.Location()), now) {
		d.deliverChange(ctx, a, nil, nil, nil, key)
	}
}

// AddExtraPayment adds an extra payment (support at a time of need) to an
// active agreement as a new instalment (grants.AddExtraPayment says how its
// money is found), and tells the partner in message (nil or blank: the
// default words). The payment is then requested and approved as any
// instalment's, always by two people. With once (an Idempotency-Key) a
// request answered before gets that answer back, and nothing is added
// twice. It returns the agreement as written and the new instalment's number.
func (x *Payments) AddExtraPayment(ctx context.Context, actor, id string, req grants.ExtraPaymentRequest, message *string, once *idempotency.Once[*grants.Agreement]) (_ *grants.Agreement, n int, replay *idempotency.Response, err error) {
	ctx = logs.WithAgreement(ctx, id)
	now := x.env.Now()
	if _, err := grants.PartnerMessage(message); err != nil {
		return nil, 0, nil, err
	}
	if once != nil {
		if replay, err := x.store.Answered(ctx, once.Request, now); err != nil || replay != nil {
			return nil, 0, replay, err
		}
	}
	var key outbox.Key
	a, err := x.store.UpdateAgreement(ctx, id, 0, func(a *grants.Agreement) (grants.Effects, error) {
		var entries []grants.AuditEntry
		var err error
		if n, entries, err = a.AddExtraPayment(req, now, actor); err != nil {
			return grants.Effects{}, err
		}
		if key, err = a.Tell(grants.NoticeExtra, n, message, now, actor); err != nil {
			return grants.Effects{}, err
		}
		fx := grants.Effects{At: now, Audit: entries, Outbox: []outbox.Key{key}}
		if once != nil {
			fx.Answer, err = once.Answer(a)
		}
		return fx, err
	})
	if err != nil {
		replay, err = answeredMeanwhile(ctx, x.store, once, err, now)
		return nil, 0, replay, err
	}
	tellNow(ctx, x.delivery, a, now, key)
	return a, n, nil, nil
}

// MessagePartner emails the partner an officer's own message (issue 26,
// item 16): it is kept on the agreement as a notice and queued in its
// outbox under the notice's key, so it goes once, from the officer, with
// the agreement's message+ Reply-To: the partner's answer is kept on the
// agreement as a message (Replies.AcceptMessage). Only the programme role
// of the agreement's programme may send one. With once (an
// Idempotency-Key) a request answered before gets that answer back, and
// nothing is queued twice.
//
// It is sent now only by a delivery that signs reply addresses, at a
// working day's send time; else (the web function's courier signs none)
// the sweep sends it at its next run after the send time.
func (x *Agreements) MessagePartner(ctx context.Context, actor grants.Actor, id, message string, once *idempotency.Once[*grants.Agreement]) (_ *grants.Agreement, replay *idempotency.Response, err error) {
	ctx = logs.WithAgreement(ctx, id)
	now := x.env.Now()
	if once != nil {
		if replay, err := x.store.Answered(ctx, once.Request, now); err != nil || replay != nil {
			return nil, replay, err
		}
	}
	var key outbox.Key
	a, err := x.store.UpdateAgreement(ctx, id, 0, func(a *grants.Agreement) (grants.Effects, error) {
		if !actor.HasIn(a.Programme, grants.RoleProgramme) {
			return grants.Effects{}, &grants.Error{Code: grants.Forbidden, Message: "Only the programme team of its programme may email the partner.", Reason: "forbidden"}
		}
		k, entry, err := a.Message(message, now, actor.Name)
		if err != nil {
			return grants.Effects{}, err
		}
		key = k
		fx := grants.Effects{At: now, Audit: []grants.AuditEntry{entry}, Outbox: []outbox.Key{key}}
		if once != nil {
			fx.Answer, err = once.Answer(a)
		}
		return fx, err
	})
	if err != nil {
		replay, err = answeredMeanwhile(ctx, x.store, once, err, now)
		return nil, replay, err
	}
	if signsReplies(x.delivery) {
		tellNow(ctx, x.delivery, a, now, key)
	}
	return a, nil, nil
}

// signsReplies reports whether d can sign the message+ Reply-To an
// officer's message needs: a courier whose reply addresses are of every
// kind. Another leaves it queued for one that can (the sweep), rather than
// try and log a failure for each message.
func signsReplies(d Delivery) bool {
	c, ok := d.(*Courier)
	if !ok {
		return false
	}
	_, ok = c.replies.(kindAddresses)
	return ok
}
