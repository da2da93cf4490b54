package grants

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Reply is a partner's email answer to a check-in, as stored.
type Reply struct {
	AgreementID string `json:"agreementId"`
	CheckIn     int    `json:"checkIn"`
	// MessageID is SES's ID of the received message (also its raw object's key).
	MessageID   string       `json:"messageId"`
	From        string       `json:"from"`
	Subject     string       `json:"subject"`
	ReceivedAt  time.Time    `json:"receivedAt"`
	Text        string       `json:"text"`     // the new text, quoted history stripped
	FullText    string       `json:"fullText"` // everything readable, kept too
	Verdicts    Verdicts     `json:"verdicts"`
	Attachments []Attachment `json:"attachments"`
	// MoreAttachments counts the files past MaxAttachments: they are kept
	// in the message as received (RawKey), not stored one by one.
	MoreAttachments int    `json:"moreAttachments,omitempty"`
	RawKey          string `json:"rawKey"`
	// TextKey is where the whole text is kept when it was longer than a
	// reply holds (MaxReplyText): Text and FullText then hold their
	// beginnings, and TextSize is the whole text's size in bytes.
	TextKey  string `json:"-"`
	TextSize int    `json:"textSize,omitempty"`
	// TextURL is a short-lived link to the whole text, filled in when a
	// person reads the reply.
	TextURL string `json:"textUrl,omitempty"`
	// AcceptedBy is set when a person accepted the reply from quarantine.
	AcceptedBy string `json:"acceptedBy,omitempty"`
	// Conversation is set when the answer was a call, meeting or visit an
	// officer recorded, not an email received (see NewConversation).
	Conversation *Conversation `json:"conversation,omitempty"`
	// AfterTermination: the reply came after the agreement was terminated.
	// It is kept as a message to the terminated agreement, never counted as
	// the check-in (or end-of-agreement report) its address named.
	AfterTermination bool `json:"afterTermination,omitempty"`
	// AsksForHelp is the phrase in the partner's words that asks for help
	// (see HelpPhrases), or empty: the reply is flagged for follow-up.
	AsksForHelp string `json:"asksForHelp,omitempty"`

	// Issue 24, filled in when a person reads the reply (ReadBy), never
	// stored: Feedback is the answer to "Feedback for us", for the
	// programme role; FeedbackWithheld says it was taken out of the reply
	// for anyone else.
	Feedback         string `json:"feedback,omitempty"`
	FeedbackWithheld bool   `json:"feedbackWithheld,omitempty"`

	// AnswersMessage: the partner answered a message from the programme
	// ("you said, we did"; its message+ address, issue 24 item 4), not a
	// check-in. It is kept as a message on the agreement (CheckIn 0),
	// never counted as a check-in's reply; its words answer feedback
	// reflected back, so they are the programme role's only (ReadWith).
	AnswersMessage bool `json:"answersMessage,omitempty"`
	// AnswersStory: the partner answered the consent asked for a story (its
	// story+ address, issue 24 item 5); CheckIn is then the story's number.
	// Kept so that a held answer, once accepted, is filed as the story's.
	AnswersStory bool `json:"answersStory,omitempty"`
	// Issue 24, stored: FeedbackMark is a programme officer's word on which
	// part of the reply is its feedback (nil: unmarked, the reply is parted
	// by its question headings; replies stored before it read so). Only the
	// programme role reads it (ReadWith).
	FeedbackMark *FeedbackMark `json:"feedbackMark,omitempty"`
}

// What one reply holds at most, so that every message SES accepts can be
// stored: DynamoDB refuses an item over 400 KB, and refuses it on every
// retry, so a reply carrying more (a long text, stored as Text and again
// as FullText; thousands of attachments; a name of any length) would be
// lost to the dead-letter queue. At every limit at once a reply item is
// about 183 KB (measured: 100 names of 1 KB, both texts, the subject); what
// does not fit is kept in the mail bucket: the whole text
// beside the attachments (TextKey), the files past MaxAttachments in the
// message as received (RawKey).
const (
	// MaxReplyText bounds Text and FullText, each, in bytes: 32 KB is
	// about 5,000 words, more than any check-in reply we have seen.
	MaxReplyText = 32 << 10
	// MaxAttachments is how many files a reply stores: photos of a
	// project's year are a few dozen.
	MaxAttachments = 100
	// MaxAttachmentName bounds a file's name in bytes (file systems keep
	// 255; the stored object's key uses a shorter, safe form of it).
	MaxAttachmentName = 1024
	// MaxContentType bounds a file's media type (RFC 6838: 127 + "/" + 127).
	MaxContentType = 255
	// MaxReplyHeader bounds From and Subject, each, in bytes (RFC 5322's
	// line is 998).
	MaxReplyHeader = 998
)

// Clip cuts s to at most max bytes, at a character boundary, and says
// whether it cut anything.
func Clip(s string, max int) (string, bool) {
	if len(s) <= max {
		return s, false
	}
	i := max
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i], true
}

// FileReply is r as a's state files it: a reply to a terminated agreement
// is marked so (see Reply.AfterTermination).
func (a *Agreement) FileReply(r Reply) Reply {
	r.AfterTermination = a.Status == AgreementTerminated
	return r
}

// Verdicts are SES's receipt checks of a message.
type Verdicts struct {
	Spam  string `json:"spam"`
	Virus string `json:"virus"`
	SPF   string `json:"spf"`
	DKIM  string `json:"dkim"`
	DMARC string `json:"dmarc"`
}

