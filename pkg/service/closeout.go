package service

import (
	"context"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/logs"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// Complete closes an agreement (see grants.Complete): one that is ready at
// any time, one that is not from its end date with a reason, its unpaid
// instalments cancelled and open check-ins closed. The partner's thank-you
// is enqueued with the change and sent now if this function sends mail and
// it is a working day after the send time, else by the sweep at the next
// send time (the AgreementsFunction has no mail sender, as for activation's
// welcome). Its schedules are deleted.
func (x *Agreements) Complete(ctx context.Context, actor, id, reason string) (*grants.Agreement, error) {
	ctx = logs.WithAgreement(ctx, id)
	now := x.env.Now()
	a, err := x.store.UpdateAgreement(ctx, id, 0, func(a *grants.Agreement) (grants.Effects, error) {
		entries, err := a.Complete(reason, now, actor)
		return grants.Effects{At: now, Audit: entries, Outbox: []outbox.Key{outbox.ThankYouKey()}}, err
	})
	if err != nil {
		return nil, err
	}
	if a.Sendable(grants.Today(now, a.Location()), now) {
		x.delivery.deliverChange(ctx, a, nil, nil, nil, outbox.ThankYouKey())
	}
	return x.syncSchedules(ctx, a), nil
}

// thanked adds the partner's thank-you to a change's side effects when the
// change completed the agreement (grants.CompleteIfDone): an agreement
// completes once, and the key is enqueued once, so the thanks go once.
func thanked(before grants.AgreementStatus, a *grants.Agreement, keys []outbox.Key) []outbox.Key {
	if before != grants.AgreementCompleted && a.Status == grants.AgreementCompleted {
		return append(keys, outbox.ThankYouKey())
	}
	return keys
}
