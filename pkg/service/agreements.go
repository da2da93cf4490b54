package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/logs"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// CreateAgreement validates and stores a new draft agreement with its plans.
// With once (an Idempotency-Key) a request answered before gets that answer
// back (replay), and nothing is written.
func (s *Service) CreateAgreement(ctx context.Context, actor string, in grants.NewAgreementInput, once *idempotency.Once[*grants.Agreement]) (a *grants.Agreement, replay *idempotency.Response, err error) {
	now := s.Now()
	in.OwnDomains = s.OwnDomains
	// The settings and any answer are one read; the
	// programme's windows (check-in lead, final report) apply where the
	// officer gave none.
	a, replay, err = s.Store.CreatePlanned(ctx, in.Programme, grants.StartYear(in.StartDate), now, once,
		func(p grants.ProgrammeSettings) (*grants.Agreement, grants.Effects, error) {
			a, err := grants.NewAgreement(p.Defaults(s.Defaults).PlanDefaults(in), now, actor)
			if err != nil {
				return nil, grants.Effects{}, err
			}
			if o := p.Defaults(s.Defaults).Owner; a.Owner.IsZero() && !o.IsZero() {
				// The programme's named default officer owns an agreement
				// nobody was named for (without one, ProgrammeSettings.OwnerOf
				// falls back to the first officer address when an email is
				// written).
				a.Owner = o
			}
			a.ID = s.NewID()
			created := grants.AuditEntry{At: now.UTC(), Actor: actor, Action: "agreement.created",
				Detail: fmt.Sprintf("%s %s award in %d instalments", a.Money().Major(), a.Currency, a.InstalmentCount)}
			return a, grants.Effects{At: now, Audit: []grants.AuditEntry{created}}, nil
		})
	if err != nil && grants.ErrorCode(err) == "" {
		replay, err = answeredMeanwhile(ctx, s, once, err, now)
	}
	if err != nil || replay != nil {
		return nil, replay, err
	}
	return a, nil, nil
}

// answeredMeanwhile explains an idempotent change's failure: if the request
// has an answer now (a concurrent duplicate committed first, or this one
// committed and only its reply was lost), the answer is the replay.
func answeredMeanwhile[T any](ctx context.Context, s *Service, once *idempotency.Once[T], err error, now time.Time) (*idempotency.Response, error) {
	if once == nil || err == nil {
		return nil, err
	}
	if stored, aerr := s.Store.Answered(ctx, once.Request, now); aerr == nil && stored != nil {
		return stored, nil
	} else if errors.Is(aerr, idempotency.ErrPayloadMismatch) {
		return nil, aerr
	}
	return nil, err
}

// Agreement reads an agreement with its plans.
func (s *Service) Agreement(ctx context.Context, id string) (*grants.Agreement, error) {
	return s.Store.GetAgreement(ctx, id)
}

// Agreements lists a programme's agreements, optionally of one status.
func (s *Service) Agreements(ctx context.Context, programme string, status grants.AgreementStatus, cursor string, limit int) (grants.Page[grants.Agreement], error) {
	return s.Store.ListAgreements(ctx, programme, status, cursor, limit)
}

// History lists an agreement's audit entries, oldest first. Every agreement
// has at least the entry that created it, so an empty first page means there
// is no such agreement: one read, not two.
func (s *Service) History(ctx context.Context, id, cursor string, limit int) (grants.Page[grants.AuditEntry], error) {
	page, err := s.Store.History(ctx, id, cursor, limit)
	if err == nil && cursor == "" && len(page.Items) == 0 {
		return page, grants.Errorf(grants.NotFound, "Agreement %s does not exist.", id)
	}
	return page, err
}

// Amend changes contacts, terms, support or due dates of the agreement at
// version (the caller's If-Match).
func (s *Service) Amend(ctx context.Context, actor, id string, version int, m grants.Amendment) (*grants.Agreement, error) {
	ctx = logs.WithAgreement(ctx, id)
	now := s.Now()
	m.OwnDomains = s.OwnDomains
	a, err := s.Store.UpdateAgreement(ctx, id, version, func(a *grants.Agreement) (grants.Effects, error) {
		e, err := a.Amend(m, now, actor)
		return grants.Audited(e), err
	})
	if err != nil {
		return nil, err
	}
	return s.syncSchedules(ctx, a), nil
}

