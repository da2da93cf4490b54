package grants

import (
	"crypto/sha256"
	"encoding/base32"
	"strings"
	"time"
	"unicode/utf8"
)

// Enquiries (issue 24, item 6): an organisation that writes to the
// programme's enquiry address gets in touch without a signed token. Its
// email lands as an Enquiry: who wrote, their organisation when it can be
// told, their words and files, and what became of it. Officers answer from
// the Enquiries page; the enquirer's replies to that answer land back on the
// same enquiry (matched by the References and In-Reply-To headers).

// EnquiryStatus is where an enquiry stands.
type EnquiryStatus string

// The statuses are stored: never change one.
const (
	EnquiryOpen     EnquiryStatus = "open"     // waiting for an answer
	EnquiryAnswered EnquiryStatus = "answered" // an officer replied; it may come back
	EnquiryClosed   EnquiryStatus = "closed"   // settled, with an outcome
)

// Limits of what one enquiry keeps, so that its one item stays well under
// DynamoDB's 400 KB: a longer text is cut (the message as received stays
// whole in S3, RawKey), and past MaxEnquiryMessages a further email on the
// thread starts an enquiry of its own.
const (
	MaxEnquiryText     = 8 << 10
	MaxEnquiryMessages = 30
	MaxEnquiryOutcome  = 2000
	// DefaultEnquiryAnswerDays is how many working days the acknowledgement
	// promises an answer within when the deployment sets none.
	DefaultEnquiryAnswerDays = 5
)

// EnquiryMessage is one email on an enquiry's thread: in from the
// enquirer, or out from an officer.
type EnquiryMessage struct {
	N int `json:"n"`
	// In: the enquirer wrote it; otherwise an officer did.
	In   bool      `json:"in"`
	From string    `json:"from"`
	At   time.Time `json:"at"`
	// Text is what they wrote, quoted history stripped.
	Text        string       `json:"text"`
	Attachments []Attachment `json:"attachments,omitempty"`
	// MessageID is SES's ID of a message received (its raw object's key
	// is RawKey); Header is its Message-ID header, which the answer's
	// In-Reply-To and References name so that it threads.
	MessageID string `json:"messageId,omitempty"`
	Header    string `json:"-"`
	RawKey    string `json:"-"`
}

// Enquiry is an organisation's email to the enquiry address, with its
// thread.
type Enquiry struct {
	ID        string `json:"id"`
	Programme string `json:"programme"`
	// Name and Email are who wrote (From); Organisation is theirs when the
	// signature or the address's domain tells it (may be empty).
	Name         string           `json:"name"`
	Email        string           `json:"email"`
	Organisation string           `json:"organisation,omitempty"`
	Subject      string           `json:"subject"`
	ReceivedAt   time.Time        `json:"receivedAt"`
	Status       EnquiryStatus    `json:"status"`
	Messages     []EnquiryMessage `json:"messages"`
	// Outcome, ClosedBy and ClosedAt say how it was closed.
	Outcome  string     `json:"outcome,omitempty"`
	ClosedBy string     `json:"closedBy,omitempty"`
	ClosedAt *time.Time `json:"closedAt,omitempty"`
	// AgreementID is the draft agreement started from it, if any.
	AgreementID string `json:"agreementId,omitempty"`
	// Version counts its writes (optimistic concurrency).
	Version int `json:"version"`
}

// EnquiryWrite writes an enquiry in a change's effects: created when
// Version is 0 (the write fails if it exists), else replaced if the stored
// one is still at Version (the write fails if it moved on).
type EnquiryWrite struct {
	Enquiry Enquiry
	Version int
}

// EnquiryID is the enquiry an email starts: a digest of its Message-ID
// header (SES's message ID when it has none), so that the same email
// delivered twice names one enquiry, and a reply whose References name it
// finds it.
func EnquiryID(header string) string {
	h := strings.ToLower(strings.Trim(strings.TrimSpace(header), "<>"))
	sum := sha256.Sum256([]byte(h))
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:15]))
}

// Last is the enquiry's last message from the enquirer.
func (e *Enquiry) Last() *EnquiryMessage {
	for i := len(e.Messages) - 1; i >= 0; i-- {
		if e.Messages[i].In {
			return &e.Messages[i]
		}
	}
	return nil
}

// Message is the thread's message n, or nil.
func (e *Enquiry) Message(n int) *EnquiryMessage {
	for i := range e.Messages {
		if e.Messages[i].N == n {
			return &e.Messages[i]
		}
	}
	return nil
}

// References are the Message-ID headers of the thread's received
// messages, oldest first, for an answer's References header.
func (e *Enquiry) References() []string {
	var out []string
	for _, m := range e.Messages {
		if m.In && m.Header != "" {
			out = append(out, m.Header)
		}
	}
	return out
}

