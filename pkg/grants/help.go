package grants

import (
	"fmt"
	"strings"
	"time"
)

// HelpPhrases are what marks a reply as asking for help, matched in the
// partner's new words only (quoted history is stripped, so our own check-in
// email never matches), case-insensitively. The rule is deliberately simple
// so an officer can see why a reply was flagged: the phrase found is stored
// with the flag. A phrase list over-flags ("we don't need help") rather
// than misses; a person reads every flagged reply anyway.
var HelpPhrases = []string{
	"help",
	"support with",
	"support on",
	"struggling",
	"struggle",
	"could you",
	"can you",
	"advice",
	"not sure how",
	"don't know how",
	"do not know how",
}

// HelpPhrase returns the first of HelpPhrases found in text, or "".
func HelpPhrase(text string) string {
	t := strings.ToLower(strings.ReplaceAll(text, "’", "'"))
	for _, p := range HelpPhrases {
		if containsWord(t, p) {
			return p
		}
	}
	return ""
}

// containsWord finds p in t at word boundaries, so "helpful" does not
// match "help".
func containsWord(t, p string) bool {
	for i := 0; ; {
		j := strings.Index(t[i:], p)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(p)
		if (start == 0 || !isLetter(t[start-1])) && (end == len(t) || !isLetter(t[end])) {
			return true
		}
		i = start + 1
	}
}

func isLetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b >= 0x80 }

// FlagHelp sets the reply's AsksForHelp from the partner's words.
func (r *Reply) FlagHelp() {
	r.AsksForHelp = HelpPhrase(r.PartnersWords())
}

// HelpRequest is a reply that asked for help, kept on the agreement so the
// page and the programme summary see it without reading the replies.
type HelpRequest struct {
	CheckIn   int       `json:"checkIn"`
	MessageID string    `json:"messageId"`
	At        time.Time `json:"at"`
	// Phrase is what in the reply asked for help.
	Phrase       string    `json:"phrase"`
	FollowedUpAt time.Time `json:"followedUpAt,omitzero"`
	FollowedUpBy string    `json:"followedUpBy,omitempty"`
	Note         string    `json:"note,omitempty"`
}

// noteHelpAsked records a reply that asks for help, once per message, and
// returns its audit entry.
func (a *Agreement) noteHelpAsked(r Reply, now time.Time, actor string) (AuditEntry, bool) {
	phrase := HelpPhrase(r.PartnersWords())
	if phrase == "" {
		return AuditEntry{}, false
	}
	for _, h := range a.HelpRequests {
		if h.MessageID == r.MessageID {
			return AuditEntry{}, false
		}
	}
	a.HelpRequests = append(a.HelpRequests, HelpRequest{CheckIn: r.CheckIn, MessageID: r.MessageID, At: now.UTC(), Phrase: phrase})
	// The entry is on the timeline every role reads; the phrase may be in
	// the reply's feedback, which only the programme role reads (issue 24),
	// so it is named with the reply (ReadWith), not here.
	return AuditEntry{At: now.UTC(), Actor: actor, Action: "reply.asks_for_help", Subject: fmt.Sprintf("check-in %d", r.CheckIn),
		Detail: fmt.Sprintf("reply %s asks for help: follow up", r.MessageID)}, true
}

// FollowUpHelp marks the help asked for in reply messageID as followed up,
// with an optional note.
func (a *Agreement) FollowUpHelp(messageID, note string, now time.Time, actor string) (AuditEntry, error) {
	note, err := OptionalNote("note", note)
	if err != nil {
		return AuditEntry{}, err
	}
	for i := range a.HelpRequests {
		h := &a.HelpRequests[i]
		if h.MessageID != messageID {
			continue
		}
		if !h.FollowedUpAt.IsZero() {
			return AuditEntry{}, conflict("already_followed_up", "This request for help was followed up on %s by %s.", h.FollowedUpAt.Format(time.DateOnly), h.FollowedUpBy)
		}
		h.FollowedUpAt, h.FollowedUpBy, h.Note = now.UTC(), actor, note
		a.touch(now, actor)
		return AuditEntry{At: now.UTC(), Actor: actor, Action: "reply.followed_up", Subject: fmt.Sprintf("check-in %d", h.CheckIn), Detail: note}, nil
	}
	return AuditEntry{}, Errorf(NotFound, "Agreement %s has no reply %s asking for help.", a.Reference, messageID)
}

// OpenHelpRequests counts the replies asking for help not yet followed up.
func (a *Agreement) OpenHelpRequests() int {
	n := 0
	for _, h := range a.HelpRequests {
		if h.FollowedUpAt.IsZero() {
			n++
		}
	}
	return n
}

// ReadBy is the agreement as actor may read it. The phrase a reply asked
// for help with may sit in its feedback, which is the programme role's
// only (privacy.go), so anyone else reads that help was asked and whether
// it was followed up, not in what words.
func (a *Agreement) ReadBy(actor Actor) *Agreement {
	if actor.Has(RoleProgramme) || len(a.HelpRequests) == 0 {
		return a
	}
	c := *a
	c.HelpRequests = make([]HelpRequest, len(a.HelpRequests))
	for i, h := range a.HelpRequests {
		h.Phrase = ""
		c.HelpRequests[i] = h
	}
	return &c
}
