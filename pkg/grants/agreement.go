// Package grants is the domain of community partnership grant programmes:
// agreements with partner organisations, their computed instalment and
// check-in plans, and the rules for moving them through their states. It is
// plain Go: no AWS package is imported here.
package grants

import (
	"fmt"
	"strings"
	"time"

	"github.com/partnership-grants/backend/pkg/money"
)

// Defaults a programme officer gets when they leave a field out.
const (
	DefaultDurationMonths  = 12
	DefaultInstalmentCount = 4
	DefaultCadence         = CadenceQuarterly
	DefaultTimeZone        = "Europe/London"
	// DefaultCheckInLeadDays is how long before the next instalment a check-in
	// falls due, so a reply can arrive before finance pays.
	DefaultCheckInLeadDays = 14
)

// Cadence is how often instalments fall due.
type Cadence string

const (
	CadenceMonthly    Cadence = "monthly"
	CadenceQuarterly  Cadence = "quarterly"
	CadenceHalfYearly Cadence = "half-yearly"
	CadenceAnnual     Cadence = "annual"
)

var cadenceMonths = map[Cadence]int{CadenceMonthly: 1, CadenceQuarterly: 3, CadenceHalfYearly: 6, CadenceAnnual: 12}

// Months is the length of one cadence period.
func (c Cadence) Months() int { return cadenceMonths[c] }

// Partner is the organisation that receives the grant.
type Partner struct {
	Name string `json:"name"`
	// RegistrationNumber is the charity or company number, e.g. "1234567" or "SC012345".
	RegistrationNumber string `json:"registrationNumber"`
	Address            string `json:"address"`

	// Type is the kind of organisation (issue 23: every kind of partner);
	// stored agreements without one read as their number says
	// (TypeOrInferred), and a RegistrationNumber is needed only for the
	// types that have one (partner.go).
	Type PartnerType `json:"type,omitempty"`
}

// Contact is a person at the partner who receives check-ins and replies to them.
type Contact struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Role  string `json:"role"`
	// Bounced is set when mail to this address hard-bounced or drew a
	// complaint; check-ins skip it until the contact is changed.
	Bounced string `json:"bounced,omitempty"`

	// Phone is a number to call the contact on. A contact with no Email
	// gets no emails: the officer records conversations instead.
	Phone string `json:"phone,omitempty"`
}

// Instalment is one payment of the award.
type Instalment struct {
	Number  int              `json:"number"`
	Amount  int64            `json:"amount"`
	DueDate Date             `json:"dueDate"`
	Status  InstalmentStatus `json:"status"`
	// AwaitingCheckIn is set when the instalment fell due before the previous
	// check-in was answered.
	AwaitingCheckIn  bool   `json:"awaitingCheckIn,omitempty"`
	HoldReason       string `json:"holdReason,omitempty"`
	PaymentReference string `json:"paymentReference,omitempty"`
	PaidOn           Date   `json:"paidOn,omitzero"`
	PaidBy           string `json:"paidBy,omitempty"`
	// DaysLate is the business days from the due date to the day it was
	// paid, fixed when it is paid (the calendar is the agreement's Timing);
	// while unpaid, an answer counts it to today (MeasureLateness).
	DaysLate int `json:"daysLate"`
	// DaysWithPartner and DaysWithFinance split DaysLate by whom it was
	// waiting on (lateness.go): the partner's check-in, under afterCheckIn,
	// then finance once payable. DaysWithPartner is stored once paid;
	// DaysWithFinance is always derived (the rest of DaysLate).
	DaysWithPartner int `json:"daysWithPartner"`
	DaysWithFinance int `json:"daysWithFinance"`
	// PayableOn is the day the check-in it waited on came in (or finance
	// paid it without, on an override); zero when it never waited on one,
	// payable from its due date.
	PayableOn Date `json:"payableOn,omitzero"`
	// DaysOnHold is how many of those days it was on hold; HeldOn is the day
	// the hold going on began.
	DaysOnHold int  `json:"daysOnHold"`
	HeldOn     Date `json:"heldOn,omitzero"`
	// Payment is the payment requested or made for this instalment.
	Payment         *Payment `json:"payment,omitempty"`
	ScheduleCreated bool     `json:"-"`
	// Rev counts writes to this item; every write is conditional on it.
	Rev       int       `json:"-"`
	UpdatedAt time.Time `json:"-"`

	// Extra marks an extra payment added to the plan (issue 23, item 3);
	// nil for a planned instalment, as every one stored before it was.
	Extra *Extra `json:"extra,omitempty"`
}

