package bench

import (
	"context"
	"testing"

	"github.com/partnership-grants/backend/pkg/dev/testenv"
)

// Issue 27, item 6: on a small morning every check-in is queued once: the
// scheduled ones by their schedules alone, the ones whose schedules
// Scheduler refused by the sweep alone, once, though four of its runs find
// them unsent after the send time (nothing drains the queue).
func TestMorningQueuesEachCheckInOnce(t *testing.T) {
	db, table := testenv.AppTable(t)
	const n = 100
	res, err := Morning(context.Background(), db, table, n)
	if err != nil {
		t.Fatal(err)
	}
	failed := n / MorningFailed
	if res.PerCheckIn() != 1.0 || res.Unqueued != 0 || res.BySweep != failed || res.BySchedule != n-failed {
		t.Errorf("morning of %d check-ins: %+v, %.2f messages per check-in; want 1.0: %d by their schedules, %d by the sweep",
			n, res, res.PerCheckIn(), n-failed, failed)
	}
}
