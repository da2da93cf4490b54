package web

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/money"
)

// contactRows is how many contact rows the create form offers.
const contactRows = 3

// agreementForm is the create form's input as typed, kept to show again
// with each error next to its field.
type agreementForm struct {
	Key                                      string // the form's Idempotency-Key
	Partner, Registration, Address           string
	Contacts                                 [contactRows]grants.Contact
	Amount, Currency, StartDate              string
	DurationMonths, Instalments, CheckInLead string
	Terms, Support                           string
	OwnerName, OwnerEmail                    string
	// CheckIns is how many check-ins (blank: one per instalment; issue 23).
	CheckIns string

	// Issue 23: the partner's kind, or an existing partner record to
	// start from (Partners are the records the form offers).
	PartnerType, PartnerID string
	Partners               []grants.PartnerRecord

	// Enquiry is the enquiry the draft is started from, if any (issue 24,
	// item 6; enquiries.go): the draft is recorded on it.
	Enquiry string

	// Issue 26, item 6: every rule the form can break has its field.
	// Blank: worked out from the length and instalments (cadence), the
	// programme's (time zone, final-report days).
	Cadence, TimeZone, FinalReportDays string
}

func (a *App) newAgreement(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "New agreement", "new", programmeOnly...)
	if !ok {
		return
	}
	f := agreementForm{Key: newKey(), Currency: programmeCurrency(v), DurationMonths: "12", Instalments: "4", CheckInLead: "14", PartnerID: r.URL.Query().Get("partnerId")}
	a.prefillFromEnquiry(r, &f) // enquiries.go
	if !a.partnerChoices(w, r, v, &f) {
		return
	}
	a.render(w, r, http.StatusOK, layout(v, newAgreementPage(v, f)))
}

// create makes a draft agreement from the form. The form carries its own
// Idempotency-Key, so a double click or a resubmitted page creates one
// agreement and both land on it.
func (a *App) create(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "New agreement", "new", programmeOnly...)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		a.fail(w, r, &grants.Error{Code: grants.Malformed, Message: "The form could not be read."})
		return
	}
	f := readAgreementForm(r.PostForm)
	in, fieldErrs := f.input(v.Programme)
	if len(fieldErrs) > 0 {
		// What the form could not read is not all: the rest is judged too,
		// so every problem is told in one round (issue 26, item 4).
		a.formErrors(w, r, v, f, grants.Validation(mergeProblems(fieldErrs, a.Agreements.CheckAgreement(in))))
		return
	}
	once := &idempotency.Once[*grants.Agreement]{
		Request: idempotency.Request{Scope: "web create agreement", Caller: v.Actor.ID, Key: f.Key, Payload: []byte(r.PostForm.Encode())},
		Render: func(ag *grants.Agreement) (idempotency.Response, error) {
			return idempotency.Response{StatusCode: http.StatusSeeOther, Body: []byte(ag.ID)}, nil
		},
	}
	ag, replay, err := a.Agreements.CreateAgreement(r.Context(), v.Actor.Name, in, once)
	switch {
	case errors.Is(err, idempotency.ErrPayloadMismatch):
		f.Key = newKey()
		a.formErrors(w, r, v, f, &grants.Error{Code: grants.Conflict, Message: "This form was sent before with other values. Check them and create again."})
	case err != nil:
		a.formErrors(w, r, v, f, err)
	case replay != nil:
		done(w, r, "/app/agreements/"+string(replay.Body), "created")
	default:
		a.draftFromEnquiry(r, v, f.Enquiry, ag.ID) // enquiries.go
		done(w, r, "/app/agreements/"+ag.ID, "created")
	}
}

func (a *App) formErrors(w http.ResponseWriter, r *http.Request, v *view, f agreementForm, err error) {
	if status(err) == http.StatusInternalServerError {
		a.fail(w, r, err)
		return
	}
	// Anything but an internal failure is the domain's *Error: its message
	// above the form, each field's reason in the summary and beside the
	// field.
	v.Currency = f.Currency
	v.refused(err, "The agreement was not created", createAnchor)
	if !a.partnerChoices(w, r, v, &f) {
		return
	}
	a.render(w, r, status(err), layout(v, newAgreementPage(v, f)))
}

