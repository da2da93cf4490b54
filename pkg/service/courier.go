package service

// The Courier delivers the side effects a committed change queued in its
// agreement's outbox (emails, accounting events), once each: it claims an
// entry, performs it, and records it done with its history. The use cases
// that change an agreement hand it what they queued (Delivery); the
// Automation's handlers and the sweep deliver through it what is left.

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
	"unicode/utf8"

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

	// Notice is a notice's (outbox.KindNotice): what the partner is told
	// about their money, in the officer's words.
	Notice grants.Notice
	// Questions are the programme's own check-in questions, for a check-in
	// or reminder (nil: the default four; issue 23).
	Questions []grants.CheckInQuestion

	// FeedbackTo is a check-in's or reminder's confidential feedback
	// address, offered beside ReplyTo (issue 24, item 2; confidential.go);
	// empty when the courier signs none.
	FeedbackTo string
	// Reflection is a "you said, we did" email's (outbox.KindReflection;
	// issue 24, item 4).
	Reflection grants.Reflection
	// Enquiry is an enquiry's acknowledgement's or answer's (issue 24,
	// item 6; enquiries.go): the enquiry, the answer (its message on the
	// thread), and the day the acknowledgement promises an answer by.
	Enquiry       *grants.Enquiry
	EnquiryAnswer *grants.EnquiryMessage
	AnswerBy      grants.Date
	AnswerDays    int
	// Story is a story's consent email's (outbox.KindStory; issue 24,
	// item 5): the passage the partner is asked to let the programme share.
	Story grants.Story
	// SenderName is the programme's display name in From (its setting;
	// empty: the deployment's, SENDER_EMAIL's).
	SenderName string
}