// Full says whether the thread holds all a thread may.
func (e *Enquiry) Full() bool { return len(e.Messages) >= MaxEnquiryMessages }

// AddMessage appends m as the thread's next message; one from the
// enquirer reopens an answered or closed enquiry (they wrote again).
func (e *Enquiry) AddMessage(m EnquiryMessage) EnquiryMessage {
	m.N = len(e.Messages) + 1
	m.Text, _ = Clip(m.Text, MaxEnquiryText)
	m.At = m.At.UTC()
	e.Messages = append(e.Messages, m)
	if m.In {
		e.Status = EnquiryOpen
	} else if e.Status == EnquiryOpen {
		e.Status = EnquiryAnswered
	}
	return m
}

// CheckAnswer checks an officer's answer before it is written.
func CheckAnswer(text string) (string, error) {
	text = strings.TrimSpace(text)
	var f fieldErrors
	switch {
	case text == "":
		f.add("text", "is required: what to tell them")
	case len(text) > MaxEnquiryText:
		f.add("text", "must be at most %d bytes", MaxEnquiryText)
	}
	return text, f.err()
}

// Close settles the enquiry with an outcome (e.g. "invited to apply",
// "not eligible: outside our area").
func (e *Enquiry) Close(outcome, actor string, at time.Time) error {
	outcome = strings.TrimSpace(outcome)
	var f fieldErrors
	switch {
	case outcome == "":
		f.add("outcome", "is required: what came of it, e.g. \"invited to apply\"")
	case utf8.RuneCountInString(outcome) > MaxEnquiryOutcome:
		f.add("outcome", "must be at most %d characters", MaxEnquiryOutcome)
	}
	if err := f.err(); err != nil {
		return err
	}
	if e.Status == EnquiryClosed {
		return &Error{Code: Conflict, Message: "This enquiry is closed already.", Reason: "enquiry_closed"}
	}
	t := at.UTC()
	e.Status, e.Outcome, e.ClosedBy, e.ClosedAt = EnquiryClosed, outcome, actor, &t
	return nil
}

// freeMailDomains are mailbox providers: an address there tells nothing of
// the organisation.
var freeMailDomains = map[string]bool{
	"gmail.com": true, "googlemail.com": true, "hotmail.com": true, "hotmail.co.uk": true, "outlook.com": true,
	"live.com": true, "live.co.uk": true, "yahoo.com": true, "yahoo.co.uk": true, "icloud.com": true, "me.com": true,
	"aol.com": true, "btinternet.com": true, "sky.com": true, "virginmedia.com": true, "protonmail.com": true,
	"proton.me": true, "mail.com": true, "gmx.com": true, "talktalk.net": true,
}

// orgWords mark a line of a signature that names an organisation.
var orgWords = []string{"trust", "charity", "association", "society", "foundation", "project", "theatre", "centre", "center",
	"community", "group", "club", "network", "collective", "cic", "ltd", "limited", "museum", "festival", "school", "college",
	"church", "partnership", "alliance", "forum", "youth", "arts", "council", "company", "co-op", "cooperative"}

// GuessOrganisation tells an enquirer's organisation, when it can: a line
// of the signature (the last lines of their words) that names one ("Hulme
// Community Garden Trust"), else the address's domain when it is not a
// mailbox provider's ("hulmegarden.org.uk"). Empty when neither tells.
func GuessOrganisation(text, email string) string {
	lines := strings.Split(strings.TrimSpace(text), "\n")
	for i := len(lines) - 1; i >= 0 && i >= len(lines)-6; i-- {
		l := strings.TrimSpace(strings.Trim(lines[i], "-–—,"))
		if l == "" || len(l) > 80 || strings.ContainsAny(l, "@:/") {
			continue
		}
		low := strings.ToLower(l)
		for _, w := range orgWords {
			if orgWordIn(low, w) {
				return l
			}
		}
	}
	_, domain, ok := strings.Cut(strings.ToLower(strings.TrimSpace(email)), "@")
	if !ok || domain == "" || freeMailDomains[domain] {
		return ""
	}
	return domain
}

func orgWordIn(s, w string) bool {
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '.' || r == '(' || r == ')' }) {
		if f == w {
			return true
		}
	}
	return false
}

// EnquiryNotFound is the error for an enquiry that is not there.
func EnquiryNotFound() error {
	return &Error{Code: NotFound, Message: "There is no such enquiry.", Reason: "enquiry_not_found"}
}

// HeldEnquiry is the Detail of a held message that was sent to the enquiry
// address: accepted, it becomes an enquiry (Enquiries.AcceptHeld), not a
// check-in's reply.
const HeldEnquiry = "sent to the enquiry address"
