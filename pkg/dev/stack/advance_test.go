package stack

import (
	"testing"
	"time"
)

// Advance jumps to the end of the hour in which the next schedule falls
// due, where stepping an hour at a time would have fired it.
func TestHoursUntil(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		d    time.Duration
		want int
	}{
		{-48 * time.Hour, 1}, // overdue: fires after the next hour, as stepping did
		{0, 1},
		{time.Millisecond, 1},
		{time.Hour, 1},
		{time.Hour + time.Millisecond, 2},
		{22*time.Hour + 59*time.Minute + 59*time.Second + 500*time.Millisecond, 23}, // 09:00 tomorrow from 10:00:00.5
		{23 * time.Hour, 23},
		{400 * 24 * time.Hour, 400 * 24},
	} {
		if got := hoursUntil(c.d); got != c.want {
			t.Errorf("hoursUntil(%v) = %d, want %d", c.d, got, c.want)
		}
	}
}
