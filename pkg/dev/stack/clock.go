package stack

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"
)

// Clock is the local stack's adjustable clock: real time plus an offset that
// `make advance` moves forward, so a whole agreement year can be walked in
// seconds. Handlers only ever read time through it.
//
// A clock with a file keeps its offset there, so a stack started again on
// the same data (make run after make advance) goes on from the walked time
// plus the real time since, rather than from the wall clock: stored
// timestamps never go backwards.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
	file   string
}

// NewClock is a clock that starts at start (the wall clock when start is
// zero), or later where file holds a larger offset; it keeps its offset in
// file when file is not empty.
func NewClock(start time.Time, file string) (*Clock, error) {
	c := &Clock{file: file}
	if !start.IsZero() {
		c.offset = time.Until(start)
	}
	if file == "" {
		return c, nil
	}
	b, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return c, c.save()
	}
	if err != nil {
		return nil, err
	}
	kept, err := time.ParseDuration(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("the local clock's offset in %s: %w (delete the file to start from today)", file, err)
	}
	c.offset = max(c.offset, kept)
	return c, c.save()
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
	c.offset += d
	c.mu.Unlock()
	_ = c.save() // the next change writes again; a lost write only repeats days
}

// Set moves the clock to t (never backwards).
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	if d := time.Until(t); d > c.offset {
		c.offset = d
	}
	c.mu.Unlock()
	_ = c.save()
}

func (c *Clock) save() error {
	if c.file == "" {
		return nil
	}
	c.mu.Lock()
	offset := c.offset
	c.mu.Unlock()
	return os.WriteFile(c.file, []byte(offset.String()+"\n"), 0o644)
}
