package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// Enquiries (issue 24, item 6): an organisation writes to the programme's
// enquiry address; its email lands as an enquiry (the receiver, after
// SES's verdicts: doubtful mail is held for a person as any other, and
// auto-replies and bounces are set aside, so neither ever gets here nor is
// answered), the enquirer is acknowledged once, at the send time, with the
// day to expect an answer by, and an officer answers, closes it with an
// outcome, or starts a draft agreement from it.
//
// Which programme: a deployment has one enquiry address, and its
// enquiries are its default programme's (Config.ProgrammeCode, the first
// PROGRAMME_CODE): EnquiryOptions.Programme. A deployment serving several
// programmes would give each its own address (a map address → programme
// here); none does yet.
//
// The enquiries' emails are the inbound partition's outbox entries
// (outbox.EnquiryAckKey, EnquiryReplyKey), written in the same transaction
// as the enquiry and the received email's once-only record, and delivered
// by Courier.DeliverEnquiry: at once when it is a working day past the
// send time, else by the sweep at the next send time.

// EnquiryStore keeps enquiries and writes them with their effects.
type EnquiryStore interface {
	EffectWriter
	GetEnquiry(ctx context.Context, id string) (*grants.Enquiry, error)
	ListEnquiries(ctx context.Context, programme string) ([]grants.Enquiry, error)
	// GetQuarantined reads a held message (AcceptHeld).
	GetQuarantined(ctx context.Context, id string) (*grants.Quarantined, error)
}

// EnquiryOptions are the enquiries' plain settings.
type EnquiryOptions struct {
	// Programme is the programme the enquiry address's enquiries belong to.
	Programme string
}

// Enquiries are the enquiries' use cases; courier delivers their emails.
type Enquiries struct {
	store   EnquiryStore
	courier *Courier
	env     Env
	opts    EnquiryOptions
}

// NewEnquiries builds the enquiries' use cases.
func NewEnquiries(store EnquiryStore, courier *Courier, env Env, opts EnquiryOptions) *Enquiries {
	return &Enquiries{store: store, courier: courier, env: env, opts: opts}
}

// ReceivedEnquiry is an email to the enquiry address, as the receiver read
// it: who wrote, the headers that thread it, and the message itself (its
// words, files, SES message ID and raw object).
type ReceivedEnquiry struct {
	Name, Email, Subject string
	// Header is its Message-ID header; Refs the In-Reply-To and References
	// headers' message IDs, newest first.
	Header  string
	Refs    []string
	Message grants.EnquiryMessage
}

// maxRefs bounds the References looked up for a thread: the newest ones
// name it, and a forged header of hundreds must not cost hundreds of reads.
const maxRefs = 8

