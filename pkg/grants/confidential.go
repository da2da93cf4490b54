package grants

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// Confidential feedback (issue 24, item 2): each check-in email offers,
// besides its reply address, a feedback+ address for feedback about the
// funder only. What arrives there is kept in two parts, written together:
//
//   - ConfidentialFeedback, what programme staff read: the words, the
//     programme, the round and the day, and nothing that names the sender
//     (no address, agreement, partner, subject, time of day or files);
//   - ConfidentialSender, the agreement it came from and the SES message,
//     kept only to stop abuse: no use case, route or page reads it (it is
//     read in the table itself, by whoever runs the service, when abuse
//     must be traced).

// ConfidentialFeedback is one message to a confidential feedback address,
// as staff read it.
type ConfidentialFeedback struct {
	// ID is derived from the SES message ID (ConfidentialID) and leads back
	// to neither the message nor its sender.
	ID        string `json:"-"`
	Programme string `json:"programme"`
	// Round is the check-in the address was offered with.
	Round int `json:"round"`
	// On is the day it was received, in the programme's time zone: no time
	// of day, which could be matched with the partner's other emails.
	On Date `json:"on"`
	// Words are the message's new text (quotes and signatures stripped),
	// cut to MaxReplyText (Cut set).
	Words string `json:"words"`
	Cut   bool   `json:"cut,omitempty"`
	// Files is how many files came with it: they are not stored for staff,
	// since a file can name who sent it (they stay in the raw message).
	Files int `json:"files,omitempty"`
	// Unverified: the token proved the address was one we gave a partner,
	// but the sending address was not a contact's, or its domain did not
	// vouch for it. The channel asks nobody who they are, so it is shown,
	// marked so.
	Unverified bool `json:"unverified,omitempty"`
	// SetAside is why a message is not shown (spam, a virus, unreadable,
	// an automatic reply): it is kept, counted, and never shown with its
	// sender; empty for feedback shown.
	SetAside string `json:"setAside,omitempty"`
}

// From is who staff are told it is from.
func (f ConfidentialFeedback) From() string {
	return fmt.Sprintf("a partner in round %d", f.Round)
}

// ConfidentialSender is where a confidential message came from, kept only
// to stop abuse and read by nobody through the app.
type ConfidentialSender struct {
	ID          string    `json:"id"` // the ConfidentialFeedback's
	AgreementID string    `json:"agreementId"`
	Round       int       `json:"round"`
	MessageID   string    `json:"messageId"` // SES's: the raw message in S3
	ReceivedAt  time.Time `json:"receivedAt"`
	// Reason is why it was set aside, if it was ("bad_token": the address
	// was a feedback+ one that did not verify, so no agreement is known).
	Reason string `json:"reason,omitempty"`
}

// ConfidentialID is the ID of the confidential feedback received as SES
// message messageID: the same for every delivery of the message, and not
// the message's own ID, which names its raw object.
func ConfidentialID(messageID string) string {
	sum := sha256.Sum256([]byte("confidential-feedback\x00" + messageID))
	return hex.EncodeToString(sum[:12])
}

// ConfidentialFeedbackEntry is f as an entry of "What partners told us":
// from "a partner in round N", with no agreement, reference or partner.
func ConfidentialFeedbackEntry(f ConfidentialFeedback) FeedbackEntry {
	return FeedbackEntry{CheckIn: f.Round, On: f.On, Words: f.Words, From: f.From(), Confidential: true, Unverified: f.Unverified, Files: f.Files}
}

// WithConfidential adds the shown confidential feedback to rounds (as
// GatherFeedback orders them: by round, the end-of-agreement reports last,
// each newest first), each in the round of the check-in it was offered
// with, and says how many were set aside.
func WithConfidential(rounds []FeedbackRound, list []ConfidentialFeedback) ([]FeedbackRound, int) {
	setAside := 0
	for _, f := range list {
		if f.SetAside != "" {
			setAside++
			continue
		}
		if f.Words == "" {
			continue
		}
		e := ConfidentialFeedbackEntry(f)
		i := -1
		for j := range rounds {
			if !rounds[j].Final && rounds[j].CheckIn == f.Round {
				i = j
			}
		}
		if i < 0 {
			rounds = append(rounds, FeedbackRound{CheckIn: f.Round, Title: fmt.Sprintf("Check-in %d", f.Round)})
			i = len(rounds) - 1
		}
		rounds[i].Entries = append(rounds[i].Entries, e)
	}
	sortFeedback(rounds)
	return rounds, setAside
}
