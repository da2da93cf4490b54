package schedulerstub

import (
	"strings"
	"testing"
	"time"
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// occurrences lists the first n occurrences of a cron expression after from.
func occurrences(t *testing.T, expr, tz, from string, n int) []string {
	t.Helper()
	e, err := parseExpression(expr)
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	loc := mustLoad(t, tz)
	var out []string
	cur := utc(from)
	for range n {
		next, ok := e.cron.next(cur, loc)
		if !ok {
			break
		}
		out = append(out, next.Format(time.RFC3339))
		cur = next
	}
	return out
}

func TestCronOccurrences(t *testing.T) {
	cases := []struct {
		expr, tz, from string
		want           []string
	}{
		// Daily 06:00 London follows the clock change.
		{"cron(0 6 * * ? *)", "Europe/London", "2026-03-27T12:00:00Z",
			[]string{"2026-03-28T06:00:00Z", "2026-03-29T05:00:00Z", "2026-03-30T05:00:00Z"}},
		// 01:30 London does not exist on 2026-03-29: skipped, as documented.
		{"cron(30 1 * * ? *)", "Europe/London", "2026-03-28T00:00:00Z",
			[]string{"2026-03-28T01:30:00Z", "2026-03-30T00:30:00Z"}},
		// 01:30 London happens twice on 2026-10-25: fires once, the first time.
		{"cron(30 1 * * ? *)", "Europe/London", "2026-10-24T12:00:00Z",
			[]string{"2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"}},
		{"cron(0/20 9-10 ? * MON-FRI *)", "UTC", "2026-03-27T10:30:00Z", // Fri
			[]string{"2026-03-27T10:40:00Z", "2026-03-30T09:00:00Z", "2026-03-30T09:20:00Z"}},
		{"cron(0 0 L * ? *)", "UTC", "2026-01-31T00:00:00Z",
			[]string{"2026-02-28T00:00:00Z", "2026-03-31T00:00:00Z"}},
		{"cron(0 10 ? * 6#3 *)", "UTC", "2026-01-01T00:00:00Z", // third Friday
			[]string{"2026-01-16T10:00:00Z", "2026-02-20T10:00:00Z"}},
		{"cron(0 10 ? * 2L *)", "UTC", "2026-01-01T00:00:00Z", // last Monday
			[]string{"2026-01-26T10:00:00Z", "2026-02-23T10:00:00Z"}},
		{"cron(0 8 1W * ? *)", "UTC", "2026-01-31T00:00:00Z", // 1 Feb 2026 is a Sunday
			[]string{"2026-02-02T08:00:00Z", "2026-03-02T08:00:00Z"}},
		{"cron(0 12 ? * FRI-MON *)", "UTC", "2026-03-26T13:00:00Z", // wrapping range, Thu start
			[]string{"2026-03-27T12:00:00Z", "2026-03-28T12:00:00Z", "2026-03-29T12:00:00Z", "2026-03-30T12:00:00Z", "2026-04-03T12:00:00Z"}},
		{"cron(0 0 1 JAN ? 2027)", "UTC", "2026-06-01T00:00:00Z",
			[]string{"2027-01-01T00:00:00Z"}},
	}
	for _, c := range cases {
		got := occurrences(t, c.expr, c.tz, c.from, len(c.want))
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("%s from %s: got %v, want %v", c.expr, c.from, got, c.want)
		}
	}
	// A year-bounded expression runs out.
	if got := occurrences(t, "cron(0 0 1 JAN ? 2027)", "UTC", "2027-01-01T00:00:00Z", 1); len(got) != 0 {
		t.Errorf("occurrence after the last year: %v", got)
	}
}

func TestResolveLocal(t *testing.T) {
	london := mustLoad(t, "Europe/London")
	cases := []struct {
		wall   string
		want   string
		exists bool
	}{
		{"2026-03-29T00:59:00Z", "2026-03-29T00:59:00Z", true},
		{"2026-03-29T01:30:00Z", "2026-03-29T01:30:00Z", false}, // gap: 02:30 BST
		{"2026-03-29T02:00:00Z", "2026-03-29T01:00:00Z", true},
		{"2026-10-25T01:30:00Z", "2026-10-25T00:30:00Z", true}, // repeated: first (BST)
		{"2026-07-01T12:00:00Z", "2026-07-01T11:00:00Z", true},
	}
	for _, c := range cases {
		got, exists := resolveLocal(utc(c.wall), london)
		if got.Format(time.RFC3339) != c.want || exists != c.exists {
			t.Errorf("resolveLocal(%s) = %s, %v; want %s, %v", c.wall, got.Format(time.RFC3339), exists, c.want, c.exists)
		}
	}
}

func TestParseExpressionRejects(t *testing.T) {
	for _, s := range []string{
		"at(2026-03-29 01:30:00)", "at(2026-3-29T01:30:00)", "at(2026-03-29T01:30:00.000)",
		"rate(1)", "rate(-1 minutes)", "rate(1.5 hours)",
		"cron(* * * * * *)", "cron(? * * * ? *)", "cron(60 * * * ? *)", "cron(0 0 32 * ? *)",
		"cron(0 0 * 13 ? *)", "cron(0 0 ? * 8 *)", "cron(0 0 * * ? 1969)", "cron(0 0 ? * 6#6 *)",
		"cron(0/0 0 * * ? *)", "every(5 minutes)", "",
	} {
		if _, err := parseExpression(s); err == nil {
			t.Errorf("parseExpression(%q) accepted", s)
		}
	}
}
