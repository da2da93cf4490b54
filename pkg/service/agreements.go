package service

import (
	"context"
	"fmt"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/logs"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// AgreementStore is the storage of agreements as officers draft and run
// them.
type AgreementStore interface {
	AgreementWriter
	SettingsReader
	answerReader
	// CreatePlanned stores a new agreement that plan makes from its
	// programme's settings, read with, given once, the request's answer
	// (then returned, nothing written, if it stands), and gives it a
	// unique reference.
	// PartnerReader reads the partner record a new agreement starts from
	// (partners.go).
	PartnerReader
	CreatePlanned(ctx context.Context, programme string, year int, now time.Time, once *idempotency.Once[*grants.Agreement],
		plan func(grants.ProgrammeSettings) (*grants.Agreement, grants.Effects, error)) (*grants.Agreement, *idempotency.Response, error)
	ListAgreements(ctx context.Context, programme string, status grants.AgreementStatus, cursor string, limit int) (grants.Page[grants.Agreement], error)
	History(ctx context.Context, id, cursor string, limit int) (grants.Page[grants.AuditEntry], error)
	// Finder searches the list (issue 26, item 1; find.go).
	Finder
	// DeleteDraft deletes a draft with all it wrote (drafts.go).
	DeleteDraft(ctx context.Context, id string) error
}

// AgreementOptions are the agreements' plain settings.
type AgreementOptions struct {
	// OwnDomains are the deployment's own mail domains (the reply domain,
	// the sender's domain): no contact may be at one, as mail to it would
	// come back to the service rather than reach the partner.
	OwnDomains []string
}

// Agreements are the use cases of an agreement's life: drafted, amended,
// activated, completed or ended early. Each change brings its schedules in
// step (schedules; NoSchedules leaves them to the sweep) and hands what it
// queued (the welcome, the thanks, the notices of an ending) to delivery.
type Agreements struct {
	store     AgreementStore
	delivery  Delivery
	schedules Schedules
	env       Env
	opts      AgreementOptions
}

// NewAgreements builds the agreements' use cases.
func NewAgreements(store AgreementStore, delivery Delivery, schedules Schedules, env Env, opts AgreementOptions) *Agreements {
	return &Agreements{store: store, delivery: delivery, schedules: schedules, env: env, opts: opts}
}

// Measured sets a's lateness as of today (Env.Measured).
func (x *Agreements) Measured(a *grants.Agreement) *grants.Agreement { return x.env.Measured(a) }

// CreateAgreement validates and stores a new draft agreement with its plans.
// With once (an Idempotency-Key) a request answered before gets that answer
// back (replay), and nothing is written.
func (x *Agreements) CreateAgreement(ctx context.Context, actor string, in grants.NewAgreementInput, once *idempotency.Once[*grants.Agreement]) (a *grants.Agreement, replay *idempotency.Response, err error) {
	now := x.env.Now()
	in.OwnDomains = x.opts.OwnDomains
	// The partner record it belongs to: read first, linked (or made) in
	// the same write as the agreement (partners.go).
	link, err := agreementPartner(ctx, x.store, x.env, &in, actor)
	if err != nil {
		return nil, nil, err
	}
	// The settings and any answer are one read; the
	// programme's windows (check-in lead, final report) apply where the
	// officer gave none.
	a, replay, err = x.store.CreatePlanned(ctx, in.Programme, grants.StartYear(in.StartDate), now, once,
		func(p grants.ProgrammeSettings) (*grants.Agreement, grants.Effects, error) {
			if p.ProgrammeArchived {
				// Issue 25, item 2: read with the settings, in the same read.
				return nil, grants.Effects{}, programmeArchived(in.Programme)
			}
			a, err := grants.NewAgreement(p.Defaults(x.env.Defaults).PlanDefaults(in), now, actor)
			if err != nil {
				return nil, grants.Effects{}, err
			}
			if o := p.Defaults(x.env.Defaults).Owner; a.Owner.IsZero() && !o.IsZero() {
				// The programme's named default officer owns an agreement
				// nobody was named for (without one, ProgrammeSettings.OwnerOf
				// falls back to the first officer address when an email is
				// written).
				a.Owner = o
			}
			a.ID = x.env.NewID()
			created := grants.AuditEntry{At: now.UTC(), Actor: actor, Action: "agreement.created",
				Detail: fmt.Sprintf("%s award in %d instalments", a.Money().Display(), a.InstalmentCount)}
			fx := grants.Effects{At: now, Audit: []grants.AuditEntry{created}}
			if link != nil {
				l := *link
				a.PartnerID, l.AgreementID, l.CreatedAt = l.PartnerID, a.ID, a.CreatedAt
				fx.PartnerLinks = []grants.PartnerLink{l}
			}
			return a, fx, nil
		})
	if newPartnerTaken(link, err) {
		// Another creator made this registered partner's record meanwhile:
		// link to it instead (partners.go).
		return x.CreateAgreement(ctx, actor, in, once)
	}
	if err != nil && grants.ErrorCode(err) == "" {
		replay, err = answeredMeanwhile(ctx, x.store, once, err, now)
	}
	if err != nil || replay != nil {
		return nil, replay, err
	}
	return a, nil, nil
}

// Agreement reads an agreement with its plans.
func (x *Agreements) Agreement(ctx context.Context, id string) (*grants.Agreement, error) {
	return x.store.GetAgreement(ctx, id)
}

// Agreements lists a programme's agreements, optionally of one status.
func (x *Agreements) Agreements(ctx context.Context, programme string, status grants.AgreementStatus, cursor string, limit int) (grants.Page[grants.Agreement], error) {
	return x.store.ListAgreements(ctx, programme, status, cursor, limit)
}

// History lists an agreement's audit entries, oldest first, as actor may
// read them (grants.HistoryReadBy). Every agreement has at least the entry
// that created it, so an empty first page means there is no such
// agreement: one read, not two.
func (x *Agreements) History(ctx context.Context, actor grants.Actor, id, cursor string, limit int) (grants.Page[grants.AuditEntry], error) {
	page, err := x.store.History(ctx, id, cursor, limit)
	if err == nil && cursor == "" && len(page.Items) == 0 {
		return page, grants.Errorf(grants.NotFound, "Agreement %s does not exist.", id)
	}
	page.Items = grants.HistoryReadBy(page.Items, actor)
	return page, err
}

// Amend changes contacts, terms, support or due dates of the agreement at
// version (the caller's If-Match).
func (x *Agreements) Amend(ctx context.Context, actor, id string, version int, m grants.Amendment) (*grants.Agreement, error) {
	ctx = logs.WithAgreement(ctx, id)
	now := x.env.Now()
	m.OwnDomains = x.opts.OwnDomains
	// A change to an active agreement's terms, support, amounts or dates
	// is proposed to the partner, whose email goes at the send time.
	a, err := x.store.UpdateAgreement(ctx, id, version, func(a *grants.Agreement) (grants.Effects, error) {
		return a.AmendAndPropose(m, now, actor)
	})
	if err != nil {
		return nil, err
	}
	return x.syncSchedules(ctx, a), nil
}

// Activate puts a draft agreement into effect with its programme's timing
// and creates its schedules. An agreement that started in the past does not
// catch up by email (see grants.ActivateWith): what activation did is on the
// agreement returned (Activation), the partner's one welcome and finance's
// notices of instalments already due are enqueued with the change, and sent
// now if it is a working day after the send time, else by the sweep.
func (x *Agreements) Activate(ctx context.Context, actor, id string) (*grants.Agreement, error) {
	ctx = logs.WithAgreement(ctx, id)
	now := x.env.Now()
	a, err := x.store.GetAgreement(ctx, id)
	if err != nil {
		return nil, err
	}
	p, err := x.env.settings(ctx, x.store, a.Programme)
	if err != nil {
		return nil, err
	}
	var keys []outbox.Key
	a, err = x.store.UpdateRead(ctx, a, func(a *grants.Agreement) (grants.Effects, error) {
		r, entries, agreement, err := a.ActivateForAcceptance(now, actor, p.Timing(), p.FirstInstalmentAwaitsAcceptance)
		if err != nil {
			return grants.Effects{}, err
		}
		keys = append(keys[:0], agreement)
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
		// The agreement itself goes from the sweep, which signs its reply
		// address, at the send time.
		if k.Kind == outbox.KindAgreement {
			continue
		}
		if k.Kind != outbox.KindWelcome || a.Sendable(grants.Today(now, a.Location()), now) {
			sendNow = append(sendNow, k)
		}
	}
	x.delivery.deliverChange(ctx, a, &p, nil, nil, sendNow...)
	synced := x.syncSchedules(ctx, a)
	if synced.Activation == nil {
		synced.Activation = a.Activation
	}
	return synced, nil
}

// Terminate ends an agreement early and deletes its schedules. The partner
// (in message, the officer's words for them) and finance are told: the two
// emails are enqueued with the change and delivered from the outbox.
func (x *Agreements) Terminate(ctx context.Context, actor, id, reason, message string) (*grants.Agreement, error) {
	ctx = logs.WithAgreement(ctx, id)
	now := x.env.Now()
	claim := x.delivery.claim(now, false)
	var keys []outbox.Key
	a, err := x.store.UpdateAgreement(ctx, id, 0, func(a *grants.Agreement) (grants.Effects, error) {
		fx, err := a.TerminateAndTell(reason, message, now, actor)
		keys, fx.ClaimedBy = fx.Outbox, claim
		return fx, err
	})
	if err != nil {
		return nil, err
	}
	if len(keys) > 0 && claim != nil {
		if p, err := x.env.settings(ctx, x.store, a.Programme); err != nil {
			logError(ctx, "read settings to tell of a termination; the sweep will retry", err, a.ID)
		} else {
			x.delivery.deliverChange(ctx, a, &p, claim, nil, keys...)
		}
	}
	return x.syncSchedules(ctx, a), nil
}

// syncSchedules brings the agreement's schedules in step after a change and
// returns it as it then stands. A failure is logged, not returned: the
// change is committed and the daily sweep creates or deletes what is still
// out of step.
func (x *Agreements) syncSchedules(ctx context.Context, a *grants.Agreement) *grants.Agreement {
	synced, err := x.schedules.Sync(ctx, a)
	if err == nil {
		return synced
	}
	logError(ctx, "schedule sync failed; the sweep will repair it", err, a.ID)
	// Some schedules may have been recorded before the failure.
	if fresh, err := x.store.GetAgreement(ctx, a.ID); err == nil {
		return fresh
	}
	return a
}

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

// Complete closes an agreement (see grants.Complete): one that is ready at
// any time, one that is not from its end date with a reason, its unpaid
// instalments cancelled and open check-ins closed. The partner's thank-you
// is enqueued with the change and sent now if this function sends mail and
// it is a working day after the send time, else by the sweep at the next
// send time (the AgreementsFunction has no mail sender, as for activation's
// welcome). Its schedules are deleted.
// message is the officer's words for the partner in the thank-you
// (optional); the reason is internal and never sent.
func (x *Agreements) Complete(ctx context.Context, actor, id, reason string, message *string) (*grants.Agreement, error) {
	ctx = logs.WithAgreement(ctx, id)
	now := x.env.Now()
	a, err := x.store.UpdateAgreement(ctx, id, 0, func(a *grants.Agreement) (grants.Effects, error) {
		entries, err := a.CompleteAndTell(reason, message, now, actor)
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
