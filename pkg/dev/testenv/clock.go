package testenv

import (
	"sync"
	"time"
)

// Clock is a test's clock, read by every component of the test. With a
// tick, each reading moves it on by the tick, so that entries written one
// after another have a defined order; Advance lets time pass.
type Clock struct {
	mu   sync.Mutex
	t    time.Time
	tick time.Duration
}

// NewClock starts a clock at t that moves on tick per reading (0: only when
// told).
func NewClock(t time.Time, tick time.Duration) *Clock { return &Clock{t: t, tick: tick} }

// Now reads the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(c.tick)
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
