package web

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
)

// The amend form keeps what was typed when it is refused (issue 26, item
// 5), reports every problem at once by its field (item 4), and moves due
// dates (item 6): the JSON API's instalments[].dueDate and checkIns[].dueDate.

// formDates reads the amend form's due dates ("date-N" for instalment N,
// "checkin-date-N" for check-in N, as the page shows them): a date is part
// of the amendment only when it differs from the one the page showed.
func formDates(form url.Values, m *grants.Amendment) error {
	var errs []grants.FieldError
	read := func(name string) (string, bool) {
		now, was := strings.TrimSpace(form.Get(name)), strings.TrimSpace(form.Get("was-"+name))
		if now == "" || now == was {
			return "", false
		}
		d, ok := parseDay(now)
		if !ok {
			errs = append(errs, grants.FieldError{Field: name, Reason: "must be a date such as 14 May 2026"})
			return "", false
		}
		return d, true
	}
	for i := 1; i <= grants.MaxInstalments; i++ {
		if d, ok := read("date-" + strconv.Itoa(i)); ok {
			found := false
			for j := range m.InstalmentDates {
				if m.InstalmentDates[j].Number == i {
					m.InstalmentDates[j].DueDate, found = d, true
				}
			}
			if !found {
				m.InstalmentDates = append(m.InstalmentDates, grants.DateChange{Number: i, DueDate: d})
			}
		}
		if d, ok := read("checkin-date-" + strconv.Itoa(i)); ok {
			m.CheckInDates = append(m.CheckInDates, grants.DateChange{Number: i, DueDate: d})
		}
	}
	if len(errs) > 0 {
		return grants.Validation(errs)
	}
	return nil
}

// joinProblems is both errors' field problems as one: a form's own and the
// use case's. An error that is not the person's (or not about fields)
// stands alone.
func joinProblems(a, b error) error {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	var ea, eb *grants.Error
	if !errors.As(a, &ea) || !errors.As(b, &eb) || len(eb.Fields) == 0 && status(b) == http.StatusInternalServerError {
		return b
	}
	if len(eb.Fields) == 0 {
		return b // a refusal of the whole change (a conflict) says more than a field
	}
	return grants.Validation(mergeProblems(ea.Fields, eb.Fields))
}

var listField = regexp.MustCompile(`^(instalments|checkIns)\[(\d+)\]\.(amount|dueDate|number)$`)

// amendProblems names the use case's field problems by the amend form's
// fields: "instalments[0].amount" is the amount of the first instalment
// the amendment changes, on the form "amount-N".
func amendProblems(err error, m grants.Amendment) error {
	var e *grants.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	out := *e
	out.Fields = make([]grants.FieldError, len(e.Fields))
	for i, fe := range e.Fields {
		if mm := listField.FindStringSubmatch(fe.Field); mm != nil {
			k, _ := strconv.Atoi(mm[2])
			list := m.InstalmentDates
			prefix := ""
			if mm[1] == "checkIns" {
				list, prefix = m.CheckInDates, "checkin-"
			}
			if k < len(list) {
				switch mm[3] {
				case "amount":
					fe.Field = "amount-" + strconv.Itoa(list[k].Number)
				default:
					fe.Field = prefix + "date-" + strconv.Itoa(list[k].Number)
				}
			}
		}
		if fe.Field == "instalments" {
			fe.Field = "award" // the amounts must add up to it
		}
		out.Fields[i] = fe
	}
	return &out
}

// amendForm is a refused amendment's fields as typed, shown again in the
// amend form (opened) instead of the agreement's values; nil when none was.
type amendForm url.Values

// value is the typed value of a field, or the agreement's (def) when the
// form was not refused.
func (f amendForm) value(name, def string) string {
	if f == nil {
		return def
	}
	return url.Values(f).Get(name)
}

// amendFormOf is the request's amend form if it was refused.
func amendFormOf(r *http.Request) amendForm {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/amend") || r.PostForm == nil {
		return nil
	}
	return amendForm(r.PostForm)
}

var dayLayouts = []string{"2006-01-02", "2 Jan 2006", "2 January 2006", "02/01/2006", "2/1/2006", "2 Jan. 2006", "Jan 2 2006"}

// parseDay reads a date as a person types it: as the pages show one ("14
// May 2026"), as a date picker sends one (2026-05-14), or day/month/year
// (14/05/2026). It answers YYYY-MM-DD, the use cases' form.
func parseDay(s string) (string, bool) {
	s = strings.Join(strings.Fields(strings.ReplaceAll(s, ",", " ")), " ")
	for _, l := range dayLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.Format("2006-01-02"), true
		}
		// Months as typed: "14 may 2026", "14 SEPT 2026".
		if t, err := time.Parse(l, titleMonth(s)); err == nil {
			return t.Format("2006-01-02"), true
		}
	}
	return "", false
}

func titleMonth(s string) string {
	parts := strings.Fields(s)
	for i, p := range parts {
		if len(p) > 1 && p[0] >= 'A' && (p[0] <= 'Z' || p[0] >= 'a') && p[0] <= 'z' {
			p = strings.ToUpper(p[:1]) + strings.ToLower(p[1:])
			if strings.HasPrefix(p, "Sept") {
				p = "Sep" + strings.TrimPrefix(p, "Sept")
				if p == "Sepember" {
					p = "September"
				}
			}
			parts[i] = p
		}
	}
	return strings.Join(parts, " ")
}

// dayValue is a date as a date field (<input type="date">) holds it:
// YYYY-MM-DD, which the browser shows in its reader's own way. Every form
// asks for a date with one of these (issue 26, item 4).
func dayValue(d grants.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// movable reports whether any due date of a can still move: a scheduled
// instalment's or check-in's.
func movable(a *grants.Agreement) bool {
	for _, in := range a.Instalments {
		if in.Status == grants.InstalmentScheduled {
			return true
		}
	}
	for _, c := range a.CheckIns {
		if c.Status == grants.CheckInScheduled {
			return true
		}
	}
	return false
}
