package eventbustest

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

func sample(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile("../testdata/instalment-paid.sample.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

// The sample docs/api.md shows is a valid event; each way an event can break
// the contract is refused, while a field added (an additive change, which
// keeps the version) is not.
func TestInstalmentPaidSchema(t *testing.T) {
	if err := Validate(sample(t)); err != nil {
		t.Fatalf("the sample event: %v", err)
	}
	for name, change := range map[string]func(ev, detail map[string]any){
		"next version":          func(_, d map[string]any) { d["version"] = 2 },
		"no version":            func(_, d map[string]any) { delete(d, "version") },
		"amount in pounds":      func(_, d map[string]any) { d["amount"] = 2500.5 },
		"amount as text":        func(_, d map[string]any) { d["amount"] = "250000" },
		"amount zero":           func(_, d map[string]any) { d["amount"] = 0 },
		"currency lower case":   func(_, d map[string]any) { d["currency"] = "gbp" },
		"no payment reference":  func(_, d map[string]any) { delete(d, "paymentReference") },
		"paidOn not a date":     func(_, d map[string]any) { d["paidOn"] = "2026-02-30" },
		"paidOn an instant":     func(_, d map[string]any) { d["paidOn"] = "2026-05-01T00:00:00Z" },
		"instalment zero":       func(_, d map[string]any) { d["instalment"] = 0 },
		"another source":        func(e, _ map[string]any) { e["source"] = "someone-else" },
		"another detail-type":   func(e, _ map[string]any) { e["detail-type"] = "InstalmentDue" },
		"no detail":             func(e, _ map[string]any) { delete(e, "detail") },
		"empty override reason": func(_, d map[string]any) { d["overrideReason"] = "" },
	} {
		ev := sample(t)
		change(ev, ev["detail"].(map[string]any))
		if err := Validate(ev); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	ev := sample(t)
	ev["detail"].(map[string]any)["costCentre"] = "CC-12"
	if err := Validate(ev); err != nil {
		t.Errorf("an added field: %v", err)
	}
}

// What the publisher sends, built as the service builds it, is valid; the
// same event without its version is not.
func TestPublishedEntryIsValid(t *testing.T) {
	paidOn, _ := grants.ParseDate("2026-05-01")
	ev := service.InstalmentPaidEvent{Version: service.InstalmentPaidVersion, ID: "agr1-2", AgreementID: "agr1", Reference: "CP-2026-K7Q2M",
		Programme: "community-2026", Partner: "Levenshulme Community Kitchen", Instalment: 2, Amount: 250000, Currency: "GBP",
		PaymentReference: "BACS-2026-0142", PaidOn: paidOn, RequestedBy: "alice@funder.example", Actor: "bob@funder.example",
		OverrideReason: "Check-in 1 answered by phone"}
	if err := CheckPublished(ev); err != nil {
		t.Fatal(err)
	}
	ev.Version = 0
	if err := CheckPublished(ev); err == nil || !strings.Contains(err.Error(), "version") {
		t.Errorf("an event without its version: %v", err)
	}
}