// ReceiveEnquiry records an email to the enquiry address, in one write with
// what else records it (with: the delivery's once-only record): on the
// enquiry its References name, if any (an answer to ours), else as a new
// enquiry, acknowledged once. The same email delivered again is a copy
// (found by the receiver) or fails the enquiry's write and is retried and
// then found to be one: never two enquiries, never two acknowledgements.
func (x *Enquiries) ReceiveEnquiry(ctx context.Context, r ReceivedEnquiry, with grants.Effects) error {
	if with.At.IsZero() {
		with.At = x.env.Now()
	}
	r.Message.In, r.Message.At, r.Message.Header = true, with.At, r.Header
	if r.Message.From == "" {
		r.Message.From = r.Email
	}
	for i, ref := range r.Refs {
		if i == maxRefs {
			break
		}
		e, err := x.store.GetEnquiry(ctx, grants.EnquiryID(ref))
		if grants.ErrorCode(err) == grants.NotFound || (err == nil && e.Full()) {
			continue
		}
		if err != nil {
			return err
		}
		v := e.Version
		m := e.AddMessage(r.Message)
		with.Enquiries = []grants.EnquiryWrite{{Enquiry: *e, Version: v}}
		with.Audit = append(with.Audit, grants.AuditEntry{At: with.At.UTC(), Actor: grants.System, Action: "enquiry.received",
			Subject: "enquiry " + e.ID, Detail: fmt.Sprintf("message %d on the thread (SES message %s)", m.N, m.MessageID)})
		return x.store.Apply(ctx, outbox.InboundPartition, with)
	}
	id := r.Header
	if id == "" {
		id = r.Message.MessageID
	}
	e := grants.Enquiry{ID: grants.EnquiryID(id), Programme: x.opts.Programme, Name: r.Name, Email: strings.ToLower(r.Email),
		Organisation: grants.GuessOrganisation(r.Message.Text, r.Email), Subject: r.Subject, ReceivedAt: with.At.UTC(), Status: grants.EnquiryOpen}
	e.Name, _ = grants.Clip(e.Name, grants.MaxReplyHeader)
	e.AddMessage(r.Message)
	ack := outbox.EnquiryAckKey(e.ID)
	with.Enquiries = []grants.EnquiryWrite{{Enquiry: e}}
	with.Outbox = append(with.Outbox, ack)
	with.Audit = append(with.Audit, grants.AuditEntry{At: with.At.UTC(), Actor: grants.System, Action: "enquiry.received",
		Subject: "enquiry " + e.ID, Detail: "a new enquiry (SES message " + r.Message.MessageID + ")"})
	if err := x.store.Apply(ctx, outbox.InboundPartition, with); err != nil {
		return err
	}
	x.deliver(ctx, ack)
	return nil
}

// deliver delivers an enquiry's email now if its send time has come (else
// the sweep does); a failure is logged, and the sweep retries.
func (x *Enquiries) deliver(ctx context.Context, k outbox.Key) {
	if err := x.courier.DeliverEnquiry(ctx, k.String()); err != nil {
		slog.ErrorContext(ctx, "deliver an enquiry's email; the sweep will retry", "key", k.String(), "error", err.Error())
	}
}

// List lists a programme's enquiries, newest first.
func (x *Enquiries) List(ctx context.Context, programme string) ([]grants.Enquiry, error) {
	if !grants.ValidProgramme(programme) {
		return nil, grants.Validation([]grants.FieldError{{Field: "programme", Reason: "must be a programme code: 1 to 64 letters, digits, '-' or '_'"}})
	}
	return x.store.ListEnquiries(ctx, programme)
}

// Get reads an enquiry.
func (x *Enquiries) Get(ctx context.Context, id string) (*grants.Enquiry, error) {
	return x.store.GetEnquiry(ctx, id)
}

// Programme is the programme the enquiry address's enquiries belong to.
func (x *Enquiries) Programme() string { return x.opts.Programme }

// Reply answers an enquiry from an officer (actor): the answer is kept on
// its thread and emailed to the enquirer (In-Reply-To and References name
// their messages, so it threads with theirs; Reply-To is the enquiry
// address, so their answer comes back to this enquiry). The same answer
// sent again (a retried request) is kept and sent once.
func (x *Enquiries) Reply(ctx context.Context, actor, id, text string) (*grants.Enquiry, error) {
	text, err := grants.CheckAnswer(text)
	if err != nil {
		return nil, err
	}
	e, err := x.store.GetEnquiry(ctx, id)
	if err != nil {
		return nil, err
	}
	if last := e.Messages[len(e.Messages)-1]; !last.In && last.From == actor && last.Text == text {
		return e, nil
	}
	switch {
	case e.Status == grants.EnquiryClosed:
		return nil, &grants.Error{Code: grants.Conflict, Message: "This enquiry is closed.", Reason: "enquiry_closed"}
	case e.Full():
		return nil, &grants.Error{Code: grants.Conflict, Message: "This enquiry's thread is full: write from your own mailbox.", Reason: "enquiry_full"}
	}
	now := x.env.Now()
	v := e.Version
	m := e.AddMessage(grants.EnquiryMessage{From: actor, At: now, Text: text})
	k := outbox.EnquiryReplyKey(e.ID, m.N)
	fx := grants.Effects{At: now, Enquiries: []grants.EnquiryWrite{{Enquiry: *e, Version: v}}, Outbox: []outbox.Key{k},
		Audit: []grants.AuditEntry{{At: now.UTC(), Actor: actor, Action: "enquiry.answered", Subject: "enquiry " + e.ID, Detail: fmt.Sprintf("message %d", m.N)}}}
	if err := x.store.Apply(ctx, outbox.InboundPartition, fx); err != nil {
		return nil, err
	}
	x.deliver(ctx, k)
	return x.store.GetEnquiry(ctx, id)
}

