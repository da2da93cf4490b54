package service

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// Held messages are held quietly: a message held for a person emails
// nobody when it arrives (anyone can write to the reply domain, and one
// officer email a message let strangers spend the SES quota). The officers
// see them on the Held messages page, and in one digest a working day.

// HeldDigest emails the officers how many messages are held for a person
// and where to see them, in one email: on a working day (the deployment's
// calendar), once its send time has come, once a day however often or
// concurrently the sweep runs (the day's outbox key in the inbound
// partition is claimed first), and not at all when nothing is held. It
// reports whether an email went.
func (x *Automation) HeldDigest(ctx context.Context) (bool, error) {
	now, loc, t := x.env.Now(), x.env.location(), x.env.Defaults.Timing()
	today := grants.Today(now, loc)
	if !t.WorkingDay(today) || now.Before(t.SendAt(today, loc)) {
		return false, nil
	}
	return x.heldDigest(ctx, outbox.HeldDigestKey(today.String()).String())
}

// heldDigestWaits reports whether today's held-messages digest waits for
// its send time, and that time.
func (x *Automation) heldDigestWaits() (time.Time, bool) {
	now, loc, t := x.env.Now(), x.env.location(), x.env.Defaults.Timing()
	today := grants.Today(now, loc)
	at := t.SendAt(today, loc)
	return at, t.WorkingDay(today) && now.Before(at)
}

// deliverInbound performs a side effect of the inbound partition that the
// sweep found left pending.
func (x *Automation) deliverInbound(ctx context.Context, key string) error {
	k, err := outbox.ParseKey(key)
	switch {
	case err == nil && k.Kind == outbox.KindHeldDigest:
		_, err = x.heldDigest(ctx, key)
		return err
	case err == nil && k.Kind == outbox.KindQuarantineNotice:
		return x.closeQuarantineNotice(ctx, key)
	case err == nil && (k.Kind == outbox.KindEnquiryAck || k.Kind == outbox.KindEnquiryReply):
		return x.courier.DeliverEnquiry(ctx, key) // enquiries.go
	}
	return fmt.Errorf("no delivery for outbox key %q", key)
}

// heldDigest claims the digest under key and sends it.
func (x *Automation) heldDigest(ctx context.Context, key string) (bool, error) {
	return x.dailyDigest(ctx, outbox.InboundPartition, key, x.env.location(), func(today grants.Date) string {
		return outbox.HeldDigestKey(today.String()).String()
	}, "officer", func(today grants.Date, now time.Time) (*Letter, error) {
		counts, err := x.store.HeldCounts(ctx)
		if err != nil || len(counts) == 0 {
			return nil, err
		}
		to, err := x.heldDigestTo(ctx, counts)
		if err != nil {
			return nil, err
		}
		return &Letter{Kind: outbox.KindHeldDigest, To: to, Date: now, Day: today, HeldCounts: counts, AppURL: x.courier.opts.AppURL}, nil
	})
}

// heldDigestTo are the officers of every programme with messages held (the
// deployment's, for those naming no programme), each address once: one
// email for them all, so that a flood of held mail makes one email a day
// however it is spread.
func (x *Automation) heldDigestTo(ctx context.Context, counts map[string]int) ([]string, error) {
	seen := map[string]bool{}
	var to []string
	for programme := range counts {
		officers := x.env.Defaults.OfficerEmails
		if programme != "" {
			p, err := x.env.settings(ctx, x.store, programme)
			if err != nil {
				return nil, err
			}
			officers = p.OfficerEmails
		}
		for _, addr := range officers {
			if k := grants.AddressKey(addr); k != "" && !seen[k] {
				seen[k] = true
				to = append(to, addr)
			}
		}
	}
	slices.Sort(to)
	return to, nil
}

// closeQuarantineNotice closes, unsent, a notice of one held message that
// a version before the digest enqueued: the digest tells of it now.
func (x *Automation) closeQuarantineNotice(ctx context.Context, key string) error {
	partition := outbox.InboundPartition
	now, token := x.env.Now(), newToken()
	claimed, err := x.store.Claim(ctx, partition, key, token, now, x.courier.lease())
	if err != nil || !claimed {
		return err
	}
	skipped := grants.AuditEntry{At: now.UTC(), Actor: grants.System, Action: "email.skipped", Subject: key, Detail: "held messages are told in the officers' daily digest"}
	return x.courier.recordDone(ctx, partition, key, "", func(ctx context.Context) error {
		return x.store.Apply(ctx, partition, grants.Effects{At: now, Audit: []grants.AuditEntry{skipped}, Sent: []grants.Sent{{Key: key, Token: token}}})
	})
}
