// Package receive receives partners' emailed replies: SES stores each raw
// message in S3 and invokes the Receiver, which reads it, has pkg/reply
// parse it and check the signed token, the sender and SES's verdicts, and
// hands the message to the replies' use cases (service.Replies): a reply
// to store on its check-in, a message to hold for a person, or one that
// answers nothing to keep. Nothing is dropped; each SES message is
// processed once however often it is delivered (the once-only record is
// claimed here, and completed by the use case's write), and an email sent again (the same Message-ID from the same sender, a new SES
// message) is recorded as a copy of the first, not handled twice.
package receive

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/logs"
	"github.com/partnership-grants/backend/pkg/outbox"
	"github.com/partnership-grants/backend/pkg/reply"
	"github.com/partnership-grants/backend/pkg/replytoken"
	"github.com/partnership-grants/backend/pkg/service"
)

// Objects reads raw messages and writes attachments.
type Objects interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key, contentType string, body []byte) error
	// PutFile writes an attachment, keeping its original name on the object.
	PutFile(ctx context.Context, key, contentType, name string, body []byte) error
	// Keys lists keys under prefix after startAfter, in order, while fn
	// says go on (for Reprocess).
	Keys(ctx context.Context, prefix, startAfter string, fn func(key string) bool) error
}

// UseCases are what the receiver hands a message to (service.Replies):
// whatever becomes of it, a reply, a held message or one set aside, is
// written by a use case, with the delivery's once-only record (with).
type UseCases interface {
	AcceptReply(ctx context.Context, r grants.Reply, actor string, with grants.Effects, read service.Read) error
	// AcceptAgreementReply records a reply to the agreement itself (its
	// token names check-in 0): the partner's acceptance, or changes asked.
	AcceptAgreementReply(ctx context.Context, r grants.Reply, actor string, with grants.Effects, read service.Read) error
	// HoldMessage holds the message for a person (a: its agreement, if known).
	HoldMessage(ctx context.Context, r grants.Reply, q grants.Quarantined, a *grants.Agreement, with grants.Effects) error
	// IgnoreMessage keeps a message that answers nothing, for reason.
	IgnoreMessage(ctx context.Context, r grants.Reply, reason string, with grants.Effects) error
	// AcceptConfidentialFeedback keeps what reached a confidential feedback
	// address without its sender (a: the token's agreement, if known;
	// confidential.go).
	AcceptConfidentialFeedback(ctx context.Context, m service.ConfidentialMessage, a *grants.Agreement, with grants.Effects) error
	// AcceptMessage keeps an answer to a message from the programme ("you
	// said, we did", its message+ address) as a message on its agreement.
	AcceptMessage(ctx context.Context, r grants.Reply, actor string, with grants.Effects, read service.Read) error

	// AnswerStory records a reply about a story (its story+ token names
	// the agreement and, as r.CheckIn, the story): consent, or not.
	AnswerStory(ctx context.Context, r grants.Reply, actor string, with grants.Effects, read service.Read) error
}

// EnquiryUseCases receive what organisations write to the enquiry address
// (service.Enquiries; issue 24, item 6).
type EnquiryUseCases interface {
	ReceiveEnquiry(ctx context.Context, r service.ReceivedEnquiry, with grants.Effects) error
}

// Store is the storage receiving needs: what it reads to decide, and the
// once-only record of each SES message.
type Store interface {
	GetAgreement(ctx context.Context, id string) (*grants.Agreement, error)
	// ClaimOnce claims a once-only record, and says whether it is already done.
	ClaimOnce(ctx context.Context, partition, key, token string, now time.Time, lease time.Duration) (claimed, done bool, err error)
	Release(ctx context.Context, partition, key, token string, cause error) error
	// FirstCopyAndSettings reads the first copy received of an email (with
	// an identity) and a programme's settings (when named), in one call.
	FirstCopyAndSettings(ctx context.Context, identity, programme string) (*grants.FirstCopy, *grants.ProgrammeSettings, error)
	// StoredMessages lists the SES message IDs whose handling is done.
	StoredMessages(ctx context.Context, partition string) (map[string]bool, error)
}

