package grants

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// "You said, we did" (issue 24, item 4): once a round an officer writes to
// every active partner's lead contact what the programme heard (its themes)
// and what it did about it (their actions). A round is a check-in round: the
// one that asked for the feedback reflected. One message a programme and
// round: a second is refused, but a retry of the request that made it
// finishes it. Partners' answers to it are messages on their agreements
// (Reply.AnswersMessage), never check-ins' replies.

// MaxReflectionLength bounds a reflection's words: a page of an email.
const MaxReflectionLength = 6000

// ReflectionStatus is where sending a reflection stands. The strings are
// stored: never change one.
type ReflectionStatus string

const (
	// ReflectionQueueing: recorded, its emails being queued in the
	// agreements' outboxes (a retry of its request finishes the queueing).
	ReflectionQueueing ReflectionStatus = "queueing"
	// ReflectionQueued: one email queued for each active agreement; each
	// goes at the programme's send time.
	ReflectionQueued ReflectionStatus = "queued"
)

// Reflection is a programme's "you said, we did" for one round.
type Reflection struct {
	Programme string           `json:"programme"`
	Round     int              `json:"round"`
	Message   string           `json:"message"`
	Status    ReflectionStatus `json:"status"`
	// Agreements counts the agreements it was queued for (when queued).
	Agreements int `json:"agreements"`
	// Request names the idempotent request that made it (a hash of its
	// scope, caller and key), so that its retry is told from another
	// request for the same round.
	Request string    `json:"-"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
}

// NewReflection checks and makes a programme's reflection for round.
func NewReflection(programme string, round int, message string, at time.Time, by string) (Reflection, error) {
	var f fieldErrors
	message = strings.TrimSpace(strings.ReplaceAll(message, "\r\n", "\n"))
	if round < 1 {
		f.add("round", "Say which check-in round this answers (1 or more).")
	} else if round > 99 {
		f.add("round", "A round is at most 99.")
	}
	switch {
	case message == "":
		f.add("message", "Write the message: what partners said and what the programme did.")
	case utf8.RuneCountInString(message) > MaxReflectionLength:
		f.add("message", "The message is at most %d characters.", MaxReflectionLength)
	case !utf8.ValidString(message):
		f.add("message", "The message is not valid text.")
	}
	return Reflection{Programme: programme, Round: round, Message: message, Status: ReflectionQueueing, By: by, At: at.UTC()}, f.err()
}

// ReflectionTaken refuses a second reflection for a round.
func ReflectionTaken(r Reflection) *Error {
	return &Error{Code: Conflict, Reason: "reflection_exists",
		Message: fmt.Sprintf("Round %d's \"you said, we did\" was already sent by %s on %s: one a round.", r.Round, r.By, r.At.Format(time.DateOnly)),
		Fields:  []FieldError{{Field: "round", Reason: fmt.Sprintf("round %d already has its \"you said, we did\"", r.Round)}}}
}

// DraftReflection is the words an officer starts from: each theme that has
// an action, as "You said" (the theme, how many partners raised it) and "We
// did" (its actions, with when and who). Themes with no action yet are left
// out: there is nothing to reflect back about them.
func DraftReflection(programmeName string, themes []Theme) string {
	var b strings.Builder
	if programmeName == "" {
		programmeName = "the programme"
	}
	fmt.Fprintf(&b, "Thank you for your feedback. Here is what you told us, and what %s has done about it.\n", programmeName)
	n := 0
	for _, th := range themes {
		if len(th.Actions) == 0 {
			continue
		}
		n++
		partners := map[string]bool{}
		for _, t := range th.Tags {
			partners[t.AgreementID] = true
		}
		fmt.Fprintf(&b, "\nYou said: %s", th.Name)
		if k := len(partners); k == 1 {
			b.WriteString(" (1 partner)")
		} else if k > 1 {
			fmt.Fprintf(&b, " (%d partners)", k)
		}
		b.WriteString("\n")
		for _, a := range th.Actions {
			fmt.Fprintf(&b, "We did: %s (%s, %s)\n", a.What, a.On.String(), a.Who)
		}
	}
	if n == 0 {
		b.WriteString("\nYou said: …\nWe did: …\n")
	}
	b.WriteString("\nIf you have anything to add, just reply to this email.")
	return b.String()
}
