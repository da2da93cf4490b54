package grants

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

// notMoney is an amount written any way but money.Amount.Display's: a
// major-unit decimal with its ISO code ("2500.00 GBP") or a bare run of
// minor units ("250000").
var notMoney = regexp.MustCompile(`\b\d+(\.\d+)? [A-Z]{3}\b|\b\d{5,}\b`)

// Every history line and reason a person reads writes money one way,
// "£2,500.00" (issue 26, item 9): the instalment falling due, the payment
// requested and approved, an extra payment from later instalments and one
// raising the award, and what was left when an agreement was closed.
func TestHistoryWritesMoneyOneWay(t *testing.T) {
	fin1, fin2 := Actor{ID: "fin1", Name: "fin1"}, Actor{ID: "fin2", Name: "fin2"}
	a := activeAgreement(t)
	var details []string
	keep := func(entries ...AuditEntry) {
		for _, e := range entries {
			details = append(details, e.Detail)
		}
	}
	e, _, err := a.MakeInstalmentDue(1, now)
	if err != nil {
		t.Fatal(err)
	}
	keep(e)
	if _, es, err := a.RequestPayment(1, PaymentRequest{PaymentReference: "BACS-1", PaidOn: "2026-01-10"}, "p1", true, now, fin1); err != nil {
		t.Fatal(err)
	} else {
		keep(es...)
	}
	es, err := a.ApprovePayment(1, "p1", true, now, fin2)
	if err != nil {
		t.Fatal(err)
	}
	keep(es...)
	if _, es, err := a.AddExtraPayment(extra(300_000, "2026-02-10", true), later, "olu"); err != nil {
		t.Fatal(err)
	} else {
		keep(es...)
	}
	if _, es, err := a.AddExtraPayment(extra(50_000, "2026-02-10", false), later, "olu"); err != nil {
		t.Fatal(err)
	} else {
		keep(es...)
	}
	left := Closure{InstalmentsCancelled: []int{3, 4}, Unpaid: 500_000}.Left("GBP")
	details = append(details, left)
	_, _, refused := a.AddExtraPayment(extra(900_000, "2026-02-10", true), later, "olu")
	var e2 *Error
	if !errors.As(refused, &e2) || len(e2.Fields) == 0 {
		t.Fatalf("a too large extra payment: %v", refused)
	}
	reason := e2.Fields[0].Reason

	for _, want := range []string{"£2,500.00 due", "£2,500.00, reference BACS-1", "£2,500.00 paid, reference BACS-1",
		"£3,000.00 advance payment due 2026-02-10", "instalment 4 (£2,499.99)", "the award raised to £10,500.00", "(£5,000.00) not paid"} {
		if !strings.Contains(strings.Join(details, "\n"), want) {
			t.Errorf("no history line says %q:\n%s", want, strings.Join(details, "\n"))
		}
	}
	for _, d := range details {
		if m := notMoney.FindString(d); m != "" {
			t.Errorf("%q writes money as %q", d, m)
		}
	}
	// The JSON API's reason keeps minor units for programs, beside the
	// money a page shows instead (web's reasonWords keeps only that).
	if !strings.Contains(reason, "minor units (£") || strings.Contains(reason, " GBP") {
		t.Errorf("reason = %q", reason)
	}
}
