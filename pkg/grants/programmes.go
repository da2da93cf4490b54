package grants

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/partnership-grants/backend/pkg/money"
)

// Programme is one grant programme a deployment runs (issue 25, item 2):
// every agreement, list, export and setting belongs to one. An archived
// programme takes no new agreements and leaves the switcher; what it holds
// stays readable.
type Programme struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Currency string `json:"currency,omitempty"`
	TimeZone string `json:"timeZone,omitempty"`
	Region   string `json:"region,omitempty"`
	Archived bool   `json:"archived,omitempty"`

	// The publisher of the programme's 360Giving file, where it is not the
	// deployment's (empty: the deployment's FUNDER_NAME, FUNDER_ORG_ID and
	// FUNDER_360G_PREFIX): a deployment may run programmes for several
	// funders. FunderOrgID is an org-id.guide identifier ("GB-CHC-1234567");
	// Funder360GPrefix the funder's registered 360Giving prefix ("360G-example").
	FunderName       string `json:"funderName,omitempty"`
	FunderOrgID      string `json:"funderOrgId,omitempty"`
	Funder360GPrefix string `json:"funder360GPrefix,omitempty"`
}

// NewProgrammeInput is what an administrator gives to create a programme.
// Currency, time zone and region may be left out: GBP, Europe/London and
// England and Wales's bank holidays.
type NewProgrammeInput struct {
	Code             string `json:"code"`
	Name             string `json:"name"`
	Currency         string `json:"currency,omitempty"`
	TimeZone         string `json:"timeZone,omitempty"`
	Region           string `json:"region,omitempty"`
	FunderName       string `json:"funderName,omitempty"`
	FunderOrgID      string `json:"funderOrgId,omitempty"`
	Funder360GPrefix string `json:"funder360GPrefix,omitempty"`
}

// Limits of a programme's funder details: a funder's name as the register
// has it, an org-id (scheme and identifier) and a 360Giving prefix.
const (
	MaxFunderNameLen = 200
	MaxFunderIDLen   = 100
)

// NewProgramme validates a new programme: every field at fault is a
// FieldError by its JSON name. The code is an agreement's programme code
// (it keys every item of the programme, so it never changes).
func NewProgramme(in NewProgrammeInput) (Programme, error) {
	var errs fieldErrors
	p := Programme{
		Code:             strings.TrimSpace(in.Code),
		Name:             strings.TrimSpace(in.Name),
		Currency:         cmp.Or(strings.TrimSpace(in.Currency), money.DefaultCurrency),
		TimeZone:         cmp.Or(strings.TrimSpace(in.TimeZone), DefaultTimeZone),
		Region:           cmp.Or(strings.TrimSpace(in.Region), DefaultRegion),
		FunderName:       strings.TrimSpace(in.FunderName),
		FunderOrgID:      strings.TrimSpace(in.FunderOrgID),
		Funder360GPrefix: strings.TrimSpace(in.Funder360GPrefix),
	}
	if !validProgramme(p.Code) {
		errs.add("code", "must be 1 to 64 letters, digits, '-' or '_', e.g. community-2026")
	}
	if !oneLine(p.Name, MaxProgrammeNameLen) {
		errs.add("name", "must be one line of 1 to %d characters", MaxProgrammeNameLen)
	}
	if _, err := money.MinorDigits(p.Currency); err != nil {
		errs.add("currency", "must be an ISO 4217 code such as GBP, in capitals")
	}
	if _, err := LoadTimeZone(p.TimeZone); err != nil {
		errs.add("timeZone", "must be an IANA time zone such as Europe/London")
	}
	if !knownRegion(p.Region) {
		errs.add("region", "must be one of %s", strings.Join(Regions, ", "))
	}
	if p.FunderName != "" && !oneLine(p.FunderName, MaxFunderNameLen) {
		errs.add("funderName", "must be one line of at most %d characters", MaxFunderNameLen)
	}
	if p.FunderOrgID != "" && !orgID(p.FunderOrgID) {
		errs.add("funderOrgId", "must be an org-id such as GB-CHC-1234567 (scheme, then identifier; no spaces)")
	}
	if p.Funder360GPrefix != "" && !prefix360G(p.Funder360GPrefix) {
		errs.add("funder360GPrefix", "must be a registered 360Giving prefix such as 360G-example")
	}
	// The 360Giving file names its publisher whole: a programme publishing
	// as a funder of its own gives all three, or none to publish as the
	// deployment's.
	if set := countSet(p.FunderName, p.FunderOrgID, p.Funder360GPrefix); set > 0 && set < 3 {
		for f, v := range map[string]string{"funderName": p.FunderName, "funderOrgId": p.FunderOrgID, "funder360GPrefix": p.Funder360GPrefix} {
			if v == "" {
				errs.add(f, "is required with the other funder details (give all three, or none to publish as the deployment's funder)")
			}
		}
	}
	if err := errs.err(); err != nil {
		return Programme{}, err
	}
	return p, nil
}

// Settings are the settings a new programme starts with: its name and its
// region's bank holidays, so its settings page reads them at once; the
// rest are the deployment's until changed.
func (p Programme) Settings() ProgrammeSettings {
	return ProgrammeSettings{Name: p.Name, Region: p.Region, TimeZone: p.TimeZone}
}

// HasFunder reports whether the programme publishes as a funder of its own.
func (p Programme) HasFunder() bool {
	return p.FunderName != "" && p.FunderOrgID != "" && p.Funder360GPrefix != ""
}

func knownRegion(r string) bool { return slices.Contains(Regions, r) }

// oneLine reports whether s is 1 to max characters with no line break or
// other control character.
func oneLine(s string, max int) bool {
	n := utf8.RuneCountInString(s)
	return n >= 1 && n <= max && !strings.ContainsFunc(s, unicode.IsControl)
}

// orgID is an org-id.guide identifier: a scheme ("GB-CHC", "XI-PB") and an
// identifier, joined by '-', with no spaces.
func orgID(s string) bool {
	if len(s) > MaxFunderIDLen || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return false
	}
	parts := strings.SplitN(s, "-", 3)
	return len(parts) == 3 && len(parts[0]) == 2 && parts[1] != "" && parts[2] != ""
}

func prefix360G(s string) bool {
	rest, ok := strings.CutPrefix(s, "360G-")
	return ok && rest != "" && len(s) <= MaxFunderIDLen &&
		!strings.ContainsFunc(rest, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
}

func countSet(vs ...string) int {
	n := 0
	for _, v := range vs {
		if v != "" {
			n++
		}
	}
	return n
}
