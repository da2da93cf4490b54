package dynamo

import (
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// The records below are how the domain's types are stored: one record type
// per type the store keeps (pkg/grants' types, and outbox.Entry), with the
// attribute names of the items tables already hold, and a plain mapping
// each way (xRecordOf from the domain, domain() back). The domain says
// nothing of storage: a field added there is stored once it is added here,
// and TestStoredItemsGolden fails until it is (its fixtures set every field
// of what the store writes, and read it back whole).
//
// The records keep the domain's field types (grants.Date, time.Time), so
// attributevalue writes them as before, quirks included: omitempty leaves
// an unset Date ("") or instant ("0001-01-01T00:00:00Z") in the item,
// because they are written as text.

// mapSlice maps a slice element by element, nil staying nil (stored as
// NULL) and empty staying empty (an empty list).
func mapSlice[S, T any](s []S, f func(S) T) []T {
	if s == nil {
		return nil
	}
	out := make([]T, len(s))
	for i, v := range s {
		out[i] = f(v)
	}
	return out
}

// mapPtr maps what p points to, nil staying nil.
func mapPtr[S, T any](p *S, f func(S) T) *T {
	if p == nil {
		return nil
	}
	v := f(*p)
	return &v
}

// agreementRecord is a stored grants.Agreement: its own item, with its
// Stats; its instalments and check-ins are items of their own.
type agreementRecord struct {
	ID                 string                 `dynamodbav:"id"`
	Reference          string                 `dynamodbav:"reference"`
	Programme          string                 `dynamodbav:"programme"`
	Partner            partnerRecord          `dynamodbav:"partner"`
	Contacts           []contactRecord        `dynamodbav:"contacts"`
	Amount             int64                  `dynamodbav:"amount"`
	Currency           string                 `dynamodbav:"currency"`
	StartDate          grants.Date            `dynamodbav:"startDate"`
	EndDate            grants.Date            `dynamodbav:"endDate"`
	DurationMonths     int                    `dynamodbav:"durationMonths"`
	InstalmentCount    int                    `dynamodbav:"instalmentCount"`
	Cadence            grants.Cadence         `dynamodbav:"cadence"`
	TimeZone           string                 `dynamodbav:"timeZone"`
	CheckInLeadDays    int                    `dynamodbav:"checkInLeadDays"`
	FinalReportDays    int                    `dynamodbav:"finalReportDays"`
	Timing             *timingRecord          `dynamodbav:"timing,omitempty"`
	Activation         *activationRecord      `dynamodbav:"activation,omitempty"`
	Terms              []string               `dynamodbav:"terms"`
	Support            []supportItemRecord    `dynamodbav:"support"`
	Status             grants.AgreementStatus `dynamodbav:"status"`
	TerminationReason  string                 `dynamodbav:"terminationReason,omitempty"`
	TerminationMessage string                 `dynamodbav:"terminationMessage,omitempty"`
	Owner              officerRecord          `dynamodbav:"owner,omitempty"`
	Closure            *closureRecord         `dynamodbav:"closure,omitempty"`
	HelpRequests       []helpRequestRecord    `dynamodbav:"helpRequests,omitempty"`
	Stats              statsRecord            `dynamodbav:"stats"`
	// Instalments is not stored.
	// CheckIns is not stored.
	Version   int       `dynamodbav:"version"`
	CreatedAt time.Time `dynamodbav:"createdAt"`
	CreatedBy string    `dynamodbav:"createdBy"`
	UpdatedAt time.Time `dynamodbav:"updatedAt"`
	UpdatedBy string    `dynamodbav:"updatedBy"`

	// Notices (issue 23, item 6): absent on agreements stored before.
	Notices []noticeRecord `dynamodbav:"notices,omitempty"`
	// Issue 23: absent on items stored before (grants.Agreement.Policy and
	// CheckInCountOf read them as before).
	PaymentPolicy grants.PaymentPolicy `dynamodbav:"paymentPolicy,omitempty"`
	CheckInCount  int                  `dynamodbav:"checkInCount,omitempty"`
	// PartnerID: the agreement's partner record (issue 23); absent on
	// agreements made before partner records, which read as "".
	PartnerID string `dynamodbav:"partnerId,omitempty"`
	// PartnerAcceptance (acceptance_records.go): none on items written before it.
	PartnerAcceptance *partnerAcceptanceRecord `dynamodbav:"partnerAcceptance,omitempty"`

	// Stories (story_records.go, issue 24 item 5): none on items written before them.
	Stories []storyRecord `dynamodbav:"stories,omitempty"`
}

func agreementRecordOf(v grants.Agreement) agreementRecord {
	return agreementRecord{
		ID:                 v.ID,
		Reference:          v.Reference,
		Programme:          v.Programme,
		Partner:            partnerRecordOf(v.Partner),
		Contacts:           mapSlice(v.Contacts, contactRecordOf),
		Amount:             v.Amount,
		Currency:           v.Currency,
		StartDate:          v.StartDate,
		EndDate:            v.EndDate,
		DurationMonths:     v.DurationMonths,
		InstalmentCount:    v.InstalmentCount,
		Cadence:            v.Cadence,
		TimeZone:           v.TimeZone,
		CheckInLeadDays:    v.CheckInLeadDays,
		FinalReportDays:    v.FinalReportDays,
		Timing:             mapPtr(v.Timing, timingRecordOf),
		Activation:         mapPtr(v.Activation, activationRecordOf),
		Terms:              v.Terms,
		Support:            mapSlice(v.Support, supportItemRecordOf),
		Status:             v.Status,
		TerminationReason:  v.TerminationReason,
		TerminationMessage: v.TerminationMessage,
		Owner:              officerRecordOf(v.Owner),
		Closure:            mapPtr(v.Closure, closureRecordOf),
		HelpRequests:       mapSlice(v.HelpRequests, helpRequestRecordOf),
		Stats:              statsRecordOf(v.Stats),
		Version:            v.Version,
		CreatedAt:          v.CreatedAt,
		CreatedBy:          v.CreatedBy,
		UpdatedAt:          v.UpdatedAt,
		UpdatedBy:          v.UpdatedBy,
		Notices:            mapSlice(v.Notices, noticeRecordOf),
		PaymentPolicy:      v.PaymentPolicy,
		CheckInCount:       v.CheckInCount,
		PartnerID:          v.PartnerID,
		PartnerAcceptance:  mapPtr(v.PartnerAcceptance, partnerAcceptanceRecordOf),

		Stories: mapSlice(v.Stories, storyRecordOf),
	}
}

func (r agreementRecord) domain() grants.Agreement {
	return grants.Agreement{
		ID:                 r.ID,
		Reference:          r.Reference,
		Programme:          r.Programme,
		Partner:            r.Partner.domain(),
		Contacts:           mapSlice(r.Contacts, contactRecord.domain),
		Amount:             r.Amount,
		Currency:           r.Currency,
		StartDate:          r.StartDate,
		EndDate:            r.EndDate,
		DurationMonths:     r.DurationMonths,
		InstalmentCount:    r.InstalmentCount,
		Cadence:            r.Cadence,
		TimeZone:           r.TimeZone,
		CheckInLeadDays:    r.CheckInLeadDays,
		FinalReportDays:    r.FinalReportDays,
		Timing:             mapPtr(r.Timing, timingRecord.domain),
		Activation:         mapPtr(r.Activation, activationRecord.domain),
		Terms:              r.Terms,
		Support:            mapSlice(r.Support, supportItemRecord.domain),
		Status:             r.Status,
		TerminationReason:  r.TerminationReason,
		TerminationMessage: r.TerminationMessage,
		Owner:              r.Owner.domain(),
		Closure:            mapPtr(r.Closure, closureRecord.domain),
		HelpRequests:       mapSlice(r.HelpRequests, helpRequestRecord.domain),
		Stats:              r.Stats.domain(),
		Version:            r.Version,
		CreatedAt:          r.CreatedAt,
		CreatedBy:          r.CreatedBy,
		UpdatedAt:          r.UpdatedAt,
		UpdatedBy:          r.UpdatedBy,
		Notices:            mapSlice(r.Notices, noticeRecord.domain),
		PaymentPolicy:      r.PaymentPolicy,
		CheckInCount:       r.CheckInCount,
		PartnerID:          r.PartnerID,
		PartnerAcceptance:  mapPtr(r.PartnerAcceptance, partnerAcceptanceRecord.domain),

		Stories: mapSlice(r.Stories, storyRecord.domain),
	}
}

// partnerRecord is a stored grants.Partner.
type partnerRecord struct {
	Name               string `dynamodbav:"name"`
	RegistrationNumber string `dynamodbav:"registrationNumber"`
	Address            string `dynamodbav:"address"`

	// Type (issue 23) is absent on partners stored before types: they read
	// as the type their number says (grants.InferPartnerType).
	Type grants.PartnerType `dynamodbav:"type,omitempty"`
}

func partnerRecordOf(v grants.Partner) partnerRecord {
	return partnerRecord{
		Name:               v.Name,
		RegistrationNumber: v.RegistrationNumber,
		Address:            v.Address,
		Type:               v.Type,
	}
}

func (r partnerRecord) domain() grants.Partner {
	p := grants.Partner{
		Name:               r.Name,
		RegistrationNumber: r.RegistrationNumber,
		Address:            r.Address,
		Type:               r.Type,
	}
	p.Type = p.TypeOrInferred()
	return p
}

// contactRecord is a stored grants.Contact.
type contactRecord struct {
	Name    string `dynamodbav:"name"`
	Email   string `dynamodbav:"email"`
	Role    string `dynamodbav:"role"`
	Bounced string `dynamodbav:"bounced,omitempty"`

	// Phone (issue 23) is absent on contacts stored before it.
	Phone string `dynamodbav:"phone,omitempty"`
}

func contactRecordOf(v grants.Contact) contactRecord {
	return contactRecord{
		Name:    v.Name,
		Email:   v.Email,
		Role:    v.Role,
		Bounced: v.Bounced,
		Phone:   v.Phone,
	}
}

func (r contactRecord) domain() grants.Contact {
	return grants.Contact{
		Name:    r.Name,
		Email:   r.Email,
		Role:    r.Role,
		Bounced: r.Bounced,
		Phone:   r.Phone,
	}
}

// timingRecord is a stored grants.Timing.
type timingRecord struct {
	SendTime          string        `dynamodbav:"sendTime"`
	Region            string        `dynamodbav:"region"`
	QuietPeriod       string        `dynamodbav:"quietPeriod"`
	ExtraBankHolidays []grants.Date `dynamodbav:"extraBankHolidays,omitempty"`
}

func timingRecordOf(v grants.Timing) timingRecord {
	return timingRecord{
		SendTime:          v.SendTime,
		Region:            v.Region,
		QuietPeriod:       v.QuietPeriod,
		ExtraBankHolidays: v.ExtraBankHolidays,
	}
}

func (r timingRecord) domain() grants.Timing {
	return grants.Timing{
		SendTime:          r.SendTime,
		Region:            r.Region,
		QuietPeriod:       r.QuietPeriod,
		ExtraBankHolidays: r.ExtraBankHolidays,
	}
}

// activationRecord is a stored grants.Activation.
type activationRecord struct {
	On             grants.Date `dynamodbav:"on"`
	Welcome        bool        `dynamodbav:"welcome"`
	CheckInsPassed []int       `dynamodbav:"checkInsPassed,omitempty"`
	InstalmentsDue []int       `dynamodbav:"instalmentsDue,omitempty"`
	NextCheckIn    int         `dynamodbav:"nextCheckIn,omitempty"`
	NextCheckInOn  grants.Date `dynamodbav:"nextCheckInOn,omitempty"`
}

func activationRecordOf(v grants.Activation) activationRecord {
	return activationRecord{
		On:             v.On,
		Welcome:        v.Welcome,
		CheckInsPassed: v.CheckInsPassed,
		InstalmentsDue: v.InstalmentsDue,
		NextCheckIn:    v.NextCheckIn,
		NextCheckInOn:  v.NextCheckInOn,
	}
}

func (r activationRecord) domain() grants.Activation {
	return grants.Activation{
		On:             r.On,
		Welcome:        r.Welcome,
		CheckInsPassed: r.CheckInsPassed,
		InstalmentsDue: r.InstalmentsDue,
		NextCheckIn:    r.NextCheckIn,
		NextCheckInOn:  r.NextCheckInOn,
	}
}

// supportItemRecord is a stored grants.SupportItem.
type supportItemRecord struct {
	Item      string               `dynamodbav:"item"`
	Status    grants.SupportStatus `dynamodbav:"status"`
	Notes     []supportNoteRecord  `dynamodbav:"notes,omitempty"`
	UpdatedOn grants.Date          `dynamodbav:"updatedOn,omitempty"`
}

func supportItemRecordOf(v grants.SupportItem) supportItemRecord {
	return supportItemRecord{
		Item:      v.Item,
		Status:    v.Status,
		Notes:     mapSlice(v.Notes, supportNoteRecordOf),
		UpdatedOn: v.UpdatedOn,
	}
}

func (r supportItemRecord) domain() grants.SupportItem {
	return grants.SupportItem{
		Item:      r.Item,
		Status:    r.Status,
		Notes:     mapSlice(r.Notes, supportNoteRecord.domain),
		UpdatedOn: r.UpdatedOn,
	}
}

// supportNoteRecord is a stored grants.SupportNote.
type supportNoteRecord struct {
	On   grants.Date `dynamodbav:"on"`
	By   string      `dynamodbav:"by"`
	Text string      `dynamodbav:"text"`
}

func supportNoteRecordOf(v grants.SupportNote) supportNoteRecord {
	return supportNoteRecord{
		On:   v.On,
		By:   v.By,
		Text: v.Text,
	}
}

func (r supportNoteRecord) domain() grants.SupportNote {
	return grants.SupportNote{
		On:   r.On,
		By:   r.By,
		Text: r.Text,
	}
}

// officerRecord is a stored grants.Officer.
type officerRecord struct {
	Name  string `dynamodbav:"name"`
	Email string `dynamodbav:"email"`
}

func officerRecordOf(v grants.Officer) officerRecord {
	return officerRecord{
		Name:  v.Name,
		Email: v.Email,
	}
}

func (r officerRecord) domain() grants.Officer {
	return grants.Officer{
		Name:  r.Name,
		Email: r.Email,
	}
}

// closureRecord is a stored grants.Closure.
type closureRecord struct {
	On                   grants.Date `dynamodbav:"on"`
	By                   string      `dynamodbav:"by"`
	Early                bool        `dynamodbav:"early"`
	Reason               string      `dynamodbav:"reason,omitempty"`
	InstalmentsCancelled []int       `dynamodbav:"instalmentsCancelled,omitempty"`
	Unpaid               int64       `dynamodbav:"unpaid,omitempty"`
	CheckInsClosed       []int       `dynamodbav:"checkInsClosed,omitempty"`
	FinalReportMissing   bool        `dynamodbav:"finalReportMissing,omitempty"`
	Message              string      `dynamodbav:"message,omitempty"`
}

func closureRecordOf(v grants.Closure) closureRecord {
	return closureRecord{
		On:                   v.On,
		By:                   v.By,
		Early:                v.Early,
		Reason:               v.Reason,
		InstalmentsCancelled: v.InstalmentsCancelled,
		Unpaid:               v.Unpaid,
		CheckInsClosed:       v.CheckInsClosed,
		FinalReportMissing:   v.FinalReportMissing,
		Message:              v.Message,
	}
}

func (r closureRecord) domain() grants.Closure {
	return grants.Closure{
		On:                   r.On,
		By:                   r.By,
		Early:                r.Early,
		Reason:               r.Reason,
		InstalmentsCancelled: r.InstalmentsCancelled,
		Unpaid:               r.Unpaid,
		CheckInsClosed:       r.CheckInsClosed,
		FinalReportMissing:   r.FinalReportMissing,
		Message:              r.Message,
	}
}

// helpRequestRecord is a stored grants.HelpRequest.
type helpRequestRecord struct {
	CheckIn      int       `dynamodbav:"checkIn"`
	MessageID    string    `dynamodbav:"messageId"`
	At           time.Time `dynamodbav:"at"`
	Phrase       string    `dynamodbav:"phrase"`
	FollowedUpAt time.Time `dynamodbav:"followedUpAt,omitempty"`
	FollowedUpBy string    `dynamodbav:"followedUpBy,omitempty"`
	Note         string    `dynamodbav:"note,omitempty"`
}

func helpRequestRecordOf(v grants.HelpRequest) helpRequestRecord {
	return helpRequestRecord{
		CheckIn:      v.CheckIn,
		MessageID:    v.MessageID,
		At:           v.At,
		Phrase:       v.Phrase,
		FollowedUpAt: v.FollowedUpAt,
		FollowedUpBy: v.FollowedUpBy,
		Note:         v.Note,
	}
}

func (r helpRequestRecord) domain() grants.HelpRequest {
	return grants.HelpRequest{
		CheckIn:      r.CheckIn,
		MessageID:    r.MessageID,
		At:           r.At,
		Phrase:       r.Phrase,
		FollowedUpAt: r.FollowedUpAt,
		FollowedUpBy: r.FollowedUpBy,
		Note:         r.Note,
	}
}

// statsRecord is a stored grants.Stats.
type statsRecord struct {
	Paid                   int64          `dynamodbav:"paid"`
	Outstanding            int64          `dynamodbav:"outstanding"`
	InstalmentsDue         int            `dynamodbav:"instalmentsDue"`
	InstalmentsHeld        int            `dynamodbav:"instalmentsHeld"`
	InstalmentsPaid        int            `dynamodbav:"instalmentsPaid"`
	CheckInsReceived       int            `dynamodbav:"checkInsReceived"`
	CheckInsByConversation int            `dynamodbav:"checkInsByConversation"`
	CheckInsLate           int            `dynamodbav:"checkInsLate"`
	CheckInsOverdue        int            `dynamodbav:"checkInsOverdue"`
	BouncingContacts       int            `dynamodbav:"bouncingContacts"`
	SupportDelivered       int            `dynamodbav:"supportDelivered"`
	RepliesAskingForHelp   int            `dynamodbav:"repliesAskingForHelp"`
	HelpToFollowUp         int            `dynamodbav:"helpToFollowUp"`
	PaidDaysLate           map[string]int `dynamodbav:"paidDaysLate,omitempty"`
	NextDate               grants.Date    `dynamodbav:"nextDate,omitempty"`
	ChangesAsked           int            `dynamodbav:"changesAsked,omitempty"`
	NeedsAttention         int            `dynamodbav:"needsAttention,omitempty"`
}

func statsRecordOf(v grants.Stats) statsRecord {
	return statsRecord{
		Paid:                   v.Paid,
		Outstanding:            v.Outstanding,
		InstalmentsDue:         v.InstalmentsDue,
		InstalmentsHeld:        v.InstalmentsHeld,
		InstalmentsPaid:        v.InstalmentsPaid,
		CheckInsReceived:       v.CheckInsReceived,
		CheckInsByConversation: v.CheckInsByConversation,
		CheckInsLate:           v.CheckInsLate,
		CheckInsOverdue:        v.CheckInsOverdue,
		BouncingContacts:       v.BouncingContacts,
		SupportDelivered:       v.SupportDelivered,
		RepliesAskingForHelp:   v.RepliesAskingForHelp,
		HelpToFollowUp:         v.HelpToFollowUp,
		PaidDaysLate:           v.PaidDaysLate,
		NextDate:               v.NextDate,
		ChangesAsked:           v.ChangesAsked,
		NeedsAttention:         v.NeedsAttention,
	}
}

func (r statsRecord) domain() grants.Stats {
	return grants.Stats{
		Paid:                   r.Paid,
		Outstanding:            r.Outstanding,
		InstalmentsDue:         r.InstalmentsDue,
		InstalmentsHeld:        r.InstalmentsHeld,
		InstalmentsPaid:        r.InstalmentsPaid,
		CheckInsReceived:       r.CheckInsReceived,
		CheckInsByConversation: r.CheckInsByConversation,
		CheckInsLate:           r.CheckInsLate,
		CheckInsOverdue:        r.CheckInsOverdue,
		BouncingContacts:       r.BouncingContacts,
		SupportDelivered:       r.SupportDelivered,
		RepliesAskingForHelp:   r.RepliesAskingForHelp,
		HelpToFollowUp:         r.HelpToFollowUp,
		PaidDaysLate:           r.PaidDaysLate,
		NextDate:               r.NextDate,
		ChangesAsked:           r.ChangesAsked,
		NeedsAttention:         r.NeedsAttention,
	}
}

// instalmentRecord is a stored grants.Instalment.
type instalmentRecord struct {
	Number           int                     `dynamodbav:"number"`
	Amount           int64                   `dynamodbav:"amount"`
	DueDate          grants.Date             `dynamodbav:"dueDate"`
	Status           grants.InstalmentStatus `dynamodbav:"status"`
	AwaitingCheckIn  bool                    `dynamodbav:"awaitingCheckIn,omitempty"`
	HoldReason       string                  `dynamodbav:"holdReason,omitempty"`
	PaymentReference string                  `dynamodbav:"paymentReference,omitempty"`
	PaidOn           grants.Date             `dynamodbav:"paidOn,omitempty"`
	PaidBy           string                  `dynamodbav:"paidBy,omitempty"`
	DaysLate         int                     `dynamodbav:"daysLate,omitempty"`
	DaysOnHold       int                     `dynamodbav:"daysOnHold,omitempty"`
	HeldOn           grants.Date             `dynamodbav:"heldOn,omitempty"`
	// DaysWithPartner and PayableOn (issue 26, item 8): absent on an
	// instalment that never waited on a check-in, as on every one stored
	// before; DaysWithFinance is derived, never stored.
	DaysWithPartner int            `dynamodbav:"daysWithPartner,omitempty"`
	PayableOn       grants.Date    `dynamodbav:"payableOn,omitempty"`
	Payment         *paymentRecord `dynamodbav:"payment,omitempty"`
	ScheduleCreated bool           `dynamodbav:"scheduleCreated,omitempty"`
	Rev             int            `dynamodbav:"rev"`
	UpdatedAt       time.Time      `dynamodbav:"updatedAt,omitempty"`
	// Extra (issue 23, item 3): absent on a planned instalment.
	Extra *extraRecord `dynamodbav:"extra,omitempty"`
}

func instalmentRecordOf(v grants.Instalment) instalmentRecord {
	return instalmentRecord{
		Number:           v.Number,
		Amount:           v.Amount,
		DueDate:          v.DueDate,
		Status:           v.Status,
		AwaitingCheckIn:  v.AwaitingCheckIn,
		HoldReason:       v.HoldReason,
		PaymentReference: v.PaymentReference,
		PaidOn:           v.PaidOn,
		PaidBy:           v.PaidBy,
		DaysLate:         v.DaysLate,
		DaysOnHold:       v.DaysOnHold,
		HeldOn:           v.HeldOn,
		DaysWithPartner:  v.DaysWithPartner,
		PayableOn:        v.PayableOn,
		Payment:          mapPtr(v.Payment, paymentRecordOf),
		ScheduleCreated:  v.ScheduleCreated,
		Rev:              v.Rev,
		UpdatedAt:        v.UpdatedAt,
		Extra:            mapPtr(v.Extra, extraRecordOf),
	}
}

func (r instalmentRecord) domain() grants.Instalment {
	return grants.Instalment{
		Number:           r.Number,
		Amount:           r.Amount,
		DueDate:          r.DueDate,
		Status:           r.Status,
		AwaitingCheckIn:  r.AwaitingCheckIn,
		HoldReason:       r.HoldReason,
		PaymentReference: r.PaymentReference,
		PaidOn:           r.PaidOn,
		PaidBy:           r.PaidBy,
		DaysLate:         r.DaysLate,
		DaysOnHold:       r.DaysOnHold,
		HeldOn:           r.HeldOn,
		DaysWithPartner:  r.DaysWithPartner,
		PayableOn:        r.PayableOn,
		Payment:          mapPtr(r.Payment, paymentRecord.domain),
		ScheduleCreated:  r.ScheduleCreated,
		Rev:              r.Rev,
		UpdatedAt:        r.UpdatedAt,
		Extra:            mapPtr(r.Extra, extraRecord.domain),
	}
}

// paymentRecord is a stored grants.Payment.
type paymentRecord struct {
	ID               string               `dynamodbav:"id"`
	Status           grants.PaymentStatus `dynamodbav:"status"`
	PaymentReference string               `dynamodbav:"paymentReference"`
	PaidOn           grants.Date          `dynamodbav:"paidOn"`
	Amount           int64                `dynamodbav:"amount"`
	Currency         string               `dynamodbav:"currency"`
	OverrideReason   string               `dynamodbav:"overrideReason,omitempty"`
	Run              string               `dynamodbav:"run,omitempty"`
	RequestedBy      string               `dynamodbav:"requestedBy"`
	RequestedByID    string               `dynamodbav:"requestedById,omitempty"`
	RequestedAt      time.Time            `dynamodbav:"requestedAt"`
	ApprovedBy       string               `dynamodbav:"approvedBy,omitempty"`
	ApprovedAt       time.Time            `dynamodbav:"approvedAt,omitempty"`
	PartnerMessage   string               `dynamodbav:"partnerMessage,omitempty"`
}

func paymentRecordOf(v grants.Payment) paymentRecord {
	return paymentRecord{
		ID:               v.ID,
		Status:           v.Status,
		PaymentReference: v.PaymentReference,
		PaidOn:           v.PaidOn,
		Amount:           v.Amount,
		Currency:         v.Currency,
		OverrideReason:   v.OverrideReason,
		Run:              v.Run,
		RequestedBy:      v.RequestedBy,
		RequestedByID:    v.RequestedByID,
		RequestedAt:      v.RequestedAt,
		ApprovedBy:       v.ApprovedBy,
		ApprovedAt:       v.ApprovedAt,
		PartnerMessage:   v.PartnerMessage,
	}
}

func (r paymentRecord) domain() grants.Payment {
	return grants.Payment{
		ID:               r.ID,
		Status:           r.Status,
		PaymentReference: r.PaymentReference,
		PaidOn:           r.PaidOn,
		Amount:           r.Amount,
		Currency:         r.Currency,
		OverrideReason:   r.OverrideReason,
		Run:              r.Run,
		RequestedBy:      r.RequestedBy,
		RequestedByID:    r.RequestedByID,
		RequestedAt:      r.RequestedAt,
		ApprovedBy:       r.ApprovedBy,
		ApprovedAt:       r.ApprovedAt,
		PartnerMessage:   r.PartnerMessage,
	}
}

// checkInRecord is a stored grants.CheckIn.
type checkInRecord struct {
	Number          int                  `dynamodbav:"number"`
	DueDate         grants.Date          `dynamodbav:"dueDate"`
	Status          grants.CheckInStatus `dynamodbav:"status"`
	Final           bool                 `dynamodbav:"final,omitempty"`
	SentAt          time.Time            `dynamodbav:"sentAt,omitempty"`
	MessageID       string               `dynamodbav:"messageId,omitempty"`
	Reminders       int                  `dynamodbav:"reminders,omitempty"`
	LastReminderAt  time.Time            `dynamodbav:"lastReminderAt,omitempty"`
	RemindOn        grants.Date          `dynamodbav:"remindOn,omitempty"`
	ReceivedAt      time.Time            `dynamodbav:"receivedAt,omitempty"`
	ReceivedBy      grants.Channel       `dynamodbav:"receivedBy,omitempty"`
	WaivedReason    string               `dynamodbav:"waivedReason,omitempty"`
	ScheduleCreated bool                 `dynamodbav:"scheduleCreated,omitempty"`
	Rev             int                  `dynamodbav:"rev"`
	UpdatedAt       time.Time            `dynamodbav:"updatedAt,omitempty"`
	QueuedOn        grants.Date          `dynamodbav:"queuedOn,omitempty"`
}

func checkInRecordOf(v grants.CheckIn) checkInRecord {
	return checkInRecord{
		Number:          v.Number,
		DueDate:         v.DueDate,
		Status:          v.Status,
		Final:           v.Final,
		SentAt:          v.SentAt,
		MessageID:       v.MessageID,
		Reminders:       v.Reminders,
		LastReminderAt:  v.LastReminderAt,
		RemindOn:        v.RemindOn,
		ReceivedAt:      v.ReceivedAt,
		ReceivedBy:      v.ReceivedBy,
		WaivedReason:    v.WaivedReason,
		ScheduleCreated: v.ScheduleCreated,
		Rev:             v.Rev,
		UpdatedAt:       v.UpdatedAt,
		QueuedOn:        v.QueuedOn,
	}
}

func (r checkInRecord) domain() grants.CheckIn {
	return grants.CheckIn{
		Number:          r.Number,
		DueDate:         r.DueDate,
		Status:          r.Status,
		Final:           r.Final,
		SentAt:          r.SentAt,
		MessageID:       r.MessageID,
		Reminders:       r.Reminders,
		LastReminderAt:  r.LastReminderAt,
		RemindOn:        r.RemindOn,
		ReceivedAt:      r.ReceivedAt,
		ReceivedBy:      r.ReceivedBy,
		WaivedReason:    r.WaivedReason,
		ScheduleCreated: r.ScheduleCreated,
		Rev:             r.Rev,
		UpdatedAt:       r.UpdatedAt,
		QueuedOn:        r.QueuedOn,
	}
}

// instalmentRowRecord reads finance's row from an instalment's item, which
// carries its agreement's reference, partner and currency (instalmentItem).
// It is never written as such.
type instalmentRowRecord struct {
	AgreementID       string                  `dynamodbav:"agreementId"`
	Reference         string                  `dynamodbav:"reference"`
	Programme         string                  `dynamodbav:"programme"`
	PartnerName       string                  `dynamodbav:"partnerName"`
	Number            int                     `dynamodbav:"number"`
	Amount            int64                   `dynamodbav:"amount"`
	Currency          string                  `dynamodbav:"currency"`
	DueDate           grants.Date             `dynamodbav:"dueDate"`
	Status            grants.InstalmentStatus `dynamodbav:"status"`
	PreviousCheckInIn bool                    `dynamodbav:"previousCheckInIn"`
	AwaitingCheckIn   bool                    `dynamodbav:"awaitingCheckIn"`
	HoldReason        string                  `dynamodbav:"holdReason"`
	PaymentReference  string                  `dynamodbav:"paymentReference"`
	PaidOn            grants.Date             `dynamodbav:"paidOn"`
	Payment           *paymentRecord          `dynamodbav:"payment"`
	DaysLate          int                     `dynamodbav:"daysLate"`
	DaysOnHold        int                     `dynamodbav:"daysOnHold"`
	HeldOn            grants.Date             `dynamodbav:"heldOn"`
	DaysWithPartner   int                     `dynamodbav:"daysWithPartner"`
	PayableOn         grants.Date             `dynamodbav:"payableOn"`
}

func (r instalmentRowRecord) domain() grants.InstalmentRow {
	return grants.InstalmentRow{
		AgreementID:       r.AgreementID,
		Reference:         r.Reference,
		Programme:         r.Programme,
		PartnerName:       r.PartnerName,
		Number:            r.Number,
		Amount:            r.Amount,
		Currency:          r.Currency,
		DueDate:           r.DueDate,
		Status:            r.Status,
		PreviousCheckInIn: r.PreviousCheckInIn,
		AwaitingCheckIn:   r.AwaitingCheckIn,
		HoldReason:        r.HoldReason,
		PaymentReference:  r.PaymentReference,
		PaidOn:            r.PaidOn,
		Payment:           mapPtr(r.Payment, paymentRecord.domain),
		DaysLate:          r.DaysLate,
		DaysOnHold:        r.DaysOnHold,
		HeldOn:            r.HeldOn,
		DaysWithPartner:   r.DaysWithPartner,
		PayableOn:         r.PayableOn,
	}
}

// auditRecord is a stored grants.AuditEntry.
type auditRecord struct {
	At      time.Time      `dynamodbav:"at"`
	Actor   string         `dynamodbav:"actor"`
	Action  string         `dynamodbav:"action"`
	Subject string         `dynamodbav:"subject,omitempty"`
	Detail  string         `dynamodbav:"detail,omitempty"`
	Changes []changeRecord `dynamodbav:"changes,omitempty"`
	Body    string         `dynamodbav:"body,omitempty"`
}

func auditRecordOf(v grants.AuditEntry) auditRecord {
	return auditRecord{
		At:      v.At,
		Actor:   v.Actor,
		Action:  v.Action,
		Subject: v.Subject,
		Detail:  v.Detail,
		Changes: mapSlice(v.Changes, changeRecordOf),
		Body:    v.Body,
	}
}

func (r auditRecord) domain() grants.AuditEntry {
	return grants.AuditEntry{
		At:      r.At,
		Actor:   r.Actor,
		Action:  r.Action,
		Subject: r.Subject,
		Detail:  r.Detail,
		Changes: mapSlice(r.Changes, changeRecord.domain),
		Body:    r.Body,
	}
}

// changeRecord is a stored grants.Change.
type changeRecord struct {
	Field  string   `dynamodbav:"field"`
	Before []string `dynamodbav:"before"`
	After  []string `dynamodbav:"after"`
}

func changeRecordOf(v grants.Change) changeRecord {
	return changeRecord{
		Field:  v.Field,
		Before: v.Before,
		After:  v.After,
	}
}

func (r changeRecord) domain() grants.Change {
	return grants.Change{
		Field:  r.Field,
		Before: r.Before,
		After:  r.After,
	}
}

// replyRecord is a stored grants.Reply.
type replyRecord struct {
	AgreementID     string             `dynamodbav:"agreementId"`
	CheckIn         int                `dynamodbav:"checkIn"`
	MessageID       string             `dynamodbav:"messageId"`
	From            string             `dynamodbav:"from"`
	Subject         string             `dynamodbav:"subject"`
	ReceivedAt      time.Time          `dynamodbav:"receivedAt"`
	Text            string             `dynamodbav:"text"`
	FullText        string             `dynamodbav:"fullText"`
	Verdicts        verdictsRecord     `dynamodbav:"verdicts"`
	Attachments     []attachmentRecord `dynamodbav:"attachments"`
	MoreAttachments int                `dynamodbav:"moreAttachments,omitempty"`
	RawKey          string             `dynamodbav:"rawKey"`
	TextKey         string             `dynamodbav:"textKey,omitempty"`
	TextSize        int                `dynamodbav:"textSize,omitempty"`
	// TextURL is not stored.
	AcceptedBy       string              `dynamodbav:"acceptedBy,omitempty"`
	Conversation     *conversationRecord `dynamodbav:"conversation,omitempty"`
	AfterTermination bool                `dynamodbav:"afterTermination,omitempty"`
	AsksForHelp      string              `dynamodbav:"asksForHelp,omitempty"`

	// Issue 24, item 4: an answer to "you said, we did" (absent: a
	// check-in's reply, as every reply stored before).
	AnswersMessage bool `dynamodbav:"answersMessage,omitempty"`
	// Issue 24, item 5: a (held) answer about a story.
	AnswersStory bool `dynamodbav:"answersStory,omitempty"`
	// Issue 24: an officer's mark of the reply's feedback (feedbackmark.go).
	FeedbackMark *feedbackMarkRecord `dynamodbav:"feedbackMark,omitempty"`
}

func replyRecordOf(v grants.Reply) replyRecord {
	return replyRecord{
		AgreementID:      v.AgreementID,
		CheckIn:          v.CheckIn,
		MessageID:        v.MessageID,
		From:             v.From,
		Subject:          v.Subject,
		ReceivedAt:       v.ReceivedAt,
		Text:             v.Text,
		FullText:         v.FullText,
		Verdicts:         verdictsRecordOf(v.Verdicts),
		Attachments:      mapSlice(v.Attachments, attachmentRecordOf),
		MoreAttachments:  v.MoreAttachments,
		RawKey:           v.RawKey,
		TextKey:          v.TextKey,
		TextSize:         v.TextSize,
		AcceptedBy:       v.AcceptedBy,
		Conversation:     mapPtr(v.Conversation, conversationRecordOf),
		AfterTermination: v.AfterTermination,
		AsksForHelp:      v.AsksForHelp,
		AnswersMessage:   v.AnswersMessage,
		AnswersStory:     v.AnswersStory,
		FeedbackMark:     mapPtr(v.FeedbackMark, feedbackMarkRecordOf),
	}
}

func (r replyRecord) domain() grants.Reply {
	return grants.Reply{
		AgreementID:      r.AgreementID,
		CheckIn:          r.CheckIn,
		MessageID:        r.MessageID,
		From:             r.From,
		Subject:          r.Subject,
		ReceivedAt:       r.ReceivedAt,
		Text:             r.Text,
		FullText:         r.FullText,
		Verdicts:         r.Verdicts.domain(),
		Attachments:      mapSlice(r.Attachments, attachmentRecord.domain),
		MoreAttachments:  r.MoreAttachments,
		RawKey:           r.RawKey,
		TextKey:          r.TextKey,
		TextSize:         r.TextSize,
		AcceptedBy:       r.AcceptedBy,
		Conversation:     mapPtr(r.Conversation, conversationRecord.domain),
		AfterTermination: r.AfterTermination,
		AsksForHelp:      r.AsksForHelp,
		AnswersMessage:   r.AnswersMessage,
		AnswersStory:     r.AnswersStory,
		FeedbackMark:     mapPtr(r.FeedbackMark, feedbackMarkRecord.domain),
	}
}

// verdictsRecord is a stored grants.Verdicts.
type verdictsRecord struct {
	Spam  string `dynamodbav:"spam"`
	Virus string `dynamodbav:"virus"`
	SPF   string `dynamodbav:"spf"`
	DKIM  string `dynamodbav:"dkim"`
	DMARC string `dynamodbav:"dmarc"`
}

func verdictsRecordOf(v grants.Verdicts) verdictsRecord {
	return verdictsRecord{
		Spam:  v.Spam,
		Virus: v.Virus,
		SPF:   v.SPF,
		DKIM:  v.DKIM,
		DMARC: v.DMARC,
	}
}

func (r verdictsRecord) domain() grants.Verdicts {
	return grants.Verdicts{
		Spam:  r.Spam,
		Virus: r.Virus,
		SPF:   r.SPF,
		DKIM:  r.DKIM,
		DMARC: r.DMARC,
	}
}

// attachmentRecord is a stored grants.Attachment.
type attachmentRecord struct {
	Name        string `dynamodbav:"name"`
	ContentType string `dynamodbav:"contentType"`
	Size        int    `dynamodbav:"size"`
	Key         string `dynamodbav:"key"`
	Inline      bool   `dynamodbav:"inline,omitempty"`
	// URL is not stored.
}

func attachmentRecordOf(v grants.Attachment) attachmentRecord {
	return attachmentRecord{
		Name:        v.Name,
		ContentType: v.ContentType,
		Size:        v.Size,
		Key:         v.Key,
		Inline:      v.Inline,
	}
}

func (r attachmentRecord) domain() grants.Attachment {
	return grants.Attachment{
		Name:        r.Name,
		ContentType: r.ContentType,
		Size:        r.Size,
		Key:         r.Key,
		Inline:      r.Inline,
	}
}

// conversationRecord is a stored grants.Conversation.
type conversationRecord struct {
	Channel      grants.Channel `dynamodbav:"channel"`
	HappenedOn   grants.Date    `dynamodbav:"happenedOn"`
	Participants []string       `dynamodbav:"participants"`
	Summary      string         `dynamodbav:"summary"`
	RecordedBy   string         `dynamodbav:"recordedBy"`
}

func conversationRecordOf(v grants.Conversation) conversationRecord {
	return conversationRecord{
		Channel:      v.Channel,
		HappenedOn:   v.HappenedOn,
		Participants: v.Participants,
		Summary:      v.Summary,
		RecordedBy:   v.RecordedBy,
	}
}

func (r conversationRecord) domain() grants.Conversation {
	return grants.Conversation{
		Channel:      r.Channel,
		HappenedOn:   r.HappenedOn,
		Participants: r.Participants,
		Summary:      r.Summary,
		RecordedBy:   r.RecordedBy,
	}
}

// quarantinedRecord is a stored grants.Quarantined.
type quarantinedRecord struct {
	ID          string                  `dynamodbav:"id"`
	Status      string                  `dynamodbav:"status"`
	Reason      grants.QuarantineReason `dynamodbav:"reason"`
	Detail      string                  `dynamodbav:"detail,omitempty"`
	AgreementID string                  `dynamodbav:"agreementId,omitempty"`
	Reference   string                  `dynamodbav:"reference,omitempty"`
	Programme   string                  `dynamodbav:"programme,omitempty"`
	CheckIn     int                     `dynamodbav:"checkIn,omitempty"`
	Reply       replyRecord             `dynamodbav:"reply"`
	ResolvedBy  string                  `dynamodbav:"resolvedBy,omitempty"`
	ResolvedAt  time.Time               `dynamodbav:"resolvedAt,omitempty"`
	Note        string                  `dynamodbav:"note,omitempty"`
}

func quarantinedRecordOf(v grants.Quarantined) quarantinedRecord {
	return quarantinedRecord{
		ID:          v.ID,
		Status:      v.Status,
		Reason:      v.Reason,
		Detail:      v.Detail,
		AgreementID: v.AgreementID,
		Reference:   v.Reference,
		Programme:   v.Programme,
		CheckIn:     v.CheckIn,
		Reply:       replyRecordOf(v.Reply),
		ResolvedBy:  v.ResolvedBy,
		ResolvedAt:  v.ResolvedAt,
		Note:        v.Note,
	}
}

func (r quarantinedRecord) domain() grants.Quarantined {
	return grants.Quarantined{
		ID:          r.ID,
		Status:      r.Status,
		Reason:      r.Reason,
		Detail:      r.Detail,
		AgreementID: r.AgreementID,
		Reference:   r.Reference,
		Programme:   r.Programme,
		CheckIn:     r.CheckIn,
		Reply:       r.Reply.domain(),
		ResolvedBy:  r.ResolvedBy,
		ResolvedAt:  r.ResolvedAt,
		Note:        r.Note,
	}
}

// firstCopyRecord is a stored grants.FirstCopy; its Identity is the
// item's key (firstCopyKey).
type firstCopyRecord struct {
	// Identity is not stored.
	MessageID string `dynamodbav:"messageId"`
	Held      bool   `dynamodbav:"held"`
}

func firstCopyRecordOf(v grants.FirstCopy) firstCopyRecord {
	return firstCopyRecord{
		MessageID: v.MessageID,
		Held:      v.Held,
	}
}

func (r firstCopyRecord) domain() grants.FirstCopy {
	return grants.FirstCopy{
		MessageID: r.MessageID,
		Held:      r.Held,
	}
}

// payRunRecord is a stored grants.PayRun.
type payRunRecord struct {
	ID            string              `dynamodbav:"id"`
	Status        grants.PayRunStatus `dynamodbav:"status"`
	PaidOn        grants.Date         `dynamodbav:"paidOn"`
	RequestedBy   string              `dynamodbav:"requestedBy"`
	RequestedAt   time.Time           `dynamodbav:"requestedAt"`
	ApprovedBy    string              `dynamodbav:"approvedBy,omitempty"`
	ApprovedAt    time.Time           `dynamodbav:"approvedAt,omitempty"`
	Items         []payRunItemRecord  `dynamodbav:"items"`
	RequestedByID string              `dynamodbav:"requestedById,omitempty"`
	RequestHash   string              `dynamodbav:"requestHash"`
}

func payRunRecordOf(v grants.PayRun) payRunRecord {
	return payRunRecord{
		ID:            v.ID,
		Status:        v.Status,
		PaidOn:        v.PaidOn,
		RequestedBy:   v.RequestedBy,
		RequestedAt:   v.RequestedAt,
		ApprovedBy:    v.ApprovedBy,
		ApprovedAt:    v.ApprovedAt,
		Items:         mapSlice(v.Items, payRunItemRecordOf),
		RequestedByID: v.RequestedByID,
		RequestHash:   v.RequestHash,
	}
}

func (r payRunRecord) domain() grants.PayRun {
	return grants.PayRun{
		ID:            r.ID,
		Status:        r.Status,
		PaidOn:        r.PaidOn,
		RequestedBy:   r.RequestedBy,
		RequestedAt:   r.RequestedAt,
		ApprovedBy:    r.ApprovedBy,
		ApprovedAt:    r.ApprovedAt,
		Items:         mapSlice(r.Items, payRunItemRecord.domain),
		RequestedByID: r.RequestedByID,
		RequestHash:   r.RequestHash,
	}
}

// payRunItemRecord is a stored grants.PayRunItem.
type payRunItemRecord struct {
	AgreementID      string `dynamodbav:"agreementId"`
	Instalment       int    `dynamodbav:"instalment"`
	PaymentReference string `dynamodbav:"paymentReference"`
	// OverrideReason is not stored.
	Outcome     grants.PayRunOutcome `dynamodbav:"outcome"`
	Reason      string               `dynamodbav:"reason,omitempty"`
	Detail      string               `dynamodbav:"detail,omitempty"`
	PaymentID   string               `dynamodbav:"paymentId,omitempty"`
	Reference   string               `dynamodbav:"reference,omitempty"`
	PartnerName string               `dynamodbav:"partnerName,omitempty"`
	Amount      int64                `dynamodbav:"amount,omitempty"`
	Currency    string               `dynamodbav:"currency,omitempty"`
}

func payRunItemRecordOf(v grants.PayRunItem) payRunItemRecord {
	return payRunItemRecord{
		AgreementID:      v.AgreementID,
		Instalment:       v.Instalment,
		PaymentReference: v.PaymentReference,
		Outcome:          v.Outcome,
		Reason:           v.Reason,
		Detail:           v.Detail,
		PaymentID:        v.PaymentID,
		Reference:        v.Reference,
		PartnerName:      v.PartnerName,
		Amount:           v.Amount,
		Currency:         v.Currency,
	}
}

func (r payRunItemRecord) domain() grants.PayRunItem {
	return grants.PayRunItem{
		AgreementID:      r.AgreementID,
		Instalment:       r.Instalment,
		PaymentReference: r.PaymentReference,
		Outcome:          r.Outcome,
		Reason:           r.Reason,
		Detail:           r.Detail,
		PaymentID:        r.PaymentID,
		Reference:        r.Reference,
		PartnerName:      r.PartnerName,
		Amount:           r.Amount,
		Currency:         r.Currency,
	}
}

// payRunLineRecord is a run's line in the list of runs (grants.PayRun.Line).
type payRunLineRecord struct {
	ID            string              `dynamodbav:"id"`
	Status        grants.PayRunStatus `dynamodbav:"status"`
	PaidOn        grants.Date         `dynamodbav:"paidOn"`
	RequestedBy   string              `dynamodbav:"requestedBy"`
	RequestedAt   time.Time           `dynamodbav:"requestedAt"`
	ApprovedBy    string              `dynamodbav:"approvedBy,omitempty"`
	RequestedByID string              `dynamodbav:"requestedById,omitempty"`
	Requested     int                 `dynamodbav:"requested"`
	Items         int                 `dynamodbav:"items"`
}

func payRunLineRecordOf(v grants.PayRunLine) payRunLineRecord {
	return payRunLineRecord{
		ID:            v.ID,
		Status:        v.Status,
		PaidOn:        v.PaidOn,
		RequestedBy:   v.RequestedBy,
		RequestedAt:   v.RequestedAt,
		ApprovedBy:    v.ApprovedBy,
		RequestedByID: v.RequestedByID,
		Requested:     v.Requested,
		Items:         v.Items,
	}
}

func (r payRunLineRecord) domain() grants.PayRunLine {
	return grants.PayRunLine{
		ID:            r.ID,
		Status:        r.Status,
		PaidOn:        r.PaidOn,
		RequestedBy:   r.RequestedBy,
		RequestedAt:   r.RequestedAt,
		ApprovedBy:    r.ApprovedBy,
		RequestedByID: r.RequestedByID,
		Requested:     r.Requested,
		Items:         r.Items,
	}
}

// settingsRecord is a stored grants.ProgrammeSettings.
type settingsRecord struct {
	Name              string        `dynamodbav:"name"`
	OfficerEmails     []string      `dynamodbav:"officerEmails"`
	FinanceEmails     []string      `dynamodbav:"financeEmails"`
	ReminderDays      int           `dynamodbav:"reminderDays"`
	MaxReminders      int           `dynamodbav:"maxReminders"`
	TwoPersonRule     *bool         `dynamodbav:"twoPersonRule,omitempty"`
	SendTime          string        `dynamodbav:"sendTime,omitempty"`
	Region            string        `dynamodbav:"region,omitempty"`
	QuietPeriod       string        `dynamodbav:"quietPeriod,omitempty"`
	ExtraBankHolidays []grants.Date `dynamodbav:"extraBankHolidays,omitempty"`
	CheckInLeadDays   *int          `dynamodbav:"checkInLeadDays,omitempty"`
	FinalReportDays   *int          `dynamodbav:"finalReportDays,omitempty"`
	OnTimeWorkingDays *int          `dynamodbav:"onTimeWorkingDays,omitempty"`
	Owner             officerRecord `dynamodbav:"owner,omitempty"`

	// Issue 23: absent on items stored before (the deployment's default).
	PaymentPolicy    grants.PaymentPolicy    `dynamodbav:"paymentPolicy,omitempty"`
	CheckInQuestions []checkInQuestionRecord `dynamodbav:"checkInQuestions,omitempty"`
	// FirstInstalmentAwaitsAcceptance: none on items written before it (no).
	FirstInstalmentAwaitsAcceptance bool `dynamodbav:"firstInstalmentAwaitsAcceptance,omitempty"`
	// Version (issue 25, item 3): none on items never changed from the
	// settings page (read as 1).
	Version int `dynamodbav:"version,omitempty"`
	// Issue 25, item 3: none on items stored before (daily; the
	// deployment's sender name and time zone).
	LateDigest string `dynamodbav:"lateDigest,omitempty"`
	SenderName string `dynamodbav:"senderName,omitempty"`
	TimeZone   string `dynamodbav:"timeZone,omitempty"`
}

// checkInQuestionRecord is a stored grants.CheckInQuestion.
type checkInQuestionRecord struct {
	Key      string `dynamodbav:"key,omitempty"`
	Text     string `dynamodbav:"text,omitempty"`
	Optional bool   `dynamodbav:"optional"`
}

func checkInQuestionRecordOf(v grants.CheckInQuestion) checkInQuestionRecord {
	return checkInQuestionRecord{Key: v.Key, Text: v.Text, Optional: v.Optional}
}

func (r checkInQuestionRecord) domain() grants.CheckInQuestion {
	return grants.CheckInQuestion{Key: r.Key, Text: r.Text, Optional: r.Optional}
}

func settingsRecordOf(v grants.ProgrammeSettings) settingsRecord {
	return settingsRecord{
		Name:                            v.Name,
		OfficerEmails:                   v.OfficerEmails,
		FinanceEmails:                   v.FinanceEmails,
		ReminderDays:                    v.ReminderDays,
		MaxReminders:                    v.MaxReminders,
		TwoPersonRule:                   v.TwoPersonRule,
		SendTime:                        v.SendTime,
		Region:                          v.Region,
		QuietPeriod:                     v.QuietPeriod,
		ExtraBankHolidays:               v.ExtraBankHolidays,
		CheckInLeadDays:                 v.CheckInLeadDays,
		FinalReportDays:                 v.FinalReportDays,
		OnTimeWorkingDays:               v.OnTimeWorkingDays,
		Owner:                           officerRecordOf(v.Owner),
		PaymentPolicy:                   v.PaymentPolicy,
		CheckInQuestions:                mapSlice(v.CheckInQuestions, checkInQuestionRecordOf),
		FirstInstalmentAwaitsAcceptance: v.FirstInstalmentAwaitsAcceptance,
		Version:                         v.Version,
		LateDigest:                      string(v.LateDigest),
		SenderName:                      v.SenderName,
		TimeZone:                        v.TimeZone,
	}
}

func (r settingsRecord) domain() grants.ProgrammeSettings {
	return grants.ProgrammeSettings{
		Name:                            r.Name,
		OfficerEmails:                   r.OfficerEmails,
		FinanceEmails:                   r.FinanceEmails,
		ReminderDays:                    r.ReminderDays,
		MaxReminders:                    r.MaxReminders,
		TwoPersonRule:                   r.TwoPersonRule,
		SendTime:                        r.SendTime,
		Region:                          r.Region,
		QuietPeriod:                     r.QuietPeriod,
		ExtraBankHolidays:               r.ExtraBankHolidays,
		CheckInLeadDays:                 r.CheckInLeadDays,
		FinalReportDays:                 r.FinalReportDays,
		OnTimeWorkingDays:               r.OnTimeWorkingDays,
		Owner:                           r.Owner.domain(),
		PaymentPolicy:                   r.PaymentPolicy,
		CheckInQuestions:                mapSlice(r.CheckInQuestions, checkInQuestionRecord.domain),
		FirstInstalmentAwaitsAcceptance: r.FirstInstalmentAwaitsAcceptance,
		Version:                         r.Version,
		LateDigest:                      grants.DigestFrequency(r.LateDigest),
		SenderName:                      r.SenderName,
		TimeZone:                        r.TimeZone,
	}
}

// outboxRecord reads an outbox entry, which the outbox's own writes
// (outbox.go) build attribute by attribute.
type outboxRecord struct {
	AgreementID string    `dynamodbav:"agreementId"`
	Key         string    `dynamodbav:"key"`
	Status      string    `dynamodbav:"status"`
	Attempts    int       `dynamodbav:"attempts"`
	MessageID   string    `dynamodbav:"messageId,omitempty"`
	CreatedAt   time.Time `dynamodbav:"createdAt"`
	DoneAt      time.Time `dynamodbav:"doneAt,omitempty"`
	LastError   string    `dynamodbav:"lastError,omitempty"`
}

func (r outboxRecord) domain() outbox.Entry {
	return outbox.Entry{
		AgreementID: r.AgreementID,
		Key:         r.Key,
		Status:      r.Status,
		Attempts:    r.Attempts,
		MessageID:   r.MessageID,
		CreatedAt:   r.CreatedAt,
		DoneAt:      r.DoneAt,
		LastError:   r.LastError,
	}
}
