// Package export renders agreements for people and systems outside the
// service: a CSV of instalments for finance, and a grants package in the UK's
// 360Giving Data Standard for open publication. It is pure Go: it reads
// grants.Agreement values and writes bytes, importing no AWS package, so a
// handler decides where the bytes go (an HTTP response, an S3 object).
package export

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/money"
)

// CSVHeader is the header row CSV writes. The names are stable snake_case
// keys rather than prose so that finance's imports and macros can match
// columns by name across releases.
var CSVHeader = []string{
	"reference",
	"agreement_id",
	"programme",
	"partner_name",
	"registration_number",
	"agreement_status",
	"instalment_number",
	"instalment_count",
	"amount",
	"amount_minor",
	"currency",
	"due_date",
	"instalment_status",
	"awaiting_check_in",
	"payment_reference",
	"paid_on",
	// Added later, so at the end: existing imports keep their columns.
	"hold_reason",
	"override_reason",
	"check_in_waited_on",
	"check_in_waited_on_status",
	"days_late",
	"days_on_hold",
	// Issue 26, item 8: days_late split by whom it waited on.
	"days_waiting_on_partner",
	"days_with_finance",
}

// CSV writes one row per instalment of every agreement given, after a header
// row, as RFC 4180 CSV with CRLF line endings. Rows are ordered by agreement
// reference (then agreement ID, should two share one), then instalment
// number, whatever order the agreements arrive in, so two exports of the same
// data are byte-for-byte equal.
//
// Every agreement passed in is written, drafts and terminated ones included:
// choosing which agreements finance sees is the caller's business. Cancelled
// instalments stay in, so an agreement's rows always sum to its award.
//
// "amount" is the instalment in major units as an exact decimal ("2500.01"),
// for people; "amount_minor" is the same value in minor units (pence), for
// machines that must add amounts up without rounding.
//
// "hold_reason" is why an instalment is held now; "override_reason" why it
// was paid before the check-in it waited on came in. "check_in_waited_on"
// is that check-in (the one before the instalment; blank for the first, and
// for all of an agreement paid on schedule) and its status. "days_late" is working days from the due date to the day paid
// (to today while due or held: the caller measures it, see
// grants.Agreement.MeasureLateness), blank for an instalment not yet due or
// cancelled; "days_on_hold" how many of those it was on hold.
// "days_waiting_on_partner" and "days_with_finance" split days_late by whom
// it waited on: the check-in before it (under afterCheckIn only), then
// finance once payable; only finance's count against the on-time setting.
//
// Formula injection: a spreadsheet treats a cell that begins with '=', '+',
// '-', '@', a tab or a carriage return (or their full-width forms) as a
// formula, and partner names, references and payment references come from
// people outside finance, so a name such as =HYPERLINK("http://evil.example",
// "Click") would become a live link (or worse) on a finance officer's
// machine. GuardCell writes an apostrophe, which spreadsheets take as "this
// is text" and do not display, before every such start: the cell's own, and
// one after a ';', ',', tab or line break, where a spreadsheet in another
// locale starts a new cell. A program reading the file must drop those
// apostrophes itself; see unguardCell (in the tests).
//
// Every cell is one line: line breaks and tabs become spaces, and
// bidirectional controls are dropped (grants.CleanLine), so a hold reason
// typed on two lines, or a partner name stored before names were refused
// with one, neither splits a record in a finance import nor reorders what
// the cell shows.
func CSV(w io.Writer, agreements []grants.Agreement) error {
	order := make([]*grants.Agreement, len(agreements))
	for i := range agreements {
		order[i] = &agreements[i]
	}
	slices.SortStableFunc(order, func(a, b *grants.Agreement) int {
		return cmp.Or(cmp.Compare(a.Reference, b.Reference), cmp.Compare(a.ID, b.ID))
	})

	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(CSVHeader); err != nil {
		return fmt.Errorf("export: write CSV header: %w", err)
	}
	for _, a := range order {
		count := a.InstalmentCount
		if count == 0 {
			count = len(a.Instalments)
		}
		instalments := slices.Clone(a.Instalments)
		slices.SortStableFunc(instalments, func(x, y grants.Instalment) int { return cmp.Compare(x.Number, y.Number) })
		for _, in := range instalments {
			row := []string{
				a.Reference,
				a.ID,
				a.Programme,
				a.Partner.Name,
				a.Partner.RegistrationNumber,
				string(a.Status),
				strconv.Itoa(in.Number),
				strconv.Itoa(count),
				money.Amount{Minor: in.Amount, Currency: a.Currency}.Major(),
				strconv.FormatInt(in.Amount, 10),
				a.Currency,
				in.DueDate.String(),
				string(in.Status),
				strconv.FormatBool(in.AwaitingCheckIn),
				in.PaymentReference,
				dateOrEmpty(in.PaidOn),
				in.HoldReason,
				overrideReason(in),
			}
			row = append(row, waitedOn(a, in)...)
			row = append(row, lateness(in)...)
			for i := range row {
				row[i] = cell(row[i])
			}
			if err := cw.Write(row); err != nil {
				return fmt.Errorf("export: write CSV row for %s instalment %d: %w", a.Reference, in.Number, err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("export: write CSV: %w", err)
	}
	return nil
}

// formulaTriggers are the characters with which a cell starts a formula in
// Excel, LibreOffice Calc or Google Sheets: '=', '+', '-', '@', tab and
// carriage return (OWASP CSV Injection), NUL (ASVS 1.2.10), the full-width
// forms U+FF1D, U+FF0B, U+FF0D and U+FF20 (Excel in East Asian locales reads
// "＝1+1" as "=1+1"), and the small forms U+FE66, U+FE62, U+FE63 and U+FE6B,
// which compatibility normalisation maps onto the same four: guarding them
// costs one apostrophe and no spreadsheet's reading of them is assured.
const formulaTriggers = "=+-@\t\r\x00＝＋－＠﹦﹢﹣﹫"

// cellSeparators are where a spreadsheet may start a new cell inside what
// this file writes as one. The file is comma-separated and quotes a cell
// that holds a comma or a line break, but a spreadsheet in a locale whose
// list separator is ';' (most of Europe) or that is told to split on tabs
// splits on that instead, and a quote in mid-field is then plain text: the
// cell "Hope; =HYPERLINK(…)" becomes "Hope" and a live formula, as does a
// line after a line break. So every such start is guarded, as the cell's
// own start is.
const cellSeparators = ",;\t\r\n"

// cell is how a value is written into a CSV cell: on one line, as
// grants.CleanLine shows partner-controlled text (many finance imports
// take a line break, even a quoted one, for the end of a record), and
// guarded against formulas.
func cell(s string) string { return GuardCell(grants.CleanLine(s)) }

// GuardCell returns s with an apostrophe at every start of a cell a
// spreadsheet could read as a formula: its own start, and each start after
// a separator (see cellSeparators), when what follows, after any spaces,
// is a trigger. A spreadsheet takes a cell that begins with an apostrophe
// as text and does not show the apostrophe. s is returned unchanged when
// nothing needs guarding.
func GuardCell(s string) string {
	var b strings.Builder // written to only when something is guarded
	last := 0
	for i := 0; ; {
		if startsFormula(s[i:]) {
			b.WriteString(s[last:i])
			b.WriteByte('\'')
			last = i
		}
		next := strings.IndexAny(s[i:], cellSeparators)
		if next < 0 {
			break
		}
		i += next + 1
	}
	if b.Len() == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// startsFormula reports whether a cell that begins with s would be read as
// a formula: its first rune after any spaces is a trigger.
func startsFormula(s string) bool {
	s = strings.TrimLeft(s, " ")
	r, _ := utf8.DecodeRuneInString(s)
	return s != "" && strings.ContainsRune(formulaTriggers, r)
}

// dateOrEmpty leaves unset dates blank: Date.String of the zero value would
// print "0000-00-00", which a spreadsheet reads as a real (nonsense) date.
func dateOrEmpty(d grants.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func overrideReason(in grants.Instalment) string {
	if in.Payment == nil {
		return ""
	}
	return in.Payment.OverrideReason
}

// waitedOn is the check-in the instalment's payment waits on, and its
// status: blank for the first instalment, which waits on none, for one
// that follows no check-in (grants.CheckInBefore), and for every instalment
// of an agreement paid on schedule (issue 23), whose money waits on none.
func waitedOn(a *grants.Agreement, in grants.Instalment) []string {
	c := a.CheckIn(a.CheckInBefore(in.Number))
	if c == nil || !a.MoneyWaitsOnCheckIns() {
		return []string{"", ""}
	}
	return []string{strconv.Itoa(c.Number), string(c.Status)}
}

// lateness is days late, on hold, waiting on the partner and with finance,
// blank while not yet due or if cancelled.
func lateness(in grants.Instalment) []string {
	switch in.Status {
	case grants.InstalmentDue, grants.InstalmentHeld, grants.InstalmentPaid:
		return []string{strconv.Itoa(in.DaysLate), strconv.Itoa(in.DaysOnHold), strconv.Itoa(in.DaysWithPartner), strconv.Itoa(in.DaysWithFinance)}
	}
	return []string{"", "", "", ""}
}
