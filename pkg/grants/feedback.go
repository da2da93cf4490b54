package grants

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// FeedbackRound is what partners told us in one round of check-ins: check-in
// 1, 2, ... of every agreement, or every end-of-agreement report.
type FeedbackRound struct {
	// CheckIn is the round's check-in number; 0 for the end-of-agreement
	// reports, whatever their number.
	CheckIn int             `json:"checkIn"`
	Final   bool            `json:"final"`
	Title   string          `json:"title"`
	Entries []FeedbackEntry `json:"entries"`
}

// FeedbackEntry is one partner's words in a round.
type FeedbackEntry struct {
	AgreementID string `json:"agreementId"`
	Reference   string `json:"reference"`
	Partner     string `json:"partner"`
	CheckIn     int    `json:"checkIn"`
	On          Date   `json:"on"`
	// Words are the answer to the check-in's "Feedback for us" question
	// when it can be told apart in the reply, else the whole reply
	// (WholeReply set).
	Words      string `json:"words"`
	WholeReply bool   `json:"wholeReply"`
	// Channel is the conversation's (call, meeting, ...) when an officer
	// recorded the partner's words; empty for an email.
	Channel Channel `json:"channel,omitempty"`

	// Confidential feedback (issue 24, item 2; confidential.go): From is
	// "a partner in round N", and the agreement, reference and partner are
	// empty; Unverified and Files are the ConfidentialFeedback's.
	From         string `json:"from,omitempty"`
	Confidential bool   `json:"confidential,omitempty"`
	Unverified   bool   `json:"unverified,omitempty"`
	Files        int    `json:"files,omitempty"`
}

// feedbackLabel finds the check-in email's fourth question answered under
// its own words ("Feedback for us: ..."); numbered answers find it by its
// number (see FeedbackAnswer).
var (
	feedbackLabel = regexp.MustCompile(`(?i)^\W*([1-9]\s*[.):-]\s*)?feedback for (us|the funder)\s*[:.\-–]?\s*`)
	numbered      = regexp.MustCompile(`^\s*([1-9])\s*[.)]\s*`)
)

// FeedbackAnswer finds a reply's answer to the check-in's "Feedback for us"
// question (the fourth), which partners answer in free text: from a line
// that starts "Feedback for us" (with or without its number), or from the
// line numbered 4 when the reply numbers its answers as the email numbers
// its questions (1 to 3 come before it), to the end of the reply. When
// neither is there, the whole reply is the answer (whole is true): the
// reply as a whole is what the partner told us.
func FeedbackAnswer(text string) (answer string, whole bool) {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	seen := map[string]bool{}
	for i, l := range lines {
		if m := feedbackLabel.FindStringIndex(l); m != nil {
			// A programme's own questions may put it anywhere (issue 23):
			// the answer ends where the next numbered answer starts.
			if a := strings.TrimSpace(strings.Join(append([]string{l[m[1]:]}, untilNumbered(lines[i+1:])...), "\n")); a != "" {
				return a, false
			}
		}
		if m := numbered.FindStringSubmatchIndex(l); m != nil {
			n := l[m[2]:m[3]]
			if n == "4" && seen["1"] && seen["2"] && seen["3"] {
				if a := strings.TrimSpace(strings.Join(append([]string{l[m[1]:]}, lines[i+1:]...), "\n")); a != "" {
					return a, false
				}
			}
			seen[n] = true
		}
	}
	return strings.TrimSpace(text), true
}

// untilNumbered is lines up to the first that starts a numbered answer.
func untilNumbered(lines []string) []string {
	for i, l := range lines {
		if numbered.MatchString(l) {
			return lines[:i]
		}
	}
	return lines
}

// FeedbackLimit is how many agreements "What partners told us" reads the
// replies of: the newest, one Query each.
const FeedbackLimit = 200

// GatherFeedback groups what partners wrote across agreements by check-in
// round, check-in 1 first and the end-of-agreement reports last, each round
// newest first. replies holds each agreement's replies by its ID; a reply
// with no words (an email of attachments only, a conversation with no
// partner's words noted) is left out, as is one an officer marked as
// holding no feedback; one they marked gives its marked passage.
func GatherFeedback(agreements []Agreement, replies map[string][]Reply, loc *time.Location) []FeedbackRound {
	rounds := map[int]*FeedbackRound{}
	for i := range agreements {
		a := &agreements[i]
		for _, r := range replies[a.ID] {
			if r.AnswersMessage {
				// An answer to "you said, we did" answers no check-in: it
				// is a message on its agreement (issue 24, item 4).
				continue
			}
			words, whole := FeedbackAnswer(r.PartnersWords())
			if _, marked, ok := r.splitMarked(r.PartnersWords()); ok {
				words, whole = marked, false // an officer marked it (feedbackmark.go)
			}
			if words == "" {
				continue
			}
			e := FeedbackEntry{AgreementID: a.ID, Reference: a.Reference, Partner: a.Partner.Name, CheckIn: r.CheckIn,
				On: Today(r.ReceivedAt, loc), Words: words, WholeReply: whole}
			if cv := r.Conversation; cv != nil {
				e.On, e.Channel = cv.HappenedOn, cv.Channel
			}
			round := r.CheckIn
			final := a.InstalmentCount > 0 && r.CheckIn == a.InstalmentCount
			if final {
				round = 0
			}
			fr := rounds[round]
			if fr == nil {
				fr = &FeedbackRound{CheckIn: round, Final: final, Title: fmt.Sprintf("Check-in %d", round)}
				if final {
					fr.Title = "End-of-agreement report"
				}
				rounds[round] = fr
			}
			fr.Entries = append(fr.Entries, e)
		}
	}
	out := make([]FeedbackRound, 0, len(rounds))
	for _, fr := range rounds {
		out = append(out, *fr)
	}
	sortFeedback(out)
	return out
}

// sortFeedback orders rounds by round, the end-of-agreement reports last,
// and each round's entries newest first.
func sortFeedback(out []FeedbackRound) {
	for _, fr := range out {
		slices.SortStableFunc(fr.Entries, func(x, y FeedbackEntry) int {
			return cmp.Or(strings.Compare(y.On.String(), x.On.String()), strings.Compare(x.Reference, y.Reference))
		})
	}
	slices.SortFunc(out, func(x, y FeedbackRound) int {
		// The end-of-agreement reports (round 0) come last.
		return cmp.Compare(roundOrder(x.CheckIn), roundOrder(y.CheckIn))
	})
}

func roundOrder(n int) int {
	if n == 0 {
		return 1 << 30
	}
	return n
}