// Close settles an enquiry with an outcome; closing it again with the same
// outcome is no change.
func (x *Enquiries) Close(ctx context.Context, actor, id, outcome string) (*grants.Enquiry, error) {
	e, err := x.store.GetEnquiry(ctx, id)
	if err != nil {
		return nil, err
	}
	if e.Status == grants.EnquiryClosed && e.Outcome == strings.TrimSpace(outcome) {
		return e, nil
	}
	now := x.env.Now()
	v := e.Version
	if err := e.Close(outcome, actor, now); err != nil {
		return nil, err
	}
	fx := grants.Effects{At: now, Enquiries: []grants.EnquiryWrite{{Enquiry: *e, Version: v}},
		Audit: []grants.AuditEntry{{At: now.UTC(), Actor: actor, Action: "enquiry.closed", Subject: "enquiry " + e.ID, Detail: e.Outcome}}}
	if err := x.store.Apply(ctx, outbox.InboundPartition, fx); err != nil {
		return nil, err
	}
	return x.store.GetEnquiry(ctx, id)
}

// EnquiryDrafts start draft agreements from enquiries, through the
// agreements' own create use case: the partner and the contact are the
// enquirer's; the money and dates the officer's.
type EnquiryDrafts struct {
	store      EnquiryStore
	agreements *Agreements
	env        Env
}

// NewEnquiryDrafts builds the use case.
func NewEnquiryDrafts(store EnquiryStore, agreements *Agreements, env Env) *EnquiryDrafts {
	return &EnquiryDrafts{store: store, agreements: agreements, env: env}
}

// EnquiryAgreementInput is what a draft needs besides what the enquiry
// tells, as POST /agreements takes it: the award and its start, and the
// partner's kind, address and number (its name, when left out, is the
// organisation the enquiry names, else the enquirer's).
type EnquiryAgreementInput struct {
	Amount    int64          `json:"amount"`
	StartDate string         `json:"startDate"`
	Partner   grants.Partner `json:"partner"`
}

// Prefill is the draft's partner and lead contact as the enquiry tells
// them, for a form to show.
func Prefill(e *grants.Enquiry) (partner string, contact grants.Contact) {
	partner = e.Organisation
	if partner == "" {
		partner = e.Name
	}
	name := e.Name
	if name == "" {
		name, _, _ = strings.Cut(e.Email, "@")
	}
	return partner, grants.Contact{Name: name, Email: e.Email, Role: "lead"}
}

