// Package automation does what nobody should have to remember: instalments
// fall due on their dates, check-ins and reminders go to partners, officers
// hear about overdue check-ins and bouncing addresses, and the daily sweep
// repairs whatever a lost or duplicated event left behind. Every side effect
// goes through the store's outbox, so it happens once however often an
// event is delivered.
package automation

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/partnership-grants/backend/pkg/dynamo"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/mailer"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// Mailer sends one email and returns its SES message ID.
type Mailer interface {
	Send(ctx context.Context, e mailer.Email) (string, error)
}

// ReplyAddresses makes the signed Reply-To address of a check-in.
type ReplyAddresses interface {
	Address(agreementID string, checkIn int, domain string) (string, error)
}

// Events publishes events for other systems (accounting) and returns the
// event's ID.
type Events interface {
	InstalmentPaid(ctx context.Context, e InstalmentPaidEvent) (string, error)
}

// InstalmentPaidEvent is the detail of the InstalmentPaid event on the
// accounting bus. ID is stable per instalment, so a consumer can drop a
// duplicate delivery.
type InstalmentPaidEvent struct {
	ID               string      `json:"id"`
	AgreementID      string      `json:"agreementId"`
	Reference        string      `json:"reference"`
	Programme        string      `json:"programme"`
	Partner          string      `json:"partner"`
	Instalment       int         `json:"instalment"`
	Amount           int64       `json:"amount"`
	Currency         string      `json:"currency"`
	PaymentReference string      `json:"paymentReference"`
	PaidOn           grants.Date `json:"paidOn"`
	RequestedBy      string      `json:"requestedBy"`
	Actor            string      `json:"actor"`
	OverrideReason   string      `json:"overrideReason,omitempty"`
}

// ScheduleSync keeps an agreement's EventBridge schedules in step with it.
type ScheduleSync interface {
	Sync(ctx context.Context, a *grants.Agreement) (*grants.Agreement, error)
}

// Automation holds the handlers' shared dependencies.
type Automation struct {
	Store       *dynamo.Store
	Mail        Mailer
	Replies     ReplyAddresses
	Schedules   ScheduleSync
	Events      Events
	ReplyDomain string
	// Defaults apply where a programme has no settings of its own.
	Defaults grants.ProgrammeSettings
	Now      func() time.Time
	// Location is the programme time zone in which "today" is read.
	Location *time.Location
	// Lease bounds how long one delivery holds a side effect before another may retry it.
	Lease time.Duration
}

func (x *Automation) settings(ctx context.Context, programme string) (grants.ProgrammeSettings, error) {
	p, err := x.Store.ProgrammeSettings(ctx, programme)
	if err != nil {
		return p, err
	}
	return p.Defaults(x.Defaults), nil
}

