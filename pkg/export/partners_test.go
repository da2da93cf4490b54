package export

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/export/threesixtytest"
	"github.com/partnership-grants/backend/pkg/grants"
)

// Every kind of partner (issue 23, item 7) is published in a file the
// 360Giving schema accepts: a registered one under its register's
// org-id, one with no register (an unincorporated group, a council that
// gave no identifier) under the funder's prefix and its partner record,
// an individual as a recipientIndividual with nothing that names them.
func TestEveryKindOfPartnerIsValid(t *testing.T) {
	created := time.Date(2026, 1, 12, 10, 0, 0, 0, time.UTC)
	kinds := []struct {
		p                    grants.Partner
		partnerID            string
		id, charity, company string
	}{
		{grants.Partner{Type: grants.PartnerRegisteredCharity, RegistrationNumber: "1187654"}, "", "GB-CHC-1187654", "1187654", ""},
		{grants.Partner{Type: grants.PartnerScottishCharity, RegistrationNumber: "SC045678"}, "", "GB-SC-SC045678", "SC045678", ""},
		{grants.Partner{Type: grants.PartnerNICharity, RegistrationNumber: "104321"}, "", "GB-NIC-104321", "104321", ""},
		{grants.Partner{Type: grants.PartnerCIO, RegistrationNumber: "1190001"}, "", "GB-CHC-1190001", "1190001", ""},
		{grants.Partner{Type: grants.PartnerCIO, RegistrationNumber: "SC049999"}, "", "GB-SC-SC049999", "SC049999", ""},
		{grants.Partner{Type: grants.PartnerCompany, RegistrationNumber: "SC123456"}, "", "GB-COH-SC123456", "", "SC123456"},
		{grants.Partner{Type: grants.PartnerCIC, RegistrationNumber: "9876543"}, "", "GB-COH-09876543", "", "09876543"},
		{grants.Partner{Type: grants.PartnerCommunityBenefit, RegistrationNumber: "30376R"}, "", "GB-MPR-30376R", "", ""},
		{grants.Partner{Type: grants.PartnerStatutory, RegistrationNumber: "105432"}, "", "GB-EDU-105432", "", ""},
		{grants.Partner{Type: grants.PartnerStatutory, RegistrationNumber: "GB-LAE-MAN"}, "", "GB-LAE-MAN", "", ""},
		{grants.Partner{Type: grants.PartnerStatutory}, "councilrecordaaa", "360G-factoryintl-partner-councilrecordaaa", "", ""},
		{grants.Partner{Type: grants.PartnerUnincorporated}, "grouprecordaaaaa", "360G-factoryintl-partner-grouprecordaaaaa", "", ""},
		{grants.Partner{Type: grants.PartnerUnincorporated}, "", "360G-factoryintl-Partner_12", "", ""},
		{grants.Partner{Type: grants.PartnerIndividual}, "artistrecordaaaa", "", "", ""},
	}
	var agreements []grants.Agreement
	for i, k := range kinds {
		k.p.Name = "Partner " + string(rune('0'+i/10)) + string(rune('0'+i%10))
		k.p.Address = "2 Moss Lane, Manchester M15 5AA"
		a := newAgreement(t, "agr-k"+k.p.Name[8:], "CP-2026-K"+k.p.Name[8:], grants.NewAgreementInput{Programme: "community-2026", Partner: k.p,
			Amount: 1000000, StartDate: "2026-02-01"}, created)
		a.PartnerID = k.partnerID
		activate(t, &a, created.Add(time.Hour))
		agreements = append(agreements, a)
	}
	out, err := ThreeSixtyGiving(agreements, testFunder)
	if err != nil {
		t.Fatal(err)
	}
	if err := threesixtytest.Validate(out); err != nil {
		t.Fatalf("360Giving output fails the schema:\n%v", err)
	}
	var doc struct {
		Grants []map[string]json.RawMessage `json:"grants"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	for i, k := range kinds {
		g := doc.Grants[i] // by grant identifier: the references' order
		if k.p.Type == grants.PartnerIndividual {
			var ind person
			json.Unmarshal(g["recipientIndividual"], &ind)
			if ind.ID != "360G-factoryintl-IND-artistrecordaaaa" || ind.Name != individualName || g["recipientOrganization"] != nil || g["beneficiaryLocation"] != nil {
				t.Errorf("individual: %s", mapString(g))
			}
			if s := mapString(g); strings.Contains(s, "Partner 13") || strings.Contains(s, "Moss Lane") || strings.Contains(s, "M15") {
				t.Errorf("an individual's name or address published: %s", s)
			}
			continue
		}
		var orgs []organization
		json.Unmarshal(g["recipientOrganization"], &orgs)
		if len(orgs) != 1 || orgs[0].ID != k.id || orgs[0].CharityNumber != k.charity || orgs[0].CompanyNumber != k.company {
			t.Errorf("%s %s: got %+v, want %s %q %q", k.p.Type, k.p.RegistrationNumber, orgs, k.id, k.charity, k.company)
		}
	}
}

func mapString(m map[string]json.RawMessage) string {
	b, _ := json.Marshal(m)
	return string(b)
}
