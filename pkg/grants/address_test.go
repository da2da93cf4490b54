package grants

import "testing"

// Issue item 9: addresses are compared as mail systems compare them: in any
// ASCII case, never by Unicode case folding.
func TestSameAddress(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		same bool
	}{
		{"amina@levykitchen.org.uk", "amina@levykitchen.org.uk", true},
		{"Amina@LevyKitchen.ORG.uk", "amina@levykitchen.org.uk", true},
		{" amina@levykitchen.org.uk ", "amina@levykitchen.org.uk", true},
		{"amina@levykitchen.org.uk", "amina@levykitchen.org", false},
		{"kate@example.org", "\u212Aate@example.org", false},        // Kelvin sign
		{"kate@example.org", "kate@example.or\u212A", false},        // in the domain too
		{"sam@example.org", "\u017Fam@example.org", false},          // long s
		{"\u00e9lise@example.org", "\u00c9lise@example.org", false}, // é and É: not ASCII, not folded
		{"", "", false},
	} {
		if got := SameAddress(tt.a, tt.b); got != tt.same {
			t.Errorf("SameAddress(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.same)
		}
		if got := SameAddress(tt.b, tt.a); got != tt.same {
			t.Errorf("SameAddress(%q, %q) = %v, want %v", tt.b, tt.a, got, tt.same)
		}
	}
}
