// Package answers reads a check-in reply per question, as the check-in
// email asked them. It imports nothing heavy, so the use cases may read
// replies with it (pkg/reply parses whole messages).
package answers

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Answer is a reply's answer to one check-in question.
type Answer struct {
	Number int    // the question's number in the email, from 1
	Label  string // its heading
	Text   string // what the partner wrote under it ("" if nothing)
}

var numberedLine = regexp.MustCompile(`^\s*\(?([1-9])\s*[.):-]\s*`)

// Of reads a reply's text per question, as the check-in email asked
// them (labels in order: "Progress", "A story", or a programme's own
// words). A question's answer starts at a line that begins with its label
// (its number before it or not, any punctuation after it) or, where the
// reply numbers its answers as the email numbered the questions, at the
// line numbered as it is, and runs to the next question's start. Text
// before the first question found is not an answer to any. ok is false
// when no question could be found: the reply as a whole is the partner's
// answer (a few lines in their own words are welcome too).
func Of(text string, labels []string) (answers []Answer, ok bool) {
	answers = make([]Answer, len(labels))
	for i, l := range labels {
		answers[i] = Answer{Number: i + 1, Label: l}
	}
	body, _, ok := answerLines(strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n"), labels)
	for i := range answers {
		answers[i].Text = strings.TrimSpace(strings.Join(body[i], "\n"))
	}
	return answers, ok
}

// answerLines reads lines per question as Answers does: body holds each
// question's answer, and owner[i] is the question whose answer line i starts
// or continues (-1 for a line before the first question found).
func answerLines(lines []string, labels []string) (body [][]string, owner []int, ok bool) {
	keys := make([]string, len(labels))
	for i, l := range labels {
		keys[i] = labelKey(l)
	}
	owner = make([]int, len(lines))
	current := -1
	body = make([][]string, len(labels))
	next := 0 // the number a numbered answer must have to count: the next in order
	for li, line := range lines {
		q, rest := -1, ""
		trimmed := strings.TrimLeftFunc(line, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		numbered := numberedLine.FindStringSubmatchIndex(line)
		if numbered != nil {
			trimmed = line[numbered[1]:]
		}
		for i, k := range keys {
			if k != "" && strings.HasPrefix(strings.ToLower(trimmed), k) {
				q, rest = i, trimmed[len(k):]
				rest = strings.TrimLeftFunc(rest, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) })
				break
			}
		}
		if q < 0 && numbered != nil {
			n, _ := strconv.Atoi(line[numbered[2]:numbered[3]])
			if n == next+1 && n <= len(labels) {
				q, rest = n-1, line[numbered[1]:]
			}
		}
		if q >= 0 && q >= current {
			current, next = q, q+1
			ok = true
			owner[li] = q
			if strings.TrimSpace(rest) != "" {
				body[q] = append(body[q], rest)
			}
			continue
		}
		owner[li] = current
		if current >= 0 {
			body[current] = append(body[current], line)
		}
	}
	return body, owner, ok
}

// labelKey is what a line must start with to head a question's answer: its
// label in lower case, without the punctuation at its end ("what did the
// young people make" for "What did the young people make?").
func labelKey(label string) string {
	return strings.ToLower(strings.TrimRightFunc(strings.TrimSpace(label), func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) }))
}
