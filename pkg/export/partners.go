package export

import (
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
)

// How a partner is identified in the 360Giving file (issue 23: every kind
// of partner, the file valid for all of them).
//
//   - A partner on a register with an org-id.guide list gets that list's
//     identifier (grants.Partner.OrgID): GB-CHC (a charity in England and
//     Wales, and a CIO with a Charity Commission number), GB-SC (OSCR,
//     SCIOs too: GB-SC-SC012345), GB-NIC (CCNI, the digits alone), GB-COH
//     (Companies House: companies limited by guarantee and CICs), GB-MPR
//     (the FCA's Mutuals Public Register: community benefit societies).
//     The bare number goes in charityNumber or companyNumber as the
//     standard asks (a CIC's and a company's in companyNumber).
//   - A statutory body has no single register: org-id.guide has a list
//     per kind (GB-EDU for schools by URN, GB-LAE/GB-LAS/GB-PLA/GB-LANI
//     for councils, GB-NHS for NHS bodies by ODS code). An officer knows a
//     school's URN (six digits, read as GB-EDU) but rarely a council's
//     register code, so the identifier is optional: given (a URN or a whole
//     org-id), it is published; left out, the body is identified under the
//     funder's own prefix, as below, which the standard allows for any
//     recipient without a registered identifier.
//   - An unincorporated group has no register: it is identified under the
//     funder's prefix, "<prefix>-partner-<partner record ID>" when it has a
//     record (one identifier across its agreements, whatever its name
//     becomes), or "<prefix>-<name>" for an agreement made before partner
//     records, as such partners always were.
//   - An individual or freelance practitioner is a person: the grant has a
//     recipientIndividual ("<prefix>-IND-<record ID or reference>", named
//     "Individual recipient") and no recipientOrganization, no address and
//     no beneficiary location, and neither title nor description names
//     them, as the standard's guidance on grants to individuals asks
//     (personal data stays out of open data).
//   - A number that does not fit its type's register (stored before the
//     formats were checked) is published under the funder's prefix, as
//     before: a GB-CHC guess would point at another organisation.

// person is the standard's Person (recipientIndividual).
type person struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// individualName is the generic name the standard suggests for a person.
const individualName = "Individual recipient"

func isIndividual(a *grants.Agreement) bool {
	return a.Partner.TypeOrInferred() == grants.PartnerIndividual
}

// publicName is how the title and description name the partner.
func publicName(a *grants.Agreement) string {
	if isIndividual(a) {
		return "an individual practitioner"
	}
	return grants.CleanLine(a.Partner.Name)
}

func recipientOrganizations(a *grants.Agreement, prefix string) []organization {
	if isIndividual(a) {
		return nil
	}
	return []organization{recipientOf(a.Partner, a.PartnerID, prefix)}
}

func recipientIndividual(a *grants.Agreement, prefix string) *person {
	if !isIndividual(a) {
		return nil
	}
	id := a.PartnerID
	if id == "" {
		id = a.Reference
	}
	return &person{ID: prefix + "-IND-" + identifierPart(id), Name: individualName}
}

func beneficiaryLocationOf(a *grants.Agreement) []location {
	if isIndividual(a) {
		return nil
	}
	return beneficiaryLocation(a.Partner)
}

// recipientOf is the partner's organisation record; partnerID is its
// partner record's ID ("" for an agreement not linked to one).
func recipientOf(p grants.Partner, partnerID, prefix string) organization {
	street, pc, ok := parseAddress(p.Address)
	o := organization{Name: grants.CleanLine(p.Name), StreetAddress: grants.CleanLine(street)}
	if ok {
		o.PostalCode = pc.String()
	}
	t := p.TypeOrInferred()
	n := grants.NormaliseNumber(t, p.RegistrationNumber)
	id := ""
	if n != "" && grants.CheckNumber(t, n) == "" {
		id = grants.Partner{Type: t, RegistrationNumber: n}.OrgID()
	}
	switch {
	case id != "":
		o.ID = id
		switch {
		case strings.HasPrefix(id, "GB-COH-"):
			o.CompanyNumber = n
		case strings.HasPrefix(id, "GB-CHC-"), strings.HasPrefix(id, "GB-SC-"), strings.HasPrefix(id, "GB-NIC-"):
			o.CharityNumber = strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(id, "GB-CHC-"), "GB-SC-"), "GB-NIC-")
		}
	case partnerID != "":
		o.ID = prefix + "-partner-" + identifierPart(partnerID)
	case n == "":
		o.ID = prefix + "-" + identifierPart(p.Name)
	default:
		o.ID = prefix + "-" + identifierPart(n)
	}
	return o
}
