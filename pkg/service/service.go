// Package service holds the use cases, each written once: the JSON API, the
// pages and the event handlers decode their input, call one, and encode its
// result. A use case reads what it needs once (the agreement, the programme's
// settings), asks the domain (pkg/grants) for the change, and hands the store
// the change with its effects (history, outbox, replies, idempotent answer) to
// write in one transaction. It names no storage: Store is a port in domain
// terms, and pkg/dynamo implements it.
package service

import (
	"context"
	"log/slog"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/logs"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// Store is the storage the use cases need.
type Store interface {
	PayRuns
	// CreatePlanned stores a new agreement that plan makes from its
	// programme's settings, read with, given once, the request's answer
	// (then returned, nothing written, if it stands), and gives it a
	// unique reference.
	CreatePlanned(ctx context.Context, programme string, year int, now time.Time, once *idempotency.Once[*grants.Agreement],
		plan func(grants.ProgrammeSettings) (*grants.Agreement, grants.Effects, error)) (*grants.Agreement, *idempotency.Response, error)
	GetAgreement(ctx context.Context, id string) (*grants.Agreement, error)
	// UpdateAgreement applies change to the agreement and writes it with its
	// effects; with expectVersion > 0 the agreement must still be at it.
	UpdateAgreement(ctx context.Context, id string, expectVersion int, change func(*grants.Agreement) (grants.Effects, error)) (*grants.Agreement, error)
	// UpdateRead is UpdateAgreement starting from a copy just read
	// consistently, so the use case that read it does not read it again.
	UpdateRead(ctx context.Context, a *grants.Agreement, change func(*grants.Agreement) (grants.Effects, error)) (*grants.Agreement, error)
	// Apply writes effects that change no agreement.
	Apply(ctx context.Context, agreementID string, fx grants.Effects) error
	// Claim takes an outbox entry for one delivery until now+lease; false
	// when it is done or someone else holds it.
	Claim(ctx context.Context, agreementID, key, token string, now time.Time, lease time.Duration) (bool, error)
	// Release gives a claimed entry back after a failed delivery.
	Release(ctx context.Context, agreementID, key, token string, cause error) error
	Outbox(ctx context.Context, agreementID, key string) (*grants.OutboxEntry, error)
	// DueWork lists what automation has to do on or before today.
	DueWork(ctx context.Context, today grants.Date) ([]grants.Work, error)
	ListAgreements(ctx context.Context, programme string, status grants.AgreementStatus, cursor string, limit int) (grants.Page[grants.Agreement], error)
	History(ctx context.Context, id, cursor string, limit int) (grants.Page[grants.AuditEntry], error)
	ListInstalments(ctx context.Context, f grants.InstalmentFilter, cursor string, limit int) (grants.Page[grants.InstalmentRow], error)
	// Replies lists the replies to check-in n, or to every check-in when n is 0.
	Replies(ctx context.Context, agreementID string, n int) ([]grants.Reply, error)
	ListQuarantine(ctx context.Context, status string) ([]grants.Quarantined, error)
	GetQuarantined(ctx context.Context, id string) (*grants.Quarantined, error)
	ProgrammeSettings(ctx context.Context, programme string) (grants.ProgrammeSettings, error)
	// SettingsAndAnswer reads a programme's settings and, for req, its stored
	// answer, in one read; Answered reads the answer alone.
	SettingsAndAnswer(ctx context.Context, programme string, req *idempotency.Request, now time.Time) (grants.ProgrammeSettings, *idempotency.Response, error)
	Answered(ctx context.Context, req idempotency.Request, now time.Time) (*idempotency.Response, error)
	// TakeAutoMail takes a place in its day's limits for one automatic
	// email that inbound mail caused, or says why there is none.
	TakeAutoMail(ctx context.Context, m grants.AutoMail) (grants.Withheld, error)
	// HeldCounts counts the held messages pending, by programme ("" for
	// those naming none).
	HeldCounts(ctx context.Context) (map[string]int, error)
}

// Schedules keeps an agreement's EventBridge schedules in step with it and
// returns the agreement as it then stands (recording a schedule moves its
// version on).
type Schedules interface {
	Sync(ctx context.Context, a *grants.Agreement) (*grants.Agreement, error)
}

// ReplyAddresses makes the signed Reply-To address of a check-in.
type ReplyAddresses interface {
	Address(agreementID string, checkIn int, domain string) (string, error)
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

// Service is the use cases with their ports. A function builds it with the
// ports its use cases need; the others stay nil.
type Service struct {
	Store     Store
	Schedules Schedules // nil: schedules are left to the daily sweep
	// Letters, Replies and Events deliver the outbox's side effects; with
	// Letters nil they are left to the functions that deliver them.
	Letters     Letters
	Replies     ReplyAddresses
	Events      Events
	ReplyDomain string
	// OwnDomains are the deployment's own mail domains (the reply domain,
	// the sender's domain): no contact may be at one, as mail to it would
	// come back to the service rather than reach the partner.
	OwnDomains []string
	// Defaults apply where a programme has no settings of its own.
	Defaults grants.ProgrammeSettings
	Now      func() time.Time
	NewID    func() string
	// Location is the deployment's time zone, in which the sweep reads "today".
	Location *time.Location
	// Lease bounds how long one delivery holds a side effect before another may retry it.
	Lease time.Duration
	// Programmes are those whose finance the daily sweep sends the digest
	// of late instalments (the deployment's PROGRAMME_CODE).
	Programmes []string
	// AppURL is the staff web app's address ("https://…/app"), for links in
	// emails to staff; empty, they name the page instead.
	AppURL string
	// AutoMailCap is the most automatic emails inbound mail may cause in a
	// day (acknowledgements and reply notices; see automail.go), a share of
	// the account's SES daily quota (grants.AutoMailCap); 0 takes
	// grants.DefaultAutoMailCap.
	AutoMailCap int

	// CheckIns, when set, is where the sweep puts the check-ins it finds
	// due, for the CheckInSender to send at the account's rate; nil: the
	// sweep sends them itself.
	CheckIns CheckInQueue

	// Metrics, when set, counts what happened; nil counts nothing.
	Metrics Metrics

	// Directory is asked whether a person is still in finance before they
	// request or approve a payment or a pay run. Not optional: without it
	// those use cases refuse to run rather than trust the token alone.
	Directory Directory
}

func (s *Service) count(ctx context.Context, programme, name string, n int) {
	if s.Metrics != nil && n > 0 {
		s.Metrics.Count(ctx, programme, name, n)
	}
}

// countPaid counts instalments ns of a just paid, with how late each was.
func (s *Service) countPaid(ctx context.Context, a *grants.Agreement, ns ...int) {
	if s.Metrics == nil || a == nil {
		return
	}
	s.count(ctx, a.Programme, MetricPaymentsApproved, len(ns))
	for _, n := range ns {
		if in := a.Instalment(n); in != nil {
			s.Metrics.Observe(ctx, a.Programme, MetricDaysLate, in.DaysLate)
		}
	}
}

// countSent counts an email of kind k that went out about a.
func (s *Service) countSent(ctx context.Context, a *grants.Agreement, k outbox.Kind) {
	switch k {
	case outbox.KindCheckIn:
		s.count(ctx, a.Programme, MetricCheckInsSent, 1)
	case outbox.KindReminder:
		s.count(ctx, a.Programme, MetricRemindersSent, 1)
	}
}

// Held counts a message the reply receiver quarantined (it writes the
// message itself, with the delivery's once-only record, so a duplicate
// delivery never reaches here).
func (s *Service) Held(ctx context.Context, q grants.Quarantined) {
	s.count(logs.WithAgreement(ctx, q.AgreementID), q.Programme, MetricRepliesQuarantined, 1)
}

// settings reads a programme's settings over the defaults.
func (s *Service) settings(ctx context.Context, programme string) (grants.ProgrammeSettings, error) {
	p, err := s.Store.ProgrammeSettings(ctx, programme)
	return p.Defaults(s.Defaults), err
}

// logError logs a failure the sweep will retry. A side effect's outbox key
// goes in "key" (the template's metric filters read it: "paid-event#…" is an
// accounting event not yet delivered).
func logError(ctx context.Context, msg string, err error, agreementID string, attrs ...any) {
	slog.ErrorContext(ctx, msg, append([]any{"error", err.Error(), "agreementId", agreementID}, attrs...)...)
}
