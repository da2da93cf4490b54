// Package service holds the use cases, each written once: the JSON API, the
// pages and the event handlers decode their input, call one, and encode its
// result. A use case reads what it needs once (the agreement, the programme's
// settings), asks the domain (pkg/grants) for the change, and hands the store
// the change with its effects (history, outbox, replies, idempotent answer) to
// write in one transaction.
//
// The use cases are split by capability, each built by its constructor with
// the ports it calls and no others, so a function wires only what it does:
//
//	Agreements  NewAgreements  drafting, amending, activating, ending agreements
//	Payments    NewPayments    instalments, payments and pay runs (finance)
//	Replies     NewReplies     check-ins' replies, conversations and held messages
//	Automation  NewAutomation  what schedules, SES events and the daily sweep do
//	Views       NewViews       the reads staff watch a programme by
//
// Each names no storage: its store is a small port in domain terms, and
// pkg/dynamo implements them all. A change's side effects are delivered
// right after it by a Courier, or left queued for the functions that deliver
// them (LeaveQueued): which one is chosen when the capability is built.
package service

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// Env is the plain settings every capability reads.
type Env struct {
	Now   func() time.Time
	NewID func() string
	// Location is the deployment's time zone, in which "today" is read (nil: UTC).
	Location *time.Location
	// Defaults apply where a programme has no settings of its own.
	Defaults grants.ProgrammeSettings
}

func (e Env) location() *time.Location {
	if e.Location != nil {
		return e.Location
	}
	return time.UTC
}

// Measured sets the lateness of a's unpaid instalments as of today in its
// time zone, for an answer; it returns a.
func (e Env) Measured(a *grants.Agreement) *grants.Agreement {
	if a != nil {
		a.MeasureLateness(grants.Today(e.Now(), a.Location()))
	}
	return a
}

// SettingsReader reads a programme's settings as stored.
type SettingsReader interface {
	ProgrammeSettings(ctx context.Context, programme string) (grants.ProgrammeSettings, error)
}

// settings reads a programme's settings over the defaults. A payment policy
// or check-in questions stored out of bounds (set by hand: the settings page
// comes later) read as the defaults (ProgrammeSettings.Defaults), so that
// check-ins and payments go on, and are logged here by field.
func (e Env) settings(ctx context.Context, r SettingsReader, programme string) (grants.ProgrammeSettings, error) {
	p, err := r.ProgrammeSettings(ctx, programme)
	if _, bad := p.CheckPolicyAndQuestions(); err == nil && bad != nil {
		slog.ErrorContext(ctx, "programme settings out of bounds; the defaults stand in", "programme", programme, "error", bad.Error())
	}
	return p.Defaults(e.Defaults), err
}

// AgreementWriter reads an agreement and writes a change to it with its
// effects.
type AgreementWriter interface {
	GetAgreement(ctx context.Context, id string) (*grants.Agreement, error)
	// UpdateAgreement applies change to the agreement and writes it with its
	// effects; with expectVersion > 0 the agreement must still be at it.
	UpdateAgreement(ctx context.Context, id string, expectVersion int, change func(*grants.Agreement) (grants.Effects, error)) (*grants.Agreement, error)
	// UpdateRead is UpdateAgreement starting from a copy just read
	// consistently, so the use case that read it does not read it again.
	UpdateRead(ctx context.Context, a *grants.Agreement, change func(*grants.Agreement) (grants.Effects, error)) (*grants.Agreement, error)
}

// EffectWriter writes effects that change no agreement.
type EffectWriter interface {
	Apply(ctx context.Context, agreementID string, fx grants.Effects) error
}

// Schedules keeps an agreement's EventBridge schedules in step with it and
// returns the agreement as it then stands (recording a schedule moves its
// version on).
type Schedules interface {
	Sync(ctx context.Context, a *grants.Agreement) (*grants.Agreement, error)
}

// NoSchedules keeps no schedules: for a function that creates none (the
// daily sweep creates what is missing) and for tests without a scheduler.
var NoSchedules Schedules = noSchedules{}

type noSchedules struct{}

func (noSchedules) Sync(_ context.Context, a *grants.Agreement) (*grants.Agreement, error) {
	return a, nil
}

// ReplyAddresses makes the signed Reply-To address of a check-in.
type ReplyAddresses interface {
	Address(agreementID string, checkIn int, domain string) (string, error)
}

// NoReplyAddresses signs none: a courier given it cannot send check-ins
// or reminders (only the functions that send them hold the reply-token key;
// pkg/app/senders CheckInMail).
var NoReplyAddresses ReplyAddresses = noReplyAddresses{}

type noReplyAddresses struct{}

func (noReplyAddresses) Address(string, int, string) (string, error) {
	return "", errNoReplyAddresses
}

// Metrics counts what happened, for the programme's graphs (pkg/metrics
// writes them as CloudWatch embedded-metric lines). The use cases count an
// event once, when it happened: after the write that records it, never on a
// duplicate delivery or a replayed request.
type Metrics interface {
	// Count adds n of the event name (Unit Count) in programme.
	Count(ctx context.Context, programme, name string, n int)
	// Observe records one value of name (Unit None) in programme.
	Observe(ctx context.Context, programme, name string, v int)
}

// NoMetrics counts nothing: for tests and tools that keep no graphs.
var NoMetrics Metrics = noMetrics{}

