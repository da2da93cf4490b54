package mailer

import (
	"strings"
	"time"
	"unicode"

	"github.com/partnership-grants/backend/pkg/grants"
)

// dateIn is the calendar date of an instant in the agreement's time zone, so
// "sent at 23:30 UTC" reads as the next day in London in summer.
func dateIn(t time.Time, loc *time.Location) grants.Date {
	if t.IsZero() {
		return grants.Date{}
	}
	return grants.DateOf(t.In(loc))
}

// joinNames lists names as people write them: "Asha", "Asha and Ben",
// "Asha, Ben and Carla".
func joinNames(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// oneLine makes text safe and tidy for a subject line or a single-line field:
// control characters (including CR and LF, which could otherwise fold into
// new headers in some mail paths) become spaces, runs of space collapse, and
// the result is cut to max runes.
func oneLine(s string, max int) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	n := 0
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
			n++
		}
		space = false
		if n >= max {
			return strings.TrimSpace(b.String()) + "…"
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// clip cuts multi-line text to max runes on a rune boundary, keeping line
// breaks, and marks the cut.
func clip(s string, max int) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	n := 0
	for i := range s {
		if n == max {
			return strings.TrimSpace(s[:i]) + " …"
		}
		n++
	}
	return s
}