// Attachment is a file that came with a reply, stored in S3.
type Attachment struct {
	Name        string `json:"name"`
	ContentType string `json:"contentType"`
	Size        int    `json:"size"`
	Key         string `json:"-"`
	Inline      bool   `json:"inline,omitempty"`
	// URL is a short-lived link, filled in when a person reads the reply.
	URL string `json:"url,omitempty"`
}

// ReceiveReply records that check-in n was answered. The first reply moves
// the check-in to received and frees the next instalment from waiting on it;
// a further reply is kept but changes nothing. The agreement completes if
// this was the last thing outstanding.
func (a *Agreement) ReceiveReply(n int, r Reply, now time.Time, actor string) ([]AuditEntry, error) {
	c := a.CheckIn(n)
	if c == nil {
		return nil, Errorf(NotFound, "Agreement %s has no check-in %d.", a.Reference, n)
	}
	subject := fmt.Sprintf("check-in %d", n)
	files := Count(len(r.Attachments), "attachment", "attachments")
	if r.MoreAttachments > 0 {
		files += fmt.Sprintf(" and %d more kept in the message as received", r.MoreAttachments)
	}
	entries := []AuditEntry{{At: now.UTC(), Actor: actor, Action: "reply.received", Subject: subject,
		Detail: fmt.Sprintf("from %s, %s (SES message %s)", r.From, files, r.MessageID)}}
	if cv := r.Conversation; cv != nil {
		if a.Status != AgreementActive && a.Status != AgreementCompleted {
			return nil, conflict("agreement_not_active", "Agreement %s is %s.", a.Reference, a.Status)
		}
		entries[0].Action = "conversation.recorded"
		entries[0].Detail = fmt.Sprintf("%s on %s with %s", cv.Channel, cv.HappenedOn, strings.Join(cv.Participants, ", "))
	}
	if a.Status == AgreementTerminated {
		// Filed as a message to the terminated agreement: nothing is
		// counted, whatever the check-in's state.
		entries[0].Subject = "agreement (terminated)"
		entries[0].Detail += "; after termination, not counted as check-in " + fmt.Sprint(n)
		return entries, nil
	}
	if e, ok := a.noteHelpAsked(r, now, actor); ok {
		entries = append(entries, e)
	}
	if c.Status == CheckInReceived || c.Status == CheckInWaived {
		return entries, nil // a further reply: stored, not counted again
	}
	if err := CheckInTransition(c.Status, CheckInReceived); err != nil {
		return nil, err
	}
	c.Status, c.ReceivedAt, c.RemindOn, c.UpdatedAt = CheckInReceived, r.ReceivedAt.UTC(), Date{}, now.UTC()
	if r.Conversation != nil {
		c.ReceivedBy = r.Conversation.Channel
	}
	a.releaseNext(n, now)
	entries = append(entries, AuditEntry{At: now.UTC(), Actor: actor, Action: "checkin.received", Subject: subject})
	if e, ok := a.CompleteIfDone(now); ok {
		entries = append(entries, e)
	}
	return entries, nil
}

// releaseNext clears the wait for check-in n of the instalments that follow
// it (CheckInBefore; with one check-in per instalment, instalment n+1).
func (a *Agreement) releaseNext(n int, now time.Time) {
	for i := range a.Instalments {
		if next := &a.Instalments[i]; next.AwaitingCheckIn && a.CheckInBefore(next.Number) == n {
			next.released(Today(now, a.Location()))
			next.UpdatedAt = now.UTC()
		}
	}
}

// WaiveCheckIn excuses a check-in, with a reason: it no longer holds up the
// next instalment or the agreement's completion.
func (a *Agreement) WaiveCheckIn(n int, reason string, now time.Time, actor string) ([]AuditEntry, error) {
	reason, err := RequiredReason("reason", reason)
	if err != nil {
		return nil, err
	}
	c := a.CheckIn(n)
	if c == nil {
		return nil, Errorf(NotFound, "Agreement %s has no check-in %d.", a.Reference, n)
	}
	if a.Status != AgreementActive {
		return nil, conflict("agreement_not_active", "Agreement %s is %s.", a.Reference, a.Status)
	}
	if err := CheckInTransition(c.Status, CheckInWaived); err != nil {
		return nil, err
	}
	c.Status, c.WaivedReason, c.RemindOn, c.UpdatedAt = CheckInWaived, reason, Date{}, now.UTC()
	a.releaseNext(n, now)
	a.touch(now, actor)
	entries := []AuditEntry{{At: now.UTC(), Actor: actor, Action: "checkin.waived", Subject: fmt.Sprintf("check-in %d", n), Detail: reason}}
	if e, ok := a.CompleteIfDone(now); ok {
		entries = append(entries, e)
	}
	return entries, nil
}

// WaitingForCheckIn lists the due instalments that wait for a check-in
// before finance may pay them without an override.
func (a *Agreement) WaitingForCheckIn() []int {
	var ns []int
	for _, in := range a.Instalments {
		if in.Status == InstalmentDue && in.AwaitingCheckIn {
			ns = append(ns, in.Number)
		}
	}
	return ns
}

// NowPayable lists those of waiting (WaitingForCheckIn before a change)
// that no longer wait: the check-in came in, and finance can pay them.
func (a *Agreement) NowPayable(waiting []int) []int {
	var ns []int
	for _, n := range waiting {
		if in := a.Instalment(n); in != nil && in.Status == InstalmentDue && !in.AwaitingCheckIn {
			ns = append(ns, n)
		}
	}
	return ns
}
