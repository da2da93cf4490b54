package grants

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// A reply whose feedback for us cannot be told apart from the rest (no
// question headings) is withheld whole from finance and viewers (issue 24,
// item 1) until a programme officer marks which part is feedback: the
// passage they mark is what is withheld from then on, and nothing of the
// reply when they mark that it holds no feedback. An officer may mark a
// reply whose automatic split was wrong too. The last mark stands.

// FeedbackMark is an officer's word on which part of a reply is its
// feedback for the programme team: Passage is that part, as the reply's
// words hold it, or empty when the reply holds no feedback.
type FeedbackMark struct {
	Passage string    `json:"passage"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
}

// MarkedFeedback is a mark to store on the reply it names (see
// Effects.FeedbackMarks).
type MarkedFeedback struct {
	AgreementID string
	CheckIn     int
	MessageID   string
	Mark        FeedbackMark
}

// FindPassage finds passage in words with any run of white space matching
// any other (a passage copied from a page, or edited, keeps its words but
// seldom its line breaks), and returns where it is in words.
func FindPassage(words, passage string) (start, end int, ok bool) {
	fields := strings.Fields(passage)
	if len(fields) == 0 {
		return 0, 0, false
	}
	for i, f := range fields {
		fields[i] = regexp.QuoteMeta(f)
	}
	m := regexp.MustCompile(strings.Join(fields, `\s+`)).FindStringIndex(words)
	if m == nil {
		return 0, 0, false
	}
	return m[0], m[1], true
}

// MarkFeedback is the mark an officer (actor) makes on the reply: passage
// must be found in the reply's words (FindPassage), and is kept as the
// reply holds it; a blank passage marks the reply as holding no feedback.
// changed is false when the reply is already marked so (marking again is
// no change), and entry is then empty.
func (r Reply) MarkFeedback(passage string, now time.Time, actor string) (m FeedbackMark, entry AuditEntry, changed bool, err error) {
	words := r.PartnersWords()
	if strings.TrimSpace(passage) != "" {
		start, end, ok := FindPassage(words, passage)
		if !ok {
			return m, entry, false, Validation([]FieldError{{Field: "passage", Reason: "must be text found in the reply's words (or empty: the reply holds no feedback)"}})
		}
		m.Passage = words[start:end]
	}
	if old := r.FeedbackMark; old != nil && old.Passage == m.Passage {
		return *old, entry, false, nil
	}
	m.By, m.At = actor, now.UTC()
	// The entry is on the agreement's timeline, which finance and viewers
	// read: it says what was marked, never the words.
	detail := fmt.Sprintf("the feedback for the programme team in reply %s is marked (%d characters, withheld from finance and viewers)", r.MessageID, len([]rune(m.Passage)))
	if m.Passage == "" {
		detail = fmt.Sprintf("reply %s is marked as holding no feedback for the programme team", r.MessageID)
	}
	entry = AuditEntry{At: now.UTC(), Actor: actor, Action: "reply.feedback_marked", Subject: fmt.Sprintf("check-in %d", r.CheckIn), Detail: detail}
	return m, entry, true, nil
}

// splitMarked parts the reply's words as its mark says; ok is false when
// the reply is not marked, or its passage is no longer found in its words
// (then the split stands, which withholds at least as much).
func (r Reply) splitMarked(words string) (rest, feedback string, ok bool) {
	m := r.FeedbackMark
	if m == nil {
		return "", "", false
	}
	if m.Passage == "" {
		return strings.TrimSpace(words), "", true
	}
	start, end, found := FindPassage(words, m.Passage)
	if !found {
		return "", "", false
	}
	before, after := strings.TrimSpace(words[:start]), strings.TrimSpace(words[end:])
	rest = before
	if before != "" && after != "" {
		rest += "\n\n"
	}
	return rest + after, strings.TrimSpace(words[start:end]), true
}