// Posted is an email sent: SES's message ID, and what it said to whom, for
// the history.
type Posted struct {
	MessageID string
	Subject   string
	To        []string
	// Text is what the email said (its text part), kept on its history
	// entry; private links in it (the confidential feedback address) are
	// left out, as whoever reads the history must not use them.
	Text string
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

// CourierStore is what a courier reads and writes: the outbox's entries
// (claimed, released, read), the agreement and its programme's settings an
// email is written from, the replies an acknowledgement is about, the
// day's limits on automatic email, and the record of what was done.
type CourierStore interface {
	AgreementWriter
	SettingsReader
	EffectWriter
	// Claim takes an outbox entry for one delivery until now+lease; false
	// when it is done or someone else holds it.
	Claim(ctx context.Context, agreementID, key, token string, now time.Time, lease time.Duration) (bool, error)
	// Release gives a claimed entry back after a failed delivery.
	Release(ctx context.Context, agreementID, key, token string, cause error) error
	Outbox(ctx context.Context, agreementID, key string) (*outbox.Entry, error)
	// Replies lists the replies to check-in n, or to every check-in when n is 0.
	Replies(ctx context.Context, agreementID string, n int) ([]grants.Reply, error)
	// TakeAutoMail takes a place in its day's limits for one automatic
	// email that inbound mail caused, or says why there is none.
	TakeAutoMail(ctx context.Context, m grants.AutoMail) (grants.Withheld, error)
	// Reflection reads a programme's "you said, we did" of a round
	// (reflections.go).
	Reflection(ctx context.Context, programme string, round int) (*grants.Reflection, error)

	// GetEnquiry reads an enquiry whose emails are delivered (issue 24,
	// item 6; enquiries.go).
	GetEnquiry(ctx context.Context, id string) (*grants.Enquiry, error)
}

// CourierOptions are a courier's plain settings.
type CourierOptions struct {
	// ReplyDomain is the domain of check-ins' signed Reply-To addresses.
	ReplyDomain string
	// Lease bounds how long one delivery holds a side effect before
	// another may retry it (0: two minutes).
	Lease time.Duration
	// AppURL is the staff web app's address ("https://…/app"), for links in
	// emails to staff; empty, they name the page instead.
	AppURL string
	// AutoMailCap is the most automatic emails inbound mail may cause in a
	// day (acknowledgements and reply notices; see autoMail), a share of
	// the account's SES daily quota (grants.AutoMailCap); 0 takes
	// grants.DefaultAutoMailCap.
	AutoMailCap int

	// EnquiryAddress is the programme's enquiry address, which enquiries'
	// emails are answered from (Reply-To), and EnquiryAnswerDays the
	// working days their acknowledgement promises an answer within (0:
	// grants.DefaultEnquiryAnswerDays). Issue 24, item 6.
	EnquiryAddress    string
	EnquiryAnswerDays int
}

// Courier delivers the outbox's side effects. Letters words and sends the
// emails; events is the accounting bus (NoEvents: left to a courier that
// has it); replies signs check-ins' Reply-To addresses (NoReplyAddresses:
// this courier sends no check-ins or reminders, which are left to one that
// does).
type Courier struct {
	store   CourierStore
	letters Letters
	events  Events
	replies ReplyAddresses
	metrics Metrics
	env     Env
	opts    CourierOptions
}

// NewCourier builds a courier.
func NewCourier(store CourierStore, letters Letters, events Events, replies ReplyAddresses, metrics Metrics, env Env, opts CourierOptions) *Courier {
	return &Courier{store: store, letters: letters, events: events, replies: replies, metrics: metrics, env: env, opts: opts}
}

// Delivery is what a use case that changes an agreement hands the side
// effects the change queued to: a Courier delivers them at once, LeaveQueued
// leaves them to the functions that deliver them (the sweep, at the latest).
type Delivery interface {
	// claim is the claim to enqueue a change's side effects under, already
	// held by this invocation (events: they include an accounting event);
	// nil when they are to be claimed each on its own, or not here.
	claim(now time.Time, events bool) *grants.Claim
	// deliverChange performs keys, which the change that wrote a queued
	// (under claim, if not nil); p is a's programme's settings (nil to read
	// them), known the reply they are about, if any. A failure is logged:
	// the change stands, and the sweep retries.
	deliverChange(ctx context.Context, a *grants.Agreement, p *grants.ProgrammeSettings, claim *grants.Claim, known *grants.Reply, keys ...outbox.Key)
}

// LeaveQueued delivers nothing: a change's side effects wait in its
// outbox for the functions that deliver them. For a function that sends no
// mail (the AgreementsFunction).
var LeaveQueued Delivery = leaveQueued{}

type leaveQueued struct{}

func (leaveQueued) claim(time.Time, bool) *grants.Claim { return nil }
func (leaveQueued) deliverChange(context.Context, *grants.Agreement, *grants.ProgrammeSettings, *grants.Claim, *grants.Reply, ...outbox.Key) {
}

func (c *Courier) deliverChange(ctx context.Context, a *grants.Agreement, p *grants.ProgrammeSettings, claim *grants.Claim, known *grants.Reply, keys ...outbox.Key) {
	if claim == nil {
		c.deliver(ctx, a.ID, a, p, keys...)
		return
	}
	if p == nil {
		settings, err := c.env.settings(ctx, c.store, a.Programme)
		if err != nil {
			logError(ctx, "read settings to deliver; the sweep will retry", err, a.ID)
			return
		}
		p = &settings
	}
	c.deliverClaimed(ctx, a, *p, claim, known, keys...)
}

// Deliver performs the side effect under an outbox key of an agreement,
// once: it claims the key, sends the email or publishes the event, and
// records it done with an audit entry (and, for a check-in, the check-in's
// move to sent).
func (c *Courier) Deliver(ctx context.Context, agreementID, key string) error {
	return c.deliverOne(ctx, agreementID, key, nil, nil)
}

// deliverOne is Deliver; a and p, when given, are the agreement as just
// written and its programme's settings, so a delivery that follows a change
// reads neither again.
func (c *Courier) deliverOne(ctx context.Context, agreementID, key string, a *grants.Agreement, p *grants.ProgrammeSettings) error {
	ctx = logs.WithAgreement(ctx, agreementID)
	now := c.env.Now()
	token := newToken()
	claimed, err := c.store.Claim(ctx, agreementID, key, token, now, c.lease())
	if err != nil || !claimed {
		return err
	}
	k, err := outbox.ParseKey(key)
	if err != nil {
		return c.release(ctx, agreementID, key, token, err)
	}
	if a == nil {
		if a, err = c.store.GetAgreement(ctx, agreementID); err != nil {
			return c.release(ctx, agreementID, key, token, err)
		}
	}
	if p == nil {
		settings, err := c.env.settings(ctx, c.store, a.Programme)
		if err != nil {
			return c.release(ctx, agreementID, key, token, err)
		}
		p = &settings
	}
	settings := *p
	if k.Kind != outbox.KindCheckIn {
		// Any other email (one with nobody to go to is recorded as
		// skipped), or the accounting event.
		id, entry, err := c.produce(ctx, a, settings, k, nil)
		if err != nil {
			return c.release(ctx, agreementID, key, token, err)
		}
		err = c.recordDone(ctx, agreementID, key, id, func(ctx context.Context) error {
			return c.store.Apply(ctx, agreementID, grants.Effects{At: entry.At, Audit: []grants.AuditEntry{entry}, Sent: []grants.Sent{{Key: key, Token: token, MessageID: id}}})
		})
		if err == nil && id != "" {
			countSent(ctx, c.metrics, a, k.Kind)
		}
		return err
	}
	letter, checkIn, err := c.letter(ctx, a, k, settings, nil)
	var posted Posted
	if err == nil {
		posted, err = c.letters.Post(ctx, letter)
	}
	if errors.Is(err, grants.ErrNoRecipients) {
		// Nobody to write to (every contact bounced); the officer already has a
		// bounce notice. The check-in waits, unsent, for a contact to be
		// changed: the claim is released and the sweep tries again each day.
		skipped := grants.AuditEntry{At: now.UTC(), Actor: grants.System, Action: "email.skipped", Subject: key, Detail: "no deliverable recipient"}
		// Say so in the history the first time only, not at every sweep.
		if e, err := c.store.Outbox(ctx, agreementID, key); err == nil && e != nil && e.Attempts == 1 {
			if err := c.store.Apply(ctx, agreementID, grants.Audited(skipped)); err != nil {
				return c.release(ctx, agreementID, key, token, err)
			}
		}
		return c.release(ctx, agreementID, key, token, nil)
	}
	if err != nil {
		return c.release(ctx, agreementID, key, token, fmt.Errorf("send %s: %w", key, err))
	}
	messageID, sent := posted.MessageID, c.sentEntry(key, posted, leftOut(a, k.Kind)...)
	err = c.recordDone(ctx, agreementID, key, messageID, func(ctx context.Context) error {
		return c.markCheckInSent(ctx, a, key, token, messageID, checkIn, sent, settings.ReminderDays)
	})
	if err == nil {
		countSent(ctx, c.metrics, a, k.Kind)
	}
	return err
}

// markCheckInSent moves the check-in to sent in the write that completes its
// outbox claim.
// a is the agreement the email was written from, read just before: the
// write starts from it (and reads it again only if it changed meanwhile).
func (c *Courier) markCheckInSent(ctx context.Context, a *grants.Agreement, key, token, messageID string, checkIn int, sent grants.AuditEntry, reminderDays int) error {
	_, err := c.store.UpdateRead(ctx, a, func(a *grants.Agreement) (grants.Effects, error) {
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

func (c *Courier) release(ctx context.Context, agreementID, key, token string, cause error) error {
	if err := c.store.Release(context.WithoutCancel(ctx), agreementID, key, token, cause); err != nil {
		slog.ErrorContext(ctx, "release outbox claim", "agreementId", agreementID, "key", key, "error", err.Error())
	}
	return cause
}

func (c *Courier) lease() time.Duration {
	if c.opts.Lease > 0 {
		return c.opts.Lease
	}
	return 2 * time.Minute
}

// letter is the email an outbox key stands for; checkIn is the check-in
// number when sending it moves a check-in to sent.
// known, if given, is the reply an acknowledgement or notice is about, so it
// is not read back.
func (c *Courier) letter(ctx context.Context, a *grants.Agreement, k outbox.Key, p grants.ProgrammeSettings, known *grants.Reply) (Letter, int, error) {
	l := Letter{Kind: k.Kind, Agreement: a, Programme: p.Name, Date: c.env.Now(), Owner: p.OwnerOf(a), AppURL: c.opts.AppURL, SenderName: p.SenderName}
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
	case outbox.KindNotice:
		n := a.Notice(k.Notice)
		if n == nil {
			return l, 0, fmt.Errorf("no notice for %s", k)
		}
		l.Notice = *n
	}
	var err error
	switch k.Kind {
	case outbox.KindCheckIn, outbox.KindReminder:
		l.Reminder, l.To = k.Reminder, deliverable(a)
		l.Questions = p.CheckInQuestions
		if _, none := c.replies.(noReplyAddresses); none {
			// Only the functions that send check-ins and reminders hold the
			// reply-token key (pkg/app/senders CheckInMail).
			return l, 0, fmt.Errorf("%s: %w", k, errNoReplyAddresses)
		}
		l.ReplyTo, err = c.replies.Address(a.ID, k.CheckIn, c.opts.ReplyDomain)
		if err == nil {
			l.FeedbackTo, err = c.feedbackAddress(a.ID, k.CheckIn) // confidential.go
		}
		if k.Kind == outbox.KindCheckIn {
			return l, k.CheckIn, err
		}
	case outbox.KindOverdue, outbox.KindBounce:
		l.To, l.Bounced, l.BounceKind = p.NoticesTo(a), k.Email, bounceKindTitle(k.BounceKind)
	case outbox.KindDueNotice, outbox.KindNowPayable:
		l.To = p.FinanceEmails
	case outbox.KindRemittance, outbox.KindRunRemittance, outbox.KindWelcome, outbox.KindTerminated, outbox.KindThankYou, outbox.KindNotice:
		l.To = deliverable(a)
		if k.Kind == outbox.KindNotice && l.Notice.Kind == grants.NoticeMessage {
			// An officer's own message is threaded: the partner's answer
			// reaches the agreement as a message (AcceptMessage), as one to
			// "you said, we did" does.
			l.ReplyTo, err = c.messageReplyTo(a, k)
		}
	case outbox.KindTerminatedFinance:
		l.To = p.FinanceEmails
	case outbox.KindAck, outbox.KindReplyNotice:
		reply := known
		if reply == nil || reply.MessageID != k.MessageID {
			var r grants.Reply
			r, err = c.reply(ctx, a.ID, k.CheckIn, k.MessageID)
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
	case outbox.KindAgreement, outbox.KindProposal:
		// The agreement, or a change to it, to accept by reply (acceptance.go):
		// not once it has ended or the partner has accepted another way
		// (recorded as skipped, with nobody to go to).
		l.To = leadAddresses(a)
		if a.Status != grants.AgreementActive || !a.PartnerAcceptance.Pending() {
			l.To = nil
		}
		if _, none := c.replies.(noReplyAddresses); none {
			return l, 0, fmt.Errorf("%s: %w", k, errNoReplyAddresses)
		}
		l.ReplyTo, err = c.replies.Address(a.ID, agreementReplies, c.opts.ReplyDomain)
	case outbox.KindReflection:
		err = c.reflectionLetter(ctx, &l, a, k)
	case outbox.KindStory:
		err = c.storyLetter(&l, a, k)
	default:
		err = fmt.Errorf("no email for outbox key %q", k)
	}
	return l, 0, err
}

func (c *Courier) reply(ctx context.Context, agreementID string, n int, messageID string) (grants.Reply, error) {
	replies, err := c.store.Replies(ctx, agreementID, n)
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
func (c *Courier) publish(ctx context.Context, a *grants.Agreement, n int) (string, grants.AuditEntry, error) {
	in := a.Instalment(n)
	if in == nil || in.Payment == nil || in.Status != grants.InstalmentPaid {
		return "", grants.AuditEntry{}, fmt.Errorf("instalment %d of %s is not paid", n, a.ID)
	}
	if _, none := c.events.(noEvents); none {
		return "", grants.AuditEntry{}, fmt.Errorf("%w; the sweep publishes instalment %d's event", errNoEvents, n)
	}
	p := in.Payment
	id, err := c.events.InstalmentPaid(ctx, InstalmentPaidEvent{
		Version: InstalmentPaidVersion, ID: a.ID + "-" + strconv.Itoa(n), AgreementID: a.ID, Reference: a.Reference, Programme: a.Programme, Partner: a.Partner.Name,
		Instalment: n, Amount: in.Amount, Currency: a.Currency, PaymentReference: p.PaymentReference, PaidOn: p.PaidOn,
		RequestedBy: p.RequestedBy, Actor: p.ApprovedBy, OverrideReason: p.OverrideReason,
	})
	if err != nil {
		return "", grants.AuditEntry{}, fmt.Errorf("publish InstalmentPaid: %w", err)
	}
	return id, grants.AuditEntry{At: c.env.Now().UTC(), Actor: grants.System,
		Action: "event.published", Subject: fmt.Sprintf("instalment %d", n), Detail: "InstalmentPaid (event " + id + ")"}, nil
}

// sentEntry is the history entry of an email sent under key. It names the
// contacts left out of it (see leftOut), so that whoever reads the history
// sees why they heard nothing, and that the others did.
func (c *Courier) sentEntry(key string, posted Posted, leftOut ...grants.Contact) grants.AuditEntry {
	detail := fmt.Sprintf("%q to %s (SES %s)", posted.Subject, strings.Join(posted.To, ", "), posted.MessageID)
	if len(leftOut) > 0 {
		addrs := make([]string, len(leftOut))
		for i, c := range leftOut {
			addrs[i] = c.Email
		}
		detail += "; not to " + strings.Join(addrs, ", ") + ", an address SES cannot send to: change the contact"
	}
	return grants.AuditEntry{At: c.env.Now().UTC(), Actor: grants.System, Action: "email.sent", Subject: key, Detail: detail, Body: keptBody(posted.Text)}
}

// maxKeptBody bounds the text kept of an email: the history item stays far
// under DynamoDB's 400 KB, whatever a letter says.
const maxKeptBody = 32 << 10

// keptBody is the text kept of an email: all of it, or its first
// maxKeptBody bytes (cut at a character) and a line that says so.
func keptBody(text string) string {
	if len(text) <= maxKeptBody {
		return text
	}
	cut := maxKeptBody
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return text[:cut] + "\n[… the rest of this email is not kept]"
}

// leftOut are the contacts an email of kind k to a's contacts leaves out
// because SES cannot send to their address (grants.DeliverableContacts):
// sent with the rest, such an address would make SES refuse the message to
// all of them.
func leftOut(a *grants.Agreement, k outbox.Kind) []grants.Contact {
	switch k {
	case outbox.KindCheckIn, outbox.KindReminder, outbox.KindRemittance, outbox.KindRunRemittance,
		outbox.KindWelcome, outbox.KindTerminated, outbox.KindThankYou, outbox.KindNotice:
		return a.UnsendableContacts()
	}
	return nil
}

// recordDone runs the write that records a side effect which has already
// happened. Were that write lost, the claim would lapse and the sweep would
// send again, so a failure is retried, and a write that committed although
// its answer was lost counts as done.
func (c *Courier) recordDone(ctx context.Context, partition, key, messageID string, write func(context.Context) error) error {
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
		if e, readErr := c.store.Outbox(ctx, partition, key); readErr == nil && e != nil && e.Status == outbox.StatusDone {
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

// claim enqueues a change's side effects already claimed by this
// invocation, when it can deliver them (all but an accounting event, with
// NoEvents): they need no claim of their own, and deliverClaimed records
// them in one write.
func (c *Courier) claim(now time.Time, events bool) *grants.Claim {
	if _, none := c.events.(noEvents); events && none {
		return nil
	}
	return &grants.Claim{Token: newToken(), Until: now.Add(c.lease())}
}

// deliverClaimed performs side effects the change just written enqueued
// under claim (a and p are the agreement as written and its settings; known
// the reply they are about, if any), and records all that happened in one
// write. One that fails is released for the sweep; nothing is returned, as
// the change stands either way.
func (c *Courier) deliverClaimed(ctx context.Context, a *grants.Agreement, p grants.ProgrammeSettings, claim *grants.Claim, known *grants.Reply, keys ...outbox.Key) {
	if claim == nil {
		c.deliver(ctx, a.ID, a, &p, keys...)
		return
	}
	done := grants.Effects{At: c.env.Now()}
	for _, k := range keys {
		id, entry, err := c.produce(ctx, a, p, k, known)
		if err != nil {
			logError(ctx, "side effect failed; the sweep will retry", c.release(ctx, a.ID, k.String(), claim.Token, err), a.ID, "key", k.String())
			continue
		}
		done.Sent = append(done.Sent, grants.Sent{Key: k.String(), Token: claim.Token, MessageID: id})
		done.Audit = append(done.Audit, entry)
	}
	if len(done.Sent) == 0 {
		return
	}
	first := done.Sent[0]
	if err := c.recordDone(ctx, a.ID, first.Key, first.MessageID, func(ctx context.Context) error { return c.store.Apply(ctx, a.ID, done) }); err != nil {
		logError(ctx, "record side effects that happened; the sweep will retry", err, a.ID)
		return
	}
	for _, sent := range done.Sent {
		if k, err := outbox.ParseKey(sent.Key); err == nil && sent.MessageID != "" {
			countSent(ctx, c.metrics, a, k.Kind)
		}
	}
}

// produce performs one side effect: it publishes the event or sends the
// email, and returns its message ID and the history entry that records it.
// An email with nobody to go to, or one that inbound mail caused and its
// limits withhold (automail.go), is recorded as skipped: done, not retried.
func (c *Courier) produce(ctx context.Context, a *grants.Agreement, p grants.ProgrammeSettings, k outbox.Key, known *grants.Reply) (string, grants.AuditEntry, error) {
	if k.Kind == outbox.KindPaidEvent {
		return c.publish(ctx, a, k.Instalment)
	}
	key := k.String()
	if why := untrue(a, k); why != "" {
		// No longer true (truewhen.go): done, not retried.
		return "", grants.AuditEntry{At: c.env.Now().UTC(), Actor: grants.System, Action: "email.skipped", Subject: key, Detail: why}, nil
	}
	letter, _, err := c.letter(ctx, a, k, p, known)
	var withheld grants.Withheld
	if err == nil {
		withheld, err = c.withhold(ctx, k, letter)
	}
	var posted Posted
	if err == nil && withheld == "" {
		posted, err = c.letters.Post(ctx, letter)
	}
	switch {
	case withheld != "":
		return "", grants.AuditEntry{At: c.env.Now().UTC(), Actor: grants.System, Action: "email.skipped", Subject: key, Detail: withheld.Description()}, nil
	case errors.Is(err, grants.ErrNoRecipients):
		return "", grants.AuditEntry{At: c.env.Now().UTC(), Actor: grants.System, Action: "email.skipped", Subject: key, Detail: "no deliverable recipient"}, nil
	case err != nil:
		return "", grants.AuditEntry{}, fmt.Errorf("send %s: %w", key, err)
	}
	return posted.MessageID, c.sentEntry(key, posted, leftOut(a, k.Kind)...), nil
}

// deliver performs side effects a committed change queued; a is the
// agreement as the change left it (nil to read it), p its programme's
// settings (nil to read them). A failure is logged, not returned: the change
// stands, and the sweep finds the pending entries and tries again.
func (c *Courier) deliver(ctx context.Context, agreementID string, a *grants.Agreement, p *grants.ProgrammeSettings, keys ...outbox.Key) {
	if p == nil && a != nil {
		settings, err := c.env.settings(ctx, c.store, a.Programme)
		if err != nil {
			logError(ctx, "read settings to deliver; the sweep will retry", err, agreementID)
			return
		}
		p = &settings
	}
	for _, k := range keys {
		if err := c.deliverOne(ctx, agreementID, k.String(), a, p); err != nil {
			logError(ctx, "deliver failed; the sweep will retry", err, agreementID, "key", k.String())
		}
	}
}

// The automatic emails that inbound mail causes, and their limits
// (pkg/grants/automail.go says why): a reply's acknowledgement, which
// answers its sender, and the officer's notice of it. Nothing else that
// inbound mail causes is sent by the email: a held message is told in the
// officers' one digest a day (held.go), and the emails a reply may set off
// besides (finance's now-payable notice, the partner's thanks at
// completion) go once an agreement, whatever mail arrives.

// autoMail says whether an email of kind k is one inbound mail causes, and
// whether it answers the message's sender.
func autoMail(k outbox.Kind) (limited, answersSender bool) {
	switch k {
	case outbox.KindAck:
		return true, true
	case outbox.KindReplyNotice:
		return true, false
	}
	return false, false
}

func (c *Courier) autoMailCap() int {
	if c.opts.AutoMailCap > 0 {
		return c.opts.AutoMailCap
	}
	return grants.DefaultAutoMailCap
}

// withhold says why the email l under key k may not be sent, or "" when it
// may: an answer to a message SES flagged never goes; any other automatic
// email takes its place in the day's limits (one answer a sender, the
// day's cap), which the store keeps with conditional writes, so concurrent
// deliveries never both take the last place.
func (c *Courier) withhold(ctx context.Context, k outbox.Key, l Letter) (grants.Withheld, error) {
	limited, answersSender := autoMail(k.Kind)
	if !limited {
		return "", nil
	}
	m := grants.AutoMail{Key: k.String(), Day: grants.Today(c.env.Now(), c.env.location()), Cap: c.autoMailCap()}
	if answersSender && l.Reply != nil {
		if l.Reply.Verdicts.Flagged() {
			return grants.WithheldFlagged, nil
		}
		m.Sender = l.Reply.From
	}
	why, err := c.store.TakeAutoMail(ctx, m)
	switch {
	case err != nil:
		return "", err
	case why == grants.WithheldDailyCap:
		// Worth a person's attention: every automatic email of the day
		// from now on is withheld. (No address: the key names the message.)
		slog.WarnContext(ctx, "automatic email withheld: the day's cap is reached", "key", m.Key, "cap", m.Cap)
	case why != "":
		slog.InfoContext(ctx, "automatic email withheld", "key", m.Key, "why", string(why))
	}
	return why, nil
}
