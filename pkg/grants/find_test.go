package grants

import (
	"fmt"
	"slices"
	"testing"
)

// An agreement's terms fit the transaction that writes them: at most
// MaxSearchTerms, its officer's, reference's and partner's first.
func TestSearchTermsAreBounded(t *testing.T) {
	a := &Agreement{Reference: "CP-2026-EKBMS", Partner: Partner{Name: "Hulme Community Garden"}, Owner: Officer{Name: "Olu", Email: "olu@funder.example"}}
	for i := range MaxContacts {
		a.Contacts = append(a.Contacts, Contact{Name: fmt.Sprintf("Person%d Surname%d", i, i), Email: fmt.Sprintf("p%d@org%d.example", i, i)})
	}
	terms := a.SearchTerms()
	if len(terms) != MaxSearchTerms {
		t.Fatalf("%d terms, want %d: %v", len(terms), MaxSearchTerms, terms)
	}
	for _, want := range []string{OwnerTerm("olu@funder.example"), "cp", "2026", "ekbms", "hulme", "community", "garden", "person0"} {
		if !slices.Contains(terms, want) {
			t.Errorf("terms lack %q: %v", want, terms)
		}
	}
}
