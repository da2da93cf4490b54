package stack

import (
	"path/filepath"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/partnership-grants/backend/pkg/dev/samtemplate"
)

// The local stack registers the sweep on the schedule the template gives
// SweepFunction (every half hour), so the stack's clock drives it as AWS
// does: a programme's reminders go with the first run at or after its send
// time, here as there.
func TestLocalSweepScheduleIsTheTemplates(t *testing.T) {
	tpl, err := samtemplate.Load(filepath.Join("..", "..", "..", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var props struct {
		Events map[string]struct {
			Type       string `yaml:"Type"`
			Properties struct {
				ScheduleExpression yaml.Node `yaml:"ScheduleExpression"`
			} `yaml:"Properties"`
		} `yaml:"Events"`
	}
	sweep := tpl.Resources["SweepFunction"]
	if err := sweep.Properties.Decode(&props); err != nil {
		t.Fatal(err)
	}
	var got []string
	for name, e := range props.Events {
		if e.Type == "ScheduleV2" {
			got = append(got, name+": "+e.Properties.ScheduleExpression.Value)
		}
	}
	if len(got) != 1 || got[0] != "EveryHalfHour: "+sweepCron {
		t.Errorf("the template's sweep schedules: %v; the local stack's: %s", got, sweepCron)
	}
}

// While the clock is walked, an occurrence of the sweep is skipped when it
// could find nothing the last run did not: the same day, nothing else ran
// since, and nothing it found waiting has reached its send time.
func TestIdleSweepsAreSkippedOnlyWhenNothingCanHaveChanged(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	at := func(day, hm string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", day+" "+hm, london)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		name string
		set  func(*Runner)
		t    time.Time
		idle bool
	}{
		{"before what waits", nil, at("2026-03-17", "10:00"), true},
		{"at what waits", nil, at("2026-03-17", "10:30"), false},
		{"the next day", nil, at("2026-03-18", "00:00"), false},
		{"after something else ran", func(r *Runner) { r.changed = true }, at("2026-03-17", "09:30"), false},
		{"after a write", func(r *Runner) { r.written.Store(true) }, at("2026-03-17", "09:30"), false},
		{"nothing waits", func(r *Runner) { r.next = time.Time{} }, at("2026-03-17", "23:30"), true},
		{"not walking (make run)", func(r *Runner) { r.walking = false }, at("2026-03-17", "09:30"), false},
		{"no run yet", func(r *Runner) { r.lastSweep = time.Time{} }, at("2026-03-17", "09:30"), false},
	} {
		r := &Runner{loc: london, walking: true, lastSweep: at("2026-03-17", "09:00"), next: at("2026-03-17", "10:30"), written: &tableWrites{}}
		if c.set != nil {
			c.set(r)
		}
		if got := r.idle(c.t); got != c.idle {
			t.Errorf("%s: idle %v, want %v", c.name, got, c.idle)
		}
	}
}
