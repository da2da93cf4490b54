package mailer

import (
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
)

// The check-in email and its reminders offer, besides the reply address, a
// confidential feedback address for feedback about the funder only (issue
// 24, item 2): a sentence says what it is for, and that staff read what
// arrives there as from "a partner in round N", without the sender's name.
// The Reply-To stays the reply address: a reply is a reply.

// offered is the feedback address a caller handed, if any.
func offered(feedbackTo []string) string {
	if len(feedbackTo) == 0 {
		return ""
	}
	return feedbackTo[0]
}

// CheckInOffering is CheckInAsking with the confidential feedback address
// feedbackTo offered beside the reply address.
func CheckInOffering(a *grants.Agreement, c grants.CheckIn, replyTo, feedbackTo, programmeName string, o grants.Officer, qs []grants.CheckInQuestion) (Email, error) {
	return CheckInOfferingOn(a, c, replyTo, feedbackTo, programmeName, o, qs, time.Time{})
}

// CheckInOfferingOn is CheckInOffering worded as it is true at on, when it
// goes out (truewhen.go).
func CheckInOfferingOn(a *grants.Agreement, c grants.CheckIn, replyTo, feedbackTo, programmeName string, o grants.Officer, qs []grants.CheckInQuestion, on time.Time) (Email, error) {
	return askCheckIn(a, c, replyTo, programmeName, o, questionViews(qs, c.Final), on, feedbackTo)
}

// ReminderOffering is ReminderAsking with the confidential feedback
// address feedbackTo offered beside the reply address.
func ReminderOffering(a *grants.Agreement, c grants.CheckIn, replyTo, feedbackTo string, n int, o grants.Officer, qs []grants.CheckInQuestion) (Email, error) {
	return askReminder(a, c, replyTo, n, o, questionViews(qs, c.Final), feedbackTo)
}