// Start creates a draft agreement from an enquiry, with its partner and
// lead contact filled in, and records it on the enquiry. An enquiry that
// started one already returns it (a retried request creates nothing).
func (x *EnquiryDrafts) Start(ctx context.Context, actor, id string, in EnquiryAgreementInput) (*grants.Agreement, bool, error) {
	e, err := x.store.GetEnquiry(ctx, id)
	if err != nil {
		return nil, false, err
	}
	if e.AgreementID != "" {
		a, err := x.agreements.store.GetAgreement(ctx, e.AgreementID)
		return a, false, err
	}
	name, contact := Prefill(e)
	partner := in.Partner
	if strings.TrimSpace(partner.Name) == "" {
		partner.Name = name
	}
	a, _, err := x.agreements.CreateAgreement(ctx, actor, grants.NewAgreementInput{Programme: e.Programme,
		Partner: partner, Contacts: []grants.Contact{contact}, Amount: in.Amount, StartDate: in.StartDate}, nil)
	if err != nil {
		return nil, false, err
	}
	if err := recordDraft(ctx, x.store, x.env, actor, e, a.ID); err != nil {
		// The draft stands; the officer sees it in the agreements list.
		slog.ErrorContext(ctx, "record the draft on its enquiry", "enquiryId", e.ID, "agreementId", a.ID, "error", err.Error())
	}
	return a, true, nil
}

// RecordDraft records on an enquiry the draft agreement started from it on
// the New agreement page (the first one only).
func (x *Enquiries) RecordDraft(ctx context.Context, actor, id, agreementID string) error {
	e, err := x.store.GetEnquiry(ctx, id)
	if err != nil || e.AgreementID != "" {
		return err
	}
	return recordDraft(ctx, x.store, x.env, actor, e, agreementID)
}

func recordDraft(ctx context.Context, store EnquiryStore, env Env, actor string, e *grants.Enquiry, agreementID string) error {
	now := env.Now()
	v := e.Version
	e.AgreementID = agreementID
	return store.Apply(ctx, outbox.InboundPartition, grants.Effects{At: now, Enquiries: []grants.EnquiryWrite{{Enquiry: *e, Version: v}},
		Audit: []grants.AuditEntry{{At: now.UTC(), Actor: actor, Action: "enquiry.agreement", Subject: "enquiry " + e.ID, Detail: "draft agreement " + agreementID}}})
}

// answerDays is how many working days an enquiry's acknowledgement promises.
func (c *Courier) answerDays() int {
	if c.opts.EnquiryAnswerDays > 0 {
		return c.opts.EnquiryAnswerDays
	}
	return grants.DefaultEnquiryAnswerDays
}

// AnswerBy is the day n working days after received (in loc, on t's
// calendar): the day an enquiry's acknowledgement promises an answer by.
func AnswerBy(received time.Time, loc *time.Location, t grants.Timing, n int) grants.Date {
	d := grants.Today(received, loc)
	for i := 0; i < n; i++ {
		d = d.AddDays(1)
		for j := 0; !t.BusinessDay(d) && j < 30; j++ {
			d = d.AddDays(1)
		}
	}
	return d
}

