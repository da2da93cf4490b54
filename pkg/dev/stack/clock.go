package stack

import (
	"sync"
	"time"
)

// Clock is the local stack's adjustable clock: real time plus an offset that
// `make advance` moves forward, so a whole agreement year can be walked in
// seconds. Handlers only ever read time through it.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now is the local time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset).UTC()
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// Set moves the clock to t (never backwards).
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := time.Until(t); d > c.offset {
		c.offset = d
	}
}
