package grants

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/partnership-grants/backend/pkg/money"
)

// Limits on what a client may send, stated in docs/product.md ("Limits"). Each is checked
// before anything is stored, the same way on create and on amend, so a
// stored agreement always fits DynamoDB (400 KB an item, 100 writes a
// transaction) and always reads back.
const (
	// DateWindowYears bounds every date a client sends (start dates, moved
	// due dates, paidOn) to this many years either side of today: wide enough
	// for any grant programme, narrow enough that every computed date has a
	// four-digit year.
	DateWindowYears = 5
	// MaxAward is the largest award in minor units (£1,000,000,000.00 in
	// GBP). A programme of 100,000 such awards still sums well inside int64.
	MaxAward = 100_000_000_000
	// MaxInstalments keeps the writes of one agreement (each instalment and
	// check-in, the agreement, its audit entries, outbox and idempotency
	// records) well inside DynamoDB's 100 writes a transaction: 2×36+28.
	MaxInstalments    = 36
	MaxDurationMonths = 60
	MaxCheckInLead    = 27
	// MaxFinalReportDays: the final report is due within three months of the end date.
	MaxFinalReportDays = 90
	MaxContacts        = 20
	// MaxListItems and MaxItemLength bound terms and support. At the worst
	// (every character escaped to six bytes of JSON) an agreement at every
	// limit is under 300 KB, inside DynamoDB's 400 KB item, idempotency
	// record included.
	MaxListItems        = 20
	MaxItemLength       = 1000
	MaxPartnerName      = 200
	MaxAddress          = 500
	MaxContactName      = 100
	MaxEmail            = 254 // RFC 5321's path limit
	MaxContactRole      = 50
	MaxReason           = 1000 // hold, release, waive, reject, override, terminate
	MaxPaymentReference = 64
)

// dateWindow is the range of dates a client may send on today.
func dateWindow(today Date) (from, to Date) {
	return today.AddMonths(-12 * DateWindowYears), today.AddMonths(12 * DateWindowYears)
}

// checkDate parses a client's date and refuses one outside the window.
func checkDate(errs *fieldErrors, field, s string, today Date) (Date, bool) {
	d, err := ParseDate(s)
	if err != nil {
		errs.add(field, "must be a date as YYYY-MM-DD")
		return Date{}, false
	}
	if from, to := dateWindow(today); d.Before(from) || d.After(to) {
		errs.add(field, "must be between %s and %s (%d years either side of today)", from, to, DateWindowYears)
		return Date{}, false
	}
	return d, true
}

// checkText refuses text longer than max characters, or holding control
// characters other than tab and line breaks (which no person types and some
// systems choke on). Text reaching here is valid UTF-8: the transports refuse
// anything else.
func checkText(errs *fieldErrors, field, s string, max int, required bool) {
	switch n := utf8.RuneCountInString(s); {
	case required && n == 0:
		errs.add(field, "is required (at most %d characters)", max)
	case n > max:
		errs.add(field, "has %d characters; at most %d are allowed", n, max)
	case strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' }):
		errs.add(field, "must not contain control characters")
	case !utf8.ValidString(s):
		errs.add(field, "must be valid UTF-8")
	}
}

// checkList trims a list of free-text items, drops blank ones and bounds
// the count and each item's length: the one rule for terms and support, on
// create and on amend alike.
func checkList(errs *fieldErrors, field string, in []string) []string {
	out := make([]string, 0, len(in))
	for i, s := range in {
		if s = strings.TrimSpace(s); s != "" {
			checkText(errs, fmt.Sprintf("%s[%d]", field, i), s, MaxItemLength, false)
			out = append(out, s)
		}
	}
	if len(out) > MaxListItems {
		errs.add(field, "has %d items; at most %d are allowed", len(out), MaxListItems)
	}
	return out
}

// OptionalNote trims a note a person may add (accepting a held reply) and
// bounds its length.
func OptionalNote(field, note string) (string, error) {
	var errs fieldErrors
	note = strings.TrimSpace(note)
	checkText(&errs, field, note, MaxReason, false)
	return note, errs.err()
}

// RequiredReason trims a reason a person must give (to hold, waive,
// terminate, reject, override) and bounds its length.
func RequiredReason(field, reason string) (string, error) {
	var errs fieldErrors
	reason = strings.TrimSpace(reason)
	checkText(&errs, field, reason, MaxReason, true)
	return reason, errs.err()
}

// CheckStored verifies what every reader of a stored agreement relies on:
// an award within the limits in a known currency, dates set, and (when its
// plans were read) instalments above zero that sum exactly to the award. An
// agreement that fails was written by something that bypassed validation;
// readers treat it as unreadable rather than show wrong figures.
func (a *Agreement) CheckStored() error {
	if _, err := money.MinorDigits(a.Currency); err != nil {
		return err
	}
	if a.Amount < 1 || a.Amount > MaxAward {
		return fmt.Errorf("award %d is outside 1 to %d", a.Amount, int64(MaxAward))
	}
	if a.StartDate.IsZero() || a.EndDate.IsZero() {
		return fmt.Errorf("start or end date missing")
	}
	if len(a.Instalments) == 0 {
		return nil
	}
	var sum int64
	for _, in := range a.Instalments {
		var err error
		if sum, err = money.Add(sum, in.Amount); err != nil || in.Amount < 1 {
			return fmt.Errorf("instalment %d of %d is not a positive part of the award", in.Number, in.Amount)
		}
	}
	if sum != a.Amount {
		return fmt.Errorf("instalments sum to %d, not the award of %d", sum, a.Amount)
	}
	return nil
}
