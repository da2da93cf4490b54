package export

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/money"
)

// Funder is the publisher of a 360Giving file: the organisation that makes
// the grants.
type Funder struct {
	// Prefix is the funder's registered 360Giving prefix, e.g.
	// "360G-factoryintl". Grant identifiers are "<Prefix>-<reference>", and a
	// partner without a registration number we recognise is identified as
	// "<Prefix>-<registration number>", as the standard's identifier
	// guidance asks.
	Prefix string
	// OrgID is the funder's own organisation identifier, e.g. "GB-CHC-1234567".
	OrgID   string
	OrgName string
	// ProgrammeTitles maps a programme code (Agreement.Programme) to the
	// title the public should see; a programme missing here is published
	// under its code.
	ProgrammeTitles map[string]string
	// Now is the time of the export. It stands in as a grant's dateModified
	// only when the agreement records no change time at all.
	Now time.Time
}

// ErrNothingToPublish is returned when none of the agreements may be
// published: the 360Giving package schema requires at least one grant, so an
// empty file would be invalid rather than merely empty.
var ErrNothingToPublish = errors.New("export: no active, completed or part-paid terminated agreements to publish")

// ThreeSixtyGiving renders a 360Giving Data Standard (1.4) grants package,
// {"grants": [...]}, as indented JSON, one grant per publishable agreement,
// ordered by grant identifier.
//
// Which agreements are published. The standard publishes grants that were
// awarded; its guidance on updating data says to remove grants that were
// awarded but did not go ahead and to amend grants that were varied. So:
//   - draft agreements are left out: nothing has been awarded yet;
//   - active and completed agreements are published in full;
//   - a terminated agreement is published only if at least one instalment
//     was paid (the grant went ahead, then ended early), and then as varied:
//     amountAwarded is what was paid, since the cancelled instalments are no
//     longer committed, and the description says that it ended early and
//     what the original award was. A terminated agreement with nothing paid
//     did not go ahead and is left out.
//
// Field choices:
//   - amountAwarded and amountDisbursed are JSON numbers in major units
//     written from money.Amount.Major, so 10000.03 is exactly 10000.03 and
//     never passes through a float.
//   - awardDate is the date the agreement was created (in its time zone),
//     not its start date: the standard defines awardDate as when the
//     decision to award was made, which is when the agreement was drawn up;
//     the start date is when the funded activity begins and is published in
//     plannedDates. The agreement records no separate decision time.
//   - plannedDates carries startDate, endDate and duration in months.
//   - recipientOrganization.id follows org-id.guide: GB-CHC (England and
//     Wales charity), GB-SC (Scottish charity, "GB-SC-SC012345"), GB-NIC
//     (Northern Ireland charity, digits only), GB-COH (company). The bare
//     number also goes in charityNumber or companyNumber, as the standard
//     asks. A trailing UK postcode in the address is split into postalCode,
//     which is what 360Giving tools geocode (parseAddress says how it is
//     found).
//   - beneficiaryLocation is the postcode district of that postcode ("M4"),
//     with its country code (GB, or JE, GG, IM); no postcode, no location.
//   - plannedInstalments, an additional field, lists the instalments still
//     to be paid, each with its due date and amount: the standard has no
//     field for planned payments (see plannedInstalment).
//   - dateModified is the latest change recorded on the agreement or any of
//     its instalments (payments change instalments, and amountDisbursed
//     with them), in UTC.
//
// Text is published on one line, as grants.CleanLine shows it: a name or a
// term stored with a line break or a bidirectional control (before the
// domain refused them in names, say) does not carry it into the file.
//
// Contacts, termination reasons and check-in replies are never published:
// they are about people, and the standard's data protection guidance keeps
// personal data out of open grants data.
func ThreeSixtyGiving(agreements []grants.Agreement, opts Funder) ([]byte, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	pkg := grantsPackage{Grants: []grant{}}
	seen := map[string]string{}
	for i := range agreements {
		a := &agreements[i]
		if !publishable(a) {
			continue
		}
		g, err := grantFor(a, opts)
		if err != nil {
			return nil, err
		}
		if other, dup := seen[g.ID]; dup {
			// Two grants with one identifier would be merged or dropped by
			// every 360Giving tool, and break the schema's uniqueItems.
			return nil, fmt.Errorf("export: agreements %s and %s would both be published as %s", other, a.ID, g.ID)
		}
		seen[g.ID] = a.ID
		pkg.Grants = append(pkg.Grants, g)
	}
	if len(pkg.Grants) == 0 {
		return nil, ErrNothingToPublish
	}
	slices.SortFunc(pkg.Grants, func(x, y grant) int { return cmp.Compare(x.ID, y.ID) })

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Names like "Arts & Health" should read as written; the file is served
	// as JSON, never inlined into HTML.
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(pkg); err != nil {
		return nil, fmt.Errorf("export: encode 360Giving package: %w", err)
	}
	return buf.Bytes(), nil
}

