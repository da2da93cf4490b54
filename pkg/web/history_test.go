package web

import (
	"slices"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/reports"
)

// History in words (issue 26, item 10): people by name where known, and
// outbox keys and SES or event IDs behind the details, not in the words.
func TestHistoryWords(t *testing.T) {
	names := map[string]string{"olu@funder.local": "Olu Adeyemi", "jo@lunch.example": "Jo Reid"}
	sent := historyWords(reports.Event{Title: "Email sent: checkin#01", Actor: grants.System,
		Detail: `"Check-in 1 of 4" to jo@lunch.example, sam@lunch.example (SES 0100018f-abc)`}, names)
	if sent.Words != `Email sent: "Check-in 1 of 4" to Jo Reid, sam@lunch.example` {
		t.Errorf("email sent says %q", sent.Words)
	}
	if want := []string{"Outbox key: checkin#01", "SES message ID: 0100018f-abc"}; !slices.Equal(sent.Details, want) {
		t.Errorf("details %q, want %q", sent.Details, want)
	}
	amended := historyWords(reports.Event{Title: "Agreement amended", Actor: "OLU@funder.local", Detail: "changed terms"}, names)
	if amended.Words != "Agreement amended by Olu Adeyemi: changed terms" || len(amended.Details) != 0 {
		t.Errorf("an amendment says %q %q", amended.Words, amended.Details)
	}
	published := historyWords(reports.Event{Title: "Event published: instalment 2", Actor: grants.System, Detail: "InstalmentPaid (event 7f3e)"}, nil)
	if published.Words != "Event published: instalment 2: InstalmentPaid" || !slices.Equal(published.Details, []string{"Event ID: 7f3e"}) {
		t.Errorf("an event says %q %q", published.Words, published.Details)
	}
	created := historyWords(reports.Event{Title: "Agreement created", Actor: "olu@funder.local", Detail: "10000.00 GBP award in 4 instalments"}, names)
	if created.Words != "Agreement created by Olu Adeyemi: £10,000.00 award in 4 instalments" {
		t.Errorf("a creation says %q", created.Words)
	}
	if unknown := historyWords(reports.Event{Title: "Agreement activated", Actor: "ann@funder.local"}, names); !strings.HasSuffix(unknown.Words, "by ann@funder.local") {
		t.Errorf("someone the pool does not name: %q", unknown.Words)
	}
}

// Money one way (issue 26, item 9): a detail written since as money stays
// as it is, and a use case's reason that gives minor units beside the money
// reads as money alone on a page.
func TestMoneyInHistoryAndReasonsReadsOneWay(t *testing.T) {
	paid := historyWords(reports.Event{Title: "Payment approved: instalment 1", Actor: grants.System, Detail: "£2,500.00 paid, reference BACS-1"}, nil)
	if paid.Words != "Payment approved: instalment 1: £2,500.00 paid, reference BACS-1" {
		t.Errorf("a payment says %q", paid.Words)
	}
	for reason, want := range map[string]string{
		"is more than later instalments can give: at most 749997 minor units (£7,499.97) can come from the unpaid instalments due after 2026-02-01, each keeping at least one minor unit": "is more than later instalments can give: at most £7,499.97 can come from the unpaid instalments due after 1 Feb 2026, each keeping at least £0.01",
		"would raise the award above 100000000000 minor units (£1,000,000,000.00)":                                                                                                        "would raise the award above £1,000,000,000.00",
	} {
		if got := reasonWords(reason, "GBP"); got != want {
			t.Errorf("reasonWords(%q)\n = %q\nwant %q", reason, got, want)
		}
	}
}
