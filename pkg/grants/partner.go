package grants

import (
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// PartnerType is the kind of organisation (or person) a partner is: it says
// which register, if any, holds its number, and so how it is identified in
// open grants data (OrgID).
type PartnerType string

// The partner types, as the JSON API spells them.
const (
	PartnerRegisteredCharity PartnerType = "registered-charity" // Charity Commission for England and Wales
	PartnerScottishCharity   PartnerType = "scottish-charity"   // OSCR
	PartnerNICharity         PartnerType = "ni-charity"         // Charity Commission for Northern Ireland
	PartnerCIO               PartnerType = "cio"                // charitable incorporated organisation (E&W, or a SCIO)
	PartnerCompany           PartnerType = "company"            // company limited by guarantee (Companies House)
	PartnerCIC               PartnerType = "cic"                // community interest company (Companies House)
	PartnerCommunityBenefit  PartnerType = "community-benefit-society"
	PartnerUnincorporated    PartnerType = "unincorporated" // a community group with no register
	PartnerIndividual        PartnerType = "individual"     // an individual or freelance practitioner
	PartnerStatutory         PartnerType = "statutory"      // a school, council or NHS body
)

// PartnerTypes lists every type, in the order a form offers them.
var PartnerTypes = []PartnerType{
	PartnerRegisteredCharity, PartnerScottishCharity, PartnerNICharity, PartnerCIO, PartnerCompany, PartnerCIC,
	PartnerCommunityBenefit, PartnerUnincorporated, PartnerIndividual, PartnerStatutory,
}

var partnerTypeTitles = map[PartnerType]string{
	PartnerRegisteredCharity: "Registered charity (England and Wales)",
	PartnerScottishCharity:   "Registered charity (Scotland)",
	PartnerNICharity:         "Registered charity (Northern Ireland)",
	PartnerCIO:               "Charitable incorporated organisation",
	PartnerCompany:           "Company limited by guarantee",
	PartnerCIC:               "Community interest company",
	PartnerCommunityBenefit:  "Community benefit society",
	PartnerUnincorporated:    "Unincorporated community group",
	PartnerIndividual:        "Individual or freelance practitioner",
	PartnerStatutory:         "Statutory body (school, council, NHS)",
}

// Title is the type in words, for pages and emails.
func (t PartnerType) Title() string {
	if s, ok := partnerTypeTitles[t]; ok {
		return s
	}
	return string(t)
}

// Known reports whether t is one of PartnerTypes.
func (t PartnerType) Known() bool { _, ok := partnerTypeTitles[t]; return ok }

// NeedsNumber reports whether a partner of this type must give its
// register's number: the registered types do; an unincorporated group and
// an individual have none; a statutory body may give the identifier of its
// own list (a school's URN, a council's code) but need not.
func (t PartnerType) NeedsNumber() bool {
	switch t {
	case PartnerUnincorporated, PartnerIndividual, PartnerStatutory, "":
		return false
	}
	return true
}

// HasNumber reports whether a partner of this type can have a number at all.
func (t PartnerType) HasNumber() bool {
	return t != PartnerUnincorporated && t != PartnerIndividual
}

// The registers' number formats, as normalised (upper case, no spaces).
var (
	// Charity Commission (England and Wales): six or seven digits, "-N" for a linked charity.
	ewCharityNumber = regexp.MustCompile(`^[0-9]{6,7}(-[0-9]{1,3})?$`)
	// OSCR: SC and six digits.
	scCharityNumber = regexp.MustCompile(`^SC[0-9]{6}$`)
	// CCNI: NIC and six digits (NI or none accepted on the way in).
	niCharityNumber = regexp.MustCompile(`^NIC[0-9]{5,7}$`)
	// Companies House: eight digits, or two letters (SC, NI, …) and six digits.
	companyNumber = regexp.MustCompile(`^([0-9]{8}|[A-Z]{2}[0-9]{6})$`)
	// FCA Mutuals Public Register: a number, "R" for societies registered in
	// Great Britain under the 2014 Act's predecessors (e.g. 30376R, 7564).
	mutualNumber = regexp.MustCompile(`^[0-9]{1,6}R?$`)
	// A statutory body: a school's URN (six digits), or an identifier from
	// one of org-id.guide's public-sector lists.
	schoolURN      = regexp.MustCompile(`^[0-9]{6}$`)
	statutoryOrgID = regexp.MustCompile(`^GB-(EDU|LAE|LAS|PLA|LANI|NHS|GOR|GOV|SHPE)-[A-Z0-9]{1,20}$`)
)

// numberFormats says, per type, what its number looks like, for an error
// a person can act on.
var numberFormats = map[PartnerType]string{
	PartnerRegisteredCharity: "a Charity Commission number: 6 or 7 digits, e.g. 1123456 (or 1123456-1 for a linked charity)",
	PartnerScottishCharity:   "an OSCR number: SC and 6 digits, e.g. SC012345",
	PartnerNICharity:         "a Charity Commission for Northern Ireland number: NIC and 6 digits, e.g. NIC100012",
	PartnerCIO:               "a charity number: 6 or 7 digits (England and Wales), or SC and 6 digits for a SCIO",
	PartnerCompany:           "a Companies House number: 8 digits, or 2 letters and 6 digits, e.g. 01234567 or SC123456",
	PartnerCIC:               "a Companies House number: 8 digits, or 2 letters and 6 digits, e.g. 01234567 or SC123456",
	PartnerCommunityBenefit:  "an FCA Mutuals Public Register number, e.g. 30376R or 7564",
	PartnerStatutory:         "a school's URN (6 digits) or an org-id.guide identifier such as GB-LAE-MAN or GB-NHS-RW3 (or leave it blank)",
}

// NormaliseNumber puts a registration number as typed into its register's
// form for the type: upper case, no spaces; a company number of fewer than
// eight digits gets its leading zeros back; a Northern Ireland charity
// number given as digits or NI… gets its NIC; an FCA number loses an "IP"
// prefix.
func NormaliseNumber(t PartnerType, s string) string {
	n := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	switch t {
	case PartnerCompany, PartnerCIC:
		if len(n) >= 5 && len(n) < 8 && allDigits(n) {
			n = strings.Repeat("0", 8-len(n)) + n
		}
	case PartnerNICharity:
		switch {
		case allDigits(n) && n != "":
			n = "NIC" + n
		case strings.HasPrefix(n, "NI") && !strings.HasPrefix(n, "NIC") && allDigits(n[2:]):
			n = "NIC" + n[2:]
		}
	case PartnerCommunityBenefit:
		n = strings.TrimPrefix(n, "IP")
	}
	return n
}

// CheckNumber says what is wrong with a (normalised) number for type t, or
// "" if nothing is.
func CheckNumber(t PartnerType, n string) string {
	if !t.HasNumber() {
		if n != "" {
			return fmt.Sprintf("must be left out: %s has no registration number", strings.ToLower(t.Title()))
		}
		return ""
	}
	if n == "" {
		if t.NeedsNumber() {
			return "is required for " + strings.ToLower(t.Title()) + ": " + numberFormats[t]
		}
		return ""
	}
	ok := false
	switch t {
	case PartnerRegisteredCharity:
		ok = ewCharityNumber.MatchString(n)
	case PartnerScottishCharity:
		ok = scCharityNumber.MatchString(n)
	case PartnerNICharity:
		ok = niCharityNumber.MatchString(n)
	case PartnerCIO:
		ok = ewCharityNumber.MatchString(n) || scCharityNumber.MatchString(n)
	case PartnerCompany, PartnerCIC:
		ok = companyNumber.MatchString(n)
	case PartnerCommunityBenefit:
		ok = mutualNumber.MatchString(n)
	case PartnerStatutory:
		ok = schoolURN.MatchString(n) || statutoryOrgID.MatchString(n)
	}
	if !ok {
		return "must be " + numberFormats[t]
	}
	return ""
}

// InferPartnerType is the type of a partner stored before partners had
// one, by its number (which was then required): a Scottish or Northern
// Ireland charity number says so, eight characters are a company (as
// RegistrationKind has always read them), anything else a charity in
// England and Wales.
func InferPartnerType(number string) PartnerType {
	n := strings.ToUpper(strings.Join(strings.Fields(number), ""))
	// In the order the 360Giving export has always read numbers, so a
	// stored partner keeps the identifier it was published under.
	switch {
	case Partner{RegistrationNumber: n}.RegistrationKind() == "company":
		return PartnerCompany
	case strings.HasPrefix(n, "SC") && allDigits(n[2:]):
		return PartnerScottishCharity
	case strings.HasPrefix(n, "NIC") && allDigits(n[3:]) || strings.HasPrefix(n, "NI") && allDigits(n[2:]):
		return PartnerNICharity
	}
	return PartnerRegisteredCharity
}

// TypeOrInferred is the partner's type, or for one stored without a type
// the type its number says.
func (p Partner) TypeOrInferred() PartnerType {
	if p.Type != "" {
		return p.Type
	}
	return InferPartnerType(p.RegistrationNumber)
}

// OrgID is the partner's organisation identifier from org-id.guide (as the
// 360Giving standard asks), for the types whose register has a list there:
// GB-CHC (Charity Commission, CIOs included), GB-SC (OSCR, SCIOs included),
// GB-NIC (CCNI, digits only), GB-COH (Companies House: companies and CICs),
// GB-MPR (the FCA's Mutuals Public Register: community benefit societies),
// GB-EDU (a school's URN) or the public-sector identifier a statutory body
// gave. "" for a partner no register holds (an unincorporated group, an
// individual, a statutory body that gave none): the publisher identifies
// those under its own 360G- prefix (see pkg/export).
func (p Partner) OrgID() string {
	n := p.RegistrationNumber
	if n == "" {
		return ""
	}
	switch t := p.TypeOrInferred(); t {
	case PartnerRegisteredCharity:
		return "GB-CHC-" + n
	case PartnerCIO:
		if strings.HasPrefix(n, "SC") {
			return "GB-SC-" + n
		}
		return "GB-CHC-" + n
	case PartnerScottishCharity:
		return "GB-SC-" + n
	case PartnerNICharity:
		return "GB-NIC-" + strings.TrimPrefix(strings.TrimPrefix(n, "NIC"), "NI")
	case PartnerCompany, PartnerCIC:
		return "GB-COH-" + n
	case PartnerCommunityBenefit:
		return "GB-MPR-" + n
	case PartnerStatutory:
		if schoolURN.MatchString(n) {
			return "GB-EDU-" + n
		}
		if statutoryOrgID.MatchString(n) {
			return n
		}
	}
	return ""
}

// checkPartnerType validates a partner's type and number together, by
// field; a partner given without a type (a client from before types) takes
// the type its number says, as stored ones do.
func checkPartnerType(errs *fieldErrors, prefix string, p *Partner) {
	typeField, numberField := "type", "registrationNumber"
	if prefix != "" {
		typeField, numberField = prefix+".type", prefix+".registrationNumber"
	}
	if p.Type == "" {
		if p.RegistrationNumber == "" {
			errs.add(typeField, "is required: one of %s", typeList())
			return
		}
		p.Type = InferPartnerType(p.RegistrationNumber)
	}
	if !p.Type.Known() {
		errs.add(typeField, "must be one of %s", typeList())
		return
	}
	p.RegistrationNumber = NormaliseNumber(p.Type, p.RegistrationNumber)
	if problem := CheckNumber(p.Type, p.RegistrationNumber); problem != "" {
		errs.add(numberField, "%s", problem)
	}
}

// MaxPhone bounds a contact's phone number.
const MaxPhone = 32

// checkPhone accepts a phone number as people write one: digits, spaces, a
// leading +, brackets, dashes and dots, with 7 to 15 digits (E.164's most).
func checkPhone(errs *fieldErrors, field, s string) {
	if s == "" {
		return
	}
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.' || r == '+' && i == 0:
		default:
			errs.add(field, "must be a phone number: digits, spaces and an optional leading +, e.g. 0161 496 0000")
			return
		}
	}
	if digits < 7 || digits > 15 || len(s) > MaxPhone {
		errs.add(field, "must be a phone number of 7 to 15 digits, e.g. 0161 496 0000")
	}
}