// DeliverEnquiry sends an enquiry's email under key (in the inbound
// partition), once, when its send time has come: a working day of the
// programme's calendar at or after its send time. Before then it does
// nothing, and the sweep, which runs at the send time, delivers it. An
// acknowledgement takes its place in the day's limits on automatic email
// (one a sender a day, the day's cap): a flood of enquiries never spends
// the SES quota. An address SES cannot send to gets nothing (recorded as
// skipped).
func (c *Courier) DeliverEnquiry(ctx context.Context, key string) error {
	k, err := outbox.ParseKey(key)
	if err != nil {
		return err
	}
	e, err := c.store.GetEnquiry(ctx, k.Enquiry)
	if err != nil {
		return err
	}
	p, err := c.env.settings(ctx, c.store, e.Programme)
	if err != nil {
		return err
	}
	now, loc, t := c.env.Now(), c.env.location(), p.Timing()
	today := grants.Today(now, loc)
	if !t.WorkingDay(today) || now.Before(t.SendAt(today, loc)) {
		return nil
	}
	partition, token := outbox.InboundPartition, newToken()
	claimed, err := c.store.Claim(ctx, partition, key, token, now, c.lease())
	if err != nil || !claimed {
		return err
	}
	l := Letter{Kind: k.Kind, Enquiry: e, Programme: p.Name, Date: now, Owner: p.DefaultOwner(), ReplyTo: c.opts.EnquiryAddress, AppURL: c.opts.AppURL, SenderName: p.SenderName}
	if grants.Sendable(e.Email) {
		l.To = []string{e.Email}
	}
	var withheld grants.Withheld
	switch k.Kind {
	case outbox.KindEnquiryAck:
		l.AnswerDays = c.answerDays()
		l.AnswerBy = AnswerBy(e.ReceivedAt, loc, t, l.AnswerDays)
		if len(l.To) > 0 {
			withheld, err = c.store.TakeAutoMail(ctx, grants.AutoMail{Key: key, Sender: e.Email, Day: today, Cap: c.autoMailCap()})
		}
	case outbox.KindEnquiryReply:
		if l.EnquiryAnswer = e.Message(k.Round); l.EnquiryAnswer == nil || l.EnquiryAnswer.In {
			err = fmt.Errorf("enquiry %s has no answer %d", e.ID, k.Round)
		}
	default:
		err = fmt.Errorf("no enquiry email for outbox key %q", key)
	}
	var posted Posted
	if err == nil && withheld == "" {
		posted, err = c.letters.Post(ctx, l)
	}
	var entry grants.AuditEntry
	switch {
	case withheld != "":
		entry = grants.AuditEntry{At: now.UTC(), Actor: grants.System, Action: "email.skipped", Subject: key, Detail: withheld.Description()}
	case errors.Is(err, grants.ErrNoRecipients):
		entry = grants.AuditEntry{At: now.UTC(), Actor: grants.System, Action: "email.skipped", Subject: key, Detail: "no deliverable recipient"}
	case err != nil:
		return c.release(ctx, partition, key, token, fmt.Errorf("send %s: %w", key, err))
	default:
		entry = c.sentEntry(key, posted)
	}
	return c.recordDone(ctx, partition, key, posted.MessageID, func(ctx context.Context) error {
		return c.store.Apply(ctx, partition, grants.Effects{At: now, Audit: []grants.AuditEntry{entry}, Sent: []grants.Sent{{Key: key, Token: token, MessageID: posted.MessageID}}})
	})
}

// AcceptHeld makes an enquiry of a message held on its way to the enquiry
// address (grants.HeldEnquiry), as if it had passed the checks: the
// enquiry, its acknowledgement and the decision, with who vouched for it,
// are one write, so a message is accepted once however often it is asked.
func (x *Enquiries) AcceptHeld(ctx context.Context, actor, messageID, note string) (*grants.Enquiry, error) {
	note, err := grants.OptionalNote("note", note)
	if err != nil {
		return nil, err
	}
	q, err := pendingHeld(ctx, x.store, messageID)
	if err != nil {
		return nil, err
	}
	if q.Detail != grants.HeldEnquiry {
		return nil, &grants.Error{Code: grants.Conflict, Reason: "not_an_enquiry",
			Message: "This message was not sent to the enquiry address: accept it as a reply to its check-in instead."}
	}
	r := q.Reply
	now := x.env.Now()
	with := grants.Effects{At: now,
		Audit: []grants.AuditEntry{{At: now.UTC(), Actor: actor, Action: "quarantine.accepted", Subject: r.MessageID,
			Detail: "held as " + string(q.Reason) + ", accepted as an enquiry; " + note}},
		Decisions: []grants.Decision{{MessageID: q.ID, Status: grants.QuarantineAccepted, Actor: actor, Note: note}}}
	in := ReceivedEnquiry{Email: r.From, Subject: r.Subject,
		Message: grants.EnquiryMessage{From: r.From, Text: r.Text, Attachments: r.Attachments, MessageID: r.MessageID, RawKey: r.RawKey}}
	if err := x.ReceiveEnquiry(ctx, in, with); err != nil {
		return nil, decidedMeanwhile(ctx, x.store, q.ID, err)
	}
	return x.store.GetEnquiry(ctx, grants.EnquiryID(r.MessageID))
}
