package stack

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// make run after make advance goes on from the walked time: a clock started
// again on the same file never shows an earlier time than the one before it
// showed, and a pinned start earlier than the walked time does not pull it
// back.
func TestClockSurvivesARestart(t *testing.T) {
	file := filepath.Join(t.TempDir(), "clock")
	first, err := NewClock(time.Time{}, file)
	if err != nil {
		t.Fatal(err)
	}
	first.Advance(40 * 24 * time.Hour)
	walked := first.Now()

	again, err := NewClock(time.Time{}, file)
	if err != nil {
		t.Fatal(err)
	}
	if now := again.Now(); now.Before(walked) {
		t.Fatalf("after a restart the clock reads %s, before the walked %s", now, walked)
	}
	pinned, err := NewClock(time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC), file)
	if err != nil {
		t.Fatal(err)
	}
	if now := pinned.Now(); now.Before(walked) {
		t.Fatalf("a pinned start pulled the walked clock back to %s", now)
	}

	// Without a file, the pinned start is where it starts.
	start := time.Date(2026, 12, 23, 7, 30, 0, 0, time.UTC)
	c, err := NewClock(start, "")
	if err != nil {
		t.Fatal(err)
	}
	if d := c.Now().Sub(start); d < 0 || d > time.Hour {
		t.Fatalf("a clock pinned at %s reads %s", start, c.Now())
	}

	if err := os.WriteFile(file, []byte("next tuesday\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := NewClock(time.Time{}, file); err == nil {
		t.Fatal("an unreadable clock file was ignored")
	}
}