// InstalmentDue handles an instalment's schedule: the instalment becomes due
// (once, however often the event comes) and finance is told.
func (x *Automation) InstalmentDue(ctx context.Context, agreementID string, n int) error {
	now := x.Now()
	var changed bool
	_, err := x.Store.UpdateAgreement(ctx, agreementID, 0, func(a *grants.Agreement) (grants.Effects, error) {
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
	a, err := x.Store.GetAgreement(ctx, agreementID)
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
	return x.Deliver(ctx, agreementID, outbox.CheckInKey(n).String())
}

// Deliver performs the side effect under an outbox key, once: it claims the
// key, renders and sends the email, and records it done with an audit entry
// (and, for a check-in, the check-in's move to sent).
func (x *Automation) Deliver(ctx context.Context, agreementID, key string) error {
	now := x.Now()
	token := newToken()
	claimed, err := x.Store.Claim(ctx, agreementID, key, token, now, x.lease())
	if err != nil || !claimed {
		return err
	}
	k, err := outbox.ParseKey(key)
	if err != nil {
		return x.release(ctx, agreementID, key, token, err)
	}
	if agreementID == outbox.InboundPartition {
		return x.deliverQuarantineNotice(ctx, k, token)
	}
	a, err := x.Store.GetAgreement(ctx, agreementID)
	if err != nil {
		return x.release(ctx, agreementID, key, token, err)
	}
	settings, err := x.settings(ctx, a.Programme)
	if err != nil {
		return x.release(ctx, agreementID, key, token, err)
	}
	if k.Kind == outbox.KindPaidEvent {
		return x.publishPaid(ctx, a, k, token)
	}
	email, checkIn, err := x.render(ctx, a, k, settings)
	if errors.Is(err, mailer.ErrNoRecipients) {
		// Nobody to write to (every contact bounced); the officer already has a
		// bounce notice. A check-in waits, unsent, for a contact to be changed:
		// the claim is released and the sweep tries again each day.
		skipped := grants.AuditEntry{At: now.UTC(), Actor: grants.System, Action: "email.skipped", Subject: key, Detail: "no deliverable recipient"}
		if checkIn == 0 {
			return x.Store.Apply(ctx, agreementID, grants.Effects{At: now, Audit: []grants.AuditEntry{skipped}, Sent: []grants.Sent{{Key: key, Token: token}}})
		}
		// Say so in the history the first time only, not at every sweep.
		if e, err := x.Store.Outbox(ctx, agreementID, key); err == nil && e != nil && e.Attempts == 1 {
			if err := x.Store.Apply(ctx, agreementID, grants.Audited(skipped)); err != nil {
				return x.release(ctx, agreementID, key, token, err)
			}
		}
		return x.release(ctx, agreementID, key, token, nil)
	}
	if err != nil {
		return x.release(ctx, agreementID, key, token, err)
	}
	messageID, err := x.Mail.Send(ctx, email)
	if err != nil {
		return x.release(ctx, agreementID, key, token, fmt.Errorf("send %s: %w", key, err))
	}
	sent := grants.AuditEntry{At: x.Now().UTC(), Actor: grants.System, Action: "email.sent", Subject: key,
		Detail: fmt.Sprintf("%q to %s (SES %s)", email.Subject, strings.Join(email.To, ", "), messageID)}
	if checkIn == 0 {
		return x.recordDone(ctx, agreementID, key, messageID, func(ctx context.Context) error {
			return x.Store.Apply(ctx, agreementID, grants.Effects{At: sent.At, Audit: []grants.AuditEntry{sent}, Sent: []grants.Sent{{Key: key, Token: token, MessageID: messageID}}})
		})
	}
	return x.recordDone(ctx, agreementID, key, messageID, func(ctx context.Context) error {
		return x.markCheckInSent(ctx, agreementID, key, token, messageID, checkIn, sent, settings.ReminderDays)
	})
}

// markCheckInSent moves the check-in to sent in the write that completes its
// outbox claim.
func (x *Automation) markCheckInSent(ctx context.Context, agreementID, key, token, messageID string, checkIn int, sent grants.AuditEntry, reminderDays int) error {
	_, err := x.Store.UpdateAgreement(ctx, agreementID, 0, func(a *grants.Agreement) (grants.Effects, error) {
		fx := grants.Effects{At: sent.At, Audit: []grants.AuditEntry{sent}, Sent: []grants.Sent{{Key: key, Token: token, MessageID: messageID}}}
		if c := a.CheckIn(checkIn); c != nil && c.Status == grants.CheckInScheduled {
			e, err := a.MarkCheckInSent(checkIn, messageID, sent.At, reminderDays)
			if err != nil {
				return grants.Effects{}, err
			}
			fx.Audit = append(fx.Audit, e)
		}
		return fx, nil
	})
	return err
}

func (x *Automation) release(ctx context.Context, agreementID, key, token string, cause error) error {
	if err := x.Store.Release(context.WithoutCancel(ctx), agreementID, key, token, cause); err != nil {
		slog.ErrorContext(ctx, "release outbox claim", "agreementId", agreementID, "key", key, "error", err.Error())
	}
	return cause
}

func (x *Automation) lease() time.Duration {
	if x.Lease > 0 {
		return x.Lease
	}
	return 2 * time.Minute
}

// render builds the email an outbox key stands for; checkIn is the check-in
// number when sending it moves a check-in to sent.
func (x *Automation) render(ctx context.Context, a *grants.Agreement, k outbox.Key, p grants.ProgrammeSettings) (mailer.Email, int, error) {
	switch k.Kind {
	case outbox.KindCheckIn, outbox.KindReminder:
		c := a.CheckIn(k.CheckIn)
		if c == nil {
			return mailer.Email{}, 0, fmt.Errorf("no check-in for %s", k)
		}
		replyTo, err := x.Replies.Address(a.ID, c.Number, x.ReplyDomain)
		if err != nil {
			return mailer.Email{}, 0, err
		}
		if k.Kind == outbox.KindReminder {
			e, err := mailer.Reminder(a, *c, replyTo, k.Reminder)
			return e, 0, err
		}
		e, err := mailer.CheckIn(a, *c, replyTo, p.Name)
		return e, c.Number, err
	case outbox.KindOverdue:
		c := a.CheckIn(k.CheckIn)
		if c == nil {
			return mailer.Email{}, 0, fmt.Errorf("no check-in for %s", k)
		}
		e, err := mailer.OverdueNotice(a, *c, p.OfficerEmails)
		return e, 0, err
	case outbox.KindDueNotice:
		in := a.Instalment(k.Instalment)
		if in == nil {
			return mailer.Email{}, 0, fmt.Errorf("no instalment for %s", k)
		}
		e, err := mailer.InstalmentDueNotice(a, *in, in.AwaitingCheckIn, p.FinanceEmails)
		return e, 0, err
	case outbox.KindRemittance:
		in := a.Instalment(k.Instalment)
		if in == nil || in.Payment == nil {
			return mailer.Email{}, 0, fmt.Errorf("no payment for %s", k)
		}
		e, err := mailer.Remittance(a, *in, in.Payment.PaymentReference, in.Payment.PaidOn, deliverable(a))
		return e, 0, err
	case outbox.KindAck, outbox.KindReplyNotice:
		c := a.CheckIn(k.CheckIn)
		if c == nil {
			return mailer.Email{}, 0, fmt.Errorf("no check-in for %s", k)
		}
		reply, err := x.reply(ctx, a.ID, c.Number, k.MessageID)
		if err != nil {
			return mailer.Email{}, 0, err
		}
		if k.Kind == outbox.KindAck {
			e, err := mailer.Acknowledgement(a, *c, []string{reply.From})
			return e, 0, err
		}
		e, err := mailer.ReplyNotice(a, *c, p.OfficerEmails, reply.Text)
		return e, 0, err
	case outbox.KindBounce:
		e, err := mailer.BounceNotice(a, k.Email, bounceKindTitle(k.BounceKind), p.OfficerEmails)
		return e, 0, err
	}
	return mailer.Email{}, 0, fmt.Errorf("no email for outbox key %q", k)
}

func (x *Automation) reply(ctx context.Context, agreementID string, n int, messageID string) (grants.Reply, error) {
	replies, err := x.Store.Replies(ctx, agreementID, n)
	if err != nil {
		return grants.Reply{}, err
	}
	for _, r := range replies {
		if r.MessageID == messageID {
			return r, nil
		}
	}
	return grants.Reply{}, fmt.Errorf("no reply %s to check-in %d of %s", messageID, n, agreementID)
}

// deliverQuarantineNotice tells the programme officers that a message is
// waiting for a person.
func (x *Automation) deliverQuarantineNotice(ctx context.Context, k outbox.Key, token string) error {
	key := k.String()
	if k.Kind != outbox.KindQuarantineNotice {
		return x.release(ctx, outbox.InboundPartition, key, token, fmt.Errorf("no delivery for outbox key %q", key))
	}
	q, err := x.Store.GetQuarantined(ctx, k.MessageID)
	if err != nil {
		return x.release(ctx, outbox.InboundPartition, key, token, err)
	}
	p := x.Defaults
	if q.Programme != "" {
		if p, err = x.settings(ctx, q.Programme); err != nil {
			return x.release(ctx, outbox.InboundPartition, key, token, err)
		}
	}
	email, err := mailer.QuarantineNotice(q.Reason, q.Reply.From, q.Reply.Subject, p.OfficerEmails, q.Reference)
	if err != nil {
		return x.release(ctx, outbox.InboundPartition, key, token, err)
	}
	messageID, err := x.Mail.Send(ctx, email)
	if err != nil {
		return x.release(ctx, outbox.InboundPartition, key, token, err)
	}
	sent := grants.AuditEntry{At: x.Now().UTC(), Actor: grants.System,
		Action: "email.sent", Subject: key, Detail: fmt.Sprintf("%q to %s (SES %s)", email.Subject, strings.Join(email.To, ", "), messageID)}
	return x.recordDone(ctx, outbox.InboundPartition, key, messageID, func(ctx context.Context) error {
		return x.Store.Apply(ctx, outbox.InboundPartition, grants.Effects{At: sent.At, Audit: []grants.AuditEntry{sent}, Sent: []grants.Sent{{Key: key, Token: token, MessageID: messageID}}})
	})
}

// publishPaid puts the InstalmentPaid event on the accounting bus, once.
func (x *Automation) publishPaid(ctx context.Context, a *grants.Agreement, k outbox.Key, token string) error {
	key, n := k.String(), k.Instalment
	in := a.Instalment(n)
	if in == nil || in.Payment == nil || in.Status != grants.InstalmentPaid {
		return x.release(ctx, a.ID, key, token, fmt.Errorf("instalment %d of %s is not paid", n, a.ID))
	}
	p := in.Payment
	id, err := x.Events.InstalmentPaid(ctx, InstalmentPaidEvent{
		ID: a.ID + "-" + strconv.Itoa(n), AgreementID: a.ID, Reference: a.Reference, Programme: a.Programme, Partner: a.Partner.Name,
		Instalment: n, Amount: in.Amount, Currency: a.Currency, PaymentReference: p.PaymentReference, PaidOn: p.PaidOn,
		RequestedBy: p.RequestedBy, Actor: p.ApprovedBy, OverrideReason: p.OverrideReason,
	})
	if err != nil {
		return x.release(ctx, a.ID, key, token, fmt.Errorf("publish InstalmentPaid: %w", err))
	}
	published := grants.AuditEntry{At: x.Now().UTC(), Actor: grants.System,
		Action: "event.published", Subject: fmt.Sprintf("instalment %d", n), Detail: "InstalmentPaid (event " + id + ")"}
	return x.recordDone(ctx, a.ID, key, id, func(ctx context.Context) error {
		return x.Store.Apply(ctx, a.ID, grants.Effects{At: published.At, Audit: []grants.AuditEntry{published}, Sent: []grants.Sent{{Key: key, Token: token, MessageID: id}}})
	})
}

// recordDone runs the write that records a side effect which has already
// happened. Were that write lost, the claim would lapse and the sweep would
// send again, so a failure is retried, and a write that committed although
// its answer was lost counts as done.
func (x *Automation) recordDone(ctx context.Context, partition, key, messageID string, write func(context.Context) error) error {
	var err error
	for attempt := range 5 {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return err
			case <-time.After(time.Duration(50<<attempt) * time.Millisecond):
			}
		}
		if err = write(ctx); err == nil {
			return nil
		}
		if e, readErr := x.Store.Outbox(ctx, partition, key); readErr == nil && e != nil && e.Status == dynamo.OutboxDone {
			if e.MessageID == messageID {
				return nil
			}
			return err
		}
		slog.WarnContext(ctx, "record a side effect that happened; retrying", "partition", partition, "key", key, "attempt", attempt+1, "error", err.Error())
	}
	return err
}

// deliverable lists the addresses of the agreement's deliverable contacts.
func deliverable(a *grants.Agreement) []string {
	var to []string
	for _, c := range a.DeliverableContacts() {
		to = append(to, c.Email)
	}
	return to
}

func bounceKindTitle(k string) string {
	if k == "complaint" {
		return "Complaint"
	}
	return "Bounce"
}

func newToken() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
