package dashboard

import (
	"strings"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/money"
)

// symbols are the currencies a UK programme team reads with a symbol in
// front; every other currency is written with its ISO code after the
// figure, which is never ambiguous.
var symbols = map[string]string{"GBP": "£", "EUR": "€", "USD": "$"}

// FormatMoney writes an amount for people: "£10,000.00", "€1,200.50",
// "$3.00", "1,000.00 CHF", "150,000 JPY". It works on the exact decimal
// string from money.Amount.Major, so no float ever touches a grant amount.
func FormatMoney(a money.Amount) string {
	major := a.Major()
	sign := ""
	if strings.HasPrefix(major, "-") {
		sign, major = "-", major[1:]
	}
	whole, frac, hasFrac := strings.Cut(major, ".")
	var b strings.Builder
	b.WriteString(sign)
	sym, ok := symbols[a.Currency]
	if ok {
		b.WriteString(sym)
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
	if !ok {
		b.WriteByte(' ')
		b.WriteString(a.Currency)
	}
	return b.String()
}

// longDate is "14 May 2026"; the zero date is "".
func longDate(d grants.Date) string {
	if d.IsZero() {
		return ""
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Format("2 January 2006")
}

// shortDate is "14 May 2026" with the month abbreviated, for dense rows.
func shortDate(d grants.Date) string {
	if d.IsZero() {
		return ""
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Format("2 Jan 2006")
}
