package reports

import (
	"fmt"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the expectations are in London time, on any machine

	"github.com/partnership-grants/backend/pkg/grants"
)

func timelineAgreement(t *testing.T) *grants.Agreement {
	t.Helper()
	a, err := grants.NewAgreement(grants.NewAgreementInput{
		Programme: "community-2026",
		Partner:   grants.Partner{Name: "Ancoats Community Larder", RegistrationNumber: "1187654", Address: "14 Redhill Street, Manchester M4 5BA"},
		Contacts:  []grants.Contact{{Name: "Sam", Email: "sam@larder.example.org"}},
		Amount:    1000003,
		StartDate: "2026-04-01",
	}, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), "officer@example.org")
	if err != nil {
		t.Fatal(err)
	}
	a.ID, a.Reference = "agr-1", "CP-2026-001"
	return a
}

func TestTimelineMergesPlanAndHistoryInDateOrder(t *testing.T) {
	a := timelineAgreement(t)
	in := a.Instalment(1)
	in.Status, in.PaidOn, in.PaidBy, in.PaymentReference = grants.InstalmentPaid, grants.Date{Year: 2026, Month: 4, Day: 1}, "finance@example.org", "BACS-0401"
	c := a.CheckIn(1)
	c.Status = grants.CheckInReceived
	c.SentAt = time.Date(2026, 6, 17, 8, 0, 0, 0, time.UTC)
	c.ReceivedAt = time.Date(2026, 6, 20, 13, 5, 0, 0, time.UTC)
	c.Reminders = 1

	history := []grants.AuditEntry{
		{At: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), Actor: "officer@example.org", Action: "agreement.created"},
		{At: time.Date(2026, 4, 1, 13, 0, 0, 0, time.UTC), Actor: "finance@example.org", Action: "payment.approved", Subject: "instalment 1", Detail: "BACS-0401"},
		// Same instant as the payment: input order (append order) must hold.
		{At: time.Date(2026, 4, 1, 13, 0, 0, 0, time.UTC), Actor: "system", Action: "email.sent", Subject: "remittance 1"},
		{At: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC), Actor: "officer@example.org", Action: "agreement.activated"},
		// 23:30 UTC on 19 June is 00:30 on 20 June in London (BST).
		{At: time.Date(2026, 6, 19, 23, 30, 0, 0, time.UTC), Actor: "partner", Action: "reply.received", Subject: "check-in 1"},
	}
	got := Timeline(a, history)
	if len(got) != 4+4+len(history) {
		t.Fatalf("got %d events, want %d", len(got), 4+4+len(history))
	}
	var lines []string
	for _, e := range got[:8] {
		lines = append(lines, fmt.Sprintf("%s %s %s %q %s", e.Date, e.Kind, e.Status, e.Title, e.Actor))
	}
	want := []string{
		`2026-03-01 history agreement.created "Agreement created" officer@example.org`,
		`2026-03-10 history agreement.activated "Agreement activated" officer@example.org`,
		`2026-04-01 instalment paid "Instalment 1 of 4" finance@example.org`,
		`2026-04-01 history payment.approved "Payment approved: instalment 1" finance@example.org`,
		`2026-04-01 history email.sent "Email sent: remittance 1" system`,
		`2026-06-17 check-in received "Check-in 1 of 4" `,
		`2026-06-20 history reply.received "Reply received: check-in 1" partner`,
		`2026-07-01 instalment scheduled "Instalment 2 of 4" `,
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("timeline:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if d := got[2].Detail; d != "£2,500.01; paid 2026-04-01; ref BACS-0401" {
		t.Errorf("instalment detail = %q", d)
	}
	if d := got[5].Detail; d != "sent 2026-06-17 09:00 BST; 1 reminder; received 2026-06-20 14:05 BST" {
		t.Errorf("check-in detail = %q", d)
	}
	if !got[2].At.IsZero() || got[3].At.IsZero() {
		t.Error("planned items must have a zero At, history entries their instant")
	}
	last := got[len(got)-1]
	if last.Kind != KindCheckIn || last.Title != "Check-in 4 of 4 (final report)" || last.Date != a.EndDate.AddDays(30) {
		t.Errorf("last event = %+v, want the final report 30 days after the end date", last)
	}
}

func TestTimelineSameDayOrder(t *testing.T) {
	// An instalment and a check-in on one day, with history that day: dates
	// first (instalment, then check-in), then the instants in time order.
	a := &grants.Agreement{TimeZone: "UTC"}
	d := grants.Date{Year: 2026, Month: 7, Day: 1}
	a.CheckIns = []grants.CheckIn{{Number: 1, DueDate: d, Status: grants.CheckInSent}}
	a.Instalments = []grants.Instalment{{Number: 1, DueDate: d, Status: grants.InstalmentDue}}
	history := []grants.AuditEntry{
		{At: d.At(15, 0, time.UTC), Action: "checkin.sent"},
		{At: d.At(6, 0, time.UTC), Action: "instalment.due"},
	}
	var kinds []string
	for _, e := range Timeline(a, history) {
		kinds = append(kinds, e.Kind+":"+e.Status)
	}
	want := "instalment:due check-in:sent history:instalment.due history:checkin.sent"
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("order = %s, want %s", got, want)
	}
}

func TestTimelineEmpty(t *testing.T) {
	if got := Timeline(&grants.Agreement{}, nil); len(got) != 0 {
		t.Errorf("Timeline of nothing = %v", got)
	}
}

func TestHumanAction(t *testing.T) {
	for in, want := range map[string]string{
		"email.sent":           "Email sent",
		"checkin.reminder_due": "Check-in reminder due",
		"contact.bounced":      "Contact bounced",
		"":                     "Recorded",
		"payment":              "Payment",
	} {
		if got := humanAction(in); got != want {
			t.Errorf("humanAction(%q) = %q, want %q", in, got, want)
		}
	}
}
