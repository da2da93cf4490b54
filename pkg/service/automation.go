package service

// Automation: what nobody should have to remember. Instalments fall due on
// their dates, check-ins and reminders go to partners, officers hear about
// overdue check-ins and bouncing addresses, and the daily sweep repairs
// whatever a lost or duplicated event left behind. Every side effect goes
// through the store's outbox, so it happens once however often an event is
// delivered.

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

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/logs"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// Letters words and sends the emails the outbox holds (pkg/mailer). It is a
// port so that functions that send nothing link no templates.
type Letters interface {
	Post(ctx context.Context, l Letter) (Posted, error)
}

// Letter is an email the product owes, in domain terms: what it is about
// and who it goes to. The mail adapter words it. A letter with nobody to go
// to fails with grants.ErrNoRecipients.
type Letter struct {
	Kind       outbox.Kind
	Agreement  *grants.Agreement
	CheckIn    grants.CheckIn
	Instalment grants.Instalment
	// Instalments are what a pay run's one remittance lists.
	Instalments []grants.Instalment
	Reminder    int    // which reminder
	ReplyTo     string // a check-in's or reminder's signed reply address
	To          []string
	Programme   string        // the programme's name
	Reply       *grants.Reply // an acknowledgement's or reply notice's reply
	Bounced     string        // a bounce notice's address
	BounceKind  string        // "Bounce" or "Complaint"
	// Owner is the agreement's officer: who partner emails are from and
	// signed by, and whom replies to them reach.
	Owner grants.Officer
	// Date is when the letter is written, on the service's clock (the
	// simulated one locally): the email's Date header.
	Date time.Time
	// Late are a digest's instalments late beyond OnTimeDays working days,
	// as of Day.
	Late       []grants.InstalmentRow
	OnTimeDays int
	Day        grants.Date
	// HeldCounts are the held-messages digest's counts of messages pending,
	// by programme ("" naming none), as of Day.
	HeldCounts map[string]int
	// AppURL is the staff web app's address, for a link to its pages
	// (empty: the email names the page).
	AppURL string
}

// Posted is an email sent: SES's message ID, and what it said to whom, for
// the history.
type Posted struct {
	MessageID string
	Subject   string
	To        []string
}

