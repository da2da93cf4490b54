package mailer

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
)

// TestAgreementEmail renders the agreement sent on activation (issue 23,
// item 4): the terms and support, the instalment and check-in dates, the
// officer, how to reply and what happens if things change, in the body and
// in the attached PDF; its Reply-To is the agreement's signed address.
func TestAgreementEmail(t *testing.T) {
	a := fixture(t)
	a.Status = grants.AgreementDraft
	if _, _, _, err := a.ActivateForAcceptance(time.Date(2026, 1, 20, 10, 0, 0, 0, time.UTC), "officer@example.org", grants.Timing{}, true); err != nil {
		t.Fatal(err)
	}
	to := []string{"asha@riverside.example.org"}
	o := grants.Officer{Name: "Olu Adeyemi", Email: "olu@funder.example"}
	e, err := AgreementEmail(a, "Open Doors", to, "agreement+token@reply.example", o, fakePDF)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "golden", "agreement.txt"), headerBlock(e)+e.Text)
	golden(t, filepath.Join("testdata", "golden", "agreement.html"), e.HTML)
	for _, want := range []string{"reply to this email to accept it", "Instalment 1: £2,500.00 on 31 January 2026",
		"Check-in 1:", "Your officer: Olu Adeyemi (olu@funder.example)", "If things change", "The first instalment is paid once you have accepted"} {
		if !strings.Contains(e.Text, want) {
			t.Errorf("the agreement does not say %q:\n%s", want, e.Text)
		}
	}
	if len(e.ReplyTo) != 1 || e.ReplyTo[0] != "agreement+token@reply.example" || e.FromName != "Olu Adeyemi" {
		t.Errorf("reply-to %v, from %q", e.ReplyTo, e.FromName)
	}
	if len(e.Attachments) != 1 || e.Attachments[0].ContentType != "application/pdf" || !bytes.HasPrefix(e.Attachments[0].Content, []byte("%PDF-")) {
		t.Fatalf("attachments: %+v", e.Attachments)
	}
	if _, err := AgreementEmail(a, "", nil, "x@y", o, fakePDF); err != ErrNoRecipients {
		t.Errorf("no recipients: %v", err)
	}
	if _, err := AgreementEmail(a, "", to, "x@y", o, nil); err != errNoPDF {
		t.Errorf("no PDF writer: %v", err)
	}
}

// TestProposalEmail renders the change proposed to an active agreement
// (issue 23, item 5): each change before → after in words.
func TestProposalEmail(t *testing.T) {
	a := fixture(t)
	a.Status = grants.AgreementDraft
	now := time.Date(2026, 1, 20, 10, 0, 0, 0, time.UTC)
	if _, _, _, err := a.ActivateForAcceptance(now, "officer@example.org", grants.Timing{}, false); err != nil {
		t.Fatal(err)
	}
	terms := []string{"Run six workshops"}
	fx, err := a.AmendAndPropose(grants.Amendment{Terms: &terms, InstalmentDates: []grants.DateChange{{Number: 2, DueDate: "2026-05-15"}}}, now, "olu")
	if err != nil || len(fx.Outbox) != 1 {
		t.Fatalf("%v %+v", err, fx.Outbox)
	}
	e, err := ProposalEmail(a, "Open Doors", []string{"asha@riverside.example.org"}, "agreement+token@reply.example", grants.Officer{Name: "Olu Adeyemi"}, fakePDF)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "golden", "proposal.txt"), headerBlock(e)+e.Text)
	golden(t, filepath.Join("testdata", "golden", "proposal.html"), e.HTML)
	if !strings.Contains(e.Text, "Instalment 2 due date: 30 April 2026 → 15 May 2026") || !strings.Contains(e.Text, "Terms: ") {
		t.Errorf("proposal:\n%s", e.Text)
	}
}

// fakePDF stands in for pkg/mailer/agreementpdf (which imports this
// package), whose own test renders the real file.
func fakePDF(d AgreementDoc) ([]byte, error) { return []byte("%PDF-1.3 " + d.Reference), nil }
