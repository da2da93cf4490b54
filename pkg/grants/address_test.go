package grants

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

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

// Issue item 7: a contact's address is one SES can send to, and not at the
// product's own mail domains, on create and on amend alike.
func TestContactEmailsAreAddressesSESCanSendTo(t *testing.T) {
	own := []string{"replies.funder.example", "Funder.Example."}
	local64 := strings.Repeat("a", 64)
	for _, tt := range []struct {
		name, email string
		refused     bool
		why         string // a word the reason must hold
	}{
		{"a plain address", "amina@levykitchen.org.uk", false, ""},
		{"sub-addressing and dots", "amina.khan+grants@levykitchen.org.uk", false, ""},
		{"an internationalised domain in its xn-- form", "amina@xn--bcher-kva.example", false, ""},
		{"a local part of 64", local64 + "@levykitchen.org.uk", false, ""},
		{"a trailing zero-width space", "amina@levykitchen.org.uk\u200b", true, "invisible"},
		{"a trailing byte-order mark", "amina@levykitchen.org.uk\ufeff", true, "invisible"},
		{"a trailing word joiner", "amina@levykitchen.org.uk\u2060", true, "invisible"},
		{"a direction control", "amina@levy\u202ekitchen.org.uk", true, "invisible"},
		{"a space inside", "amina khan@levykitchen.org.uk", true, "plain"},
		{"a no-break space inside", "amina\u00a0khan@levykitchen.org.uk", true, "invisible"},
		{"an address literal", "x@[127.0.0.1]", true, "literal"},
		{"an IPv6 literal", "x@[IPv6:::1]", true, "literal"},
		{"a bare IP address", "x@127.0.0.1", true, "plain"},
		{"a local part of 65", "a" + local64 + "@levykitchen.org.uk", true, "64"},
		{"a non-ASCII local part", "\u00e9lise@levykitchen.org.uk", true, "SMTPUTF8"},
		{"a non-ASCII domain", "amina@b\u00fccher.example", true, "xn--"},
		{"an underscore in the domain", "amina@levy_kitchen.org.uk", true, "plain"},
		{"a label starting with a hyphen", "amina@-levykitchen.org.uk", true, "plain"},
		{"no dot in the domain", "amina@localhost", true, "plain"},
		{"a display name", "Amina <amina@levykitchen.org.uk>", true, "plain"},
		{"a quoted local part", `"amina khan"@levykitchen.org.uk`, true, "plain"},
		{"the reply domain", "checkin+abc@replies.funder.example", true, "own mail domain"},
		{"the reply domain in capitals", "checkin+abc@REPLIES.Funder.Example", true, "own mail domain"},
		{"the sender's domain", "grants@funder.example", true, "own mail domain"},
		{"below the sender's domain", "grants@mail.funder.example", true, "own mail domain"},
		{"a domain that only ends the same", "amina@notfunder.example", false, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := validInput()
			in.Contacts[0].Email, in.OwnDomains = tt.email, own
			_, err := NewAgreement(in, now, "x")
			checkEmailVerdict(t, "create", err, tt.refused, tt.why)

			amended := validInput()
			amended.Contacts = append(amended.Contacts, Contact{Name: "Jo", Email: tt.email})
			amended.Contacts[0].Email = "jo@levykitchen.org.uk"
			_, err = activeAgreement(t).Amend(Amendment{Contacts: &amended.Contacts, OwnDomains: own}, now, "x")
			if tt.refused {
				checkEmailVerdict(t, "amend", err, true, tt.why)
			} else if err != nil {
				t.Fatalf("amend: %v", err)
			}
		})
	}
}

func checkEmailVerdict(t *testing.T, what string, err error, refused bool, why string) {
	t.Helper()
	if !refused {
		if err != nil {
			t.Fatalf("%s: refused: %v", what, err)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: err = %v, want the address refused", what, err)
	}
	for _, f := range e.Fields {
		if strings.HasSuffix(f.Field, "].email") {
			if !strings.Contains(f.Reason, why) {
				t.Errorf("%s: reason %q does not say %q", what, f.Reason, why)
			}
			return
		}
	}
	t.Fatalf("%s: fields %v name no email", what, e.Fields)
}

// One contact whose stored address SES cannot send to (stored before the
// rules) is left out of mail to the partner, and named, so that it cannot
// make SES refuse the message to the others.
func TestDeliverableContactsLeaveOutAddressesSESRefuses(t *testing.T) {
	a := &Agreement{Contacts: []Contact{
		{Name: "Amina", Email: "amina@levykitchen.org.uk"},
		{Name: "Legacy", Email: "x@[127.0.0.1]"},
		{Name: "Bounced", Email: "old@levykitchen.org.uk", Bounced: "bounce"},
		{Name: "Invisible", Email: "jo@levykitchen.org.uk\u200b"},
		{Name: "Jo", Email: "jo@levykitchen.org.uk"},
	}}
	var got, left []string
	for _, c := range a.DeliverableContacts() {
		got = append(got, c.Name)
	}
	for _, c := range a.UnsendableContacts() {
		left = append(left, c.Name)
	}
	if !slices.Equal(got, []string{"Amina", "Jo"}) || !slices.Equal(left, []string{"Legacy", "Invisible"}) {
		t.Errorf("deliverable %q, left out %q", got, left)
	}
}
