package grants

import "testing"

// A short plain yes accepts; anything else is for the officer to read.
func TestIsAcceptance(t *testing.T) {
	for text, want := range map[string]bool{
		"Yes":                          true,
		"yes, happy with this":         true,
		"Yes, happy with this\n\nAsha": true,
		"I agree.":                     true,
		"We agree – thank you! Sam":    true,
		"Happy with this, thanks":      true,
		"Hi Olu, yes we're happy with it. Best wishes, Asha": true,
		"Agreed":                            true,
		"Looks good to us":                  true,
		"Can we change the second date?":    false,
		"Yes, but can the second date move": false,
		"Yes but the amount is wrong":       false,
		"No":                                false,
		"":                                  false,
		"We are not happy with this":        false,
		"Thanks for sending this, we will read it at our trustees' meeting next week and come back to you then with any thoughts": false,
		"Yes. Could we also add a volunteer training session to the support?":                                                     false,
	} {
		if got := IsAcceptance(text); got != want {
			t.Errorf("IsAcceptance(%q) = %v, want %v", text, got, want)
		}
	}
}

// Only changes to what the partner accepted, and not in their favour or a
// typo, need their acceptance.
func TestNeedsAcceptance(t *testing.T) {
	for _, tc := range []struct {
		c    Change
		typo bool
		want bool
	}{
		{Change{Field: "terms"}, false, true},
		{Change{Field: "terms"}, true, false},
		{Change{Field: "support"}, true, false},
		{Change{Field: "contacts"}, false, false},
		{Change{Field: "owner"}, false, false},
		{Change{Field: "award"}, true, true},
		{Change{Field: "instalments[2].amount"}, true, true},
		{Change{Field: "instalments[2].dueDate", Before: []string{"2027-06-01"}, After: []string{"2027-05-01"}}, false, false},
		{Change{Field: "instalments[2].dueDate", Before: []string{"2027-06-01"}, After: []string{"2027-07-01"}}, false, true},
		{Change{Field: "checkIns[2].dueDate", Before: []string{"2027-06-01"}, After: []string{"2027-07-01"}}, false, false},
		{Change{Field: "checkIns[2].dueDate", Before: []string{"2027-06-01"}, After: []string{"2027-05-01"}}, false, true},
	} {
		if got := needsAcceptance(tc.c, tc.typo); got != tc.want {
			t.Errorf("needsAcceptance(%+v, typo %v) = %v", tc.c, tc.typo, got)
		}
	}
}
