package agreementpdf

import (
	"bytes"
	"testing"

	"github.com/partnership-grants/backend/pkg/mailer"
)

// The agreement renders to a PDF, the same bytes each time, with text the
// standard fonts cannot write ("→") written another way.
func TestRender(t *testing.T) {
	d := mailer.AgreementDoc{Programme: "Open Doors", Partner: "Riverside Community Arts", Reference: "CP-2026-003",
		Award: "£10,000.00", Start: "31 January 2026", End: "30 January 2027",
		Terms: []string{"Run 12 co-produced workshops – with older residents"}, Support: []string{"Mentoring"},
		CheckIns: []string{"Check-in 1: 16 April 2026"}, Officer: "Olu Adeyemi", OfficerEmail: "olu@funder.example",
		Changes: []string{"Instalment 2 due date: 30 April 2026 → 15 May 2026"}, FirstWaits: true}
	one, err := Render(d)
	if err != nil {
		t.Fatal(err)
	}
	two, _ := Render(d)
	if !bytes.HasPrefix(one, []byte("%PDF-1.")) || !bytes.Equal(one, two) || len(one) < 1000 {
		t.Errorf("%d bytes, same twice %v: %.20q", len(one), bytes.Equal(one, two), one)
	}
}
