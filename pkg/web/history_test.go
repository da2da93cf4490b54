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

// Dates shown one way (issue 26, item 4): a detail's calendar dates read as
// every page writes them; an instant or an ID is left alone.
func TestHistoryDatesReadAsThePagesShowThem(t *testing.T) {
	for detail, want := range map[string]string{
		"call on 2026-05-14, with 2 documents":  "Note added: call on 14 May 2026, with 2 documents",
		"Meeting on 2026-11-02 with Amina Khan": "Note added: Meeting on 2 Nov 2026 with Amina Khan",
		"moved from 2026-02-01 to 2026-03-02":   "Note added: moved from 1 Feb 2026 to 2 Mar 2026",
		"at 2026-05-14T09:00:00Z":               "Note added: at 2026-05-14T09:00:00Z",
		"2026-13-45 is no date":                 "Note added: 2026-13-45 is no date",
	} {
		if got := historyWords(reports.Event{Title: "Note added", Actor: grants.System, Detail: detail}, nil).Words; got != want {
			t.Errorf("%q reads %q, want %q", detail, got, want)
		}
	}
}

// Dates a use case wrote, as YYYY-MM-DD or in an email's words, read on a
// page as every page shows a date.
func TestPageDates(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"check-in 1 goes out on 16 April 2026", "check-in 1 goes out on 16 Apr 2026"},
		{"Accepted by email on 3 September 2026", "Accepted by email on 3 Sep 2026"},
		{"due after 2026-02-01", "due after 1 Feb 2026"},
		{"runs to 31 December 2026: before then", "runs to 31 Dec 2026: before then"},
		{"at 2026-05-14T09:00:00Z", "at 2026-05-14T09:00:00Z"},
		{"31 February 2026 is no date", "31 February 2026 is no date"},
		{"14 May 2026", "14 May 2026"},
		{"", ""},
	} {
		if got := pageDates(tc.in); got != tc.want {
			t.Errorf("pageDates(%q) = %q, want %q", tc.in, got, tc.want)
		}
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

// No API wording on a page (issue 26, item 4): a refusal's own message,
// not only its field reasons, reads in people's words.
func TestRefusalMessagesReadInPeoplesWords(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{grants.Errorf(grants.Conflict, "Check-in 2 has not been received or waived; give override.reason to pay anyway."),
			"Check-in 2 has not been received or waived; say why it is paid now to pay anyway."},
		{grants.Errorf(grants.Conflict, "The partner has not yet accepted the agreement, and this programme pays instalment 1 after they do; give override.reason to pay anyway."),
			"The partner has not yet accepted the agreement, and this programme pays instalment 1 after they do; say why it is paid now to pay anyway."},
		{grants.Validation([]grants.FieldError{{Field: "contacts[0].email", Reason: "must be an email address"}}),
			"The request has invalid fields. Contact 1's email must be an email address."},
	} {
		got := message(tc.err)
		if got != tc.want {
			t.Errorf("message(%v)\n = %q\nwant %q", tc.err, got, tc.want)
		}
		for _, api := range []string{"override.reason", "contacts[0]", "minor units", "(s)"} {
			if strings.Contains(got, api) {
				t.Errorf("%q shows the API's %q", got, api)
			}
		}
		v := &view{}
		v.refused(tc.err, "Not paid", nil)
		if strings.Contains(v.Error, "override.reason") {
			t.Errorf("the refused form says %q", v.Error)
		}
	}
}

// Counts on pages say one or many as people do (issue 26, item 4): the
// feedback page's "1 message ... was kept aside", "1 file not shown", the
// reflections' "to 1 agreement".
func TestPageCountsSayOneOrMany(t *testing.T) {
	for _, tc := range []struct {
		n          int
		word, want string
		verb       string
	}{
		{0, "message", "0 messages", "were"},
		{1, "message", "1 message", "was"},
		{2, "message", "2 messages", "were"},
		{1, "file", "1 file", "was"},
		{3, "agreement", "3 agreements", "were"},
	} {
		if got := plural(tc.n, tc.word); got != tc.want {
			t.Errorf("plural(%d, %q) = %q, want %q", tc.n, tc.word, got, tc.want)
		}
		if got := wasWere(tc.n); got != tc.verb {
			t.Errorf("wasWere(%d) = %q, want %q", tc.n, got, tc.verb)
		}
	}
}
