package grants

import "testing"

// A run's requested item shows paid once its own payment was approved on
// its own; any other payment of the instalment, or one still requested,
// leaves the item as the run recorded it.
func TestPayRunItemApprovedOnItsOwn(t *testing.T) {
	for _, c := range []struct {
		name    string
		outcome PayRunOutcome
		payment *Payment
		want    PayRunOutcome
	}{
		{"approved on its own", OutcomeRequested, &Payment{Run: "r1", Status: PaymentApproved, ApprovedBy: "Bob"}, OutcomePaid},
		{"still requested", OutcomeRequested, &Payment{Run: "r1", Status: PaymentRequested}, OutcomeRequested},
		{"another run's payment", OutcomeRequested, &Payment{Run: "r2", Status: PaymentApproved}, OutcomeRequested},
		{"a payment of no run", OutcomeRequested, &Payment{Status: PaymentApproved}, OutcomeRequested},
		{"no payment", OutcomeRequested, nil, OutcomeRequested},
		{"not requested by the run", OutcomeHeld, &Payment{Run: "r1", Status: PaymentApproved}, OutcomeHeld},
	} {
		a := &Agreement{Instalments: []Instalment{{Number: 1, Payment: c.payment}}}
		it := PayRunItem{Instalment: 1, Outcome: c.outcome}
		changed := it.Approved(a, "r1")
		if it.Outcome != c.want || changed != (c.want != c.outcome) {
			t.Errorf("%s: %s (changed %t), want %s", c.name, it.Outcome, changed, c.want)
		}
		if changed && it.Detail != "Approved on its own by Bob." {
			t.Errorf("%s: detail %q", c.name, it.Detail)
		}
	}
}