// CheckIn is one progress conversation with the partner.
type CheckIn struct {
	Number    int           `json:"number"`
	DueDate   Date          `json:"dueDate"`
	Status    CheckInStatus `json:"status"`
	Final     bool          `json:"final,omitempty"`
	SentAt    time.Time     `json:"sentAt,omitzero"`
	MessageID string        `json:"messageId,omitempty"`
	Reminders int           `json:"reminders,omitempty"`
	// LastReminderAt is when the latest reminder went out.
	LastReminderAt time.Time `json:"lastReminderAt,omitzero"`
	// RemindOn is when the next reminder (or, after the last one, the move to
	// overdue) is due, while the check-in is sent and unanswered.
	RemindOn   Date      `json:"remindOn,omitzero"`
	ReceivedAt time.Time `json:"receivedAt,omitzero"`
	// ReceivedBy is the channel of a conversation that answered it; empty
	// when a reply email did.
	ReceivedBy      Channel `json:"receivedBy,omitempty"`
	WaivedReason    string  `json:"waivedReason,omitempty"`
	ScheduleCreated bool    `json:"-"`
	// Rev counts writes to this item; every write is conditional on it.
	Rev       int       `json:"-"`
	UpdatedAt time.Time `json:"-"`
	// QueuedOn is the last day the sweep put it on the check-in queue
	// (SweepQueues): at most once a day, whatever the number of runs.
	QueuedOn Date `json:"-"`
}

