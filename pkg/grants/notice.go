package grants

import (
	"fmt"
	"strings"
	"time"

	"github.com/partnership-grants/backend/pkg/money"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// The partner hears about their money: holding or releasing an instalment,
// waiving a check-in and adding an extra payment each send the partner one
// email, in words the officer can edit before it goes (the default words,
// NoticeWords, are offered to them), kept on the agreement with the change
// and sent from the outbox at the programme's send time. The internal
// reason a person gives for the change is never in it.

// NoticeKind is what a notice tells the partner.
type NoticeKind string

// The kinds of notice. The strings are stored: never change one.
const (
	NoticeHeld     NoticeKind = "held"
	NoticeReleased NoticeKind = "released"
	NoticeWaived   NoticeKind = "waived"
	NoticeExtra    NoticeKind = "extra"
	// NoticeMessage is an officer's own message to the partner, written on
	// the agreement's page (issue 26, item 16): about nothing in
	// particular, so it has no instalment or check-in and no default words.
	NoticeMessage NoticeKind = "message"
)

// MaxNoticeMessage bounds the officer's words to the partner.
const MaxNoticeMessage = 4000

// Notice is one email to the partner about their money: what it is about
// (an instalment or a check-in) and the officer's words, as they were when
// the change was made.
type Notice struct {
	// Number orders an agreement's notices from 1; it names the email's
	// outbox key (outbox.NoticeKey), so each notice is sent once.
	Number     int        `json:"number"`
	Kind       NoticeKind `json:"kind"`
	Instalment int        `json:"instalment,omitempty"`
	CheckIn    int        `json:"checkIn,omitempty"`
	Message    string     `json:"message"`
	At         time.Time  `json:"at"`
	By         string     `json:"by"`
}

// Notice returns notice n, or nil.
func (a *Agreement) Notice(n int) *Notice {
	for i := range a.Notices {
		if a.Notices[i].Number == n {
			return &a.Notices[i]
		}
	}
	return nil
}

// PartnerMessage checks the officer's words for the partner (optional: nil
// or blank takes the default words) without changing anything, so a use
// case can refuse bad words before the change.
func PartnerMessage(message *string) (string, error) {
	if message == nil {
		return "", nil
	}
	var errs fieldErrors
	m := strings.TrimSpace(*message)
	checkText(&errs, "partnerMessage", m, MaxNoticeMessage, false)
	return m, errs.err()
}

// Tell records a notice of kind about instalment or check-in n, just
// changed, in message (blank: the default words, NoticeWords, as the
// change left the agreement), and returns the outbox key of its email.
func (a *Agreement) Tell(kind NoticeKind, n int, message *string, now time.Time, actor string) (outbox.Key, error) {
	m, err := PartnerMessage(message)
	if err != nil {
		return outbox.Key{}, err
	}
	if m == "" {
		m = a.NoticeWords(kind, n)
	}
	no := Notice{Number: len(a.Notices) + 1, Kind: kind, Message: m, At: now.UTC(), By: actor}
	if kind == NoticeWaived {
		no.CheckIn = n
	} else {
		no.Instalment = n
	}
	a.Notices = append(a.Notices, no)
	return outbox.NoticeKey(no.Number), nil
}

// Message records an officer's own message to the partner (NoticeMessage)
// and returns the outbox key of its email and its history entry. The words
// are required. It is refused for a draft, which the partner has not been
// sent, and for an agreement none of whose contacts mail reaches: queued,
// it would only be recorded as skipped.
func (a *Agreement) Message(message string, now time.Time, actor string) (outbox.Key, AuditEntry, error) {
	var errs fieldErrors
	m := strings.TrimSpace(message)
	checkText(&errs, "message", m, MaxNoticeMessage, true)
	if err := errs.err(); err != nil {
		return outbox.Key{}, AuditEntry{}, err
	}
	if a.Status == AgreementDraft {
		return outbox.Key{}, AuditEntry{}, &Error{Code: Conflict, Reason: "not_active",
			Message: fmt.Sprintf("Agreement %s is a draft: the partner can be emailed once it is activated.", a.Reference)}
	}
	if len(a.DeliverableContacts()) == 0 {
		return outbox.Key{}, AuditEntry{}, &Error{Code: Conflict, Reason: "no_deliverable_contact",
			Message: "No contact of this agreement can be emailed (each address bounced or is missing): correct a contact's email address first."}
	}
	no := Notice{Number: len(a.Notices) + 1, Kind: NoticeMessage, Message: m, At: now.UTC(), By: actor}
	a.Notices = append(a.Notices, no)
	key := outbox.NoticeKey(no.Number)
	entry := AuditEntry{At: now.UTC(), Actor: actor, Action: "message.queued", Subject: key.String(), Detail: "A message to the partner, to be emailed"}
	return key, entry, nil
}

// NoticeWords are the default words of a notice of kind about instalment
// or check-in n as the agreement stands: plain, about the partner's money,
// never the internal reason. The web forms offer them to the officer to
// edit (before the change: they describe its outcome).
func (a *Agreement) NoticeWords(kind NoticeKind, n int) string {
	in := a.Instalment(n)
	what := func() string {
		if in == nil {
			return fmt.Sprintf("instalment %d", n)
		}
		return fmt.Sprintf("instalment %d (%s, due %s)", n, a.display(in.Amount), in.DueDate.Long())
	}
	switch kind {
	case NoticeHeld:
		return "We have put " + what() + " on hold for now. We will be in touch to talk it through, and we will tell you as soon as it is released."
	case NoticeReleased:
		return "Good news: " + what() + " is no longer on hold. It will be paid on its due date, or as soon as our finance team can if that date has passed."
	case NoticeWaived:
		return fmt.Sprintf("You do not need to send us check-in %d: we have marked it as done, and no instalment waits on it. Thank you for all you are doing; if you would like to tell us how things are going, just reply.", n)
	case NoticeExtra:
		if in == nil || in.Extra == nil {
			return "We are making an extra payment to you."
		}
		s := fmt.Sprintf("We are making an extra payment of %s to you, due on %s", a.display(in.Amount), in.DueDate.Long())
		if in.Extra.Purpose == ExtraAdvance {
			s += ", as an advance"
		} else {
			s += ", to support you at a time of need"
		}
		if len(in.Extra.TakenFrom) > 0 {
			parts := make([]string, len(in.Extra.TakenFrom))
			for i, t := range in.Extra.TakenFrom {
				parts[i] = fmt.Sprintf("instalment %d is %s less", t.Instalment, a.display(t.Amount))
			}
			s += ". It comes out of your later instalments, so your award is the same in total: " + strings.Join(parts, " and ")
		} else {
			s += fmt.Sprintf(". It is on top of your award, which is now %s", a.display(a.Amount))
		}
		return s + ". Our finance team will pay it once it has been approved, and we will send you the payment details."
	}
	return ""
}

// display is an amount in the agreement's currency, for people.
func (a *Agreement) display(minor int64) string {
	return money.Amount{Minor: minor, Currency: a.Currency}.Display()
}

// CompleteAndTell closes the agreement (Complete) and keeps the officer's
// words for the partner's thank-you (message, optional) on its Closure: the
// thank-you says them, never the reason, which is internal.
func (a *Agreement) CompleteAndTell(reason string, message *string, now time.Time, actor string) ([]AuditEntry, error) {
	m, err := PartnerMessage(message)
	if err != nil {
		return nil, err
	}
	entries, err := a.Complete(reason, now, actor)
	if err != nil {
		return nil, err
	}
	if a.Closure != nil {
		a.Closure.Message = m
	}
	return entries, nil
}

// ClosedEarlyWords are the default words of the thank-you when an officer
// closes an agreement with things left: the web form offers them to edit.
const ClosedEarlyWords = "We have closed our agreement with you now that its time has run. Thank you for the work you did with us; we would be glad to hear how things are going."
