package service

// Automation: what nobody should have to remember. Instalments fall due on
// their dates, check-ins and reminders go to partners, officers hear about
// overdue check-ins and bouncing addresses, and the daily sweep repairs
// whatever a lost or duplicated event left behind. Every side effect goes
// through the store's outbox, so it happens once however often an event is
// delivered.

import (
	"context"
	"log/slog"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/logs"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// AutomationStore is what automation reads and writes besides its
// courier's: the agreements it changes, the work due by a day (the
// next-action index), the instalments late, the messages held, and the
// daily digests' outbox entries.
type AutomationStore interface {
	AgreementWriter
	SettingsReader
	EffectWriter
	LateReader
	// Claim takes an outbox entry for one delivery until now+lease; false
	// when it is done or someone else holds it.
	Claim(ctx context.Context, agreementID, key, token string, now time.Time, lease time.Duration) (bool, error)
	// DueWork lists what automation has to do on or before today.
	DueWork(ctx context.Context, today grants.Date) ([]grants.Work, error)
	// HeldCounts counts the held messages pending, by programme ("" for
	// those naming none).
	HeldCounts(ctx context.Context) (map[string]int, error)
	// ProgrammeLister lists the programmes an administrator created: the
	// daily sweep goes over every one not archived (issue 25, item 2).
	ProgrammeLister
}

// AutomationOptions are automation's plain settings.
type AutomationOptions struct {
	// Programmes are those whose finance the daily sweep sends the digest
	// of late instalments (the deployment's PROGRAMME_CODE), with every
	// programme created and not archived (the store's).
	Programmes []string
}

// Automation is the handlers of schedules and SES events, and the daily
// sweep. Its courier delivers what they queue; schedules are repaired by
// the sweep (NoSchedules: none are).
type Automation struct {
	store     AutomationStore
	courier   *Courier
	schedules Schedules
	// queue takes the check-ins the sweep finds due (NewQueueingAutomation);
	// without one the sweep sends them itself.
	queue   CheckInQueue
	metrics Metrics
	env     Env
	opts    AutomationOptions
}

// NewAutomation builds the automation whose sweep sends the check-ins it
// finds due itself.
func NewAutomation(store AutomationStore, courier *Courier, schedules Schedules, metrics Metrics, env Env, opts AutomationOptions) *Automation {
	return &Automation{store: store, courier: courier, schedules: schedules, metrics: metrics, env: env, opts: opts}
}

// SendsCheckIns reports whether this automation can send check-ins and
// reminders: its courier signs their Reply-To addresses.
func (x *Automation) SendsCheckIns() bool {
	_, none := x.courier.replies.(noReplyAddresses)
	return !none
}

// NewQueueingAutomation is NewAutomation whose sweep puts the check-ins it
// finds due on queue, for the CheckInSender to send at the account's rate
// (through SendCheckIn).
func NewQueueingAutomation(store AutomationStore, courier *Courier, schedules Schedules, queue CheckInQueue, metrics Metrics, env Env, opts AutomationOptions) *Automation {
	x := NewAutomation(store, courier, schedules, metrics, env, opts)
	x.queue = queue
	return x
}

// InstalmentDue handles an instalment's schedule: the instalment becomes due
// (once, however often the event comes) and finance is told.
func (x *Automation) InstalmentDue(ctx context.Context, agreementID string, n int) error {
	ctx = logs.WithAgreement(ctx, agreementID)
	now := x.env.Now()
	var changed bool
	_, err := x.store.UpdateAgreement(ctx, agreementID, 0, func(a *grants.Agreement) (grants.Effects, error) {
		e, ok, err := a.MakeInstalmentDue(n, now)
		if err != nil {
			return grants.Effects{}, err
		}
		if !ok {
			return grants.Effects{}, grants.ErrNoChange
		}
		changed = true
		return grants.Effects{At: now, Audit: []grants.AuditEntry{e}, Outbox: []outbox.Key{outbox.DueNoticeKey(n)}}, nil
	})
	if err != nil {
		return err
	}
	if !changed {
		// A duplicate, or the instalment was held or cancelled: nothing to
		// tell finance. (A notice left pending by a crash is the sweep's.)
		slog.InfoContext(ctx, "instalment not scheduled; nothing to do", "agreementId", agreementID, "instalment", n)
		return nil
	}
	return x.Deliver(ctx, agreementID, outbox.DueNoticeKey(n).String())
}

// SendCheckIn handles a check-in's schedule: the email goes out once, and
// the check-in moves to sent with its SES message ID in the same write that
// completes the claim.
func (x *Automation) SendCheckIn(ctx context.Context, agreementID string, n int) error {
	ctx = logs.WithAgreement(ctx, agreementID)
	a, err := x.store.GetAgreement(ctx, agreementID)
	if err != nil {
		return err
	}
	c := a.CheckIn(n)
	if c == nil {
		return grants.Errorf(grants.NotFound, "agreement %s has no check-in %d", agreementID, n)
	}
	if a.Status != grants.AgreementActive || c.Status != grants.CheckInScheduled {
		slog.InfoContext(ctx, "check-in not scheduled; nothing to send", "agreementId", agreementID, "checkIn", n, "status", c.Status)
		return nil
	}
	return x.courier.deliverOne(ctx, agreementID, outbox.CheckInKey(n).String(), a, nil)
}

// Deliver performs the side effect under an outbox key, once: it claims the
// key, sends the email or publishes the event, and records it done with an
// audit entry (and, for a check-in, the check-in's move to sent). The
// finance and inbound partitions' keys are the daily digests'.
func (x *Automation) Deliver(ctx context.Context, agreementID, key string) error {
	if programme, ok := outbox.IsFinancePartition(agreementID); ok {
		return x.deliverFinance(ctx, programme, key)
	}
	if agreementID == outbox.InboundPartition {
		return x.deliverInbound(ctx, key)
	}
	return x.courier.Deliver(ctx, agreementID, key)
}
