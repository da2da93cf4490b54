// Package outbox names the side effects an agreement owes: one key per
// email or event, deterministic so that enqueuing a duplicate collides. The
// HTTP handlers enqueue them in the same transaction as the change that
// causes them, and automation delivers them; an Entry is where a delivery
// stands, as the store keeps it. It imports nothing of the project, so a
// handler that only enqueues links none of the delivery code.
package outbox

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// InboundPartition holds the once-only records of received messages, the
// quarantine notices of old and the officers' daily digest of held
// messages, whose agreement may be unknown.
const InboundPartition = "inbound"

// Kind is what a key stands for; it is the key's first segment.
type Kind string

// The kinds of key. The strings are stored: never change one.
const (
	KindCheckIn           Kind = "checkin"            // checkin#NN
	KindReminder          Kind = "reminder"           // reminder#NN#k
	KindOverdue           Kind = "overdue"            // overdue#NN
	KindDueNotice         Kind = "due-notice"         // due-notice#NN
	KindRemittance        Kind = "remittance"         // remittance#NN
	KindPaidEvent         Kind = "paid-event"         // paid-event#NN
	KindRunRemittance     Kind = "run-remittance"     // run-remittance#runID: one remittance for all a pay run paid the partner
	KindBounce            Kind = "bounce"             // bounce#kind#messageID#email
	KindAck               Kind = "ack"                // ack#NN#messageID
	KindReplyNotice       Kind = "reply-notice"       // reply-notice#NN#messageID
	KindQuarantineNotice  Kind = "quarantine-notice"  // quarantine-notice#messageID
	KindMessage           Kind = "msg"                // msg#messageID, in InboundPartition
	KindTerminated        Kind = "terminated"         // terminated: the partner is told
	KindTerminatedFinance Kind = "terminated-finance" // terminated-finance: finance is told
	KindWelcome           Kind = "welcome"            // welcome: the one email of an agreement activated after its start
	KindThankYou          Kind = "thank-you"          // thank-you: the partner's thanks when the agreement is completed
	KindNowPayable        Kind = "now-payable"        // now-payable#NN: finance is told a check-in unblocked instalment NN
	KindLateDigest        Kind = "late-digest"        // late-digest#YYYY-MM-DD, in a FinancePartition: the day's digest of late instalments
	KindHeldDigest        Kind = "held-digest"        // held-digest#YYYY-MM-DD, in InboundPartition: the officers' digest of held messages
	KindNotice            Kind = "notice"             // notice#NN: the partner told about their money (an agreement's notice NN)

	// The agreement sent to the partner to accept, and each change to it
	// proposed (issue 23, items 4 and 5).
	KindAgreement Kind = "agreement" // agreement: the agreement as activated, to accept by reply
	KindProposal  Kind = "proposal"  // proposal#NN: the NNth change proposed to an active agreement, to accept by reply

	// "You said, we did" (issue 24, item 4).
	KindReflection Kind = "reflection" // reflection#NN: the programme's "you said, we did" of round NN, to the lead contact
	// An enquiry's emails (issue 24, item 6), in InboundPartition: its
	// acknowledgement, and each answer an officer wrote (NN: its message
	// on the thread).
	KindEnquiryAck   Kind = "enquiry-ack"   // enquiry-ack#enquiryID
	KindEnquiryReply Kind = "enquiry-reply" // enquiry-reply#enquiryID#NN
	// KindStory asks the partner's consent to share a story (issue 24, item 5).
	KindStory Kind = "story" // story#NN: the consent asked for the agreement's story NN
)

// FinancePartition holds a programme's finance-wide side effects (the daily
// digest of late instalments), which belong to no one agreement. Its name
// has a '-', which an agreement ID (lower-case base32) never has.
func FinancePartition(programme string) string { return "finance-" + programme }

// IsFinancePartition reports whether partition is a FinancePartition, and whose.
func IsFinancePartition(partition string) (programme string, ok bool) {
	return strings.CutPrefix(partition, "finance-")
}

// Key is one outbox key, parsed. Which fields are set depends on Kind: a
// check-in number for check-ins, reminders, overdue notices, acknowledgements
// and reply notices; an instalment number for due notices, remittances and
// paid events; a message ID for acknowledgements, reply notices, bounces,
// quarantine notices and received messages.
type Key struct {
	Kind       Kind
	CheckIn    int
	Instalment int
	// Reminder is the reminder's count (1 for the first) of a reminder key.
	Reminder  int
	MessageID string
	// Run is a pay run's ID, of a run remittance key.
	Run string
	// Email and BounceKind ("bounce" or "complaint") are a bounce key's,
	// both lower case.
	Email      string
	BounceKind string
	// Day is a digest's date, YYYY-MM-DD.
	Day string

	// Notice is a notice key's number.
	Notice int
	// Round numbers a proposal key: the partner's nth proposed change;
	// and a reflection key: its check-in round.
	Round int

	// Enquiry is an enquiry key's enquiry ID; Round numbers an answer's
	// message on its thread.
	Enquiry string
	// Story numbers a story key: the agreement's story.
	Story int
}

