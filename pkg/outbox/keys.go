// Package outbox names the side effects an agreement owes: one key per
// email or event, deterministic so that enqueuing a duplicate collides. The
// HTTP handlers enqueue them in the same transaction as the change that
// causes them, and automation delivers them. It imports nothing, so a
// handler that only enqueues links none of the delivery code.
package outbox

import (
	"fmt"
	"strings"
)

// InboundPartition holds the once-only records of received messages and the
// quarantine notices, whose agreement may be unknown.
const InboundPartition = "inbound"

// CheckInKey is the email asking for check-in n.
func CheckInKey(n int) string { return fmt.Sprintf("checkin#%02d", n) }

// ReminderKey is the k-th reminder of check-in n.
func ReminderKey(n, k int) string { return fmt.Sprintf("reminder#%02d#%d", n, k) }

// OverdueKey tells the officer that check-in n is overdue.
func OverdueKey(n int) string { return fmt.Sprintf("overdue#%02d", n) }

// DueNoticeKey tells finance that instalment n is due.
func DueNoticeKey(n int) string { return fmt.Sprintf("due-notice#%02d", n) }

// RemittanceKey is the partner's remittance advice for instalment n.
func RemittanceKey(n int) string { return fmt.Sprintf("remittance#%02d", n) }

// PaidEventKey is the InstalmentPaid event of instalment n.
func PaidEventKey(n int) string { return fmt.Sprintf("paid-event#%02d", n) }

// BounceKey tells the officer that an address bounced or complained.
func BounceKey(email, kind, messageID string) string {
	return "bounce#" + strings.ToLower(kind) + "#" + messageID + "#" + strings.ToLower(email)
}

// AckKey acknowledges a reply to check-in n to its sender.
func AckKey(n int, messageID string) string { return fmt.Sprintf("ack#%02d#%s", n, messageID) }

// ReplyNoticeKey tells the officer that a reply to check-in n arrived.
func ReplyNoticeKey(n int, messageID string) string {
	return fmt.Sprintf("reply-notice#%02d#%s", n, messageID)
}

// QuarantineNoticeKey tells the officers that a message was held.
func QuarantineNoticeKey(messageID string) string { return "quarantine-notice#" + messageID }