func (f Funder) validate() error {
	var problems []string
	if !strings.HasPrefix(f.Prefix, "360G-") || len(f.Prefix) == len("360G-") {
		problems = append(problems, "Prefix must be a registered 360Giving prefix such as 360G-example")
	}
	if strings.TrimSpace(f.OrgID) == "" {
		problems = append(problems, "OrgID is required")
	}
	if strings.TrimSpace(f.OrgName) == "" {
		problems = append(problems, "OrgName is required")
	}
	if f.Now.IsZero() {
		problems = append(problems, "Now is required")
	}
	if len(problems) > 0 {
		return fmt.Errorf("export: invalid funder: %s", strings.Join(problems, "; "))
	}
	return nil
}

func publishable(a *grants.Agreement) bool {
	switch a.Status {
	case grants.AgreementActive, grants.AgreementCompleted:
		return true
	case grants.AgreementTerminated:
		_, n := paid(a)
		return n > 0
	}
	return false
}

// paid is the total paid so far and the number of instalments paid.
func paid(a *grants.Agreement) (total int64, count int) {
	for _, in := range a.Instalments {
		if in.Status == grants.InstalmentPaid {
			total += in.Amount
			count++
		}
	}
	return total, count
}

// The 360Giving shapes, with only the fields we fill. Field order is the
// order in the standard's schema, so the file reads like its documentation.
type grantsPackage struct {
	Grants []grant `json:"grants"`
}

type grant struct {
	ID                    string         `json:"id"`
	Title                 string         `json:"title"`
	Description           string         `json:"description"`
	Currency              string         `json:"currency"`
	AmountAwarded         json.Number    `json:"amountAwarded"`
	AmountDisbursed       json.Number    `json:"amountDisbursed"`
	AwardDate             string         `json:"awardDate"`
	PlannedDates          []event        `json:"plannedDates"`
	RecipientIndividual   *person        `json:"recipientIndividual,omitempty"`
	RecipientOrganization []organization `json:"recipientOrganization,omitempty"`
	BeneficiaryLocation   []location     `json:"beneficiaryLocation,omitempty"`
	FundingOrganization   []organization `json:"fundingOrganization"`
	GrantProgramme        []programme    `json:"grantProgramme"`
	DateModified          string         `json:"dateModified"`

	// Additional fields (not in the standard; docs/product.md's 360Giving
	// section documents them), after the standard's, as an appendix.
	PlannedInstalments []plannedInstalment `json:"plannedInstalments,omitempty"`
}

// location is the standard's Location, as far as a postcode district fills it.
type location struct {
	Name        string `json:"name"`
	CountryCode string `json:"countryCode"`
	Description string `json:"description"`
}

// plannedInstalment is one instalment still to be paid: the additional
// field plannedInstalments. The standard has nowhere for money planned but
// not yet paid: plannedDates are when the funded activity takes place and
// carry no amount, and its transactions record commitments and
// disbursements that happened.
type plannedInstalment struct {
	Instalment int         `json:"instalment"`
	DueDate    string      `json:"dueDate"`
	Amount     json.Number `json:"amount"`
	Currency   string      `json:"currency"`
}

type event struct {
	StartDate string `json:"startDate"`
	EndDate   string `json:"endDate"`
	Duration  int    `json:"duration"`
}

type organization struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	CharityNumber string `json:"charityNumber,omitempty"`
	CompanyNumber string `json:"companyNumber,omitempty"`
	StreetAddress string `json:"streetAddress,omitempty"`
	PostalCode    string `json:"postalCode,omitempty"`
}

type programme struct {
	Code  string `json:"code"`
	Title string `json:"title"`
}

func grantFor(a *grants.Agreement, f Funder) (grant, error) {
	if a.Reference == "" {
		return grant{}, fmt.Errorf("export: agreement %s has no reference to build a grant identifier from", a.ID)
	}
	award := a.Amount
	paidTotal, paidCount := paid(a)
	if a.Status == grants.AgreementTerminated {
		award = paidTotal
	}
	title := f.ProgrammeTitles[a.Programme]
	if title == "" {
		title = a.Programme
	}
	return grant{
		ID:                    f.Prefix + "-" + identifierPart(a.Reference),
		Title:                 truncate("Community partnership with "+publicName(a), maxTitle),
		Description:           describe(a, paidTotal, paidCount),
		Currency:              a.Currency,
		AmountAwarded:         json.Number(money.Amount{Minor: award, Currency: a.Currency}.Major()),
		AmountDisbursed:       json.Number(money.Amount{Minor: paidTotal, Currency: a.Currency}.Major()),
		AwardDate:             awardDate(a),
		PlannedDates:          []event{{StartDate: a.StartDate.String(), EndDate: a.EndDate.String(), Duration: a.DurationMonths}},
		RecipientOrganization: recipientOrganizations(a, f.Prefix),
		RecipientIndividual:   recipientIndividual(a, f.Prefix),
		BeneficiaryLocation:   beneficiaryLocationOf(a),
		FundingOrganization:   []organization{{ID: f.OrgID, Name: f.OrgName}},
		GrantProgramme:        []programme{{Code: a.Programme, Title: title}},
		DateModified:          lastModified(a, f.Now).UTC().Format(time.RFC3339),
		PlannedInstalments:    plannedInstalments(a),
	}, nil
}

