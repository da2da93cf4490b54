package grants

import (
	"fmt"
	"strings"
	"testing"
)

func TestPayRunRequestCheckNamesEachField(t *testing.T) {
	today := Date{Year: 2026, Month: 2, Day: 2}
	ok := PayRunItemRequest{AgreementID: "abc", Instalment: 1, PaymentReference: "R"}
	many := make([]PayRunItemRequest, MaxPayRunItems+1)
	for i := range many {
		many[i] = PayRunItemRequest{AgreementID: fmt.Sprint("a", i), Instalment: 1, PaymentReference: "R"}
	}
	for _, c := range []struct {
		name  string
		req   PayRunRequest
		field string // "" for valid
	}{
		{"valid", PayRunRequest{PaidOn: "2026-02-01", Items: []PayRunItemRequest{ok, {AgreementID: "abc", Instalment: 2, PaymentReference: "S"}}}, ""},
		{"at the limit", PayRunRequest{PaidOn: "2026-02-01", Items: many[:MaxPayRunItems]}, ""},
		{"over the limit", PayRunRequest{PaidOn: "2026-02-01", Items: many}, "items"},
		{"none", PayRunRequest{PaidOn: "2026-02-01"}, "items"},
		{"future", PayRunRequest{PaidOn: "2026-02-03", Items: []PayRunItemRequest{ok}}, "paidOn"},
		{"no date", PayRunRequest{Items: []PayRunItemRequest{ok}}, "paidOn"},
		{"instalment 0", PayRunRequest{PaidOn: "2026-02-01", Items: []PayRunItemRequest{ok, {AgreementID: "abc", Instalment: 0, PaymentReference: "R"}}}, "items[1].instalment"},
		{"instalment too big", PayRunRequest{PaidOn: "2026-02-01", Items: []PayRunItemRequest{{AgreementID: "abc", Instalment: MaxInstalments + 1, PaymentReference: "R"}}}, "items[0].instalment"},
		{"long reference", PayRunRequest{PaidOn: "2026-02-01", Items: []PayRunItemRequest{{AgreementID: "abc", Instalment: 1, PaymentReference: strings.Repeat("x", MaxPaymentReference+1)}}}, "items[0].paymentReference"},
		{"repeated", PayRunRequest{PaidOn: "2026-02-01", Items: []PayRunItemRequest{ok, ok}}, "items[1].instalment"},
		{"no agreement", PayRunRequest{PaidOn: "2026-02-01", Items: []PayRunItemRequest{{Instalment: 1, PaymentReference: "R"}}}, "items[0].agreementId"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.req.Check(today)
			if c.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e, _ := err.(*Error)
			if e == nil || e.Code != Invalid {
				t.Fatalf("got %v, want a field error on %s", err, c.field)
			}
			for _, f := range e.Fields {
				if f.Field == c.field {
					return
				}
			}
			t.Errorf("fields %+v do not name %s", e.Fields, c.field)
		})
	}
}

// Each refusal of a payment request is reported as the run's outcome for it.
func TestPayRunOutcomeOfEachRefusal(t *testing.T) {
	for _, c := range []struct {
		err    error
		status InstalmentStatus
		want   PayRunOutcome
	}{
		{conflict("instalment_not_due", ""), InstalmentPaid, OutcomeAlreadyPaid},
		{conflict("instalment_not_due", ""), InstalmentHeld, OutcomeHeld},
		{conflict("instalment_not_due", ""), InstalmentScheduled, OutcomeNotDue},
		{conflict("instalment_not_due", ""), InstalmentCancelled, OutcomeCancelled},
		{conflict("payment_pending", ""), InstalmentDue, OutcomeRequestedElsewhere},
		{conflict("agreement_not_active", ""), InstalmentDue, OutcomeNotActive},
		{conflict("check_in_missing", ""), InstalmentDue, OutcomeCheckInMissing},
		{Errorf(NotFound, "no"), "", OutcomeNotFound},
		{Validation([]FieldError{{Field: "paidOn", Reason: "cannot be in the future"}}), InstalmentDue, OutcomeInvalid},
		{conflict("something_new", ""), InstalmentDue, OutcomeRefused},
	} {
		var it PayRunItem
		it.Settle(OutcomeRequested, c.err, c.status)
		if it.Outcome != c.want {
			t.Errorf("%v at %s: %s, want %s", c.err, c.status, it.Outcome, c.want)
		}
	}
	var it PayRunItem
	if it.Settle(OutcomePaid, conflict("agreement_not_active", "ended"), ""); it.Outcome != OutcomeNotPaid || it.Reason != "agreement_not_active" {
		t.Errorf("a refused approval: %+v", it)
	}
}
