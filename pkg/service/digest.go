package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// What finance is told besides each instalment falling due (the due
// notice) and an instalment that waited for a check-in becoming payable
// (nowPayable, in replies.go): as often as the programme chooses (daily by
// default, weekly on a weekday, or never), which instalments are late
// beyond the programme's on-time setting. Daily is when it changes: on a
// working day when an instalment has become late, and once a week while
// the list stands (grants.DigestFrequency.DigestWorth).

// LateDigest emails the programme's finance addresses the instalments late
// today beyond its on-time setting, in one email: on the programme's digest
// day (each working day, or its weekday's; grants.DigestFrequency), once
// its send time has come in its time zone, once a day or week however
// often or concurrently the sweep runs (the day's outbox key in the
// programme's finance partition is claimed first; a weekly digest's key is
// its weekday's date), and not at all when nothing is late or the
// programme turned it off. It reports whether an email went.
func (x *Automation) LateDigest(ctx context.Context, programme string) (bool, error) {
	sent, _, err := x.lateDigestNow(ctx, programme)
	return sent, err
}

// lateDigestNow is LateDigest, and when the digest is due today but its
// send time has not come, that time (for SweepReport.Next).
func (x *Automation) lateDigestNow(ctx context.Context, programme string) (bool, time.Time, error) {
	p, err := x.env.settings(ctx, x.store, programme)
	if err != nil {
		return false, time.Time{}, err
	}
	now, loc, t := x.env.Now(), p.Location(x.env.location()), p.Timing()
	today := grants.Today(now, loc)
	day, due := p.LateDigest.Or(grants.DigestDaily).DigestDue(t, today)
	if !due {
		return false, time.Time{}, nil
	}
	if at := t.SendAt(today, loc); now.Before(at) {
		return false, at, nil
	}
	sent, err := x.lateDigest(ctx, programme, outbox.LateDigestKey(day.String()).String(), &p)
	return sent, time.Time{}, err
}

// deliverFinance performs a side effect of a programme's finance partition
// (a digest the sweep found left pending).
func (x *Automation) deliverFinance(ctx context.Context, programme, key string) error {
	k, err := outbox.ParseKey(key)
	if err != nil || k.Kind != outbox.KindLateDigest {
		return fmt.Errorf("no finance delivery for outbox key %q", key)
	}
	_, err = x.lateDigest(ctx, programme, key, nil)
	return err
}

// lateDigest claims the digest under key and sends it (p: the programme's
// settings, nil to read them). A digest left pending stands while its day
// or week does (DigestOf), and not once the programme turned it off.
func (x *Automation) lateDigest(ctx context.Context, programme, key string, p *grants.ProgrammeSettings) (bool, error) {
	if p == nil {
		settings, err := x.env.settings(ctx, x.store, programme)
		if err != nil {
			return false, err
		}
		p = &settings
	}
	freq := p.LateDigest.Or(grants.DigestDaily)
	current := func(today grants.Date) string {
		day, ok := freq.DigestOf(today)
		if !ok {
			return ""
		}
		return outbox.LateDigestKey(day.String()).String()
	}
	return x.dailyDigest(ctx, outbox.FinancePartition(programme), key, p.Location(x.env.location()), current, "finance", func(today grants.Date, now time.Time) (*Letter, error) {
		late, err := lateRows(ctx, x.store, *p, programme, today)
		if err != nil || !worthDigest(freq, *p, today, late) {
			return nil, err
		}
		return &Letter{Kind: outbox.KindLateDigest, To: p.FinanceEmails, Programme: p.Name, Date: now,
			Late: late, OnTimeDays: p.OnTimeDays(), Day: today, AppURL: x.courier.opts.AppURL, SenderName: p.SenderName}, nil
	})
}

// worthDigest reports whether the late list is worth a digest today
// (grants.DigestFrequency.DigestWorth): daily, only when something became
// late since the working day before, or on the week's first working day.
func worthDigest(freq grants.DigestFrequency, p grants.ProgrammeSettings, today grants.Date, late []grants.InstalmentRow) bool {
	payable := make([]grants.Date, len(late))
	for i, r := range late {
		payable[i] = r.PayableFrom()
	}
	return freq.DigestWorth(p.Timing(), today, p.OnTimeDays(), payable)
}

// dailyDigest claims the digest under key and sends the letter compose
// makes of today (in loc); nil is nothing to tell, and closes the digest
// unsent. A digest that is not current (the key current gives today; ""
// for none) is closed unsent too: today's says what stands now. who says
// whose address a letter with no recipient lacked.
func (x *Automation) dailyDigest(ctx context.Context, partition, key string, loc *time.Location, current func(today grants.Date) string, who string,
	compose func(today grants.Date, now time.Time) (*Letter, error),
) (bool, error) {
	now, token := x.env.Now(), newToken()
	claimed, err := x.store.Claim(ctx, partition, key, token, now, x.courier.lease())
	if err != nil || !claimed {
		return false, err
	}
	done := func(fx grants.Effects, messageID string) error {
		fx.At, fx.Sent = now, []grants.Sent{{Key: key, Token: token, MessageID: messageID}}
		return x.courier.recordDone(ctx, partition, key, messageID, func(ctx context.Context) error { return x.store.Apply(ctx, partition, fx) })
	}
	today := grants.Today(now, loc)
	if key != current(today) {
		return false, done(grants.Effects{}, "")
	}
	letter, err := compose(today, now)
	if err != nil {
		return false, x.courier.release(ctx, partition, key, token, err)
	}
	if letter == nil {
		return false, done(grants.Effects{}, "")
	}
	posted, err := x.courier.letters.Post(ctx, *letter)
	if errors.Is(err, grants.ErrNoRecipients) {
		slog.WarnContext(ctx, "digest has no "+who+" address", "key", key)
		return false, done(grants.Audited(grants.AuditEntry{At: now.UTC(), Actor: grants.System, Action: "email.skipped", Subject: key, Detail: "no " + who + " address"}), "")
	}
	if err != nil {
		return false, x.courier.release(ctx, partition, key, token, fmt.Errorf("send %s: %w", key, err))
	}
	return true, done(grants.Audited(x.courier.sentEntry(key, posted)), posted.MessageID)
}