// Activate puts a draft agreement into effect with its programme's timing
// and creates its schedules. An agreement that started in the past does not
// catch up by email (see grants.ActivateWith): what activation did is on the
// agreement returned (Activation), the partner's one welcome and finance's
// notices of instalments already due are enqueued with the change, and sent
// now if it is a working day after the send time, else by the sweep.
func (s *Service) Activate(ctx context.Context, actor, id string) (*grants.Agreement, error) {
	ctx = logs.WithAgreement(ctx, id)
	now := s.Now()
	a, err := s.Store.GetAgreement(ctx, id)
	if err != nil {
		return nil, err
	}
	p, err := s.settings(ctx, a.Programme)
	if err != nil {
		return nil, err
	}
	var keys []outbox.Key
	a, err = s.Store.UpdateRead(ctx, a, func(a *grants.Agreement) (grants.Effects, error) {
		r, entries, err := a.ActivateWith(now, actor, p.Timing())
		if err != nil {
			return grants.Effects{}, err
		}
		keys = keys[:0]
		for _, n := range r.InstalmentsDue {
			keys = append(keys, outbox.DueNoticeKey(n))
		}
		if r.Welcome {
			keys = append(keys, outbox.WelcomeKey())
		}
		return grants.Effects{At: now, Audit: entries, Outbox: keys}, nil
	})
	if err != nil {
		return nil, err
	}
	sendNow := keys[:0:0]
	for _, k := range keys {
		if k.Kind != outbox.KindWelcome || a.Sendable(grants.Today(now, a.Location()), now) {
			sendNow = append(sendNow, k)
		}
	}
	s.deliver(ctx, a.ID, a, &p, sendNow...)
	synced := s.syncSchedules(ctx, a)
	if synced.Activation == nil {
		synced.Activation = a.Activation
	}
	return synced, nil
}

// Terminate ends an agreement early and deletes its schedules. The partner
// (in message, the officer's words for them) and finance are told: the two
// emails are enqueued with the change and delivered from the outbox.
func (s *Service) Terminate(ctx context.Context, actor, id, reason, message string) (*grants.Agreement, error) {
	ctx = logs.WithAgreement(ctx, id)
	now := s.Now()
	claim := s.claimFor(now, false)
	var keys []outbox.Key
	a, err := s.Store.UpdateAgreement(ctx, id, 0, func(a *grants.Agreement) (grants.Effects, error) {
		fx, err := a.TerminateAndTell(reason, message, now, actor)
		keys, fx.ClaimedBy = fx.Outbox, claim
		return fx, err
	})
	if err != nil {
		return nil, err
	}
	if len(keys) > 0 && s.Letters != nil {
		if p, err := s.settings(ctx, a.Programme); err != nil {
			logError(ctx, "read settings to tell of a termination; the sweep will retry", err, a.ID)
		} else {
			s.deliverClaimed(ctx, a, p, claim, nil, keys...)
		}
	}
	return s.syncSchedules(ctx, a), nil
}

// syncSchedules brings the agreement's schedules in step after a change and
// returns it as it then stands. A failure is logged, not returned: the
// change is committed and the daily sweep creates or deletes what is still
// out of step.
func (s *Service) syncSchedules(ctx context.Context, a *grants.Agreement) *grants.Agreement {
	if s.Schedules == nil {
		return a
	}
	synced, err := s.Schedules.Sync(ctx, a)
	if err == nil {
		return synced
	}
	logError(ctx, "schedule sync failed; the sweep will repair it", err, a.ID)
	// Some schedules may have been recorded before the failure.
	if fresh, err := s.Store.GetAgreement(ctx, a.ID); err == nil {
		return fresh
	}
	return a
}
