package grants

import (
	"errors"
	"time"

	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// Effects are what a change causes besides the agreement's own state. The
// store writes them in the same transaction as the change, or writes nothing:
// a use case describes them, and never how they are stored.
type Effects struct {
	// At is when the change happened, for the records the effects write.
	At    time.Time
	Audit []AuditEntry
	// Outbox enqueues side effects (an email, an event) by outbox key, each
	// only where its key is not enqueued yet: a key already there fails the
	// whole write, as any failed condition does (Apply's is a Conflict; an
	// update is retried on a fresh copy, then is a Conflict), and nothing of
	// it is written.
	Outbox []outbox.Key
	// ClaimedBy, when set, enqueues them already claimed by the invocation
	// that will deliver them right after the write (no claim of their own);
	// if it does not, the claim lapses and the sweep delivers them.
	ClaimedBy *Claim
	// Sent records claimed side effects as done; the write fails if a claim
	// was lost meanwhile.
	Sent []Sent
	// Replies stores partners' replies, once per message.
	Replies []Reply
	// Held quarantines messages for a person, once per message.
	Held []Quarantined
	// FirstCopies mark emails received, once per email.
	FirstCopies []FirstCopy
	// Decisions settle held messages; the write fails if one was settled first.
	Decisions []Decision
	// Answer completes the idempotent request that made the change.
	Answer *idempotency.Answer

	// PartnerLinks list the agreement among its partner record's
	// agreements, creating the record where a link carries it (New; the
	// write fails if one with its ID exists). Issue 23: a partner across
	// agreements.
	PartnerLinks []PartnerLink

	// Confidential stores what reached a confidential feedback address
	// (issue 24, item 2), once per message: what staff read, without its
	// sender; ConfidentialSenders where each came from, which no route reads.
	Confidential        []ConfidentialFeedback
	ConfidentialSenders []ConfidentialSender
	// Enquiries write enquiries (issue 24, item 6; enquiry.go), each
	// created once or replaced at the version read.
	Enquiries []EnquiryWrite
	// FeedbackMarks set an officer's mark on stored replies (replacing
	// any earlier mark); the write fails if a reply is not there. Issue
	// 24: which part of a reply is feedback.
	FeedbackMarks []MarkedFeedback
}

// ErrNoChange is returned by a change that finds nothing to do (a duplicate
// event): the store then writes nothing and returns the agreement as it is.
var ErrNoChange = errors.New("no change")

// ErrNoRecipients: an email has nobody to go to (every contact bounced, no
// officer configured).
var ErrNoRecipients = errors.New("no deliverable recipients")

// Sent is a side effect that happened: its outbox key, the claim it was
// sent under and the message (or event) ID it was sent as. Partition is the
// outbox it belongs to when that is not the changed agreement's (the
// inbound partition's once-only records).
type Sent struct {
	Key, Token, MessageID string
	Partition             string
}

// Claim is a delivery's hold on side effects: its token, and until when.
type Claim struct {
	Token string
	Until time.Time
}

// Decision settles a held message: accepted or rejected, by whom, and why.
type Decision struct {
	MessageID, Status, Actor, Note string
}

// Audited is the effects of a change that only records history.
func Audited(entries ...AuditEntry) Effects { return Effects{Audit: entries} }

// Quarantine statuses.
const (
	QuarantinePending  = "pending"
	QuarantineAccepted = "accepted"
	QuarantineRejected = "rejected"
)

// Quarantined is a received message held for a person to look at.
type Quarantined struct {
	ID     string           `json:"id"` // the SES message id
	Status string           `json:"status"`
	Reason QuarantineReason `json:"reason"`
	// Detail says what the check found, where that says more than the
	// reason (which limit a too_complex message is past).
	Detail      string    `json:"detail,omitempty"`
	AgreementID string    `json:"agreementId,omitempty"`
	Reference   string    `json:"reference,omitempty"`
	Programme   string    `json:"programme,omitempty"`
	CheckIn     int       `json:"checkIn,omitempty"`
	Reply       Reply     `json:"reply"`
	ResolvedBy  string    `json:"resolvedBy,omitempty"`
	ResolvedAt  time.Time `json:"resolvedAt,omitzero"`
	Note        string    `json:"note,omitempty"`
}

// FirstCopy marks the first copy received of an email (see
// reply.Identity), so a resend under a new SES message ID is known as a copy.
type FirstCopy struct {
	Identity  string `json:"-"`
	MessageID string `json:"messageId"` // its SES message id
	Held      bool   `json:"held"`      // quarantined
}

// AuditOnly adapts a change whose only effects are its audit entries.
func AuditOnly(change func(a *Agreement) ([]AuditEntry, error)) func(a *Agreement) (Effects, error) {
	return func(a *Agreement) (Effects, error) {
		entries, err := change(a)
		return Effects{Audit: entries}, err
	}
}