// programmeCurrency is the currency the form starts with: the programme's
// (issue 25, item 2), else GBP.
func programmeCurrency(v *view) string {
	for _, p := range v.Programmes {
		if p.Code == v.Programme && p.Currency != "" {
			return p.Currency
		}
	}
	return "GBP"
}

// partnerChoices are the partner records the form offers (issue 23). A
// partner record spans programmes (its agreements are in any), so only
// those whose roles hold everywhere are offered them (issue 25, item 6):
// others type the partner in.
func (a *App) partnerChoices(w http.ResponseWriter, r *http.Request, v *view, f *agreementForm) bool {
	if !v.Everywhere {
		return true
	}
	page, err := a.Partners.List(r.Context(), "", "", partnerPickerSize)
	if err != nil {
		a.fail(w, r, err)
		return false
	}
	f.Partners = page.Items
	return true
}

func readAgreementForm(form url.Values) agreementForm {
	g := func(k string) string { return strings.TrimSpace(form.Get(k)) }
	f := agreementForm{
		Key: g("key"), Partner: g("partner"), Registration: g("registration"), Address: g("address"),
		Amount: g("amount"), Currency: g("currency"), StartDate: g("startDate"),
		DurationMonths: g("durationMonths"), Instalments: g("instalments"), CheckInLead: g("checkInLead"),
		Terms: form.Get("terms"), Support: form.Get("support"),
		OwnerName: g("ownerName"), OwnerEmail: g("ownerEmail"),
		CheckIns: g("checkIns"),
	}
	for i := range f.Contacts {
		n := strconv.Itoa(i)
		f.Contacts[i] = grants.Contact{Name: g("contact" + n + "Name"), Email: g("contact" + n + "Email"), Role: g("contact" + n + "Role"), Phone: g("contact" + n + "Phone")}
	}
	f.PartnerType, f.PartnerID = g("partnerType"), g("partnerId")
	f.Enquiry = g("enquiry")
	f.Cadence, f.TimeZone, f.FinalReportDays = g("cadence"), g("timeZone"), g("finalReportDays")
	return f
}

// input is the form as the use case takes it. What the form itself cannot
// read (an amount or a number that is not one) is reported against its
// field; everything else is the domain's to judge, with the same rules as
// the JSON API.
func (f agreementForm) input(programme string) (grants.NewAgreementInput, []grants.FieldError) {
	var errs []grants.FieldError
	in := grants.NewAgreementInput{
		Programme: programme,
		Partner:   grants.Partner{Name: f.Partner, RegistrationNumber: f.Registration, Address: f.Address, Type: grants.PartnerType(f.PartnerType)},
		PartnerID: f.PartnerID,
		StartDate: f.StartDate,
		Currency:  &f.Currency,
		Terms:     lines(f.Terms),
		Support:   lines(f.Support),
	}
	if f.OwnerName != "" || f.OwnerEmail != "" {
		in.Owner = &grants.Officer{Name: f.OwnerName, Email: f.OwnerEmail}
	}
	if f.PartnerID != "" {
		in.Partner = grants.Partner{} // the record's details stand for the partner's
	}
	for _, c := range f.Contacts {
		if c != (grants.Contact{}) {
			in.Contacts = append(in.Contacts, c)
		}
	}
	amount, err := money.ParseMajor(f.Amount, f.Currency)
	switch {
	case errors.Is(err, money.ErrUnknownCurrency):
		errs = append(errs, grants.FieldError{Field: "currency", Reason: "must be an ISO 4217 currency code such as GBP"})
	case err != nil:
		errs = append(errs, grants.FieldError{Field: "amount", Reason: "must be an amount such as 10000 or 10,000.00"})
	}
	in.Amount = amount
	for _, n := range []struct {
		field, text string
		to          **int
	}{{"durationMonths", f.DurationMonths, &in.DurationMonths}, {"instalmentCount", f.Instalments, &in.InstalmentCount}, {"checkInLeadDays", f.CheckInLead, &in.CheckInLeadDays}} {
		v, err := strconv.Atoi(n.text)
		if err != nil {
			errs = append(errs, grants.FieldError{Field: n.field, Reason: "must be a whole number"})
			continue
		}
		*n.to = &v
	}
	if f.Cadence != "" {
		c := grants.Cadence(f.Cadence)
		in.Cadence = &c
	}
	if f.TimeZone != "" {
		in.TimeZone = &f.TimeZone
	}
	if f.FinalReportDays != "" {
		if v, err := strconv.Atoi(f.FinalReportDays); err != nil {
			errs = append(errs, grants.FieldError{Field: "finalReportDays", Reason: "must be a whole number of days (blank: the programme's)"})
		} else {
			in.FinalReportDays = &v
		}
	}
	if f.CheckIns != "" {
		if v, err := strconv.Atoi(f.CheckIns); err != nil {
			errs = append(errs, grants.FieldError{Field: "checkInCount", Reason: "must be a whole number (blank: one per instalment)"})
		} else {
			in.CheckInCount = &v
		}
	}
	return in, errs
}

