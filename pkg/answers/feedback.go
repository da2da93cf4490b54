package answers

import "strings"

// SplitFeedback parts a reply to a programme's questions (labels, as its
// check-in email asked them) into the answer to its feedback question
// (labels[feedback]) and the rest, the answer's lines (its heading
// included) taken out, as Of reads the reply (issue 24: the feedback
// is the programme role's only). ok is false when no question could be
// found in the reply: the feedback cannot be told apart from the rest.
func SplitFeedback(text string, labels []string, feedback int) (rest, answer string, ok bool) {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	body, owner, ok := answerLines(lines, labels)
	if !ok {
		return "", "", false
	}
	var kept []string
	for i, l := range lines {
		if owner[i] != feedback {
			kept = append(kept, l)
		}
	}
	if feedback >= 0 && feedback < len(body) {
		answer = strings.TrimSpace(strings.Join(body[feedback], "\n"))
	}
	return strings.TrimSpace(strings.Join(kept, "\n")), answer, true
}
