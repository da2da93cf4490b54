// Package money holds amounts of money as integer minor units with an ISO 4217
// currency, and the exact arithmetic the grant plans need. Floats never appear:
// a pound is 100 pence, and every sum is exact.
package money

import (
	"errors"
	"fmt"
	"strings"
)

// Amount is a quantity of money in the currency's minor unit (pence for GBP).
type Amount struct {
	Minor    int64  `json:"amount"`
	Currency string `json:"currency"`
}

// ErrUnknownCurrency is returned for codes that are not active ISO 4217 currencies.
var ErrUnknownCurrency = errors.New("unknown ISO 4217 currency")

// ErrNotPositive is returned for zero or negative awards.
var ErrNotPositive = errors.New("amount must be a positive number of minor units")

// DefaultCurrency is the currency used when none is given.
const DefaultCurrency = "GBP"

// New validates a currency code and a strictly positive minor-unit amount.
func New(minor int64, currency string) (Amount, error) {
	if _, err := MinorDigits(currency); err != nil {
		return Amount{}, err
	}
	if minor <= 0 {
		return Amount{}, ErrNotPositive
	}
	return Amount{Minor: minor, Currency: currency}, nil
}

// MinorDigits reports how many decimal places the currency's minor unit has
// (2 for GBP, 0 for JPY, 3 for KWD).
func MinorDigits(currency string) (int, error) {
	if currency != strings.ToUpper(currency) {
		return 0, fmt.Errorf("%w: %q (codes are upper case)", ErrUnknownCurrency, currency)
	}
	d, ok := iso4217[currency]
	if !ok {
		return 0, fmt.Errorf("%w: %q", ErrUnknownCurrency, currency)
	}
	return d, nil
}

// Major renders the amount in major units as an exact decimal string ("2500.00"),
// for exports that want major units without going through a float.
func (a Amount) Major() string {
	d, err := MinorDigits(a.Currency)
	if err != nil {
		d = 2
	}
	sign := ""
	m := a.Minor
	if m < 0 {
		sign, m = "-", -m
	}
	if d == 0 {
		return fmt.Sprintf("%s%d", sign, m)
	}
	p := int64(1)
	for range d {
		p *= 10
	}
	return fmt.Sprintf("%s%d.%0*d", sign, m/p, d, m%p)
}

// symbols are the currencies a UK reader expects with a symbol in front;
// any other is written with its ISO code, which is never ambiguous ("$"
// alone could be any of a dozen dollars).
var symbols = map[string]string{"GBP": "£", "EUR": "€", "USD": "$"}

// Display writes the amount for people, in emails and on the pages alike:
// "£2,500.00", "€10.50", "JPY 2,500", "CHF 1,234.50". It works on the exact
// decimal string of Major, so no float ever touches a grant amount.
func (a Amount) Display() string {
	major := a.Major()
	sign := ""
	if strings.HasPrefix(major, "-") {
		sign, major = "-", major[1:]
	}
	whole, frac, hasFrac := strings.Cut(major, ".")
	var b strings.Builder
	b.Grow(len(major) + len(major)/3 + 8)
	b.WriteString(sign)
	if sym, ok := symbols[a.Currency]; ok {
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

// ErrOverflow is returned when a sum would not fit in int64 minor units.
var ErrOverflow = errors.New("sum of money overflows")

// Add is a + b, or ErrOverflow instead of a wrapped, negative total.
func Add(a, b int64) (int64, error) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, ErrOverflow
	}
	return s, nil
}

// Split divides total into n parts that sum exactly to total.
//
// Remainder rule: every part gets floor(total/n); the remainder (fewer than n
// minor units) goes one unit each to the earliest parts, so a partner is never
// paid less early on and the last instalment is never the larger one.
func Split(total int64, n int) ([]int64, error) {
	if n <= 0 {
		return nil, fmt.Errorf("cannot split into %d parts", n)
	}
	if total <= 0 {
		return nil, ErrNotPositive
	}
	base, rem := total/int64(n), total%int64(n)
	parts := make([]int64, n)
	for i := range parts {
		parts[i] = base
		if int64(i) < rem {
			parts[i]++
		}
	}
	return parts, nil
}

// ErrNotAnAmount is returned by ParseMajor for text that is not a plain
// decimal amount in the currency's units.
var ErrNotAnAmount = errors.New("not an amount")

// ParseMajor reads an amount as a person types it in major units ("10000",
// "10,000.50", "£2,500") into minor units, exactly: no more decimal places
// than the currency has, commas only as thousands separators, and nothing
// that would overflow.
func ParseMajor(s, currency string) (int64, error) {
	digits, err := MinorDigits(currency)
	if err != nil {
		return 0, err
	}
	s = strings.TrimSpace(s)
	s = strings.TrimLeft(s, "£$€¥")
	whole, frac, hasPoint := strings.Cut(s, ".")
	if whole == "" || hasPoint && (frac == "" || len(frac) > digits) {
		return 0, ErrNotAnAmount
	}
	if strings.Contains(whole, ",") {
		groups := strings.Split(whole, ",")
		if len(groups[0]) == 0 || len(groups[0]) > 3 {
			return 0, ErrNotAnAmount
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return 0, ErrNotAnAmount
			}
		}
		whole = strings.Join(groups, "")
	}
	frac += strings.Repeat("0", digits-len(frac))
	var n int64
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, ErrNotAnAmount
		}
		if n > (1<<63-1-int64(r-'0'))/10 {
			return 0, ErrNotAnAmount
		}
		n = n*10 + int64(r-'0')
	}
	return n, nil
}