// InstalmentPaidEvent is the detail of the InstalmentPaid event on the
// accounting bus; pkg/eventbus/instalment-paid.schema.json is its contract.
// ID is stable per instalment, so a consumer can drop a duplicate delivery.
type InstalmentPaidEvent struct {
	// Version is the detail's version (InstalmentPaidVersion). A field added
	// keeps it; any other change (a field removed, renamed, retyped, made
	// optional or given another meaning) makes the next version.
	Version          int         `json:"version"`
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

// InstalmentPaidVersion is the version of the InstalmentPaid detail this
// code publishes.
const InstalmentPaidVersion = 1

// InstalmentDue handles an instalment's schedule: the instalment becomes due
// (once, however often the event comes) and finance is told.
func (s *Service) InstalmentDue(ctx context.Context, agreementID string, n int) error {
	ctx = logs.WithAgreement(ctx, agreementID)
	now := s.Now()
	var changed bool
	_, err := s.Store.UpdateAgreement(ctx, agreementID, 0, func(a *grants.Agreement) (grants.Effects, error) {
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
	return s.Deliver(ctx, agreementID, outbox.DueNoticeKey(n).String())
}

// SendCheckIn handles a check-in's schedule: the email goes out once, and
// the check-in moves to sent with its SES message ID in the same write that
// completes the claim.
func (s *Service) SendCheckIn(ctx context.Context, agreementID string, n int) error {
	ctx = logs.WithAgreement(ctx, agreementID)
	a, err := s.Store.GetAgreement(ctx, agreementID)
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
	return s.deliverOne(ctx, agreementID, outbox.CheckInKey(n).String(), a, nil)
}

// Deliver performs the side effect under an outbox key, once: it claims the
// key, sends the email or publishes the event, and records it done with an
// audit entry (and, for a check-in, the check-in's move to sent).
func (s *Service) Deliver(ctx context.Context, agreementID, key string) error {
	return s.deliverOne(ctx, agreementID, key, nil, nil)
}

// deliverOne is Deliver; a and p, when given, are the agreement as just
// written and its programme's settings, so a delivery that follows a change
// reads neither again.
func (s *Service) deliverOne(ctx context.Context, agreementID, key string, a *grants.Agreement, p *grants.ProgrammeSettings) error {
	if programme, ok := outbox.IsFinancePartition(agreementID); ok {
		return s.deliverFinance(ctx, programme, key)
	}
	if agreementID == outbox.InboundPartition {
		return s.deliverInbound(ctx, key)
	}
	ctx = logs.WithAgreement(ctx, agreementID)
	now := s.Now()
	token := newToken()
	claimed, err := s.Store.Claim(ctx, agreementID, key, token, now, s.lease())
	if err != nil || !claimed {
		return err
	}
	k, err := outbox.ParseKey(key)
	if err != nil {
		return s.release(ctx, agreementID, key, token, err)
	}
	if a == nil {
		if a, err = s.Store.GetAgreement(ctx, agreementID); err != nil {
			return s.release(ctx, agreementID, key, token, err)
		}
	}
	if p == nil {
		settings, err := s.settings(ctx, a.Programme)
		if err != nil {
			return s.release(ctx, agreementID, key, token, err)
		}
		p = &settings
	}
	settings := *p
	if k.Kind != outbox.KindCheckIn {
		// Any other email (one with nobody to go to is recorded as
		// skipped), or the accounting event.
		id, entry, err := s.produce(ctx, a, settings, k, nil)
		if err != nil {
			return s.release(ctx, agreementID, key, token, err)
		}
		err = s.recordDone(ctx, agreementID, key, id, func(ctx context.Context) error {
			return s.Store.Apply(ctx, agreementID, grants.Effects{At: entry.At, Audit: []grants.AuditEntry{entry}, Sent: []grants.Sent{{Key: key, Token: token, MessageID: id}}})
		})
		if err == nil && id != "" {
			s.countSent(ctx, a, k.Kind)
		}
		return err
	}
	letter, checkIn, err := s.letter(ctx, a, k, settings, nil)
	var posted Posted
	if err == nil {
		posted, err = s.Letters.Post(ctx, letter)
	}
	if errors.Is(err, grants.ErrNoRecipients) {
		// Nobody to write to (every contact bounced); the officer already has a
		// bounce notice. The check-in waits, unsent, for a contact to be
		// changed: the claim is released and the sweep tries again each day.
		skipped := grants.AuditEntry{At: now.UTC(), Actor: grants.System, Action: "email.skipped", Subject: key, Detail: "no deliverable recipient"}
		// Say so in the history the first time only, not at every sweep.
		if e, err := s.Store.Outbox(ctx, agreementID, key); err == nil && e != nil && e.Attempts == 1 {
			if err := s.Store.Apply(ctx, agreementID, grants.Audited(skipped)); err != nil {
				return s.release(ctx, agreementID, key, token, err)
			}
		}
		return s.release(ctx, agreementID, key, token, nil)
	}
	if err != nil {
		return s.release(ctx, agreementID, key, token, fmt.Errorf("send %s: %w", key, err))
	}
	messageID, sent := posted.MessageID, s.sentEntry(key, posted, leftOut(a, k.Kind)...)
	err = s.recordDone(ctx, agreementID, key, messageID, func(ctx context.Context) error {
		return s.markCheckInSent(ctx, a, key, token, messageID, checkIn, sent, settings.ReminderDays)
	})
	if err == nil {
		s.countSent(ctx, a, k.Kind)
	}
	return err
}

// markCheckInSent moves the check-in to sent in the write that completes its
// outbox claim.
// a is the agreement the email was written from, read just before: the
// write starts from it (and reads it again only if it changed meanwhile).
func (s *Service) markCheckInSent(ctx context.Context, a *grants.Agreement, key, token, messageID string, checkIn int, sent grants.AuditEntry, reminderDays int) error {
	_, err := s.Store.UpdateRead(ctx, a, func(a *grants.Agreement) (grants.Effects, error) {
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

func (s *Service) release(ctx context.Context, agreementID, key, token string, cause error) error {
	if err := s.Store.Release(context.WithoutCancel(ctx), agreementID, key, token, cause); err != nil {
		slog.ErrorContext(ctx, "release outbox claim", "agreementId", agreementID, "key", key, "error", err.Error())
	}
	return cause
}

func (s *Service) lease() time.Duration {
	if s.Lease > 0 {
		return s.Lease
	}
	return 2 * time.Minute
}

// letter is the email an outbox key stands for; checkIn is the check-in
// number when sending it moves a check-in to sent.
// known, if given, is the reply an acknowledgement or notice is about, so it
// is not read back.
func (s *Service) letter(ctx context.Context, a *grants.Agreement, k outbox.Key, p grants.ProgrammeSettings, known *grants.Reply) (Letter, int, error) {
	l := Letter{Kind: k.Kind, Agreement: a, Programme: p.Name, Date: s.Now(), Owner: p.OwnerOf(a), AppURL: s.AppURL}
	switch k.Kind {
	case outbox.KindCheckIn, outbox.KindReminder, outbox.KindOverdue, outbox.KindAck, outbox.KindReplyNotice:
		c := a.CheckIn(k.CheckIn)
		if c == nil {
			return l, 0, fmt.Errorf("no check-in for %s", k)
		}
		l.CheckIn = *c
	case outbox.KindDueNotice, outbox.KindRemittance, outbox.KindNowPayable:
		in := a.Instalment(k.Instalment)
		if in == nil || k.Kind == outbox.KindRemittance && in.Payment == nil {
			return l, 0, fmt.Errorf("no instalment or payment for %s", k)
		}
		l.Instalment = *in
	case outbox.KindRunRemittance:
		if l.Instalments = a.PaidIn(k.Run); len(l.Instalments) == 0 {
			return l, 0, fmt.Errorf("nothing paid by the run of %s", k)
		}
	}
	var err error
	switch k.Kind {
	case outbox.KindCheckIn, outbox.KindReminder:
		l.Reminder, l.To = k.Reminder, deliverable(a)
		if s.Replies == nil {
			// Only the functions that send check-ins and reminders hold the
			// reply-token key (pkg/app/senders CheckInMail).
			return l, 0, fmt.Errorf("%s: this function signs no reply addresses", k)
		}
		l.ReplyTo, err = s.Replies.Address(a.ID, k.CheckIn, s.ReplyDomain)
		if k.Kind == outbox.KindCheckIn {
			return l, k.CheckIn, err
		}
	case outbox.KindOverdue, outbox.KindBounce:
		l.To, l.Bounced, l.BounceKind = p.NoticesTo(a), k.Email, bounceKindTitle(k.BounceKind)
	case outbox.KindDueNotice, outbox.KindNowPayable:
		l.To = p.FinanceEmails
	case outbox.KindRemittance, outbox.KindRunRemittance, outbox.KindWelcome, outbox.KindTerminated, outbox.KindThankYou:
		l.To = deliverable(a)
	case outbox.KindTerminatedFinance:
		l.To = p.FinanceEmails
	case outbox.KindAck, outbox.KindReplyNotice:
		reply := known
		if reply == nil || reply.MessageID != k.MessageID {
			var r grants.Reply
			r, err = s.reply(ctx, a.ID, k.CheckIn, k.MessageID)
			reply = &r
		}
		l.Reply, l.To = reply, p.NoticesTo(a)
		if k.Kind == outbox.KindAck {
			// The sender of a reply a person accepted from quarantine may be
			// anyone: an address SES cannot send to gets no thanks (the email
			// is recorded as skipped) rather than a send that fails forever.
			l.To = nil
			if grants.Sendable(reply.From) {
				l.To = []string{reply.From}
			}
		}
	default:
		err = fmt.Errorf("no email for outbox key %q", k)
	}
	return l, 0, err
}

func (s *Service) reply(ctx context.Context, agreementID string, n int, messageID string) (grants.Reply, error) {
	replies, err := s.Store.Replies(ctx, agreementID, n)
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

// publish puts instalment n's InstalmentPaid event on the bus: its ID, and
// the history entry that records it.
func (s *Service) publish(ctx context.Context, a *grants.Agreement, n int) (string, grants.AuditEntry, error) {
	in := a.Instalment(n)
	if in == nil || in.Payment == nil || in.Status != grants.InstalmentPaid {
		return "", grants.AuditEntry{}, fmt.Errorf("instalment %d of %s is not paid", n, a.ID)
	}
	if s.Events == nil {
		return "", grants.AuditEntry{}, fmt.Errorf("this function has no accounting bus; the sweep publishes instalment %d's event", n)
	}
	p := in.Payment
	id, err := s.Events.InstalmentPaid(ctx, InstalmentPaidEvent{
		Version: InstalmentPaidVersion, ID: a.ID + "-" + strconv.Itoa(n), AgreementID: a.ID, Reference: a.Reference, Programme: a.Programme, Partner: a.Partner.Name,
		Instalment: n, Amount: in.Amount, Currency: a.Currency, PaymentReference: p.PaymentReference, PaidOn: p.PaidOn,
		RequestedBy: p.RequestedBy, Actor: p.ApprovedBy, OverrideReason: p.OverrideReason,
	})
	if err != nil {
		return "", grants.AuditEntry{}, fmt.Errorf("publish InstalmentPaid: %w", err)
	}
	return id, grants.AuditEntry{At: s.Now().UTC(), Actor: grants.System,
		Action: "event.published", Subject: fmt.Sprintf("instalment %d", n), Detail: "InstalmentPaid (event " + id + ")"}, nil
}

// sentEntry is the history entry of an email sent under key. It names the
// contacts left out of it (see leftOut), so that whoever reads the history
// sees why they heard nothing, and that the others did.
func (s *Service) sentEntry(key string, posted Posted, leftOut ...grants.Contact) grants.AuditEntry {
	detail := fmt.Sprintf("%q to %s (SES %s)", posted.Subject, strings.Join(posted.To, ", "), posted.MessageID)
	if len(leftOut) > 0 {
		addrs := make([]string, len(leftOut))
		for i, c := range leftOut {
			addrs[i] = c.Email
		}
		detail += "; not to " + strings.Join(addrs, ", ") + ", an address SES cannot send to: change the contact"
	}
	return grants.AuditEntry{At: s.Now().UTC(), Actor: grants.System, Action: "email.sent", Subject: key, Detail: detail}
}

// leftOut are the contacts an email of kind k to a's contacts leaves out
// because SES cannot send to their address (grants.DeliverableContacts):
// sent with the rest, such an address would make SES refuse the message to
// all of them.
func leftOut(a *grants.Agreement, k outbox.Kind) []grants.Contact {
	switch k {
	case outbox.KindCheckIn, outbox.KindReminder, outbox.KindRemittance, outbox.KindRunRemittance,
		outbox.KindWelcome, outbox.KindTerminated, outbox.KindThankYou:
		return a.UnsendableContacts()
	}
	return nil
}

// recordDone runs the write that records a side effect which has already
// happened. Were that write lost, the claim would lapse and the sweep would
// send again, so a failure is retried, and a write that committed although
// its answer was lost counts as done.
func (s *Service) recordDone(ctx context.Context, partition, key, messageID string, write func(context.Context) error) error {
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
		if e, readErr := s.Store.Outbox(ctx, partition, key); readErr == nil && e != nil && e.Status == grants.OutboxDone {
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
