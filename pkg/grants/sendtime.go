package grants

import "time"

// SinceSendTime is how long after today's send time, in the agreement's
// time zone, now is (negative: before it). The sweep, which runs every
// half hour, queues a still-unsent check-in only in the hour after it, so
// each day's backlog is queued by the first runs at or after the send
// time, not again by every run while it drains.
func (a *Agreement) SinceSendTime(now time.Time) time.Duration {
	loc := a.Location()
	return now.Sub(a.timing().SendAt(Today(now, loc), loc))
}
