package outbox

import "time"

// An entry's statuses, as stored: never change one.
const (
	StatusPending = "pending" // owed, to be claimed (again, after a failed send)
	StatusClaimed = "claimed" // held by one delivery until its lease ends
	StatusDone    = "done"    // sent: never claimed again
)

// Entry is a side effect owed, as the store keeps it: its key in its
// agreement's partition, where delivery stands and how it went.
type Entry struct {
	AgreementID string // the partition: an agreement's ID, InboundPartition or a FinancePartition
	Key         string
	Status      string
	Attempts    int // claims taken
	MessageID   string
	CreatedAt   time.Time
	DoneAt      time.Time
	LastError   string // why the last send failed, when it did
}
