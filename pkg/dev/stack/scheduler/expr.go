package schedulerstub

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	// Embedded zone data so ScheduleExpressionTimezone values such as
	// "Europe/London" resolve the same way on a developer laptop, in CI and in
	// a slim container without /usr/share/zoneinfo.
	_ "time/tzdata"
)

// expression is a parsed ScheduleExpression. Exactly one of the kinds is set.
type expression struct {
	// at() — one-time schedule; atLocal is the wall-clock time as written.
	isAt    bool
	atLocal time.Time // fields only; location is UTC as a carrier

	// rate() — fixed interval; the service treats "days" as 24h durations.
	rate time.Duration

	// cron()
	cron *cronSpec
}

// parseExpression validates a ScheduleExpression the way the service does
// for the forms we use: at(yyyy-mm-ddThh:mm:ss), rate(value unit) and a
// six-field cron(...).
func parseExpression(s string) (expression, error) {
	switch {
	case strings.HasPrefix(s, "at(") && strings.HasSuffix(s, ")"):
		body := s[3 : len(s)-1]
		// The service requires exactly this layout: no zone suffix, no
		// fractional seconds. time.Parse is strict about field widths.
		t, err := time.Parse("2006-01-02T15:04:05", body)
		if err != nil || len(body) != len("2006-01-02T15:04:05") {
			return expression{}, fmt.Errorf("invalid at expression %q: want at(yyyy-mm-ddThh:mm:ss)", s)
		}
		return expression{isAt: true, atLocal: t}, nil
	case strings.HasPrefix(s, "rate(") && strings.HasSuffix(s, ")"):
		fields := strings.Fields(s[5 : len(s)-1])
		if len(fields) != 2 {
			return expression{}, fmt.Errorf("invalid rate expression %q: want rate(value unit)", s)
		}
		n, err := strconv.Atoi(fields[0])
		if err != nil || n <= 0 || fields[0][0] == '+' {
			return expression{}, fmt.Errorf("invalid rate expression %q: value must be a positive integer", s)
		}
		var unit time.Duration
		switch fields[1] {
		case "minute", "minutes":
			unit = time.Minute
		case "hour", "hours":
			unit = time.Hour
		case "day", "days":
			unit = 24 * time.Hour
		default:
			return expression{}, fmt.Errorf("invalid rate expression %q: unit must be minute(s), hour(s) or day(s)", s)
		}
		return expression{rate: time.Duration(n) * unit}, nil
	case strings.HasPrefix(s, "cron(") && strings.HasSuffix(s, ")"):
		c, err := parseCron(s[5 : len(s)-1])
		if err != nil {
			return expression{}, fmt.Errorf("invalid cron expression %q: %w", s, err)
		}
		return expression{cron: c}, nil
	}
	return expression{}, fmt.Errorf("invalid schedule expression %q: must be at(...), rate(...) or cron(...)", s)
}

// resolveLocal maps a wall-clock time in loc to an instant.
//
// Go's time.Date leaves the result for skipped/repeated wall times
// unspecified, and the emulator must be deterministic, so this resolves them
// explicitly: a repeated (autumn) wall time maps to its earlier instant and
// exists=true; a skipped (spring) wall time reports exists=false and returns
// the instant obtained with the offset in force before the transition, i.e.
// the wall time pushed forward by the size of the gap (01:30 on the UK
// spring-forward day becomes 02:30 BST = 01:30 UTC).
func resolveLocal(wall time.Time, loc *time.Location) (t time.Time, exists bool) {
	naive := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), 0, time.UTC).Unix()
	// Candidate offsets: whatever is in force a day either side covers every
	// real-world transition (they are never less than a day apart).
	var offsets []int
	for _, probe := range []int64{naive - 86400, naive, naive + 86400} {
		_, off := time.Unix(probe, 0).In(loc).Zone()
		offsets = append(offsets, off)
	}
	var best, latest int64
	found, haveLatest := false, false
	for _, off := range offsets {
		u := naive - int64(off)
		if _, got := time.Unix(u, 0).In(loc).Zone(); got == off {
			if !found || u < best {
				best, found = u, true
			}
		}
		if !haveLatest || u > latest {
			latest, haveLatest = u, true
		}
	}
	if found {
		return time.Unix(best, 0).UTC(), true
	}
	return time.Unix(latest, 0).UTC(), false
}

