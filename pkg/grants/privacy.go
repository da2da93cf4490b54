package grants

import "strings"

// Feedback for us is the programme team's to read (issue 24): partners
// write more honestly when those who approve their payments are not the
// readers. Finance and viewers read a reply without it, and are told that
// a part was withheld.

// SplitFeedback parts a reply's text into the answer to the "Feedback for
// us" question, as FeedbackAnswer finds it, and the rest, with the lines
// that hold the answer (its heading included) taken out. When the answer
// cannot be told apart from the rest (no question headings), the whole
// reply is the answer: rest is empty and whole is true.
func SplitFeedback(text string) (rest, feedback string, whole bool) {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	from, to, ok := feedbackSpan(lines)
	if !ok {
		return "", strings.TrimSpace(text), true
	}
	feedback, _ = FeedbackAnswer(text)
	kept := append(append([]string{}, lines[:from]...), lines[to:]...)
	return strings.TrimSpace(strings.Join(kept, "\n")), feedback, false
}

// feedbackSpan is the lines [from, to) that hold the feedback answer, found
// as FeedbackAnswer finds it.
func feedbackSpan(lines []string) (from, to int, ok bool) {
	seen := map[string]bool{}
	for i, l := range lines {
		if m := feedbackLabel.FindStringIndex(l); m != nil {
			after := untilNumbered(lines[i+1:])
			if strings.TrimSpace(strings.Join(append([]string{l[m[1]:]}, after...), "\n")) != "" {
				return i, i + 1 + len(after), true
			}
		}
		if m := numbered.FindStringSubmatchIndex(l); m != nil {
			n := l[m[2]:m[3]]
			if n == "4" && seen["1"] && seen["2"] && seen["3"] {
				if strings.TrimSpace(strings.Join(append([]string{l[m[1]:]}, lines[i+1:]...), "\n")) != "" {
					return i, len(lines), true
				}
			}
			seen[n] = true
		}
	}
	return 0, 0, false
}

// ReadBy is the reply as a member of staff may read it. The programme role
// reads it all, its feedback answer in Feedback too. Anyone else reads the
// rest of the partner's words only: the feedback answer (the whole reply
// when it cannot be told apart) is taken out of Text and FullText, and the
// whole text and the message as received, which hold it, are not linked
// (TextKey and RawKey cleared); FeedbackWithheld says a part was withheld.
func (r Reply) ReadBy(actor Actor) Reply { return r.ReadWith(actor, SplitFeedback) }

// FeedbackSplitter parts a reply's words as SplitFeedback does.
type FeedbackSplitter func(text string) (rest, feedback string, whole bool)

// ReadWith is ReadBy with the reply's words parted by split (by the
// programme's own questions, say).
//
// An officer's mark (FeedbackMark) parts the words instead of split: the
// marked passage is the feedback, and a mark of no passage says the reply
// holds none. Anyone but the programme role reads no mark, and reads the
// reply as asking for help only when the words they read ask it: a phrase
// found only in the feedback would point at what was withheld.
func (r Reply) ReadWith(actor Actor, split FeedbackSplitter) Reply {
	if r.AnswersMessage {
		// An answer to "you said, we did" is feedback as a whole.
		split = func(text string) (string, string, bool) { return "", strings.TrimSpace(text), true }
		if !actor.Has(RoleProgramme) && (r.Text != "" || r.FullText != "" || r.TextKey != "") {
			r.Text, r.FullText, r.Feedback, r.FeedbackWithheld = "", "", "", true
			r.TextKey, r.TextSize, r.TextURL, r.RawKey = "", 0, "", ""
			return r
		}
	}
	rest, feedback, ok := r.splitMarked(r.PartnersWords())
	if !ok {
		rest, feedback, _ = split(r.PartnersWords())
	}
	if actor.Has(RoleProgramme) {
		r.Feedback = feedback
		return r
	}
	r.Feedback, r.FeedbackMark = "", nil
	if feedback == "" {
		return r
	}
	r.Text, r.FullText, r.FeedbackWithheld = rest, rest, true
	r.TextKey, r.TextSize, r.TextURL, r.RawKey = "", 0, "", ""
	if r.AsksForHelp != "" {
		r.AsksForHelp = HelpPhrase(rest)
	}
	return r
}

// RepliesReadBy is ReadWith of each reply, in a new slice (split nil:
// SplitFeedback).
func RepliesReadBy(replies []Reply, actor Actor, split FeedbackSplitter) []Reply {
	if split == nil {
		split = SplitFeedback
	}
	out := make([]Reply, len(replies))
	for i, r := range replies {
		out[i] = r.ReadWith(actor, split)
	}
	return out
}

// HistoryReadBy is a history as actor may read it. An email's text may
// quote the partner's reply, feedback and all (an acknowledgement does), so
// only the programme role, who reads the feedback, reads what emails said.
func HistoryReadBy(entries []AuditEntry, actor Actor) []AuditEntry {
	if actor.Has(RoleProgramme) {
		return entries
	}
	out := make([]AuditEntry, len(entries))
	for i, e := range entries {
		e.Body = ""
		out[i] = e
	}
	return out
}
