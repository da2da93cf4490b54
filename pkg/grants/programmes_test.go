package grants

import (
	"slices"
	"strings"
	"testing"
)

// A new programme: each bad field refused by its JSON name, the rest
// defaulted as the product's own defaults.
func TestNewProgramme(t *testing.T) {
	ok := NewProgrammeInput{Code: "community-2026", Name: "Community Fund 2026", Currency: "EUR", TimeZone: "Europe/Dublin", Region: "northern-ireland"}
	funder := func(in NewProgrammeInput) NewProgrammeInput {
		in.FunderName, in.FunderOrgID, in.Funder360GPrefix = "The Arts Trust", "GB-CHC-1234567", "360G-artstrust"
		return in
	}
	for _, c := range []struct {
		name  string
		in    func(NewProgrammeInput) NewProgrammeInput
		wrong []string
	}{
		{"valid", func(in NewProgrammeInput) NewProgrammeInput { return in }, nil},
		{"valid with a funder", funder, nil},
		{"underscores and capitals", func(in NewProgrammeInput) NewProgrammeInput { in.Code = "Arts_Fund-2"; return in }, nil},
		{"no code", func(in NewProgrammeInput) NewProgrammeInput { in.Code = ""; return in }, []string{"code"}},
		{"a code with a space", func(in NewProgrammeInput) NewProgrammeInput { in.Code = "arts fund"; return in }, []string{"code"}},
		{"a code with a colon (the scope separator)", func(in NewProgrammeInput) NewProgrammeInput { in.Code = "finance:x"; return in }, []string{"code"}},
		{"a code of 65", func(in NewProgrammeInput) NewProgrammeInput { in.Code = strings.Repeat("a", 65); return in }, []string{"code"}},
		{"a code of 64", func(in NewProgrammeInput) NewProgrammeInput { in.Code = strings.Repeat("a", 64); return in }, nil},
		{"no name", func(in NewProgrammeInput) NewProgrammeInput { in.Name = "  "; return in }, []string{"name"}},
		{"a name of two lines", func(in NewProgrammeInput) NewProgrammeInput { in.Name = "Arts\nFund"; return in }, []string{"name"}},
		{"a name of 121", func(in NewProgrammeInput) NewProgrammeInput { in.Name = strings.Repeat("é", 121); return in }, []string{"name"}},
		{"a name of 120", func(in NewProgrammeInput) NewProgrammeInput { in.Name = strings.Repeat("é", 120); return in }, nil},
		{"an unknown currency", func(in NewProgrammeInput) NewProgrammeInput { in.Currency = "XXY"; return in }, []string{"currency"}},
		{"a lower-case currency", func(in NewProgrammeInput) NewProgrammeInput { in.Currency = "gbp"; return in }, []string{"currency"}},
		{"an invalid time zone", func(in NewProgrammeInput) NewProgrammeInput { in.TimeZone = "Mars/Olympus"; return in }, []string{"timeZone"}},
		{"Local is not a time zone", func(in NewProgrammeInput) NewProgrammeInput { in.TimeZone = "Local"; return in }, []string{"timeZone"}},
		{"an unknown region", func(in NewProgrammeInput) NewProgrammeInput { in.Region = "wales"; return in }, []string{"region"}},
		{"a bad org-id", func(in NewProgrammeInput) NewProgrammeInput {
			in = funder(in)
			in.FunderOrgID = "charity 1234"
			return in
		}, []string{"funderOrgId"}},
		{"a bad 360Giving prefix", func(in NewProgrammeInput) NewProgrammeInput {
			in = funder(in)
			in.Funder360GPrefix = "artstrust"
			return in
		}, []string{"funder360GPrefix"}},
		{"a funder's name alone", func(in NewProgrammeInput) NewProgrammeInput { in.FunderName = "The Arts Trust"; return in }, []string{"funder360GPrefix", "funderOrgId"}},
		{"everything wrong", func(NewProgrammeInput) NewProgrammeInput {
			return NewProgrammeInput{Code: "a b", Currency: "pounds", TimeZone: "Nowhere", Region: "mars"}
		}, []string{"code", "currency", "name", "region", "timeZone"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := NewProgramme(c.in(ok))
			var got []string
			if err != nil {
				e, isErr := err.(*Error)
				if !isErr || e.Code != Invalid {
					t.Fatalf("error %v is not an invalid *Error", err)
				}
				for _, f := range e.Fields {
					got = append(got, f.Field)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, c.wrong) {
				t.Errorf("fields at fault %v, want %v", got, c.wrong)
			}
			if err == nil && (p.Code != strings.TrimSpace(c.in(ok).Code) || p.Archived) {
				t.Errorf("programme %+v", p)
			}
		})
	}
}

func TestNewProgrammeDefaults(t *testing.T) {
	p, err := NewProgramme(NewProgrammeInput{Code: " arts ", Name: " Arts Fund "})
	if err != nil {
		t.Fatal(err)
	}
	want := Programme{Code: "arts", Name: "Arts Fund", Currency: "GBP", TimeZone: DefaultTimeZone, Region: DefaultRegion}
	if p != want {
		t.Errorf("got %+v, want %+v", p, want)
	}
	if s := p.Settings(); s.Name != "Arts Fund" || s.Region != DefaultRegion {
		t.Errorf("settings %+v", s)
	}
	if p.HasFunder() {
		t.Error("a programme without funder details has a funder")
	}
}