// CheckInKey is the email asking for check-in n.
func CheckInKey(n int) Key { return Key{Kind: KindCheckIn, CheckIn: n} }

// ReminderKey is the k-th reminder of check-in n.
func ReminderKey(n, k int) Key { return Key{Kind: KindReminder, CheckIn: n, Reminder: k} }

// OverdueKey tells the officer that check-in n is overdue.
func OverdueKey(n int) Key { return Key{Kind: KindOverdue, CheckIn: n} }

// DueNoticeKey tells finance that instalment n is due.
func DueNoticeKey(n int) Key { return Key{Kind: KindDueNotice, Instalment: n} }

// RemittanceKey is the partner's remittance advice for instalment n.
func RemittanceKey(n int) Key { return Key{Kind: KindRemittance, Instalment: n} }

// PaidEventKey is the InstalmentPaid event of instalment n.
func PaidEventKey(n int) Key { return Key{Kind: KindPaidEvent, Instalment: n} }

// RunRemittanceKey is the partner's one remittance advice for every
// instalment of theirs pay run run paid.
func RunRemittanceKey(run string) Key { return Key{Kind: KindRunRemittance, Run: run} }

// BounceKey tells the officer that an address bounced or complained. The
// address and kind are lower-cased, so one event names one key.
func BounceKey(email, kind, messageID string) Key {
	return Key{Kind: KindBounce, Email: strings.ToLower(email), BounceKind: strings.ToLower(kind), MessageID: messageID}
}

// AckKey acknowledges a reply to check-in n to its sender.
func AckKey(n int, messageID string) Key { return Key{Kind: KindAck, CheckIn: n, MessageID: messageID} }

// ReplyNoticeKey tells the officer that a reply to check-in n arrived.
func ReplyNoticeKey(n int, messageID string) Key {
	return Key{Kind: KindReplyNotice, CheckIn: n, MessageID: messageID}
}

// QuarantineNoticeKey told the officers that a message was held, one email
// a message; no longer enqueued (HeldDigestKey replaced it), it still names
// the entries of tables written before.
func QuarantineNoticeKey(messageID string) Key {
	return Key{Kind: KindQuarantineNotice, MessageID: messageID}
}

// WelcomeKey is the welcome to a partner whose agreement was activated
// after it started.
func WelcomeKey() Key { return Key{Kind: KindWelcome} }

// TerminatedKey tells the partner that their agreement was terminated.
func TerminatedKey() Key { return Key{Kind: KindTerminated} }

// TerminatedFinanceKey tells finance that an agreement was terminated.
func TerminatedFinanceKey() Key { return Key{Kind: KindTerminatedFinance} }

// ThankYouKey is the partner's thank-you when their agreement is completed,
// by itself or by an officer; an agreement completes once, so it is sent once.
func ThankYouKey() Key { return Key{Kind: KindThankYou} }

// NowPayableKey tells finance that instalment n, which waited for a
// check-in, can now be paid.
func NowPayableKey(n int) Key { return Key{Kind: KindNowPayable, Instalment: n} }

// LateDigestKey is finance's digest of late instalments on day (YYYY-MM-DD):
// one a day.
func LateDigestKey(day string) Key { return Key{Kind: KindLateDigest, Day: day} }

// HeldDigestKey is the officers' digest of the messages held on day
// (YYYY-MM-DD): one a day.
func HeldDigestKey(day string) Key { return Key{Kind: KindHeldDigest, Day: day} }

// NoticeKey is the partner's email of the agreement's notice n (held,
// released, waived, an extra payment): one per notice.
func NoticeKey(n int) Key { return Key{Kind: KindNotice, Notice: n} }

// AgreementKey is the agreement sent to the partner on activation, to
// accept by reply: one an agreement.
func AgreementKey() Key { return Key{Kind: KindAgreement} }

// ProposalKey is the email proposing the nth change to an active agreement,
// to accept by reply.
func ProposalKey(n int) Key { return Key{Kind: KindProposal, Round: n} }

// ReflectionKey is the email of the programme's "you said, we did" of
// round n to the agreement's lead contact: one an agreement and round.
func ReflectionKey(n int) Key { return Key{Kind: KindReflection, Round: n} }

// EnquiryAckKey acknowledges an enquiry to its sender: once an enquiry.
func EnquiryAckKey(id string) Key { return Key{Kind: KindEnquiryAck, Enquiry: id} }

// EnquiryReplyKey is an officer's answer, message n of an enquiry's thread.
func EnquiryReplyKey(id string, n int) Key { return Key{Kind: KindEnquiryReply, Enquiry: id, Round: n} }

// StoryKey is the email asking the partner's consent to share the
// agreement's story n: one a story.
func StoryKey(n int) Key { return Key{Kind: KindStory, Story: n} }

// MessageKey is the once-only record of a received message.
func MessageKey(messageID string) Key { return Key{Kind: KindMessage, MessageID: messageID} }