type noMetrics struct{}

func (noMetrics) Count(context.Context, string, string, int)   {}
func (noMetrics) Observe(context.Context, string, string, int) {}

// The metrics' names, as CloudWatch shows them (docs/operating.md, "Business metrics", says when
// each is counted).
const (
	MetricCheckInsSent       = "CheckInsSent"
	MetricRemindersSent      = "RemindersSent"
	MetricRepliesReceived    = "RepliesReceived"
	MetricRepliesQuarantined = "RepliesQuarantined"
	MetricPaymentsRequested  = "PaymentsRequested"
	MetricPaymentsApproved   = "PaymentsApproved"
	MetricBounces            = "Bounces"
	MetricDaysLate           = "DaysLate"
)

func count(ctx context.Context, m Metrics, programme, name string, n int) {
	if n > 0 {
		m.Count(ctx, programme, name, n)
	}
}

// countPaid counts instalments ns of a just paid, with how late each was
// with finance (the on-time rate's figure: days waiting on the partner's
// check-in are not finance's).
func countPaid(ctx context.Context, m Metrics, a *grants.Agreement, ns ...int) {
	if a == nil {
		return
	}
	count(ctx, m, a.Programme, MetricPaymentsApproved, len(ns))
	for _, n := range ns {
		if in := a.Instalment(n); in != nil {
			m.Observe(ctx, a.Programme, MetricDaysLate, in.PaidDaysWithFinance())
		}
	}
}

// countSent counts an email of kind k that went out about a.
func countSent(ctx context.Context, m Metrics, a *grants.Agreement, k outbox.Kind) {
	switch k {
	case outbox.KindCheckIn:
		count(ctx, m, a.Programme, MetricCheckInsSent, 1)
	case outbox.KindReminder:
		count(ctx, m, a.Programme, MetricRemindersSent, 1)
	}
}

// Directory is the user pool as it stands now. A token names the groups
// its holder was in when it was issued, up to 10 hours ago; the use cases
// that move money ask the pool instead, so a person taken out of finance
// cannot pay with the token they still hold.
type Directory interface {
	// StillIn reports whether the person a is (a.ID, not the groups a's
	// token names) is in role's group now.
	StillIn(ctx context.Context, a grants.Actor, role grants.Role) (bool, error)
}

// Events publishes events for other systems (accounting) and returns the
// event's ID.
type Events interface {
	InstalmentPaid(ctx context.Context, e InstalmentPaidEvent) (string, error)
}

// NoEvents publishes nothing: a courier given it leaves the accounting
// events to one on the bus (the sweep's), for a function that does not
// publish on it.
var NoEvents Events = noEvents{}

type noEvents struct{}

func (noEvents) InstalmentPaid(context.Context, InstalmentPaidEvent) (string, error) {
	return "", errNoEvents
}

// logError logs a failure the sweep will retry. A side effect's outbox key
// goes in "key" (the template's metric filters read it: "paid-event#…" is an
// accounting event not yet delivered).
func logError(ctx context.Context, msg string, err error, agreementID string, attrs ...any) {
	slog.ErrorContext(ctx, msg, append([]any{"error", err.Error(), "agreementId", agreementID}, attrs...)...)
}

var (
	errNoReplyAddresses = errors.New("this function signs no reply addresses")
	errNoEvents         = errors.New("this function has no accounting bus")
)

// thanked adds the partner's thank-you to a change's side effects when the
// change completed the agreement (grants.CompleteIfDone): an agreement
// completes once, and the key is enqueued once, so the thanks go once.
func thanked(before grants.AgreementStatus, a *grants.Agreement, keys []outbox.Key) []outbox.Key {
	if before != grants.AgreementCompleted && a.Status == grants.AgreementCompleted {
		return append(keys, outbox.ThankYouKey())
	}
	return keys
}

// answerReader reads an idempotent request's stored answer.
type answerReader interface {
	Answered(ctx context.Context, req idempotency.Request, now time.Time) (*idempotency.Response, error)
}

// answeredMeanwhile explains an idempotent change's failure: if the request
// has an answer now (a concurrent duplicate committed first, or this one
// committed and only its reply was lost), the answer is the replay.
func answeredMeanwhile[T any](ctx context.Context, s answerReader, once *idempotency.Once[T], err error, now time.Time) (*idempotency.Response, error) {
	if once == nil || err == nil {
		return nil, err
	}
	if stored, aerr := s.Answered(ctx, once.Request, now); aerr == nil && stored != nil {
		return stored, nil
	} else if errors.Is(aerr, idempotency.ErrPayloadMismatch) {
		return nil, aerr
	}
	return nil, err
}

// agreementReader reads an agreement and its programme's settings.
type agreementReader interface {
	GetAgreement(ctx context.Context, id string) (*grants.Agreement, error)
	SettingsReader
}

// agreementAndSettings reads an agreement (consistently, for a change) and
// its programme's settings: once each.
func (e Env) agreementAndSettings(ctx context.Context, r agreementReader, id string) (*grants.Agreement, grants.ProgrammeSettings, error) {
	a, err := r.GetAgreement(ctx, id)
	if err != nil {
		return nil, grants.ProgrammeSettings{}, err
	}
	p, err := e.settings(ctx, r, a.Programme)
	return a, p, err
}
