package grants

// Who queues a check-in (issue 27, item 6). Its one-time schedule and the
// sweep can both put it on the check-in queue; a queued copy the outbox
// claim then finds sent still waits for a send-rate token, so a morning
// queued twice takes twice as long to drain. Each check-in is queued once:
//
//   - On its send day, a check-in whose schedule exists is the schedule's
//     alone: it fires at the send time and queues it.
//   - The sweep queues a check-in whose schedule is missing (its creation
//     failed, or there is no scheduler), and one still unsent after its send
//     day (its schedule ran out of retries, or its message ended in the
//     check-in queue's dead-letter queue): the recovery is a day late, never
//     lost.
//   - The sweep queues a check-in at most once a day (QueuedOn), however
//     many of its half-hourly runs find it unsent while the queue drains,
//     and a check-in it queued gets no schedule from a later repair
//     (QueuedByTheSweep).
//
// Why not drop the check-in schedules and let the sweep own them all: the
// schedules are the product's promise (one EventBridge schedule per item)
// and cost the sweep nothing, whereas the sweep would then write a mark per
// check-in every morning; with the schedules, it writes one only for the few
// it recovers.

// SweepQueues reports whether the sweep, on today at or after the send time,
// should queue check-in c, scheduled and due.
func (a *Agreement) SweepQueues(c CheckIn, today Date) bool {
	if c.QueuedOn == today {
		return false
	}
	return !c.ScheduleCreated || today.After(a.SendOn(c.DueDate))
}

// QueuedByTheSweep reports whether the sweep queued c for its current date:
// a schedule made for it now would queue it a second time.
func (a *Agreement) QueuedByTheSweep(c CheckIn) bool {
	return !c.QueuedOn.IsZero() && !c.QueuedOn.Before(a.SendOn(c.DueDate))
}

// MarkQueued records that the sweep queued check-in n today; false when
// there is nothing to mark (it is no longer scheduled, or already marked).
func (a *Agreement) MarkQueued(n int, today Date) bool {
	c := a.CheckIn(n)
	if c == nil || c.Status != CheckInScheduled || c.QueuedOn == today {
		return false
	}
	c.QueuedOn = today
	return true
}
