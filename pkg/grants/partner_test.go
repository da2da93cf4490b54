package grants

import (
	"strings"
	"testing"
	"time"
)

// Each type's number is checked by its register's format, normalised as the
// register writes it, and maps to its org-id; the types without a register
// take no number.
func TestPartnerNumbers(t *testing.T) {
	for _, tt := range []struct {
		t          PartnerType
		in, stored string
		problem    string // "" if valid; else a word of the reason
		orgID      string
	}{
		{PartnerRegisteredCharity, "1123456", "1123456", "", "GB-CHC-1123456"},
		{PartnerRegisteredCharity, "1123456-1", "1123456-1", "", "GB-CHC-1123456-1"},
		{PartnerRegisteredCharity, "", "", "required", ""},
		{PartnerRegisteredCharity, "SC012345", "SC012345", "Charity Commission", ""},
		{PartnerScottishCharity, "sc 012345", "SC012345", "", "GB-SC-SC012345"},
		{PartnerScottishCharity, "012345", "012345", "OSCR", ""},
		{PartnerNICharity, "100012", "NIC100012", "", "GB-NIC-100012"},
		{PartnerNICharity, "NI100012", "NIC100012", "", "GB-NIC-100012"},
		{PartnerCIO, "1190001", "1190001", "", "GB-CHC-1190001"},
		{PartnerCIO, "SC049999", "SC049999", "", "GB-SC-SC049999"},
		{PartnerCIO, "01234567", "01234567", "charity number", ""},
		{PartnerCompany, "1234567", "01234567", "", "GB-COH-01234567"},
		{PartnerCompany, "SC123456", "SC123456", "", "GB-COH-SC123456"},
		{PartnerCompany, "ABC", "ABC", "Companies House", ""},
		{PartnerCIC, "09876543", "09876543", "", "GB-COH-09876543"},
		{PartnerCommunityBenefit, "IP30376R", "30376R", "", "GB-MPR-30376R"},
		{PartnerCommunityBenefit, "7564", "7564", "", "GB-MPR-7564"},
		{PartnerCommunityBenefit, "", "", "required", ""},
		{PartnerStatutory, "", "", "", ""},
		{PartnerStatutory, "105432", "105432", "", "GB-EDU-105432"},
		{PartnerStatutory, "gb-lae-man", "GB-LAE-MAN", "", "GB-LAE-MAN"},
		{PartnerStatutory, "Manchester", "MANCHESTER", "URN", ""},
		{PartnerUnincorporated, "", "", "", ""},
		{PartnerUnincorporated, "1123456", "1123456", "left out", ""},
		{PartnerIndividual, "", "", "", ""},
		{PartnerIndividual, "AB123456C", "AB123456C", "left out", ""},
	} {
		n := NormaliseNumber(tt.t, tt.in)
		problem := CheckNumber(tt.t, n)
		if n != tt.stored || (problem == "") != (tt.problem == "") || !strings.Contains(problem, tt.problem) {
			t.Errorf("%s %q: stored %q, problem %q; want %q, %q", tt.t, tt.in, n, problem, tt.stored, tt.problem)
			continue
		}
		if problem == "" {
			if id := (Partner{Type: tt.t, RegistrationNumber: n}).OrgID(); id != tt.orgID {
				t.Errorf("%s %q: org-id %q, want %q", tt.t, n, id, tt.orgID)
			}
		}
	}
}

// Partners stored before types read as their number says, as the 360Giving
// export always read them.
func TestInferPartnerType(t *testing.T) {
	for n, want := range map[string]PartnerType{
		"1123456": PartnerRegisteredCharity, "218186": PartnerRegisteredCharity, "SC012345": PartnerScottishCharity,
		"NIC100012": PartnerNICharity, "NI1043210": PartnerNICharity, "01234567": PartnerCompany, "SC123456": PartnerCompany,
		"NI012345": PartnerCompany, "IP12345": PartnerRegisteredCharity,
	} {
		if got := InferPartnerType(n); got != want {
			t.Errorf("%s: %s, want %s", n, got, want)
		}
	}
}

// A record's amendment keeps what changed, and a kind without a number
// drops the number; a registered partner's record ID is its org-id's.
func TestPartnerRecordAmend(t *testing.T) {
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	p, err := CheckPartner("", Partner{Name: "Levy Kitchen", Type: PartnerRegisteredCharity, RegistrationNumber: "1180123", Address: "Manchester"})
	if err != nil {
		t.Fatal(err)
	}
	r := NewPartnerRecord(PartnerKeyID(p), p, now, "olu")
	if len(r.ID) != 16 || PartnerKeyID(Partner{Type: PartnerCIO, RegistrationNumber: "1180123"}) != r.ID {
		t.Errorf("key ID %q: a CIO with the same charity number is the same record", r.ID)
	}
	typ := PartnerUnincorporated
	e, err := r.Amend(PartnerAmendment{Type: &typ}, now, "olu")
	if err != nil || r.RegistrationNumber != "" || r.Version != 2 || len(e.Changes) != 2 {
		t.Errorf("amend to a group: %+v %+v %v", r, e, err)
	}
	if _, err := r.Amend(PartnerAmendment{Type: &typ}, now, "olu"); err != ErrNoChange {
		t.Errorf("no change: %v", err)
	}
	bad := "12"
	if _, err := r.Amend(PartnerAmendment{RegistrationNumber: &bad}, now, "olu"); ErrorCode(err) != Invalid || !strings.Contains(err.Error(), "registrationNumber") {
		t.Errorf("a number for a group: %v", err)
	}
}
