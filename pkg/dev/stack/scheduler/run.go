package schedulerstub

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Firing is one invocation attempt of a schedule's target.
type Firing struct {
	ScheduleArn string
	GroupName   string
	Name        string
	TargetArn   string
	RoleArn     string
	// Input is Target.Input with the service's context attributes
	// (<aws.scheduler.schedule-arn>, <aws.scheduler.scheduled-time>,
	// <aws.scheduler.execution-id>, <aws.scheduler.attempt-number>)
	// substituted, i.e. the payload the real service would deliver. Empty
	// when the schedule has no Input.
	Input string
	// ScheduledTime is the occurrence being delivered, in UTC. With a
	// FLEXIBLE time window the real service picks a random moment inside
	// the window; the stand-in always uses the start, for determinism.
	ScheduledTime time.Time
	// Attempt is 1 for the first delivery, 2 for the first retry, ...
	Attempt int
	// ExecutionID is derived from the ARN, time and attempt, so reruns of
	// the same scenario produce the same IDs.
	ExecutionID string
}

// DeadLetter records a firing whose every attempt failed. The real service
// would send it to Target.DeadLetterConfig (or drop it when there is none);
// the stand-in keeps it so the local stack can surface the error.
type DeadLetter struct {
	Firing        Firing // the last attempt
	Attempts      int
	Err           error // the last attempt's error
	DeadLetterArn string
}

// FireFunc delivers one attempt. A non-nil error makes Run retry.
type FireFunc func(ctx context.Context, f Firing) error

// Run delivers, in order, every occurrence due at or before upTo: one-time
// at() schedules and each occurrence of rate/cron schedules since they last
// ran, interleaved by time and then by group and name. fire is called
// without any lock held, so it may call the API (through the SDK or
// directly) to create, update or delete schedules; new schedules due at or
// before upTo are delivered in the same Run.
//
// After a delivery (successful or dead-lettered, as the service counts
// both as the invocation having happened) a one-time schedule with
// ActionAfterCompletion DELETE is deleted; with NONE it stays, with nothing
// pending. A recurring schedule whose EndDate has passed is treated alike.
//
// A failing delivery is retried immediately up to MaximumRetryAttempts
// (default 185, capped by MaxAttemptsCap); MaximumEventAgeInSeconds is not
// simulated. Then the firing goes to DeadLetters and Run carries on: Run
// itself only fails if ctx is done, leaving the interrupted occurrence
// pending.
//
// Ordering is guaranteed within one Run. Concurrent Runs are safe (an
// occurrence is never delivered twice) but interleave with each other.
func (s *Server) Run(ctx context.Context, upTo time.Time, fire FireFunc) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		sc, k, due, ok := s.claimNext(upTo)
		if !ok {
			return nil
		}
		attempts := sc.maxAttempts(s.MaxAttemptsCap)
		var f Firing
		var lastErr error
		for attempt := 1; attempt <= attempts; attempt++ {
			f = sc.firing(due, attempt)
			if lastErr = fire(ctx, f); lastErr == nil {
				break
			}
			if err := ctx.Err(); err != nil {
				s.release(k, sc.gen)
				return err
			}
		}
		s.complete(k, sc, due, f, attempts, lastErr)
	}
}

// claimNext picks the earliest due occurrence (ties by group, then name)
// and marks its schedule in flight. It returns a copy of the schedule so the
// caller can read it without the lock.
func (s *Server) claimNext(upTo time.Time) (schedule, key, time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var best *schedule
	var bestKey key
	for k, sc := range s.schedules {
		if sc.next == nil || sc.inFlight || sc.next.After(upTo) {
			continue
		}
		if best == nil || sc.next.Before(*best.next) || (sc.next.Equal(*best.next) && keyLess(k, bestKey)) {
			best, bestKey = sc, k
		}
	}
	if best == nil {
		return schedule{}, key{}, time.Time{}, false
	}
	best.inFlight = true
	return *best, bestKey, *best.next, true
}

