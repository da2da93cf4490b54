package web

import (
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/money"
)

// problem is one thing wrong with what a form sent, as the error summary
// at the top of the page lists it (the GOV.UK pattern): in the page's
// words, linked to the field it is about.
type problem struct {
	Text   string
	Anchor string // the id the summary's link leads to; "" for none
}

// problems are what the error summary lists: v.Problems when the page set
// them (in the order the use case found them), else one per field error,
// by field name, each linked to its message beside the field (fieldError).
func (v *view) problems() []problem {
	if len(v.Problems) > 0 || len(v.Fields) == 0 {
		return v.Problems
	}
	fields := make([]string, 0, len(v.Fields))
	for f := range v.Fields {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	out := make([]problem, 0, len(fields))
	for _, f := range fields {
		out = append(out, problem{Text: fieldProblem(f, v.Fields[f], v.Currency), Anchor: "err-" + f})
	}
	return out
}

// refused puts a refused form's error on v: what (e.g. "The agreement was
// not changed") with the use case's message above, and each field's
// reason beside its field and in the summary, in the use case's order.
// anchor names the input a field's summary link leads to ("" or nil: the
// message beside the field, "err-<field>").
func (v *view) refused(err error, what string, anchor func(field string) string) {
	v.Error, v.Fields, v.Problems = message(err), map[string]string{}, nil
	var e *grants.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		if what != "" {
			v.Error = what + ": " + v.Error
		}
		return
	}
	v.Error = what
	if msg := strings.TrimSpace(reasonWords(e.Message, v.Currency)); msg != "" && msg != grants.Validation(nil).Message {
		if v.Error != "" {
			v.Error += ": "
		}
		v.Error += msg
	}
	for _, fe := range e.Fields {
		if prev, ok := v.Fields[fe.Field]; ok {
			v.Fields[fe.Field] = prev + "; " + fe.Reason
			continue
		}
		v.Fields[fe.Field] = fe.Reason
	}
	seen := map[string]bool{}
	for _, fe := range e.Fields {
		if seen[fe.Field] {
			continue
		}
		seen[fe.Field] = true
		id := ""
		if anchor != nil {
			id = anchor(fe.Field)
		}
		if id == "" {
			id = "err-" + fe.Field
		}
		v.Problems = append(v.Problems, problem{Text: fieldProblem(fe.Field, v.Fields[fe.Field], v.Currency), Anchor: id})
	}
}

// fieldProblem is a field's problem as a sentence: its label and reason.
func fieldProblem(field, reason, currency string) string {
	return fieldLabel(field) + " " + reasonWords(reason, currency) + "."
}

// Field names the JSON API uses for list items ("contacts[0].email"), as
// the pages call them.
var (
	indexedField = regexp.MustCompile(`^([A-Za-z]+)\[(\d+)\]\.?(.*)$`)
	itemNames    = map[string]string{"contacts": "Contact", "instalments": "Instalment", "checkIns": "Check-in", "items": "Item",
		"checkInQuestions": "Question", "terms": "Term", "support": "Support item"}
	partNames = map[string]string{"email": "email", "name": "name", "role": "role", "phone": "phone", "amount": "amount",
		"dueDate": "date", "override.reason": "reason for paying now", "overrideReason": "reason for paying now"}
)

// humanField is a field name the fieldLabels table does not hold, in words:
// "contacts[0].email" is "Contact 1's email", "override.reason" is "The
// reason for paying now".
func humanField(field string) string {
	if m := formListField.FindStringSubmatch(field); m != nil {
		switch m[1] {
		case "amount-":
			return "Instalment " + m[2] + "'s amount"
		case "date-":
			return "Instalment " + m[2] + "'s due date"
		}
		return "Check-in " + m[2] + "'s date"
	}
	if m := indexedField.FindStringSubmatch(field); m != nil {
		n, _ := strconv.Atoi(m[2])
		name, ok := itemNames[m[1]]
		if !ok {
			name = "Item"
		}
		name += " " + strconv.Itoa(n+1)
		if m[3] == "" {
			return name
		}
		part, ok := partNames[m[3]]
		if !ok {
			part = spaced(m[3])
		}
		return name + "'s " + part
	}
	if field == "override.reason" || field == "overrideReason" {
		return "The reason for paying now"
	}
	s := spaced(strings.ReplaceAll(field, ".", " "))
	if s == "" {
		return "This"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// spaced is a camelCase name as words: "finalReportDays" is "final report days".
func spaced(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte(' ')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// formListField is a field of the amend form (amend.go).
var formListField = regexp.MustCompile(`^(amount-|date-|checkin-date-)(\d+)$`)

var (
	isoDay      = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`)
	minorRange  = regexp.MustCompile(`must be a whole number of minor units \(pence\) from 1 to (\d+)`)
	minorAtLeas = regexp.MustCompile(`must be at least (\d+) minor units, so that none of the (\d+) instalments is zero`)
	sumsTo      = regexp.MustCompile(`the instalments would sum to (\d+) but the award is (\d+)`)
	isoDate     = regexp.MustCompile(`(as )?YYYY-MM-DD`)
	overrideGiv = regexp.MustCompile(`give override\.reason to pay anyway`)
	// minorShown is an amount a use case gives in minor units and as money
	// ("25000 minor units (£250.00)"): the page keeps the money.
	minorShown = regexp.MustCompile(`\d+ minor units \(([^)]+)\)`)
	oneMinor   = regexp.MustCompile(`at least one minor unit\b`)
)

// reasonWords is a use case's reason as a person reads it: amounts in
// money rather than minor units, dates as the pages ask for them, no field
// names of the JSON API. The JSON API keeps its own words: its callers are
// programs.
func reasonWords(reason, currency string) string {
	if currency == "" {
		currency = money.DefaultCurrency
	}
	reason = minorRange.ReplaceAllStringFunc(reason, func(s string) string {
		max, _ := strconv.ParseInt(minorRange.FindStringSubmatch(s)[1], 10, 64)
		return "must be an amount more than nothing and at most " + money.Amount{Minor: max, Currency: currency}.Display()
	})
	reason = minorAtLeas.ReplaceAllString(reason, "must be large enough that none of the $2 instalments is nothing")
	reason = minorShown.ReplaceAllString(reason, "$1")
	reason = oneMinor.ReplaceAllLiteralString(reason, "at least "+amount(1, currency))
	reason = sumsTo.ReplaceAllStringFunc(reason, func(s string) string {
		m := sumsTo.FindStringSubmatch(s)
		sum, _ := strconv.ParseInt(m[1], 10, 64)
		award, _ := strconv.ParseInt(m[2], 10, 64)
		return "the instalments would add up to " + amount(sum, currency) + " but the award is " + amount(award, currency)
	})
	reason = isoDate.ReplaceAllString(reason, dateHint)
	reason = pageDates(reason)
	reason = overrideGiv.ReplaceAllString(reason, "say why it is paid now to pay anyway")
	return reason
}

// dateHint is how the pages ask for a date: the way they show one.
const dateHint = "as a date such as 14 May 2026"
