package service_test

import (
	"context"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/service"
)

// stores is every capability's store: pkg/dynamo's, or a test's stand-in.
type stores interface {
	service.AgreementStore
	service.PaymentStore
	service.ReplyStore
	service.AutomationStore
	service.CourierStore
}

// uses is the use cases as a test wires them: ports and settings, from
// which each call builds the capability it calls, so a test may change one
// first. An absent port is wired as the function that lacks it is: no mail
// leaves side effects queued, and no bus, signer, scheduler or metrics is
// service's No… value.
type uses struct {
	Store       stores
	Letters     service.Letters
	Replies     service.ReplyAddresses
	Schedules   service.Schedules
	Events      service.Events
	Metrics     service.Metrics
	CheckIns    service.CheckInQueue
	Directory   service.Directory
	ReplyDomain string
	OwnDomains  []string
	Programmes  []string
	Defaults    grants.ProgrammeSettings
	Now         func() time.Time
	NewID       func() string
	Location    *time.Location
	Lease       time.Duration
	AutoMailCap int
	AppURL      string
}

func (u *uses) env() service.Env {
	return service.Env{Now: u.Now, NewID: u.NewID, Location: u.Location, Defaults: u.Defaults}
}

func (u *uses) metrics() service.Metrics {
	if u.Metrics == nil {
		return service.NoMetrics
	}
	return u.Metrics
}

func (u *uses) schedules() service.Schedules {
	if u.Schedules == nil {
		return service.NoSchedules
	}
	return u.Schedules
}

func (u *uses) courier() *service.Courier {
	events, replies := u.Events, u.Replies
	if events == nil {
		events = service.NoEvents
	}
	if replies == nil {
		replies = service.NoReplyAddresses
	}
	return service.NewCourier(u.Store, u.Letters, events, replies, u.metrics(), u.env(),
		service.CourierOptions{ReplyDomain: u.ReplyDomain, Lease: u.Lease, AppURL: u.AppURL, AutoMailCap: u.AutoMailCap, EnquiryAddress: enquiryAddress})
}

func (u *uses) delivery() service.Delivery {
	if u.Letters == nil {
		return service.LeaveQueued
	}
	return u.courier()
}

func (u *uses) agreements() *service.Agreements {
	return service.NewAgreements(u.Store, u.delivery(), u.schedules(), u.env(), service.AgreementOptions{OwnDomains: u.OwnDomains})
}

func (u *uses) payments() *service.Payments {
	return service.NewPayments(u.Store, u.delivery(), u.Directory, u.metrics(), u.env())
}

func (u *uses) automation() *service.Automation {
	opts := service.AutomationOptions{Programmes: u.Programmes}
	if u.CheckIns != nil {
		return service.NewQueueingAutomation(u.Store, u.courier(), u.schedules(), u.CheckIns, u.metrics(), u.env(), opts)
	}
	return service.NewAutomation(u.Store, u.courier(), u.schedules(), u.metrics(), u.env(), opts)
}

func (u *uses) Measured(a *grants.Agreement) *grants.Agreement { return u.env().Measured(a) }

func (u *uses) CreateAgreement(ctx context.Context, actor string, in grants.NewAgreementInput, once *idempotency.Once[*grants.Agreement]) (*grants.Agreement, *idempotency.Response, error) {
	return u.agreements().CreateAgreement(ctx, actor, in, once)
}

func (u *uses) Amend(ctx context.Context, actor, id string, version int, m grants.Amendment) (*grants.Agreement, error) {
	return u.agreements().Amend(ctx, actor, id, version, m)
}

func (u *uses) Instalments(ctx context.Context, f grants.InstalmentFilter, cursor string, limit int) (grants.Page[grants.InstalmentRow], error) {
	return u.payments().Instalments(ctx, f, cursor, limit)
}

func (u *uses) RequestPayment(ctx context.Context, by grants.Actor, id string, n int, req grants.PaymentRequest, once *idempotency.Once[*grants.Agreement]) (*grants.Agreement, *idempotency.Response, error) {
	return u.payments().RequestPayment(ctx, by, id, n, req, once)
}

func (u *uses) ApprovePayment(ctx context.Context, by grants.Actor, id string, n int, paymentID string) (*grants.Agreement, error) {
	return u.payments().ApprovePayment(ctx, by, id, n, paymentID)
}

func (u *uses) RequestPayRun(ctx context.Context, by grants.Actor, req grants.PayRunRequest, once *idempotency.Once[*grants.PayRun]) (*grants.PayRun, *idempotency.Response, error) {
	return u.payments().RequestPayRun(ctx, by, req, once)
}

func (u *uses) ApprovePayRun(ctx context.Context, by grants.Actor, id string) (*grants.PayRun, error) {
	return u.payments().ApprovePayRun(ctx, by, id)
}

func (u *uses) InstalmentDue(ctx context.Context, agreementID string, n int) error {
	return u.automation().InstalmentDue(ctx, agreementID, n)
}

func (u *uses) SendCheckIn(ctx context.Context, agreementID string, n int) error {
	return u.automation().SendCheckIn(ctx, agreementID, n)
}

func (u *uses) Remind(ctx context.Context, agreementID string, n int) error {
	return u.automation().Remind(ctx, agreementID, n)
}

func (u *uses) RecordSESEvent(ctx context.Context, e service.SESEvent) error {
	return u.automation().RecordSESEvent(ctx, e)
}

func (u *uses) Sweep(ctx context.Context) (service.SweepReport, error) {
	return u.automation().Sweep(ctx)
}

func (u *uses) LateDigest(ctx context.Context, programme string) (bool, error) {
	return u.automation().LateDigest(ctx, programme)
}