// Agreement is a 12-month (by default) partnership with one organisation.
type Agreement struct {
	ID              string    `json:"id"`
	Reference       string    `json:"reference"`
	Programme       string    `json:"programme"`
	Partner         Partner   `json:"partner"`
	Contacts        []Contact `json:"contacts"`
	Amount          int64     `json:"amount"`
	Currency        string    `json:"currency"`
	StartDate       Date      `json:"startDate"`
	EndDate         Date      `json:"endDate"`
	DurationMonths  int       `json:"durationMonths"`
	InstalmentCount int       `json:"instalmentCount"`
	Cadence         Cadence   `json:"cadence"`
	TimeZone        string    `json:"timeZone"`
	CheckInLeadDays int       `json:"checkInLeadDays"`
	// FinalReportDays is how long after the end date the end-of-agreement
	// report is due (0 for agreements made before it was a setting: the end date).
	FinalReportDays int `json:"finalReportDays"`
	// Timing is the programme's send time, region and quiet period as they
	// were when the agreement was activated.
	Timing *Timing `json:"timing,omitempty"`
	// Activation says what activating the agreement did.
	Activation        *Activation     `json:"activation,omitempty"`
	Terms             []string        `json:"terms"`
	Support           []SupportItem   `json:"support"`
	Status            AgreementStatus `json:"status"`
	TerminationReason string          `json:"terminationReason,omitempty"`
	// TerminationMessage is what the officer wrote to the partner when
	// terminating (the partner's email says it; the reason is internal).
	TerminationMessage string `json:"terminationMessage,omitempty"`
	// Owner is the officer who looks after the agreement. Unset, the
	// programme's default officer stands in (ProgrammeSettings.OwnerOf),
	// read when an email is written, so creating needs no extra read.
	Owner Officer `json:"owner,omitzero"`
	// Closure says how a completed agreement was closed (see Complete).
	Closure *Closure `json:"closure,omitempty"`
	// HelpRequests are the replies that asked for help, to follow up.
	HelpRequests []HelpRequest `json:"helpRequests,omitempty"`
	// Stats is derived (ComputeStats) and stored for summaries.
	Stats       Stats        `json:"stats"`
	Instalments []Instalment `json:"instalments,omitempty"`
	CheckIns    []CheckIn    `json:"checkIns,omitempty"`
	Version     int          `json:"version"`
	CreatedAt   time.Time    `json:"createdAt"`
	CreatedBy   string       `json:"createdBy"`
	UpdatedAt   time.Time    `json:"updatedAt"`
	UpdatedBy   string       `json:"updatedBy"`

	// Notices are what the partner was told about their money, each in the
	// officer's words, one email each (issue 23, item 6; notice.go).
	Notices []Notice `json:"partnerNotices,omitempty"`
	// Money on trust and reporting in proportion (issue 23): the payment
	// policy the agreement was made under (copied from its programme's
	// settings on create; empty on agreements stored before: read as
	// afterCheckIn, see Policy) and, when its check-ins are not one per
	// instalment, how many it plans (0: one per instalment, the default and
	// every agreement stored before; see CheckInCountOf and CheckInBefore).
	PaymentPolicy PaymentPolicy `json:"paymentPolicy,omitempty"`
	CheckInCount  int           `json:"checkInCount,omitempty"`
	// PartnerID is the partner record the agreement belongs to (issue 23:
	// a partner across agreements); "" for an agreement made before
	// partner records and not yet linked to one (service.Partners.OfAgreement).
	PartnerID string `json:"partnerId,omitempty"`
	// PartnerAcceptance is the partner's answer to the agreement sent on
	// activation and to the changes proposed since (acceptance.go); nil for
	// a draft, and for agreements activated before it was kept.
	PartnerAcceptance *PartnerAcceptance `json:"partnerAcceptance,omitempty"`

	// Stories are passages of the partner's replies marked to share, with
	// their consent (issue 24, item 5; stories.go); none on agreements
	// stored before.
	// They are not in the agreement's JSON: a passage not yet consented is
	// part of a reply (its feedback, perhaps), read through service.Stories.
	Stories []Story `json:"-"`
}

