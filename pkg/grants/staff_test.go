package grants

import "testing"

// The two-person rule compares people by who they are (issuer and
// subject), never by the email a token shows: a person whose email changed
// is still the requester, and two people showing one email are two. A
// payment recorded before IDs were kept falls back to the name it was
// recorded under.
func TestTwoPersonRuleComparesPeopleByID(t *testing.T) {
	alice := StaffActor("https://pool", "sub-a", "alice@funder.example", "alice", nil)
	for _, tt := range []struct {
		name     string
		approver Actor
		legacy   bool // the payment was recorded with a name only
		refused  bool
	}{
		{"the requester", alice, false, true},
		{"the requester under another email", StaffActor("https://pool", "sub-a", "a.brennan@elsewhere.example", "alice", nil), false, true},
		{"another person showing her email", StaffActor("https://pool", "sub-b", "alice@funder.example", "bob", nil), false, false},
		{"the same subject from another pool", StaffActor("https://other-pool", "sub-a", "alice@funder.example", "alice", nil), false, false},
		{"a legacy payment, its requester by name", StaffActor("https://pool", "sub-a", "ALICE@funder.example", "", nil), true, true},
		{"a legacy payment, someone else", StaffActor("https://pool", "sub-b", "bob@funder.example", "", nil), true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := activeAgreement(t)
			if _, _, err := a.MakeInstalmentDue(1, now); err != nil {
				t.Fatal(err)
			}
			if _, _, err := a.RequestPayment(1, PaymentRequest{PaymentReference: "BACS-1", PaidOn: "2026-01-10"}, "p1", true, now, alice); err != nil {
				t.Fatal(err)
			}
			if tt.legacy {
				a.Instalment(1).Payment.RequestedByID = ""
			}
			_, err := a.ApprovePayment(1, "p1", true, now, tt.approver)
			if refused := reasonOf(err) == "same_approver"; refused != tt.refused {
				t.Fatalf("approval refused as the requester: %v, want %v (%v)", refused, tt.refused, err)
			}
		})
	}
}
