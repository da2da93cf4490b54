package mailer

import (
	"strings"
	"time"
	"unicode"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/money"
)

// currencySymbols are the currencies whose readers expect a symbol before the
// amount; any other currency is written with its ISO code, which is never
// ambiguous ("$" alone could be any of a dozen dollars, but grants here are
// paid in pounds, euros or US dollars).
var currencySymbols = map[string]string{"GBP": "£", "EUR": "€", "USD": "$"}

// FormatMoney writes an amount for people: "£2,500.00", "€10.50",
// "JPY 2,500", "CHF 1,234.50". It works on the exact decimal string from
// money.Amount.Major, so no float ever touches a grant amount.
func FormatMoney(a money.Amount) string {
	major := a.Major()
	sign := ""
	if strings.HasPrefix(major, "-") {
		sign, major = "-", major[1:]
	}
	whole, frac, hasFrac := strings.Cut(major, ".")
	var b strings.Builder
	b.Grow(len(major) + len(major)/3 + 8)
	b.WriteString(sign)
	if sym, ok := currencySymbols[a.Currency]; ok {
		b.WriteString(sym)
	} else {
		b.WriteString(a.Currency)
		b.WriteByte(' ')
	}
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// FormatDate writes a calendar date the way a British letter does:
// "30 April 2026". The zero date is written as "", so a template can test it.
func FormatDate(d grants.Date) string {
	if d.IsZero() {
		return ""
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Format("2 January 2006")
}

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