// String is the key as stored. Numbers are written with at least two digits
// ("checkin#01"), so keys of one agreement sort in order up to 99.
func (k Key) String() string {
	switch k.Kind {
	case KindCheckIn, KindOverdue:
		return fmt.Sprintf("%s#%02d", k.Kind, k.CheckIn)
	case KindReminder:
		return fmt.Sprintf("%s#%02d#%d", k.Kind, k.CheckIn, k.Reminder)
	case KindDueNotice, KindRemittance, KindPaidEvent, KindNowPayable:
		return fmt.Sprintf("%s#%02d", k.Kind, k.Instalment)
	case KindLateDigest, KindHeldDigest:
		return string(k.Kind) + "#" + k.Day
	case KindNotice:
		return fmt.Sprintf("%s#%02d", k.Kind, k.Notice)
	case KindAck, KindReplyNotice:
		return fmt.Sprintf("%s#%02d#%s", k.Kind, k.CheckIn, k.MessageID)
	case KindBounce:
		return string(k.Kind) + "#" + strings.ToLower(k.BounceKind) + "#" + k.MessageID + "#" + strings.ToLower(k.Email)
	case KindQuarantineNotice, KindMessage:
		return string(k.Kind) + "#" + k.MessageID
	case KindRunRemittance:
		return string(k.Kind) + "#" + k.Run
	case KindProposal, KindReflection:
		return fmt.Sprintf("%s#%02d", k.Kind, k.Round)
	case KindEnquiryAck:
		return string(k.Kind) + "#" + k.Enquiry
	case KindEnquiryReply:
		return fmt.Sprintf("%s#%s#%02d", k.Kind, k.Enquiry, k.Round)
	case KindStory:
		return fmt.Sprintf("%s#%02d", k.Kind, k.Story)
	}
	return string(k.Kind)
}

// ErrBadKey is returned, wrapped, for a string that is not an outbox key.
var ErrBadKey = errors.New("not an outbox key")

// ParseKey reads a key written by String. It accepts only the form String
// writes (numbers from 1, two digits at least, no leading "+" or extra
// zero), so a key that parses names exactly one side effect. Text fields are
// taken as they are; an SES message ID never holds a '#'.
func ParseKey(s string) (Key, error) {
	kind, rest, _ := strings.Cut(s, "#")
	k := Key{Kind: Kind(kind)}
	var err error
	switch k.Kind {
	case KindCheckIn, KindOverdue:
		k.CheckIn, err = number(rest)
	case KindReminder:
		n, r, _ := strings.Cut(rest, "#")
		if k.CheckIn, err = number(n); err == nil {
			k.Reminder, err = number(r)
		}
	case KindDueNotice, KindRemittance, KindPaidEvent, KindNowPayable:
		k.Instalment, err = number(rest)
	case KindNotice:
		k.Notice, err = number(rest)
	case KindLateDigest, KindHeldDigest:
		k.Day = rest
		if _, perr := time.Parse(time.DateOnly, rest); perr != nil {
			err = fmt.Errorf("%q is not a YYYY-MM-DD day", rest)
		}
	case KindAck, KindReplyNotice:
		n, id, ok := strings.Cut(rest, "#")
		if !ok {
			err = errors.New("no message ID")
		} else if k.CheckIn, err = number(n); err == nil {
			k.MessageID = id
		}
	case KindBounce:
		// The address comes last: its local part may hold a '#'.
		parts := strings.SplitN(rest, "#", 3)
		if len(parts) != 3 {
			err = errors.New("want bounce#kind#messageID#email")
		} else {
			k.BounceKind, k.MessageID, k.Email = parts[0], parts[1], parts[2]
		}
	case KindQuarantineNotice, KindMessage:
		k.MessageID = rest
	case KindRunRemittance:
		if rest == "" || strings.Contains(rest, "#") {
			err = errors.New("want run-remittance#runID")
		}
		k.Run = rest
	case KindWelcome, KindThankYou:
	case KindAgreement:
		if rest != "" {
			err = errors.New("takes nothing after the kind")
		}
	case KindProposal, KindReflection:
		k.Round, err = number(rest)
	case KindEnquiryAck:
		k.Enquiry = rest
		if rest == "" || strings.Contains(rest, "#") {
			err = errors.New("want enquiry-ack#enquiryID")
		}
	case KindEnquiryReply:
		id, n, ok := strings.Cut(rest, "#")
		if !ok || id == "" {
			err = errors.New("want enquiry-reply#enquiryID#NN")
		} else if k.Round, err = number(n); err == nil {
			k.Enquiry = id
		}
	case KindStory:
		k.Story, err = number(rest)
	case KindTerminated, KindTerminatedFinance:
		if rest != "" {
			err = errors.New("takes nothing after the kind")
		}
	default:
		err = fmt.Errorf("unknown kind %q", kind)
	}
	if err == nil && k.String() != s {
		err = errors.New("not in the form it is written")
	}
	if err != nil {
		return Key{}, fmt.Errorf("%w: %q: %v", ErrBadKey, s, err)
	}
	return k, nil
}

// number reads a check-in, instalment or reminder number: 1 or more.
func number(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%q is not a number from 1", s)
	}
	return n, nil
}