// release undoes claimNext when a Run is interrupted mid-delivery.
func (s *Server) release(k key, gen uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sc, ok := s.schedules[k]; ok && sc.gen == gen {
		sc.inFlight = false
	}
}

// complete records the outcome and advances or retires the schedule. If the
// callback replaced or deleted the schedule meanwhile, the new definition
// wins and is left untouched.
func (s *Server) complete(k key, fired schedule, due time.Time, last Firing, attempts int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		dl := DeadLetter{Firing: last, Attempts: attempts, Err: err}
		if c := fired.Target.DeadLetterConfig; c != nil && c.Arn != nil {
			dl.DeadLetterArn = *c.Arn
		}
		s.deadLetters = append(s.deadLetters, dl)
	}
	sc, ok := s.schedules[k]
	if !ok || sc.gen != fired.gen {
		return
	}
	sc.inFlight = false
	sc.next = sc.nextAfter(due)
	if sc.next == nil && sc.ActionAfterCompletion == "DELETE" {
		delete(s.schedules, k)
	}
}

// DeadLetters returns the firings that exhausted their retries, oldest
// first.
func (s *Server) DeadLetters() []DeadLetter {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]DeadLetter(nil), s.deadLetters...)
}

// NextDue reports the earliest pending occurrence, so a driver loop can
// sleep until then instead of polling.
func (s *Server) NextDue() (time.Time, bool) {
	return s.nextDue(func(key) bool { return true })
}

func (s *Server) nextDue(counts func(key) bool) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var best *time.Time
	for k, sc := range s.schedules {
		if counts(k) && sc.next != nil && (best == nil || sc.next.Before(*best)) {
			best = sc.next
		}
	}
	if best == nil {
		return time.Time{}, false
	}
	return *best, true
}

// NextDueExcept is NextDue leaving one schedule out, and NextDueOf that
// schedule's alone: a driver that knows one schedule's occurrences will do
// nothing until some time can sleep past them.
func (s *Server) NextDueExcept(group, name string) (time.Time, bool) {
	return s.nextDue(func(k key) bool { return k != key{group, name} })
}

// NextDueOf is the pending occurrence of one schedule.
func (s *Server) NextDueOf(group, name string) (time.Time, bool) {
	return s.nextDue(func(k key) bool { return k == key{group, name} })
}

func (sc *schedule) maxAttempts(limit int) int {
	retries := DefaultMaximumRetryAttempts
	if rp := sc.Target.RetryPolicy; rp != nil && rp.MaximumRetryAttempts != nil {
		retries = int(*rp.MaximumRetryAttempts)
	}
	n := retries + 1
	if limit > 0 && n > limit {
		n = limit
	}
	return n
}

func (sc *schedule) firing(due time.Time, attempt int) Firing {
	arn := ScheduleArn(sc.GroupName, sc.Name)
	sum := sha256.Sum256([]byte(arn + "|" + due.UTC().Format(time.RFC3339Nano) + "|" + strconv.Itoa(attempt)))
	f := Firing{
		ScheduleArn:   arn,
		GroupName:     sc.GroupName,
		Name:          sc.Name,
		TargetArn:     sc.Target.Arn,
		RoleArn:       sc.Target.RoleArn,
		ScheduledTime: due.UTC(),
		Attempt:       attempt,
		ExecutionID:   hex.EncodeToString(sum[:8]),
	}
	if sc.Target.Input != nil {
		f.Input = strings.NewReplacer(
			"<aws.scheduler.schedule-arn>", arn,
			"<aws.scheduler.scheduled-time>", f.ScheduledTime.Format(time.RFC3339),
			"<aws.scheduler.execution-id>", f.ExecutionID,
			"<aws.scheduler.attempt-number>", strconv.Itoa(attempt),
		).Replace(*sc.Target.Input)
	}
	return f
}
