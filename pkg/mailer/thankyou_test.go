package mailer

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
)

// TestThankYouAllDone renders the partner's thanks when the agreement
// completed by itself: every instalment paid, the final report in.
func TestThankYouAllDone(t *testing.T) {
	a := fixture(t)
	for i := range a.Instalments {
		a.Instalments[i].Status = grants.InstalmentPaid
	}
	last := len(a.CheckIns)
	if _, err := a.ReceiveReply(last, grants.Reply{From: "asha@riverside.example.org", ReceivedAt: time.Date(2027, 2, 20, 10, 0, 0, 0, time.UTC)},
		time.Date(2027, 2, 20, 10, 0, 0, 0, time.UTC), "inbound"); err != nil {
		t.Fatal(err)
	}
	if a.Status != grants.AgreementCompleted {
		t.Fatalf("status %s", a.Status)
	}
	e, err := ThankYou(a, "Open Doors", []string{"asha@riverside.example.org"}, grants.Officer{Name: "Olu Adeyemi", Email: "olu@funder.example"})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "golden", "thank-you.txt"), headerBlock(e)+e.Text)
	golden(t, filepath.Join("testdata", "golden", "thank-you.html"), e.HTML)
	for _, want := range []string{"is complete as of 20 February 2027", "£10,000.00 in all", "we have your end-of-agreement report"} {
		if !strings.Contains(e.Text, want) {
			t.Errorf("thank-you does not say %q:\n%s", want, e.Text)
		}
	}
	if strings.Contains(e.Text, "What was left") || e.Subject != "Thank you – Open Doors – CP-2026-003" {
		t.Errorf("subject %q:\n%s", e.Subject, e.Text)
	}
	if _, err := ThankYou(a, "", nil, grants.Officer{}); err != ErrNoRecipients {
		t.Errorf("no recipients: %v", err)
	}
}

// TestThankYouClosedEarly renders the thanks when an officer closed the
// agreement after its end date with instalments unpaid and the final
// report missing: it says what was left and the officer's words for the
// partner, never the internal reason (issue 23, item 6).
func TestThankYouClosedEarly(t *testing.T) {
	a := fixture(t)
	a.Instalments[0].Status, a.Instalments[1].Status = grants.InstalmentPaid, grants.InstalmentPaid
	a.CheckIns[0].Status = grants.CheckInReceived
	after := a.EndDate.At(12, 0, a.Location()).Add(48 * time.Hour)
	words := "We know the project lead left & the work stopped in the autumn; thank you for telling us early."
	if _, err := a.CompleteAndTell("Internal: lead left, board not responding", &words, after, "olu@funder.example"); err != nil {
		t.Fatal(err)
	}
	e, err := ThankYou(a, "Open Doors", []string{"asha@riverside.example.org", "ben@riverside.example.org"}, grants.Officer{Name: "Olu Adeyemi", Email: "olu@funder.example"})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "golden", "thank-you-early.txt"), headerBlock(e)+e.Text)
	golden(t, filepath.Join("testdata", "golden", "thank-you-early.html"), e.HTML)
	for _, want := range []string{"before everything we planned together was done",
		"What was left: instalments 3, 4 (£5,000.00) not paid; check-ins 2, 3, 4 not answered (the end-of-agreement report among them)",
		"We know the project lead left & the work stopped", "We paid £5,000.00 in all"} {
		if !strings.Contains(e.Text, want) {
			t.Errorf("thank-you does not say %q:\n%s", want, e.Text)
		}
	}
	if !strings.Contains(e.HTML, "lead left &amp; the work") {
		t.Errorf("HTML does not escape the message:\n%s", e.HTML)
	}
	if strings.Contains(e.Text+e.HTML, "Internal") || strings.Contains(e.Text, "Why:") {
		t.Errorf("the thank-you says the internal reason:\n%s", e.Text)
	}
}
