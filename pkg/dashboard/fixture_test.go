package dashboard

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/monitoring"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ from the current output")

// fixtureToday and fixtureNow are the fixture's fixed clock.
var (
	fixtureToday = grants.Date{Year: 2026, Month: 5, Day: 14}
	fixtureNow   = time.Date(2026, 5, 14, 7, 30, 0, 0, time.UTC)
)

const (
	officer = "officer@example.org"
	finance = "finance@example.org"
)

// fixturePage is four fictional Greater Manchester partnerships, each made
// by the domain's constructor and moved through its real transitions, seen
// on 14 May 2026:
//
//	CP-2025-011 Ancoats Community Larder: active, three instalments paid,
//	            three check-ins received, the fourth instalment due;
//	CP-2025-014 Oldham Young Carers Network: active, check-in 2 overdue
//	            after two reminders, instalment 3 held for it, and the
//	            lead contact's address bouncing;
//	CP-2025-009 Rochdale Men's Shed: terminated after two payments;
//	CP-2026-002 Levenshulme Stitchers & Makers: a draft starting in July;
//
// plus two quarantined replies, one whose subject carries markup that must
// come out escaped.
func fixturePage(t testing.TB) Page {
	t.Helper()

	larder := newAgreement(t, "agr-0011", "CP-2025-011", grants.NewAgreementInput{
		Programme: "community-2025",
		Partner:   grants.Partner{Name: "Ancoats Community Larder", RegistrationNumber: "1187654", Address: "Unit 3, 14 Redhill Street, Manchester M4 5BA"},
		Contacts:  []grants.Contact{{Name: "Priya Shah", Email: "priya@ancoats-larder.example.org", Role: "lead"}},
		Amount:    1000000,
		StartDate: "2025-08-01",
	}, time.Date(2025, 7, 10, 10, 0, 0, 0, time.UTC))
	activate(t, larder, time.Date(2025, 7, 20, 9, 0, 0, 0, time.UTC))
	for n := 1; n <= 3; n++ {
		pay(t, larder, n)
		receive(t, larder, n, 2, 3)
	}
	due(t, larder, 4)

	carers := newAgreement(t, "agr-0014", "CP-2025-014", grants.NewAgreementInput{
		Programme: "community-2025",
		Partner:   grants.Partner{Name: "Oldham Young Carers Network", RegistrationNumber: "1176543", Address: "Unity House, 4 Union Street, Oldham OL1 1HE"},
		Contacts: []grants.Contact{
			{Name: "Dan Whitworth", Email: "dan@oldham-carers.example.org", Role: "lead"},
			{Name: "Aisha Begum", Email: "aisha@oldham-carers.example.org", Role: "finance"},
		},
		Amount:    1000000,
		StartDate: "2025-10-01",
	}, time.Date(2025, 9, 2, 11, 0, 0, 0, time.UTC))
	activate(t, carers, time.Date(2025, 9, 15, 9, 0, 0, 0, time.UTC))
	pay(t, carers, 1)
	receive(t, carers, 1, 1, 5)
	pay(t, carers, 2)
	c2 := carers.CheckIn(2)
	c2.Status, c2.SentAt, c2.Reminders = grants.CheckInSent, c2.DueDate.At(9, 0, time.UTC), 2
	move(t, grants.CheckInTransition, &c2.Status, grants.CheckInOverdue)
	in3 := carers.Instalment(3)
	move(t, grants.InstalmentTransition, &in3.Status, grants.InstalmentHeld)
	in3.AwaitingCheckIn = true
	carers.Contacts[0].Bounced = "2026-03-18T09:00:04Z"

	shed := newAgreement(t, "agr-0009", "CP-2025-009", grants.NewAgreementInput{
		Programme: "community-2025",
		Partner:   grants.Partner{Name: "Rochdale Men's Shed", RegistrationNumber: "1165432", Address: "Rear of 21 Drake Street, Rochdale OL16 1RE"},
		Contacts:  []grants.Contact{{Name: "Keith Lord", Email: "keith@rochdale-shed.example.org", Role: "lead"}},
		Amount:    1000000,
		StartDate: "2025-06-01",
	}, time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC))
	activate(t, shed, time.Date(2025, 5, 20, 9, 0, 0, 0, time.UTC))
	pay(t, shed, 1)
	receive(t, shed, 1, 4, 0)
	pay(t, shed, 2)
	if _, err := shed.Terminate("The shed lost its workshop and the trustees closed the project", time.Date(2025, 11, 20, 12, 0, 0, 0, time.UTC), officer); err != nil {
		t.Fatal(err)
	}

	stitchers := newAgreement(t, "agr-0022", "CP-2026-002", grants.NewAgreementInput{
		Programme: "community-2025",
		Partner:   grants.Partner{Name: "Levenshulme Stitchers & Makers", RegistrationNumber: "1209876", Address: "St Mark's Hall, Barlow Road, Manchester M19 3HE"},
		Contacts:  []grants.Contact{{Name: "Rosa O'Neill", Email: "rosa@stitchers.example.org", Role: "lead"}},
		Amount:    1000000,
		StartDate: "2026-07-01",
	}, time.Date(2026, 5, 6, 14, 0, 0, 0, time.UTC))

	agreements := []grants.Agreement{*larder, *carers, *shed, *stitchers}
	for i := range agreements {
		agreements[i].Stats = agreements[i].ComputeStats()
	}
	quarantine := []QuarantineItem{
		{
			ID: "q-0002", ReceivedAt: time.Date(2026, 5, 13, 8, 5, 0, 0, time.UTC),
			From:    "offers@bulk-mailer.example.net",
			Subject: `Re: Check-in <script>alert("hi")</script> & "special offer"`,
			Reason:  "Failed DMARC; marked as spam",
		},
		{
			ID: "q-0001", ReceivedAt: time.Date(2026, 5, 12, 16, 42, 0, 0, time.UTC),
			From:               "j.okafor@mail.example.com",
			Subject:            "Re: Your check-in for Oldham Young Carers Network (photos attached)",
			Reason:             "Sender is not a contact on the agreement",
			AgreementReference: "CP-2025-014",
		},
	}
	summary, err := monitoring.Summarize("community-2025", agreements, len(quarantine), fixtureToday)
	if err != nil {
		panic(err)
	}
	return Page{
		Title:       "Community Partnerships 2025–26",
		Summary:     summary,
		Agreements:  agreements,
		Quarantine:  quarantine,
		Today:       fixtureToday,
		GeneratedAt: fixtureNow,
	}
}

