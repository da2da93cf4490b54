package grants

import (
	"errors"
	"fmt"
	"strings"
)

// CheckInQuestion is one question a programme's check-in emails ask: one of
// the default set, by Key, or one in the programme's own words, Text (one or
// the other). Optional questions are marked so in the email.
type CheckInQuestion struct {
	Key      string `json:"key,omitempty"`
	Text     string `json:"text,omitempty"`
	Optional bool   `json:"optional"`
}

// MaxCheckInQuestions: reporting in proportion, a check-in asks at most six
// things. MaxQuestionText bounds one question in the programme's own words.
const (
	MaxCheckInQuestions = 6
	MaxQuestionText     = 300
)

// DefaultQuestion is one of the default set: a Label the partner can answer
// under ("Progress: ...") and its prompt for a check-in and for the
// end-of-agreement report.
type DefaultQuestion struct {
	Key, Label, Prompt, FinalPrompt string
}

// DefaultQuestions is the set a programme picks from by key. The first four
// (progress, story, support, feedback) are what a check-in asks when the
// programme chooses none: the questions of the check-in email before
// programmes could choose.
var DefaultQuestions = []DefaultQuestion{
	{"progress", "Progress", "how are you getting on with what we agreed together?", "what came of the things we agreed together? What went well, what changed along the way, and what didn't happen?"},
	{"story", "A story", "is there a moment, a person or a piece of work from the last few months that you would like to share?", "is there a moment, a person or a piece of work from the partnership that you would like to share?"},
	{"support", "Support", "what would help you right now?", "what difference did the support from us make, and what would help you next?"},
	{"feedback", "Feedback for us", "how are we doing as a funder, and what could we do better? Honest answers help us improve the programme.", "what should we keep, and what should we change, for future partners? Honest answers help us more than kind ones."},
	{"changes", "Changes", "has anything changed for your organisation or the people you work with?", "how has your organisation changed over the partnership?"},
	{"challenges", "Challenges", "is anything getting in the way?", "what got in the way, and how did you deal with it?"},
	{"next", "What's next", "what are you planning for the next few months?", "what are your plans now the partnership is ending?"},
}

// DefaultCheckInQuestions are the questions of a programme that chooses none.
func DefaultCheckInQuestions() []CheckInQuestion {
	return []CheckInQuestion{{Key: "progress"}, {Key: "story"}, {Key: "support"}, {Key: "feedback"}}
}

func defaultQuestion(key string) (DefaultQuestion, bool) {
	for _, q := range DefaultQuestions {
		if q.Key == key {
			return q, true
		}
	}
	return DefaultQuestion{}, false
}

// Label is the question's heading: a default question's label, or the
// programme's own words.
func (q CheckInQuestion) Label() string {
	if d, ok := defaultQuestion(q.Key); ok {
		return d.Label
	}
	return q.Text
}

// Prompt is what a check-in (final: the end-of-agreement report) asks
// under the label; empty for a question in the programme's own words.
func (q CheckInQuestion) Prompt(final bool) string {
	d, ok := defaultQuestion(q.Key)
	switch {
	case !ok:
		return ""
	case final:
		return d.FinalPrompt
	}
	return d.Prompt
}

// QuestionsOf are the questions a programme's check-ins ask: its own, else
// the default four.
func (p ProgrammeSettings) QuestionsOf() []CheckInQuestion {
	if len(p.CheckInQuestions) > 0 {
		return p.CheckInQuestions
	}
	return DefaultCheckInQuestions()
}

// CheckQuestions validates a programme's check-in questions, each error
// named by its field ("checkInQuestions[2].text"): at most
// MaxCheckInQuestions; each a key of DefaultQuestions or text of its own
// (one line, up to MaxQuestionText characters), not both; no question twice.
// It returns them trimmed.
func CheckQuestions(qs []CheckInQuestion) ([]CheckInQuestion, error) {
	var errs fieldErrors
	if len(qs) > MaxCheckInQuestions {
		errs.add("checkInQuestions", "at most %d questions: a check-in asks in proportion (%d given)", MaxCheckInQuestions, len(qs))
		return nil, errs.err()
	}
	out := make([]CheckInQuestion, len(qs))
	seen := map[string]bool{}
	for i, q := range qs {
		field := fmt.Sprintf("checkInQuestions[%d]", i)
		q.Key, q.Text = strings.TrimSpace(q.Key), strings.TrimSpace(q.Text)
		switch {
		case q.Key != "" && q.Text != "":
			errs.add(field, "give a key from the default set or text in your own words, not both")
		case q.Key != "":
			if _, ok := defaultQuestion(q.Key); !ok {
				errs.add(field+".key", "must be one of the default questions: %s", defaultKeys())
			}
		case q.Text == "":
			errs.add(field, "give a key from the default set (%s) or text in your own words", defaultKeys())
		default:
			checkText(&errs, field+".text", q.Text, MaxQuestionText, true)
			if strings.ContainsAny(q.Text, "\r\n") {
				errs.add(field+".text", "must be one line")
			}
		}
		id := strings.ToLower(q.Label())
		if id != "" && seen[id] {
			errs.add(field, "asks %q a second time", q.Label())
		}
		seen[id] = true
		out[i] = q
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	return out, nil
}

func defaultKeys() string {
	keys := make([]string, len(DefaultQuestions))
	for i, q := range DefaultQuestions {
		keys[i] = q.Key
	}
	return strings.Join(keys, ", ")
}

// CheckPolicyAndQuestions validates what issue 23 adds to a programme's
// settings, each error named by its field: the payment policy (empty: the
// deployment's default) and the check-in questions (CheckQuestions). The
// settings route a later issue brings calls it before storing; it returns
// the settings with the questions trimmed.
func (p ProgrammeSettings) CheckPolicyAndQuestions() (ProgrammeSettings, error) {
	var errs fieldErrors
	if p.PaymentPolicy != "" && !p.PaymentPolicy.Valid() {
		errs.add("paymentPolicy", "must be onSchedule or afterCheckIn")
	}
	qs, err := CheckQuestions(p.CheckInQuestions)
	var qerr *Error
	if errors.As(err, &qerr) {
		errs = append(errs, qerr.Fields...)
	}
	if err := errs.err(); err != nil {
		return p, err
	}
	p.CheckInQuestions = qs
	if len(qs) == 0 {
		p.CheckInQuestions = nil
	}
	return p, nil
}