// Location is the agreement's time zone, in which its dates are read.
func (a *Agreement) Location() *time.Location {
	loc, err := time.LoadLocation(a.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Money is the award as an amount with its currency.
func (a *Agreement) Money() money.Amount { return money.Amount{Minor: a.Amount, Currency: a.Currency} }

// NewAgreementInput is what a programme officer supplies. A nil optional
// field takes its default; a given one is validated, never replaced.
type NewAgreementInput struct {
	Programme       string
	Partner         Partner
	Contacts        []Contact
	Amount          int64
	Currency        *string
	StartDate       string
	DurationMonths  *int
	InstalmentCount *int
	Cadence         *Cadence
	TimeZone        *string
	CheckInLeadDays *int
	FinalReportDays *int
	Terms           []string
	Support         []string
	// Owner is the agreement's officer; nil: the programme's default.
	Owner *Officer
	// OwnDomains are the product's own mail domains (where replies and
	// enquiries to it are received), at which no contact may be: the
	// service gives them from its configuration; no client sets them.
	OwnDomains []string

	// CheckInCount is how many check-ins to plan (nil: one per instalment;
	// see SpreadCheckInPlan). PaymentPolicy is the programme's (the service
	// gives it from the settings, ProgrammeSettings.PlanDefaults; nil:
	// DefaultPaymentPolicy).
	CheckInCount  *int
	PaymentPolicy *PaymentPolicy
	// PartnerID starts the agreement from an existing partner record
	// (issue 23), whose details stand for Partner, which is then left out.
	PartnerID string
}

func orDefault[T any](v *T, def T) T {
	if v == nil {
		return def
	}
	return *v
}

// NewAgreement validates the input, applies defaults and computes the
// instalment and check-in plans. The ID and reference are assigned by the caller.
func NewAgreement(in NewAgreementInput, now time.Time, actor string) (*Agreement, error) {
	var errs fieldErrors
	a := &Agreement{
		Programme:       strings.TrimSpace(in.Programme),
		Partner:         trimPartner(in.Partner),
		Amount:          in.Amount,
		Currency:        orDefault(in.Currency, money.DefaultCurrency),
		DurationMonths:  orDefault(in.DurationMonths, DefaultDurationMonths),
		InstalmentCount: orDefault(in.InstalmentCount, DefaultInstalmentCount),
		Cadence:         orDefault(in.Cadence, ""),
		TimeZone:        orDefault(in.TimeZone, DefaultTimeZone),
		CheckInLeadDays: orDefault(in.CheckInLeadDays, DefaultCheckInLeadDays),
		FinalReportDays: orDefault(in.FinalReportDays, DefaultFinalReportDays),
		Terms:           checkList(&errs, "terms", in.Terms),
		Support:         Offered(checkList(&errs, "support", in.Support)),
		Status:          AgreementDraft,
		Version:         1,
		CreatedAt:       now.UTC(),
		CreatedBy:       actor,
		UpdatedAt:       now.UTC(),
		UpdatedBy:       actor,
	}

	if !validProgramme(a.Programme) {
		errs.add("programme", "is required: 1 to 64 letters, digits, '-' or '_'")
	}
	errs = append(errs, validatePartnerAt("partner", &a.Partner)...)
	if in.Owner != nil {
		a.Owner = checkOfficer(&errs, "owner", *in.Owner)
	}
	var contactErrs fieldErrors
	a.Contacts, contactErrs = validateContacts(in.Contacts, in.OwnDomains)
	errs = append(errs, contactErrs...)
	loc, tzErr := LoadTimeZone(a.TimeZone)
	if tzErr != nil {
		errs.add("timeZone", "must be an IANA time zone such as Europe/London")
		loc = time.UTC
	}
	if a.DurationMonths < 1 || a.DurationMonths > MaxDurationMonths {
		errs.add("durationMonths", "must be between 1 and %d", MaxDurationMonths)
	}
	if a.InstalmentCount < 1 || a.InstalmentCount > MaxInstalments {
		errs.add("instalmentCount", "must be between 1 and %d", MaxInstalments)
	}
	if a.CheckInLeadDays < 0 || a.CheckInLeadDays > MaxCheckInLead {
		errs.add("checkInLeadDays", "must be between 0 and %d", MaxCheckInLead)
	}
	a.PaymentPolicy = orDefault(in.PaymentPolicy, DefaultPaymentPolicy)
	if !a.PaymentPolicy.Valid() {
		errs.add("paymentPolicy", "must be onSchedule or afterCheckIn")
	}
	checkIns := orDefault(in.CheckInCount, a.InstalmentCount)
	checkCheckInCount(&errs, checkIns, a.InstalmentCount, a.DurationMonths)
	if checkIns != a.InstalmentCount {
		a.CheckInCount = checkIns
	}
	if a.FinalReportDays < 0 || a.FinalReportDays > MaxFinalReportDays {
		errs.add("finalReportDays", "must be between 0 and %d", MaxFinalReportDays)
	}
	switch _, err := money.MinorDigits(a.Currency); {
	case err != nil:
		errs.add("currency", "must be an ISO 4217 code such as GBP")
	case a.Amount <= 0 || a.Amount > MaxAward:
		errs.add("amount", "must be a whole number of minor units (pence) from 1 to %d", int64(MaxAward))
	case a.InstalmentCount >= 1 && a.Amount < int64(a.InstalmentCount):
		errs.add("amount", "must be at least %d minor units, so that none of the %d instalments is zero", a.InstalmentCount, a.InstalmentCount)
	}
	a.StartDate, _ = checkDate(&errs, "startDate", in.StartDate, Today(now, loc))
	if in.Cadence == nil && a.InstalmentCount > 0 && a.DurationMonths > 0 {
		a.Cadence = cadenceFor(a.DurationMonths, a.InstalmentCount)
		if a.Cadence == "" {
			errs.add("cadence", "is required: %d instalments do not divide %d months into a standard cadence", a.InstalmentCount, a.DurationMonths)
		}
	} else if a.Cadence.Months() == 0 {
		errs.add("cadence", "must be one of monthly, quarterly, half-yearly, annual")
	} else if a.InstalmentCount > 0 && a.InstalmentCount*a.Cadence.Months() > a.DurationMonths {
		errs.add("instalmentCount", "%d %s instalments do not fit in %d months", a.InstalmentCount, a.Cadence, a.DurationMonths)
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	a.EndDate = a.StartDate.AddMonths(a.DurationMonths).AddDays(-1)
	a.Instalments = InstalmentPlan(a.Amount, a.StartDate, a.InstalmentCount, a.Cadence)
	a.CheckIns = CheckInPlan(a.StartDate, a.EndDate, a.InstalmentCount, a.Cadence, a.CheckInLeadDays, a.FinalReportDays)
	if a.CheckInCount != 0 {
		a.CheckIns = SpreadCheckInPlan(a.StartDate, a.EndDate, a.CheckInCount, a.DurationMonths, a.CheckInLeadDays, a.FinalReportDays)
	}
	return a, nil
}

// LoadTimeZone loads an IANA time zone by name. Go also accepts "" and
// "Local" (the server's own zone), which are not names a programme can have.
func LoadTimeZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" || len(name) > 64 {
		return nil, fmt.Errorf("%q is not an IANA time zone", name)
	}
	return time.LoadLocation(name)
}

// cadenceFor picks the standard cadence that spreads count instalments evenly
// over the duration, or "" if none does.
func cadenceFor(durationMonths, count int) Cadence {
	if durationMonths%count != 0 {
		return ""
	}
	for c, m := range cadenceMonths {
		if m == durationMonths/count {
			return c
		}
	}
	return ""
}

// InstalmentPlan computes the instalments: amounts by money.Split (remainder
// pence on the earliest instalments), instalment k due on start + (k-1)
// cadence periods, each counted from the start date so month-end clamping never
// drifts (31 Jan → 30 Apr → 31 Jul → 31 Oct).
func InstalmentPlan(total int64, start Date, count int, c Cadence) []Instalment {
	amounts, err := money.Split(total, count)
	if err != nil {
		return nil
	}
	plan := make([]Instalment, count)
	for i := range plan {
		plan[i] = Instalment{
			Number:  i + 1,
			Amount:  amounts[i],
			DueDate: start.AddMonths(i * c.Months()),
			Status:  InstalmentScheduled,
		}
	}
	return plan
}

// CheckInPlan computes one check-in per period: check-in k is due leadDays
// before the end of period k (when instalment k+1 falls due), and the last one
// is the end-of-agreement report, due finalDays after the end date (time to
// write it once the year's work is done).
func CheckInPlan(start, end Date, count int, c Cadence, leadDays, finalDays int) []CheckIn {
	plan := make([]CheckIn, count)
	for i := range plan {
		due := start.AddMonths((i + 1) * c.Months()).AddDays(-leadDays)
		final := i == count-1
		if final {
			due = end.AddDays(finalDays)
		}
		plan[i] = CheckIn{Number: i + 1, DueDate: due, Status: CheckInScheduled, Final: final}
	}
	return plan
}

func validProgramme(p string) bool {
	if len(p) < 1 || len(p) > 64 {
		return false
	}
	for _, r := range p {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func trimPartner(p Partner) Partner {
	return Partner{
		Name:               strings.TrimSpace(p.Name),
		RegistrationNumber: strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(p.RegistrationNumber), " ", "")),
		Address:            strings.TrimSpace(p.Address),
		Type:               PartnerType(strings.TrimSpace(string(p.Type))),
	}
}

// validatePartnerAt checks a partner's fields under prefix and normalises
// its number to its register's form (checkPartnerType).
func validatePartnerAt(prefix string, p *Partner) fieldErrors {
	var errs fieldErrors
	field := func(name string) string {
		if prefix == "" {
			return name
		}
		return prefix + "." + name
	}
	checkName(&errs, field("name"), p.Name, MaxPartnerName, true)
	checkPartnerType(&errs, prefix, p)
	checkText(&errs, field("address"), p.Address, MaxAddress, true)
	return errs
}

// RegistrationKind tells a company number (8 characters) from a charity number.
func (p Partner) RegistrationKind() string {
	s := p.RegistrationNumber
	if len(s) == 8 && !strings.HasPrefix(s, "SC0") && !strings.HasPrefix(s, "NIC") {
		return "company"
	}
	return "charity"
}

// validateContacts trims and checks contacts; own are the product's own
// mail domains (see emailProblem).
func validateContacts(in []Contact, own []string) ([]Contact, fieldErrors) {
	var errs fieldErrors
	if len(in) == 0 {
		errs.add("contacts", "needs at least one contact, with an email address or a phone number")
	}
	if len(in) > MaxContacts {
		errs.add("contacts", "has %d contacts; at most %d are allowed", len(in), MaxContacts)
		return nil, errs
	}
	out := make([]Contact, 0, len(in))
	seen := map[string]bool{}
	for i, c := range in {
		c = Contact{Name: strings.TrimSpace(c.Name), Email: strings.TrimSpace(c.Email), Role: strings.TrimSpace(c.Role), Phone: strings.TrimSpace(c.Phone)}
		if c.Role == "" {
			c.Role = "primary"
		}
		checkName(&errs, fmt.Sprintf("contacts[%d].name", i), c.Name, MaxContactName, true)
		checkName(&errs, fmt.Sprintf("contacts[%d].role", i), c.Role, MaxContactRole, false)
		if c.Email == "" && c.Phone != "" {
			// A contact reached by phone alone gets no emails (Contact.Emailable).
			checkPhone(&errs, fmt.Sprintf("contacts[%d].phone", i), c.Phone)
			out = append(out, c)
			continue
		}
		checkPhone(&errs, fmt.Sprintf("contacts[%d].phone", i), c.Phone)
		if problem := emailProblem(c.Email, own); problem != "" {
			errs.add(fmt.Sprintf("contacts[%d].email", i), "%s", problem)
		} else if seen[AddressKey(c.Email)] {
			errs.add(fmt.Sprintf("contacts[%d].email", i), "appears twice")
		}
		seen[AddressKey(c.Email)] = true
		out = append(out, c)
	}
	return out, errs
}

// crockford is Crockford's base32 alphabet: no I, L, O or U, so a
// reference read aloud or typed from a letter is not mistaken.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewReference renders a readable agreement reference from random bits:
// the start year and five Crockford base32 characters, e.g. CP-2026-K7Q4M
// (22 × 32⁴, about 23 million, a year). References are not numbered in
// order: a per-programme counter was a hot item that made concurrent
// creators fail. The store makes each one unique (it retries with fresh
// bits on a collision). The first character is always a letter, so a new
// reference never equals one numbered CP-<year>-<seq> before, which
// existing agreements keep.
func NewReference(year int, random uint32) string {
	b := []byte{crockford[10+random%22]}
	random /= 22
	for range 4 {
		b = append(b, crockford[random%32])
		random /= 32
	}
	return fmt.Sprintf("CP-%d-%s", year, b)
}