func newAgreement(t testing.TB, id, ref string, in grants.NewAgreementInput, created time.Time) *grants.Agreement {
	t.Helper()
	a, err := grants.NewAgreement(in, created, officer)
	if err != nil {
		t.Fatalf("fixture %s: %v", ref, err)
	}
	a.ID, a.Reference = id, ref
	return a
}

func activate(t testing.TB, a *grants.Agreement, at time.Time) {
	t.Helper()
	if _, err := a.Activate(at, officer); err != nil {
		t.Fatal(err)
	}
}

// move applies one state change through the domain's transition rules, so
// the fixture can never show a state the system could not reach.
func move[S ~string](t testing.TB, rule func(from, to S) error, s *S, to S) {
	t.Helper()
	if err := rule(*s, to); err != nil {
		t.Fatal(err)
	}
	*s = to
}

func due(t testing.TB, a *grants.Agreement, n int) {
	t.Helper()
	move(t, grants.InstalmentTransition, &a.Instalment(n).Status, grants.InstalmentDue)
}

// pay pays instalment n on its due date.
func pay(t testing.TB, a *grants.Agreement, n int) {
	t.Helper()
	due(t, a, n)
	in := a.Instalment(n)
	move(t, grants.InstalmentTransition, &in.Status, grants.InstalmentPaid)
	in.PaidOn, in.PaidBy, in.PaymentReference = in.DueDate, finance, "BACS-"+a.Reference[3:]+"-"+string(rune('0'+n))
}

// receive sends check-in n on its due date and records the reply days later
// after the given number of reminders.
func receive(t testing.TB, a *grants.Agreement, n, days, reminders int) {
	t.Helper()
	c := a.CheckIn(n)
	move(t, grants.CheckInTransition, &c.Status, grants.CheckInSent)
	c.SentAt, c.Reminders = c.DueDate.At(9, 0, time.UTC), reminders
	move(t, grants.CheckInTransition, &c.Status, grants.CheckInReceived)
	c.ReceivedAt = c.DueDate.AddDays(days).At(14, 20, time.UTC)
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
		t.Fatalf("%v (run go test ./pkg/dashboard -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run with -update if the change is intended)", path)
	}
}
