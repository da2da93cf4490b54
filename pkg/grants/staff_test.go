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

// The pool is asked about a person by their subject, which their ID
// carries after the issuer, whatever the issuer's URL holds.
func TestSubjectIsWhatFollowsTheIssuer(t *testing.T) {
	for _, tt := range []struct {
		actor Actor
		want  string
	}{
		{StaffActor("https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_Ab12", "7c1e-42", "a@x.example", "", nil), "7c1e-42"},
		{StaffActor("", "local-bob", "bob@funder.local", "bob", nil), "local-bob"}, // a sample event's claims name no issuer
		{StaffActor("https://pool", "", "a@x.example", "alice", nil), ""},          // no subject: no one the pool knows
		{Actor{Name: "legacy"}, ""},
	} {
		if got := tt.actor.Subject(); got != tt.want {
			t.Errorf("%q: Subject() = %q, want %q", tt.actor.ID, got, tt.want)
		}
	}
}
