package reply

import "github.com/partnership-grants/backend/pkg/answers"

// Answer is a reply's answer to one check-in question.
type Answer = answers.Answer

// Answers reads a reply's text per question, as the check-in email asked
// them: see answers.Of (a package of its own, so that the use cases read
// replies without what parsing a whole message needs).
func Answers(text string, labels []string) ([]Answer, bool) { return answers.Of(text, labels) }