// cronSpec is a parsed six-field EventBridge cron expression:
// minutes hours day-of-month month day-of-week year.
type cronSpec struct {
	minutes, hours, months uint64 // bit i set = value i allowed
	years                  map[int]bool
	minYear, maxYear       int

	// Exactly one of the day fields is "?" (the service rejects both or
	// neither); useDOW says which one is live.
	useDOW bool

	dom         uint64 // bits 1..31
	domLast     bool   // L
	domLastWeek bool   // LW
	domNearWeek []int  // nW

	dow     uint64   // bits 1..7, 1=SUN
	dowLast []int    // nL: last <weekday> of the month
	dowNth  [][2]int // n#k: k-th <weekday> of the month
}

var monthNames = map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}
var dayNames = map[string]int{"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}

func parseCron(body string) (*cronSpec, error) {
	f := strings.Fields(body)
	if len(f) != 6 {
		return nil, fmt.Errorf("want 6 fields (minutes hours day-of-month month day-of-week year), got %d", len(f))
	}
	c := &cronSpec{}
	var err error
	if c.minutes, err = parseField(f[0], 0, 59, nil); err != nil {
		return nil, fmt.Errorf("minutes: %w", err)
	}
	if c.hours, err = parseField(f[1], 0, 23, nil); err != nil {
		return nil, fmt.Errorf("hours: %w", err)
	}
	if c.months, err = parseField(f[3], 1, 12, monthNames); err != nil {
		return nil, fmt.Errorf("month: %w", err)
	}
	// Years do not fit in a uint64 bitset; parse the field per value.
	c.years = map[int]bool{}
	c.minYear, c.maxYear = 1970, 2199
	if err := forEachInField(f[5], 1970, 2199, nil, func(v int) { c.years[v] = true }); err != nil {
		return nil, fmt.Errorf("year: %w", err)
	}
	domQ, dowQ := f[2] == "?", f[4] == "?"
	if domQ == dowQ {
		return nil, errors.New("exactly one of day-of-month and day-of-week must be '?'")
	}
	c.useDOW = domQ
	if !domQ {
		for _, item := range strings.Split(f[2], ",") {
			switch {
			case item == "L":
				c.domLast = true
			case item == "LW":
				c.domLastWeek = true
			case strings.HasSuffix(item, "W"):
				n, err := strconv.Atoi(strings.TrimSuffix(item, "W"))
				if err != nil || n < 1 || n > 31 {
					return nil, fmt.Errorf("day-of-month: bad %q", item)
				}
				c.domNearWeek = append(c.domNearWeek, n)
			default:
				b, err := parseField(item, 1, 31, nil)
				if err != nil {
					return nil, fmt.Errorf("day-of-month: %w", err)
				}
				c.dom |= b
			}
		}
	}
	if !dowQ {
		for _, item := range strings.Split(f[4], ",") {
			switch {
			case item == "L":
				c.dow |= 1 << 7 // Quartz/AWS: a bare L in day-of-week is Saturday.
			case strings.HasSuffix(item, "L"):
				d, err := lookupValue(strings.TrimSuffix(item, "L"), 1, 7, dayNames)
				if err != nil {
					return nil, fmt.Errorf("day-of-week: %w", err)
				}
				c.dowLast = append(c.dowLast, d)
			case strings.Contains(item, "#"):
				parts := strings.SplitN(item, "#", 2)
				d, err := lookupValue(parts[0], 1, 7, dayNames)
				if err != nil {
					return nil, fmt.Errorf("day-of-week: %w", err)
				}
				k, err := strconv.Atoi(parts[1])
				if err != nil || k < 1 || k > 5 {
					return nil, fmt.Errorf("day-of-week: bad %q", item)
				}
				c.dowNth = append(c.dowNth, [2]int{d, k})
			default:
				b, err := parseField(item, 1, 7, dayNames)
				if err != nil {
					return nil, fmt.Errorf("day-of-week: %w", err)
				}
				c.dow |= b
			}
		}
	}
	return c, nil
}

func parseField(field string, lo, hi int, names map[string]int) (uint64, error) {
	var bits uint64
	err := forEachInField(field, lo, hi, names, func(v int) { bits |= 1 << uint(v) })
	return bits, err
}

// forEachInField expands a comma-separated list of "*", "v", "a-b" items,
// each optionally followed by "/step", calling fn for every allowed value.
func forEachInField(field string, lo, hi int, names map[string]int, fn func(int)) error {
	for _, item := range strings.Split(field, ",") {
		if item == "" {
			return fmt.Errorf("empty item in %q", field)
		}
		rng, step := item, 1
		if i := strings.IndexByte(item, '/'); i >= 0 {
			rng = item[:i]
			s, err := strconv.Atoi(item[i+1:])
			if err != nil || s < 1 {
				return fmt.Errorf("bad step in %q", item)
			}
			step = s
		}
		var from, to int
		switch {
		case rng == "*":
			from, to = lo, hi
		case strings.Contains(rng, "-"):
			parts := strings.SplitN(rng, "-", 2)
			a, err := lookupValue(parts[0], lo, hi, names)
			if err != nil {
				return err
			}
			b, err := lookupValue(parts[1], lo, hi, names)
			if err != nil {
				return err
			}
			from, to = a, b
		default:
			a, err := lookupValue(rng, lo, hi, names)
			if err != nil {
				return err
			}
			from, to = a, a
			if step > 1 { // "a/step" means a, a+step, ... up to the maximum.
				to = hi
			}
		}
		if to < from { // wrapping range such as FRI-MON
			span := (hi - from + 1) + (to - lo + 1)
			for i := 0; i < span; i += step {
				w := from + i
				if w > hi {
					w = lo + (w - hi - 1)
				}
				fn(w)
			}
			continue
		}
		for v := from; v <= to; v += step {
			fn(v)
		}
	}
	return nil
}

func lookupValue(s string, lo, hi int, names map[string]int) (int, error) {
	if v, ok := names[strings.ToUpper(s)]; ok {
		return v, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < lo || v > hi {
		return 0, fmt.Errorf("value %q out of range %d-%d", s, lo, hi)
	}
	return v, nil
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// dayMatches reports whether the civil date y-m-d satisfies the day fields.
func (c *cronSpec) dayMatches(y int, m time.Month, d int) bool {
	date := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	wd := int(date.Weekday()) + 1 // AWS numbering: 1=SUN .. 7=SAT
	dim := daysIn(y, m)
	if c.useDOW {
		if c.dow&(1<<uint(wd)) != 0 {
			return true
		}
		for _, l := range c.dowLast {
			if l == wd && d+7 > dim {
				return true
			}
		}
		for _, nk := range c.dowNth {
			if nk[0] == wd && (d-1)/7+1 == nk[1] {
				return true
			}
		}
		return false
	}
	if c.dom&(1<<uint(d)) != 0 || (c.domLast && d == dim) {
		return true
	}
	if c.domLastWeek && d == nearestWeekday(y, m, dim) {
		return true
	}
	for _, n := range c.domNearWeek {
		if n <= dim && d == nearestWeekday(y, m, n) {
			return true
		}
	}
	return false
}

// nearestWeekday implements the "W" rule: the Mon–Fri day closest to day n
// without leaving the month.
func nearestWeekday(y int, m time.Month, n int) int {
	dim := daysIn(y, m)
	switch time.Date(y, m, n, 0, 0, 0, 0, time.UTC).Weekday() {
	case time.Saturday:
		if n == 1 {
			return 3
		}
		return n - 1
	case time.Sunday:
		if n == dim {
			return n - 2
		}
		return n + 1
	}
	return n
}

// next returns the first occurrence strictly after t, evaluated in loc.
// Following the service's documented DST behaviour, wall times skipped by a
// spring-forward transition do not fire, and wall times repeated by a
// fall-back transition fire once (at the earlier instant).
func (c *cronSpec) next(t time.Time, loc *time.Location) (time.Time, bool) {
	local := t.In(loc)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	// Start one day early so a fall-back repeat of the previous local day's
	// wall times is never missed; occurrences <= t are filtered below.
	for day = day.AddDate(0, 0, -1); day.Year() <= c.maxYear; day = day.AddDate(0, 0, 1) {
		y, m, d := day.Date()
		if !c.years[y] {
			day = time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC)
			continue
		}
		if c.months&(1<<uint(m)) == 0 {
			day = time.Date(y, m, daysIn(y, m), 0, 0, 0, 0, time.UTC)
			continue
		}
		if !c.dayMatches(y, m, d) {
			continue
		}
		for h := 0; h < 24; h++ {
			if c.hours&(1<<uint(h)) == 0 {
				continue
			}
			for mi := 0; mi < 60; mi++ {
				if c.minutes&(1<<uint(mi)) == 0 {
					continue
				}
				at, exists := resolveLocal(time.Date(y, m, d, h, mi, 0, 0, time.UTC), loc)
				if exists && at.After(t) {
					return at, true
				}
			}
		}
	}
	return time.Time{}, false
}
