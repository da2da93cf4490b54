package checkinqueue_test

import (
	"context"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/checkinqueue"
	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/grants"
)

// TestThrottledSendReturnsToTheQueueAndIsSentOnce: SES throttles the first
// check-in of a batch through all the mailer's retries. That is no failure
// of the check-in: it and the rest of its batch go back to the queue
// (untried), come back after the visibility timeout, and each is sent once.
func TestThrottledSendReturnsToTheQueueAndIsSentOnce(t *testing.T) {
	ctx := context.Background()
	th := testenv.NewSESThrottle(int64(fastRetry.MaxAttempts), "")
	// A visibility timeout of 5 s: longer than the first drain takes on a
	// loaded machine (at 1 s the batch came back within it, in a make
	// test that took 13 min of CPU, and was sent then).
	w := newWorld(t, 20, 5, th.Install)
	ids := w.agreements(t, 3)
	w.now = morning
	var due []grants.Work
	for _, id := range ids {
		due = append(due, grants.Work{AgreementID: id, Kind: grants.WorkCheckInDue, Number: 1})
	}
	if err := w.queue.EnqueueCheckIns(ctx, due); err != nil {
		t.Fatal(err)
	}
	if _, err := w.events.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if got := w.sent(t); len(got) != 0 || th.Reached.Load() != 0 {
		t.Fatalf("%d emails sent while SES throttled", len(got))
	}
	if a := th.Attempts.Load(); a != int64(fastRetry.MaxAttempts) {
		t.Errorf("%d attempts to send; want %d, for the first check-in only: the rest of the batch goes back untried", a, fastRetry.MaxAttempts)
	}
	for _, id := range ids {
		a, err := w.store.GetAgreement(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if c := a.CheckIn(1); c.Status != grants.CheckInScheduled {
			t.Errorf("after throttling check-in 1 is %s, want still scheduled", c.Status)
		}
	}
	if n := w.waiting(t, w.queueURL); n != 3 {
		t.Fatalf("%d messages on the queue after the throttled batch, want all 3 back", n)
	}

	// After the visibility timeout the batch comes back.
	deadline := time.Now().Add(60 * time.Second)
	for len(w.sent(t)) < 3 && time.Now().Before(deadline) {
		if _, err := w.events.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	sent := w.sent(t)
	if len(sent) != 3 || th.Reached.Load() != 3 {
		t.Fatalf("%d emails (%d sends reached SES) after the retry, want 3", len(sent), th.Reached.Load())
	}
	for i := range ids {
		if n := count(sent, w.contact(i)); n != 1 {
			t.Errorf("partner %d got %d check-ins, want 1", i, n)
		}
	}
	if n := w.waiting(t, w.queueURL); n != 0 {
		t.Errorf("%d messages left on the queue", n)
	}
	if n := w.waiting(t, w.dlqURL); n != 0 {
		t.Errorf("%d messages in the dead-letter queue: throttling is not a failure", n)
	}
}

// TestDuplicateDeliveriesSendOnce: the same check-in queued five times
// (its schedule, sweeps, at-least-once delivery) and taken by both
// instances at once is sent once.
func TestDuplicateDeliveriesSendOnce(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, 50, 30)
	ids := w.agreements(t, 2)
	w.now = morning
	var due []grants.Work
	for range 5 {
		for _, id := range ids {
			due = append(due, grants.Work{AgreementID: id, Kind: grants.WorkCheckInDue, Number: 1})
		}
	}
	// One at a time, so each instance's batch holds copies of both.
	w.events.BatchSize = 1
	if err := w.queue.EnqueueCheckIns(ctx, due); err != nil {
		t.Fatal(err)
	}
	if n, err := w.events.Drain(ctx); err != nil || n != len(due) {
		t.Fatalf("drained %d of %d: %v", n, len(due), err)
	}
	sent := w.sent(t)
	for i := range ids {
		if n := count(sent, w.contact(i)); n != 1 {
			t.Errorf("partner %d got %d check-ins from 5 deliveries, want 1", i, n)
		}
	}
}

func TestLimitSharesTheRateAmongInstances(t *testing.T) {
	for _, c := range []struct {
		rate      float64
		instances int
		want      float64
	}{{14, 2, 7}, {20, 4, 5}, {0, 2, checkinqueue.DefaultSendRate / 2}, {10, 0, 10}} {
		l := checkinqueue.Limit(c.rate, c.instances)
		if float64(l.Limit()) != c.want || l.Burst() != 1 {
			t.Errorf("Limit(%v, %d) = %v a second, burst %d; want %v, burst 1", c.rate, c.instances, l.Limit(), l.Burst(), c.want)
		}
	}
}

// count is how many of msgs went to the address to.
func count(msgs []emulator.SESMessage, to string) int {
	n := 0
	for _, m := range msgs {
		if len(m.Destination.To) > 0 && m.Destination.To[0] == to {
			n++
		}
	}
	return n
}