// Receiver handles SES receipt events.
type Receiver struct {
	Store   Store
	Objects Objects
	Tokens  reply.TokenVerifier
	Replies UseCases
	// RawPrefix is the S3 key prefix the receipt rule's S3 action writes under.
	RawPrefix string
	Now       func() time.Time

	// EnquiryAddress is the programme's enquiry address (issue 24, item 6):
	// a message sent to it that carries no signed reply address is an
	// enquiry, handed to Enquiries once SES's verdicts pass.
	EnquiryAddress string
	Enquiries      EnquiryUseCases
}

// Handle processes every record of an SES event; a failure is returned so
// that Lambda retries the event (processing is idempotent per message).
func (rc *Receiver) Handle(ctx context.Context, ev events.SimpleEmailEvent) error {
	var errs []error
	for _, rec := range ev.Records {
		if err := rc.Receive(ctx, rec.SES); err != nil {
			slog.ErrorContext(ctx, "receive failed", "messageId", rec.SES.Mail.MessageID, "error", err.Error())
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func verdicts(r events.SimpleEmailReceipt) reply.Verdicts {
	return reply.Verdicts{Spam: r.SpamVerdict.Status, Virus: r.VirusVerdict.Status, SPF: r.SPFVerdict.Status, DKIM: r.DKIMVerdict.Status, DMARC: r.DMARCVerdict.Status}
}

// Receive processes one received message, once.
func (rc *Receiver) Receive(ctx context.Context, m events.SimpleEmailService) error {
	id := m.Mail.MessageID
	if id == "" {
		return fmt.Errorf("SES record without a message id")
	}
	key := outbox.MessageKey(id).String()
	token := newToken()
	// The claim lasts no longer than this invocation: Lambda retries a failed
	// one a minute or two later, and a claim outliving a crashed attempt
	// would turn those retries away until the event went to the dead-letter queue.
	lease := 5 * time.Minute
	if dl, ok := ctx.Deadline(); ok {
		lease = time.Until(dl)
	}
	claimed, done, err := rc.Store.ClaimOnce(ctx, outbox.InboundPartition, key, token, rc.Now(), lease)
	if err != nil {
		return err
	}
	if done {
		slog.InfoContext(ctx, "message already processed", "messageId", id)
		return nil
	}
	if !claimed {
		return fmt.Errorf("message %s is being processed by another attempt; retry later", id)
	}
	err = rc.process(ctx, m, key, token)
	if err != nil {
		if rerr := rc.Store.Release(context.WithoutCancel(ctx), outbox.InboundPartition, key, token, err); rerr != nil {
			slog.ErrorContext(ctx, "release inbound claim", "error", rerr.Error())
		}
	}
	return err
}

func (rc *Receiver) process(ctx context.Context, m events.SimpleEmailService, claimKey, token string) error {
	id := m.Mail.MessageID
	rawKey := rc.RawPrefix + id
	raw, err := rc.Objects.Get(ctx, rawKey)
	if err != nil {
		return fmt.Errorf("fetch raw message %s: %w", rawKey, err)
	}
	msg, parseErr := reply.Parse(raw)
	env := reply.Envelope{Recipients: m.Receipt.Recipients, MailFrom: m.Mail.Source, Verdicts: verdicts(m.Receipt), MessageID: id}
	if rc.Enquiries != nil && reply.ToEnquiry(env, rc.EnquiryAddress) {
		return rc.enquiry(ctx, msg, parseErr, env, rawKey, claimKey, token)
	}
	contactsCache := map[string]*grants.Agreement{}
	outcome := reply.Decide(msg, parseErr, env, rc.Tokens, func(agreementID string) ([]string, error) {
		a, err := rc.Store.GetAgreement(ctx, agreementID)
		if err != nil {
			return nil, err
		}
		contactsCache[agreementID] = a
		emails := make([]string, len(a.Contacts))
		for i, c := range a.Contacts {
			emails[i] = c.Email
		}
		return emails, nil
	})
	// The email's first copy and, for a reply to accept, its programme's
	// settings (for the thanks and the notice) are read together.
	known := service.Read{Agreement: contactsCache[outcome.AgreementID]}
	programme := ""
	if known.Agreement != nil && outcome.Kind == reply.Accept {
		programme = known.Agreement.Programme
	}
	copyOf, first, settings, err := rc.copies(ctx, msg, id, outcome, programme)
	if err != nil {
		return err
	}
	known.Settings = settings
	now := rc.Now()
	// Whatever becomes of the message, the write that records it also
	// completes this delivery's claim and marks the email's first copy.
	done := delivered(now, claimKey, token, id, first)
	if confidential(outcome, env) { // confidential.go: never a reply, never held under the sender's name
		return rc.receiveConfidential(ctx, msg, outcome, id, copyOf, contactsCache[outcome.AgreementID], done)
	}
	r := grants.Reply{AgreementID: outcome.AgreementID, CheckIn: outcome.CheckIn, MessageID: id, ReceivedAt: now.UTC(), RawKey: rawKey,
		Verdicts: grants.Verdicts(env.Verdicts)}
	if err := rc.keep(ctx, &r, msg, objectPrefix(r), outcome, copyOf); err != nil {
		return err
	}
	// An answer to a message+ address is a message, held or not: a person
	// who accepts it from the held messages keeps it as one.
	r.AnswersMessage = outcome.To == replytoken.ForMessage && outcome.AgreementID != ""
	r.AnswersStory = outcome.To == replytoken.ForStory && outcome.AgreementID != ""
	ctx = logs.WithAgreement(ctx, outcome.AgreementID)
	if copyOf != "" {
		slog.InfoContext(ctx, "message is a copy", "messageId", id, "firstMessageId", copyOf)
		return rc.Replies.IgnoreMessage(ctx, r, "copy of SES message "+copyOf, done)
	}
	slog.InfoContext(ctx, "message received", "messageId", id, "outcome", outcome.Kind.String(), "reason", string(outcome.Reason))
	switch outcome.Kind {
	case reply.Accept:
		switch outcome.To {
		case replytoken.ForCheckIn, replytoken.ForAgreement:
			if r.CheckIn == replytoken.Agreement {
				return rc.Replies.AcceptAgreementReply(ctx, r, r.From, done, known)
			}
			return rc.Replies.AcceptReply(ctx, r, r.From, done, known)
		case replytoken.ForMessage:
			return rc.Replies.AcceptMessage(ctx, r, r.From, done, known)
		case replytoken.ForStory:
			return rc.Replies.AnswerStory(ctx, r, r.From, done, known)
		default:
			// An address of a kind this receiver has no use case for: kept.
			return rc.Replies.IgnoreMessage(ctx, r, "address "+outcome.To.Prefix(), done)
		}
	case reply.Ignore:
		return rc.Replies.IgnoreMessage(ctx, r, string(outcome.Reason), done)
	default:
		// A verdict can quarantine a message before its contacts were looked
		// up; its agreement is still known and names the notice's programme.
		a := contactsCache[outcome.AgreementID]
		if a == nil && outcome.AgreementID != "" {
			if a, err = rc.Store.GetAgreement(ctx, outcome.AgreementID); err != nil {
				if grants.ErrorCode(err) != grants.NotFound {
					return err
				}
				a = nil
			}
		}
		q := grants.Quarantined{Reason: grants.QuarantineReason(outcome.Reason)}
		var past *reply.StructureError
		if errors.As(parseErr, &past) {
			q.Detail = past.Error()
		}
		return rc.Replies.HoldMessage(ctx, r, q, a, done)
	}
}

// copies tells whether the message is another delivery of an email already
// stored (see reply.Identity), returning the first delivery's SES message
// ID; if it is the first, first records it as such, to be written with its
// outcome, so that of two copies arriving together one wins and the other
// fails and is retried (then found to be a copy).
//
// With programme, its settings are read in the same call.
func (rc *Receiver) copies(ctx context.Context, msg *reply.Message, id string, outcome reply.Outcome, programme string) (copyOf string, first []grants.FirstCopy, settings *grants.ProgrammeSettings, err error) {
	identity := reply.Identity(msg)
	stored, settings, err := rc.Store.FirstCopyAndSettings(ctx, identity, programme)
	switch {
	case err != nil:
		return "", nil, nil, err
	case identity == "":
		return "", nil, settings, nil
	case stored == nil:
		return "", []grants.FirstCopy{{Identity: identity, MessageID: id, Held: outcome.Kind == reply.Quarantine}}, settings, nil
	case stored.MessageID != id && reply.IsCopy(stored.Held, outcome):
		return stored.MessageID, nil, settings, nil
	}
	return "", nil, settings, nil
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// objectPrefix is where a message's text and files are kept: under its
// agreement and check-in (or, for a message that names none, under
// "unassigned"), keyed by the message, so a retried delivery overwrites
// rather than duplicates. The text is there too, beside the files, so the
// functions that may read and link attachments may read and link it.
func objectPrefix(r grants.Reply) string {
	if r.AgreementID == "" {
		return fmt.Sprintf("attachments/unassigned/%s/", r.MessageID)
	}
	return fmt.Sprintf("attachments/%s/check-in-%d/%s/", r.AgreementID, r.CheckIn, r.MessageID)
}

// storeText sets r's texts, cut to what a reply holds; a text longer than
// that is kept whole in S3 (files are named "<n>-<name>", so "text.txt"
// is never one of them).
func (rc *Receiver) storeText(ctx context.Context, r *grants.Reply, msg *reply.Message) error {
	var cutNew, cutFull bool
	r.Text, cutNew = grants.Clip(msg.NewText, grants.MaxReplyText)
	r.FullText, cutFull = grants.Clip(msg.FullText, grants.MaxReplyText)
	if !cutNew && !cutFull {
		return nil
	}
	// FullText holds NewText: it is the whole text.
	r.TextKey, r.TextSize = objectPrefix(*r)+"text.txt", len(msg.FullText)
	if err := rc.Objects.Put(ctx, r.TextKey, "text/plain; charset=utf-8", []byte(msg.FullText)); err != nil {
		return fmt.Errorf("store the whole text: %w", err)
	}
	return nil
}

// keyName is the short, safe form of a file's name its key ends with. S3
// refuses a key over 1,024 bytes, and s3rver (which keeps each key as a
// file path) fails on a name over 255, taking S3 down for the local stack;
// the name itself is kept whole on the object (Objects.PutFile) and,
// within grants.MaxAttachmentName, on the reply.
const maxKeyName = 100

func keyName(name string, n int) string {
	safe := strings.Trim(unsafeName.ReplaceAllString(path.Base(name), "_"), "_")
	if safe == "" {
		safe = fmt.Sprintf("attachment-%d", n)
	}
	if len(safe) > maxKeyName {
		ext := path.Ext(safe)
		if len(ext) > 10 {
			ext = ""
		}
		safe = safe[:maxKeyName-len(ext)] + ext // ASCII: any byte is a boundary
	}
	return fmt.Sprintf("%02d-%s", n, safe)
}

// delivered is what every outcome's write records beside it: the
// delivery's once-only record completed, and the email's first copy.
func delivered(now time.Time, claimKey, token, id string, first []grants.FirstCopy) grants.Effects {
	return grants.Effects{At: now, Sent: []grants.Sent{{Partition: outbox.InboundPartition, Key: claimKey, Token: token, MessageID: id}}, FirstCopies: first}
}

// keep fills in r's headers and stores the message's text and its files
// (under prefix), whatever becomes of it. A copy is not stored again, so
// neither are its text or files. Files go to S3 even from a held message,
// so an officer who accepts it gets them too; but what SES found a virus
// in stays inside the raw message, and nobody is handed a link to it.
func (rc *Receiver) keep(ctx context.Context, r *grants.Reply, msg *reply.Message, prefix string, outcome reply.Outcome, copyOf string) error {
	if msg == nil {
		return nil
	}
	r.From, _ = grants.Clip(msg.From.Address, grants.MaxReplyHeader)
	r.Subject, _ = grants.Clip(msg.Subject, grants.MaxReplyHeader)
	if copyOf != "" {
		return nil
	}
	if err := rc.storeText(ctx, r, msg); err != nil {
		return err
	}
	if outcome.Reason == reply.ReasonVirus {
		return nil
	}
	var err error
	r.Attachments, r.MoreAttachments, err = rc.storeFiles(ctx, prefix, msg.Attachments)
	return err
}

// storeFiles puts the first grants.MaxAttachments files in S3 under
// prefix (a reply's: objectPrefix) and returns them and how many more the
// message holds: those stay in the message as received. Storing thousands
// would outlast the invocation, and their list would not fit the reply's item.
func (rc *Receiver) storeFiles(ctx context.Context, prefix string, atts []reply.Attachment) ([]grants.Attachment, int, error) {
	kept := atts[:min(len(atts), grants.MaxAttachments)]
	out := make([]grants.Attachment, 0, len(kept))
	for i, att := range kept {
		name := att.Filename
		if name == "" {
			name = fmt.Sprintf("attachment-%d", i+1)
		}
		key := prefix + keyName(name, i+1)
		ct, _ := grants.Clip(att.ContentType, grants.MaxContentType)
		if ct == "" {
			ct = "application/octet-stream"
		}
		if err := rc.Objects.PutFile(ctx, key, ct, name, att.Content); err != nil {
			return nil, 0, fmt.Errorf("store attachment %d: %w", i+1, err)
		}
		name, _ = grants.Clip(name, grants.MaxAttachmentName)
		out = append(out, grants.Attachment{Name: name, ContentType: ct, Size: att.Size, Key: key, Inline: att.Inline})
	}
	return out, len(atts) - len(kept), nil
}

func newToken() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// enquiry handles a message to the enquiry address (reply.DecideEnquiry
// says what becomes of it): an enquiry, or a further message on one, for
// the enquiries' use case; a held message (spam, a virus, a forged sender)
// for a person, as any other, never acknowledged; an auto-reply or bounce
// set aside. Its files are stored under attachments/enquiries/, where the
// functions that link attachments may read them.
func (rc *Receiver) enquiry(ctx context.Context, msg *reply.Message, parseErr error, env reply.Envelope, rawKey, claimKey, token string) error {
	id := env.MessageID
	outcome := reply.DecideEnquiry(msg, parseErr, env)
	copyOf, first, _, err := rc.copies(ctx, msg, id, outcome, "")
	if err != nil {
		return err
	}
	now := rc.Now()
	done := delivered(now, claimKey, token, id, first)
	r := grants.Reply{MessageID: id, ReceivedAt: now.UTC(), RawKey: rawKey, Verdicts: grants.Verdicts(env.Verdicts)}
	if err := rc.keep(ctx, &r, msg, "attachments/enquiries/"+id+"/", outcome, copyOf); err != nil {
		return err
	}
	if copyOf != "" {
		slog.InfoContext(ctx, "message is a copy", "messageId", id, "firstMessageId", copyOf)
		return rc.Replies.IgnoreMessage(ctx, r, "copy of SES message "+copyOf, done)
	}
	slog.InfoContext(ctx, "enquiry received", "messageId", id, "outcome", outcome.Kind.String(), "reason", string(outcome.Reason))
	switch outcome.Kind {
	case reply.Accept:
		in := service.ReceivedEnquiry{Email: r.From, Subject: r.Subject, Header: msg.MessageID, Refs: reply.Thread(msg),
			Message: grants.EnquiryMessage{From: r.From, Text: msg.NewText, Attachments: r.Attachments, MessageID: id, RawKey: rawKey}}
		in.Name, _ = grants.Clip(msg.From.Name, grants.MaxReplyHeader)
		in.Header, _ = grants.Clip(in.Header, grants.MaxReplyHeader)
		return rc.Enquiries.ReceiveEnquiry(ctx, in, done)
	case reply.Ignore:
		return rc.Replies.IgnoreMessage(ctx, r, string(outcome.Reason), done)
	default:
		q := grants.Quarantined{Reason: grants.QuarantineReason(outcome.Reason), Detail: grants.HeldEnquiry}
		return rc.Replies.HoldMessage(ctx, r, q, nil, done)
	}
}