// newKey is a fresh Idempotency-Key for a form.
func newKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// fieldLabel is a field's name as the pages call it.
func fieldLabel(field string) string {
	if l, ok := fieldLabels[field]; ok {
		return l
	}
	return humanField(field) // problems.go
}

var fieldLabels = map[string]string{
	"partner.name": "Partner name", "partner.registrationNumber": "Registration number", "partner.address": "Address",
	"amount": "Award", "currency": "Currency", "startDate": "Start date", "durationMonths": "Length in months",
	"instalmentCount": "Instalments", "checkInLeadDays": "Check-in lead days", "terms": "Co-designed terms",
	"support": "Support", "contacts": "Contacts", "paidOn": "Paid on", "paymentReference": "Payment reference",
	"owner.name": "Officer's name", "owner.email": "Officer's email",
	"checkInCount": "Check-ins", "cadence": "How often instalments are paid", "timeZone": "Time zone",
	"finalReportDays": "Days after the end for the final report", "paymentPolicy": "Payment policy",
	"partner.type": "Kind of partner", "partnerId": "Existing partner",
}

// mergeProblems is the form's own problems, then the domain's about the
// fields the form could read (one problem a field: the form's says why).
func mergeProblems(form, domain []grants.FieldError) []grants.FieldError {
	seen := map[string]bool{}
	for _, fe := range form {
		seen[fe.Field] = true
	}
	out := append([]grants.FieldError(nil), form...)
	for _, fe := range domain {
		if !seen[fe.Field] {
			out = append(out, fe)
		}
	}
	return out
}

// createAnchor is the create form's input for a field the domain names.
func createAnchor(field string) string {
	if m := indexedField.FindStringSubmatch(field); m != nil && m[1] == "contacts" {
		part := m[3]
		if part == "" {
			part = "name"
		}
		return "contact" + m[2] + strings.ToUpper(part[:1]) + part[1:]
	}
	return map[string]string{
		"partner.name": "partner", "partner.registrationNumber": "registration", "partner.address": "address", "partner.type": "partnerType",
		"partnerId": "partnerId", "amount": "amount", "currency": "currency", "startDate": "startDate", "durationMonths": "durationMonths",
		"instalmentCount": "instalments", "checkInLeadDays": "checkInLead", "checkInCount": "checkIns", "terms": "terms", "support": "support",
		"owner.name": "ownerName", "owner.email": "ownerEmail", "cadence": "cadence", "timeZone": "timeZone", "finalReportDays": "finalReportDays",
		"contacts": "contact0Name",
	}[field]
}
