package service

import (
	"context"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/logs"
)

// UpdateSupport records progress on support item n of an agreement: a new
// status, a dated note, or both, with its history entry in one write.
func (x *Agreements) UpdateSupport(ctx context.Context, actor, id string, n int, status, note string) (*grants.Agreement, error) {
	ctx = logs.WithAgreement(ctx, id)
	now := x.env.Now()
	return x.store.UpdateAgreement(ctx, id, 0, func(a *grants.Agreement) (grants.Effects, error) {
		e, err := a.UpdateSupport(n, status, note, now, actor)
		return grants.Audited(e), err
	})
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