// plannedInstalments are the instalments still to be paid, in order: those
// scheduled, due or held. Paid ones are in amountDisbursed; cancelled ones
// (a terminated agreement's) will never be paid. None left, none listed.
func plannedInstalments(a *grants.Agreement) []plannedInstalment {
	var out []plannedInstalment
	for _, in := range a.Instalments {
		switch in.Status {
		case grants.InstalmentScheduled, grants.InstalmentDue, grants.InstalmentHeld:
			out = append(out, plannedInstalment{
				Instalment: in.Number,
				DueDate:    in.DueDate.String(),
				Amount:     json.Number(money.Amount{Minor: in.Amount, Currency: a.Currency}.Major()),
				Currency:   a.Currency,
			})
		}
	}
	slices.SortFunc(out, func(x, y plannedInstalment) int { return cmp.Compare(x.Instalment, y.Instalment) })
	return out
}

// beneficiaryLocation is where the partner is, as a postcode district: the
// partners are local organisations working where they are based, so their
// address stands for where the grant's beneficiaries are. The district, not
// the full postcode, because a small charity's address may be a home. An
// address without a UK postcode gives no location at all.
func beneficiaryLocation(p grants.Partner) []location {
	_, pc, ok := parseAddress(p.Address)
	if !ok {
		return nil
	}
	return []location{{Name: pc.District(), CountryCode: pc.Country, Description: districtDescription}}
}

// districtDescription tells users of the data what the location is.
const districtDescription = "Postcode district of the partner organisation's address"

// maxTitle keeps titles under the 140 characters the standard asks for.
const maxTitle = 139

func truncate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:max-1])) + "…"
}

// identifierPart makes a reference safe inside a grant identifier: the
// standard's guidance is to replace spaces and special characters with "_"
// and to avoid slashes, which break tools that put identifiers in URLs.
func identifierPart(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

var cadenceWords = map[grants.Cadence]string{
	grants.CadenceMonthly:    "monthly",
	grants.CadenceQuarterly:  "quarterly",
	grants.CadenceHalfYearly: "half-yearly",
	grants.CadenceAnnual:     "annual",
}

func describe(a *grants.Agreement, paidTotal int64, paidCount int) string {
	count := a.InstalmentCount
	if count == 0 {
		count = len(a.Instalments)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "A %d-month community partnership co-designed with %s: %s in %d %s instalments, from %s to %s.",
		a.DurationMonths, publicName(a), money.Amount{Minor: a.Amount, Currency: a.Currency}.Display(),
		count, cadenceWords[a.Cadence], a.StartDate, a.EndDate)
	if len(a.Terms) > 0 {
		fmt.Fprintf(&b, " Agreed terms: %s.", strings.Join(trimStops(a.Terms), "; "))
	}
	if len(a.Support) > 0 {
		fmt.Fprintf(&b, " Capacity-building support: %s.", strings.Join(trimStops(a.SupportNames()), "; "))
	}
	if a.Status == grants.AgreementTerminated {
		fmt.Fprintf(&b, " The partnership ended early: %d of %d instalments were paid (%s); the rest were cancelled.",
			paidCount, count, money.Amount{Minor: paidTotal, Currency: a.Currency}.Display())
	}
	return b.String()
}

// trimStops drops a trailing full stop from each item so that joining them
// with "; " and ending with "." does not print "..".
func trimStops(items []string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = strings.TrimRight(strings.TrimSpace(grants.CleanLine(s)), ".")
	}
	return out
}

func awardDate(a *grants.Agreement) string {
	if a.CreatedAt.IsZero() {
		return a.StartDate.String()
	}
	return grants.DateOf(a.CreatedAt.In(a.Location())).String()
}

func lastModified(a *grants.Agreement, now time.Time) time.Time {
	latest := a.UpdatedAt
	for _, in := range a.Instalments {
		if in.UpdatedAt.After(latest) {
			latest = in.UpdatedAt
		}
	}
	if latest.IsZero() {
		return now
	}
	return latest
}

// recipient builds the partner's organisation record (partners.go says
// how it is identified).
func recipient(p grants.Partner, funderPrefix string) organization {
	return recipientOf(p, "", funderPrefix)
}
