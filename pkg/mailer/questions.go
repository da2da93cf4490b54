package mailer

import (
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
)

// questionView is one of a programme's own check-in questions as the
// check-in email asks it: its number, its label ("Progress", or the
// programme's words), the default question's prompt, whether it is
// optional, and whether the agreement's terms or support are listed under
// it (under the default progress and support questions).
type questionView struct {
	Number         int
	Label, Prompt  string
	Optional       bool
	Terms, Support bool
}

// questionViews words a programme's chosen questions for check-in c; nil
// when it chose none (the templates then ask the default four as before).
func questionViews(qs []grants.CheckInQuestion, final bool) []questionView {
	if len(qs) == 0 {
		return nil
	}
	out := make([]questionView, len(qs))
	for i, q := range qs {
		out[i] = questionView{Number: i + 1, Label: q.Label(), Prompt: q.Prompt(final), Optional: q.Optional,
			Terms: q.Key == "progress", Support: q.Key == "support"}
	}
	return out
}

// CheckInAsking renders the check-in email as CheckIn does, asking the
// programme's own questions (grants.ProgrammeSettings.CheckInQuestions;
// none: the default four). A reply is read per question by their labels or
// numbers (answers.Of).
func CheckInAsking(a *grants.Agreement, c grants.CheckIn, replyTo, programmeName string, o grants.Officer, qs []grants.CheckInQuestion) (Email, error) {
	return askCheckIn(a, c, replyTo, programmeName, o, questionViews(qs, c.Final), time.Time{})
}

// ReminderAsking renders the n-th reminder as Reminder does, for a
// programme with its own questions (it points to them rather than to the
// default four).
func ReminderAsking(a *grants.Agreement, c grants.CheckIn, replyTo string, n int, o grants.Officer, qs []grants.CheckInQuestion) (Email, error) {
	return askReminder(a, c, replyTo, n, o, questionViews(qs, c.Final))
}