// Emailable reports whether the contact has an email address: one without
// gets no emails, and the page says to record conversations instead.
func (c Contact) Emailable() bool { return c.Email != "" }

func typeList() string {
	s := make([]string, len(PartnerTypes))
	for i, t := range PartnerTypes {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// PartnerRecord is a partner organisation known across its agreements: its
// details as they stand now (each agreement keeps the Partner it was made
// with), amended with history kept.
type PartnerRecord struct {
	ID string `json:"id"`
	Partner
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	CreatedBy string    `json:"createdBy"`
	UpdatedAt time.Time `json:"updatedAt"`
	UpdatedBy string    `json:"updatedBy"`
}

// PartnerLink links an agreement to its partner record. With New, the
// record is created in the same write (failing if one with its ID exists).
type PartnerLink struct {
	PartnerID   string
	AgreementID string
	// CreatedAt is the agreement's creation, which orders a partner's agreements.
	CreatedAt time.Time
	New       *PartnerRecord
}

// CheckPartner validates and normalises partner details as given, by
// field under prefix ("partner" in an agreement, "" for a record's own).
func CheckPartner(prefix string, p Partner) (Partner, error) {
	var errs fieldErrors
	p = trimPartner(p)
	errs = append(errs, validatePartnerAt(prefix, &p)...)
	return p, errs.err()
}

// NewPartnerRecord makes a partner record from validated details.
func NewPartnerRecord(id string, p Partner, now time.Time, actor string) *PartnerRecord {
	return &PartnerRecord{ID: id, Partner: p, Version: 1, CreatedAt: now.UTC(), CreatedBy: actor, UpdatedAt: now.UTC(), UpdatedBy: actor}
}

// PartnerAmendment is what may change on a partner record: nil leaves a
// field as it is.
type PartnerAmendment struct {
	Name               *string
	Type               *PartnerType
	RegistrationNumber *string
	Address            *string
}

// Amend changes the record's details, checked as a new partner's are, and
// returns the history entry saying what changed (before → after).
func (r *PartnerRecord) Amend(m PartnerAmendment, now time.Time, actor string) (AuditEntry, error) {
	next := r.Partner
	if m.Name != nil {
		next.Name = *m.Name
	}
	if m.Type != nil {
		next.Type = *m.Type
		if m.RegistrationNumber == nil && !next.Type.HasNumber() {
			next.RegistrationNumber = "" // a group that was a charity keeps no charity number
		}
	}
	if m.RegistrationNumber != nil {
		next.RegistrationNumber = *m.RegistrationNumber
	}
	if m.Address != nil {
		next.Address = *m.Address
	}
	next, err := CheckPartner("", next)
	if err != nil {
		return AuditEntry{}, err
	}
	var changes []Change
	add := func(field, before, after string) {
		if before != after {
			changes = append(changes, Change{Field: field, Before: []string{before}, After: []string{after}})
		}
	}
	add("name", r.Name, next.Name)
	add("type", string(r.TypeOrInferred()), string(next.Type))
	add("registrationNumber", r.RegistrationNumber, next.RegistrationNumber)
	add("address", r.Address, next.Address)
	if len(changes) == 0 {
		return AuditEntry{}, ErrNoChange
	}
	r.Partner = next
	r.Version++
	r.UpdatedAt, r.UpdatedBy = now.UTC(), actor
	return AuditEntry{At: now.UTC(), Actor: actor, Action: "partner.amended", Changes: changes}, nil
}

// PartnerKeyID is the record ID of a registered partner: derived from its
// organisation identifier, so one charity or company has one record however
// many agreements (and back-filled agreements) name it, and two officers
// adding it at once make the same record. A partner no register holds gets
// a random ID (names are not unique: two groups can be "Friends of the Park").
func PartnerKeyID(p Partner) string {
	id := p.OrgID()
	if id == "" {
		return ""
	}
	sum := sha256.Sum256([]byte("partner\x00" + id))
	return strings.ToLower(base32.StdEncoding.EncodeToString(sum[:10]))
}

// LinkPartner records that the agreement belongs to partner record id
// (an agreement made before partner records, linked lazily or by the
// back-fill); an agreement linked already is ErrNoChange.
func (a *Agreement) LinkPartner(r PartnerRecord, now time.Time, actor string) (AuditEntry, error) {
	if a.PartnerID != "" {
		return AuditEntry{}, ErrNoChange
	}
	a.PartnerID = r.ID
	a.touch(now, actor)
	return AuditEntry{At: now.UTC(), Actor: actor, Action: "agreement.partnerLinked", Detail: r.Name}, nil
}

// PartnerAgreement is one of a partner's agreements as its page and the
// API list them.
type PartnerAgreement struct {
	ID        string          `json:"id"`
	Reference string          `json:"reference"`
	Programme string          `json:"programme"`
	Status    AgreementStatus `json:"status"`
	Amount    int64           `json:"amount"`
	Currency  string          `json:"currency"`
	StartDate Date            `json:"startDate"`
	EndDate   Date            `json:"endDate"`
	// Partner is the partner as the agreement was made with it (its name
	// or number may have changed on the record since).
	Partner Partner `json:"partner"`
}

// PartnerAgreementOf is a's line on its partner's page.
func PartnerAgreementOf(a Agreement) PartnerAgreement {
	return PartnerAgreement{ID: a.ID, Reference: a.Reference, Programme: a.Programme, Status: a.Status, Amount: a.Amount,
		Currency: a.Currency, StartDate: a.StartDate, EndDate: a.EndDate, Partner: a.Partner}
}

// PartnerView is a partner record with its agreements (oldest first) and
// its history: GET /partners/{id} and the partner's page.
type PartnerView struct {
	PartnerRecord
	Agreements []PartnerAgreement `json:"agreements"`
	History    []AuditEntry       `json:"history"`
}
