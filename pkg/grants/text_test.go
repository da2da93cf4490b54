package grants

import (
	"errors"
	"testing"
)

// Issue item 6: names a person types are one line with no text-direction
// control, on create and on amend alike; other text keeps its line breaks.
func TestNamesAreOneLineWithoutDirectionControls(t *testing.T) {
	refused := map[string]string{
		"line feed":                  "Hope\nHouse",
		"carriage return":            "Hope\rHouse",
		"tab":                        "Hope\tHouse",
		"line separator":             "Hope\u2028House",
		"paragraph separator":        "Hope\u2029House",
		"next line":                  "Hope\u0085House",
		"right-to-left override":     "Hope House\u202Egpj.exe",
		"left-to-right embedding":    "\u202AHope House\u202C",
		"right-to-left isolate":      "Hope \u2067House\u2069",
		"right-to-left mark":         "Hope House\u200F",
		"arabic letter mark":         "Hope\u061CHouse",
		"NUL, as any control before": "Hope\x00House",
	}
	fields := map[string]func(*NewAgreementInput, string){
		"partner.name":     func(in *NewAgreementInput, s string) { in.Partner.Name = s },
		"contacts[0].name": func(in *NewAgreementInput, s string) { in.Contacts[0].Name = s },
		"contacts[0].role": func(in *NewAgreementInput, s string) { in.Contacts[0].Role = s },
	}
	for field, set := range fields {
		for what, s := range refused {
			t.Run(field+"/"+what, func(t *testing.T) {
				in := validInput()
				set(&in, s)
				_, err := NewAgreement(in, now, "x")
				if !namesField(err, field) {
					t.Fatalf("create: err = %v, want %s refused", err, field)
				}
				if field == "partner.name" {
					return // the partner is not amended
				}
				amended := validInput()
				set(&amended, s)
				if _, err := activeAgreement(t).Amend(Amendment{Contacts: &amended.Contacts}, now, "x"); !namesField(err, field) {
					t.Fatalf("amend: err = %v, want %s refused", err, field)
				}
			})
		}
	}
	// Names in any script, with the joiners emoji and some scripts need, are
	// kept; an address and terms keep their line breaks.
	in := validInput()
	in.Partner.Name = "مطبخ ليفنشولم المجتمعي – Levenshulme Kitchen 👩‍🍳"
	in.Partner.Address = "Unit 3\n14 Redhill Street\r\nManchester M4 5BA"
	in.Contacts[0].Name = "שרה כהן"
	in.Terms = []string{"Co-host four meals:\n- spring\n- summer"}
	a, err := NewAgreement(in, now, "x")
	if err != nil {
		t.Fatal(err)
	}
	if a.Partner.Name != in.Partner.Name || a.Contacts[0].Name != in.Contacts[0].Name || a.Partner.Address != in.Partner.Address {
		t.Errorf("names changed: %+v %+v", a.Partner, a.Contacts[0])
	}
}

func namesField(err error, field string) bool {
	var e *Error
	if !errors.As(err, &e) || e.Code != Invalid {
		return false
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

func TestCleanLine(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Report for Q2.pdf", "Report for Q2.pdf"},
		// Direction controls are dropped: the characters show in the order sent.
		{"invoice\u202Efdp.exe", "invoicefdp.exe"},
		{"\u2067Re: check-in\u2069 \u200Fx", "Re: check-in x"},
		// Line breaks and tabs are one space each (CRLF is one break).
		{"Re: check-in\r\n 2", "Re: check-in  2"},
		{"a\nb\rc\u2028d\u2029e\u0085f\tg\vh\fi", "a b c d e f g h i"},
		// Other controls are shown, not hidden.
		{"report\x00.pdf", "report\u2400.pdf"},
		{"bell\x07", "bell\u2407"},
		{"del\x7f", "del\u2421"},
		{"c1\u009b[31m", "c1\uFFFD[31m"},
		{"bad \xff utf-8", "bad \uFFFD utf-8"},
		// Everything else is kept: any script, emoji with their joiners.
		{"مطبخ 👩‍🍳 שרה", "مطبخ 👩‍🍳 שרה"},
	} {
		if got := CleanLine(tt.in); got != tt.want {
			t.Errorf("CleanLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
