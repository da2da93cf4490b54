package grants

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)

func validInput() NewAgreementInput {
	return NewAgreementInput{
		Programme: "community-2026",
		Partner:   Partner{Name: "Levenshulme Community Kitchen", RegistrationNumber: "1180123", Address: "1 Stockport Road, Manchester M19 3AB"},
		Contacts:  []Contact{{Name: "Amina Khan", Email: "amina@levykitchen.org.uk", Role: "lead"}},
		Amount:    1000000,
		StartDate: "2026-01-31",
		Terms:     []string{"Co-host four community meals at the venue"},
		Support:   []string{"Evaluation mentoring"},
	}
}

func TestNewAgreementFromTheIssue(t *testing.T) {
	a, err := NewAgreement(validInput(), now, "officer@example.org")
	if err != nil {
		t.Fatal(err)
	}
	wantDue := []string{"2026-01-31", "2026-04-30", "2026-07-31", "2026-10-31"}
	if len(a.Instalments) != 4 {
		t.Fatalf("got %d instalments", len(a.Instalments))
	}
	for i, in := range a.Instalments {
		if in.Amount != 250000 || in.DueDate.String() != wantDue[i] || in.Status != InstalmentScheduled || in.Number != i+1 {
			t.Errorf("instalment %d = %+v, want 250000 due %s", i+1, in, wantDue[i])
		}
	}
	// The final report is due 30 days after the end date (2027-01-30), not on it.
	wantCheckIns := []string{"2026-04-16", "2026-07-17", "2026-10-17", "2027-03-01"}
	for i, c := range a.CheckIns {
		if c.DueDate.String() != wantCheckIns[i] || c.Status != CheckInScheduled {
			t.Errorf("check-in %d = %+v, want due %s", i+1, c, wantCheckIns[i])
		}
	}
	if !a.CheckIns[3].Final || a.EndDate.String() != "2027-01-30" {
		t.Errorf("end date %s, final %v", a.EndDate, a.CheckIns[3].Final)
	}
	if a.Currency != "GBP" || a.Cadence != CadenceQuarterly || a.TimeZone != "Europe/London" || a.Status != AgreementDraft {
		t.Errorf("defaults not applied: %+v", a)
	}
}

func TestAddMonthsClampsToMonthEnd(t *testing.T) {
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-01-31", 1, "2026-02-28"},
		{"2028-01-31", 1, "2028-02-29"},
		{"2026-01-31", 3, "2026-04-30"},
		{"2026-08-31", 6, "2027-02-28"},
		{"2026-12-15", 1, "2027-01-15"},
		{"2026-03-31", -1, "2026-02-28"},
	}
	for _, tt := range tests {
		d, _ := ParseDate(tt.from)
		if got := d.AddMonths(tt.n).String(); got != tt.want {
			t.Errorf("%s + %d months = %s, want %s", tt.from, tt.n, got, tt.want)
		}
	}
}

// Property: for any award, count and start date, amounts sum to the award and
// both plans' dates strictly increase.
func TestPlansHoldForRandomInputs(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	cadences := []Cadence{CadenceMonthly, CadenceQuarterly, CadenceHalfYearly, CadenceAnnual}
	for range 5000 {
		c := cadences[r.IntN(len(cadences))]
		count := r.IntN(12) + 1
		in := validInput()
		in.Amount = r.Int64N(MaxAward-int64(count)) + int64(count)
		in.Cadence = &c
		in.InstalmentCount = new(count)
		in.DurationMonths = new(count*c.Months() + r.IntN(3))
		if *in.DurationMonths > 60 {
			continue
		}
		start := Date{2022 + r.IntN(8), time.Month(r.IntN(12) + 1), r.IntN(31) + 1}
		in.StartDate = start.AddMonths(0).String()
		a, err := NewAgreement(in, now, "x")
		if err != nil {
			t.Fatalf("%+v: %v", in, err)
		}
		var sum int64
		for i, p := range a.Instalments {
			sum += p.Amount
			if i > 0 && !a.Instalments[i-1].DueDate.Before(p.DueDate) {
				t.Fatalf("instalment dates not increasing: %v", a.Instalments)
			}
		}
		if sum != in.Amount {
			t.Fatalf("instalments sum to %d, award %d", sum, in.Amount)
		}
		for i, ci := range a.CheckIns {
			if i > 0 && !a.CheckIns[i-1].DueDate.Before(ci.DueDate) {
				t.Fatalf("check-in dates not increasing: %v", a.CheckIns)
			}
			if ci.DueDate.Before(a.StartDate) || ci.DueDate.After(a.EndDate.AddDays(a.FinalReportDays)) {
				t.Fatalf("check-in %d due %s outside %s..%s", ci.Number, ci.DueDate, a.StartDate, a.EndDate)
			}
		}
	}
}

func TestNewAgreementRejectsBadInput(t *testing.T) {
	tests := map[string]struct {
		mutate func(*NewAgreementInput)
		field  string
	}{
		"zero award":       {func(in *NewAgreementInput) { in.Amount = 0 }, "amount"},
		"negative award":   {func(in *NewAgreementInput) { in.Amount = -5 }, "amount"},
		"unknown currency": {func(in *NewAgreementInput) { in.Currency = new("XYZ") }, "currency"},
		"bad date":         {func(in *NewAgreementInput) { in.StartDate = "31/01/2026" }, "startDate"},
		"impossible date":  {func(in *NewAgreementInput) { in.StartDate = "2026-02-30" }, "startDate"},
		"no contacts":      {func(in *NewAgreementInput) { in.Contacts = nil }, "contacts"},
		"bad email":        {func(in *NewAgreementInput) { in.Contacts[0].Email = "Amina <amina@x.org>" }, "contacts[0].email"},
		"no partner name":  {func(in *NewAgreementInput) { in.Partner.Name = " " }, "partner.name"},
		"bad reg number":   {func(in *NewAgreementInput) { in.Partner.RegistrationNumber = "n/a" }, "partner.registrationNumber"},
		"no programme":     {func(in *NewAgreementInput) { in.Programme = "" }, "programme"},
		"uneven cadence":   {func(in *NewAgreementInput) { in.InstalmentCount = new(5) }, "cadence"},
		"too many":         {func(in *NewAgreementInput) { in.Cadence = new(CadenceQuarterly); in.InstalmentCount = new(5) }, "instalmentCount"},
		"bad time zone":    {func(in *NewAgreementInput) { in.TimeZone = new("Mars/Olympus") }, "timeZone"},

		// Issue 11: every accepted value must read back, every sum must be exact.
		"start past year 9999":    {func(in *NewAgreementInput) { in.StartDate = "9999-12-01" }, "startDate"},
		"start beyond the window": {func(in *NewAgreementInput) { in.StartDate = "2031-01-11" }, "startDate"},
		"start long ago":          {func(in *NewAgreementInput) { in.StartDate = "1900-01-01" }, "startDate"},
		"award near 2^63":         {func(in *NewAgreementInput) { in.Amount = 1<<63 - 1 }, "amount"},
		"award over the maximum":  {func(in *NewAgreementInput) { in.Amount = MaxAward + 1 }, "amount"},
		"zero-pence instalments":  {func(in *NewAgreementInput) { in.Amount = 3 }, "amount"},
		"explicit zero count":     {func(in *NewAgreementInput) { in.InstalmentCount = new(0) }, "instalmentCount"},
		"explicit zero duration":  {func(in *NewAgreementInput) { in.DurationMonths = new(0) }, "durationMonths"},
		"more instalments than a transaction holds": {func(in *NewAgreementInput) {
			in.InstalmentCount, in.DurationMonths, in.Cadence = new(49), new(60), new(CadenceMonthly)
		}, "instalmentCount"},
		"the server's own zone":   {func(in *NewAgreementInput) { in.TimeZone = new("Local") }, "timeZone"},
		"explicit empty zone":     {func(in *NewAgreementInput) { in.TimeZone = new("") }, "timeZone"},
		"explicit empty currency": {func(in *NewAgreementInput) { in.Currency = new("") }, "currency"},
		"explicit empty cadence":  {func(in *NewAgreementInput) { in.Cadence = new(Cadence("")) }, "cadence"},
		"a term too long":         {func(in *NewAgreementInput) { in.Terms = []string{"ok", strings.Repeat("é", MaxItemLength+1)} }, "terms[1]"},
		"too many terms":          {func(in *NewAgreementInput) { in.Terms = make([]string, MaxListItems+1); fill(in.Terms) }, "terms"},
		"too much support":        {func(in *NewAgreementInput) { in.Support = make([]string, MaxListItems+1); fill(in.Support) }, "support"},
		"partner name too long":   {func(in *NewAgreementInput) { in.Partner.Name = strings.Repeat("ł", MaxPartnerName+1) }, "partner.name"},
		"address too long":        {func(in *NewAgreementInput) { in.Partner.Address = strings.Repeat("a", MaxAddress+1) }, "partner.address"},
		"control characters":      {func(in *NewAgreementInput) { in.Partner.Name = "Hope\x00House" }, "partner.name"},
		"contact name too long":   {func(in *NewAgreementInput) { in.Contacts[0].Name = strings.Repeat("n", MaxContactName+1) }, "contacts[0].name"},
		"contact role too long":   {func(in *NewAgreementInput) { in.Contacts[0].Role = strings.Repeat("r", MaxContactRole+1) }, "contacts[0].role"},
		"too many contacts": {func(in *NewAgreementInput) {
			for i := range MaxContacts {
				in.Contacts = append(in.Contacts, Contact{Name: "C", Email: fmt.Sprintf("c%d@example.org", i)})
			}
		}, "contacts"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			in := validInput()
			tt.mutate(&in)
			_, err := NewAgreement(in, now, "x")
			var e *Error
			if !errors.As(err, &e) || e.Code != Invalid {
				t.Fatalf("err = %v, want Invalid", err)
			}
			for _, f := range e.Fields {
				if f.Field == tt.field {
					return
				}
			}
			t.Fatalf("fields %v do not name %s", e.Fields, tt.field)
		})
	}
}

// largestInput is an agreement at every limit.
func largestInput() NewAgreementInput {
	in := validInput()
	in.Amount = MaxAward
	in.InstalmentCount, in.DurationMonths, in.Cadence = new(MaxInstalments), new(MaxDurationMonths), new(CadenceMonthly)
	in.Terms, in.Support = make([]string, MaxListItems), make([]string, MaxListItems)
	for i := range in.Terms {
		in.Terms[i], in.Support[i] = "<"+strings.Repeat("\u2028", MaxItemLength-2)+">", strings.Repeat("😀", MaxItemLength)
	}
	in.Contacts = nil
	for i := range MaxContacts {
		in.Contacts = append(in.Contacts, Contact{Name: strings.Repeat("Ł", MaxContactName), Email: fmt.Sprintf("c%d@example.org", i), Role: strings.Repeat("r", MaxContactRole)})
	}
	in.StartDate = "2030-12-31"
	return in
}

func fill(list []string) {
	for i := range list {
		list[i] = fmt.Sprintf("item %d", i)
	}
}

// An explicit value is validated and kept, never replaced by the default.
func TestNewAgreementKeepsExplicitValues(t *testing.T) {
	in := validInput()
	in.CheckInLeadDays = new(0)
	in.Amount = 4 // one penny each: the smallest award of four instalments
	in.TimeZone = new("UTC")
	a, err := NewAgreement(in, now, "x")
	if err != nil {
		t.Fatal(err)
	}
	if a.CheckInLeadDays != 0 || a.TimeZone != "UTC" || a.Instalments[3].Amount != 1 {
		t.Errorf("lead days %d, zone %s, last instalment %d", a.CheckInLeadDays, a.TimeZone, a.Instalments[3].Amount)
	}
	if a.CheckIns[0].DueDate.String() != "2026-04-30" {
		t.Errorf("with no lead days check-in 1 is due with instalment 2, not %s", a.CheckIns[0].DueDate)
	}
}

// The largest agreement the limits allow is valid: the limits refuse only
// what is over them.
func TestNewAgreementAtEveryLimit(t *testing.T) {
	a, err := NewAgreement(largestInput(), now, "x")
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Instalments) != MaxInstalments || len(a.Terms) != MaxListItems || len(a.Contacts) != MaxContacts {
		t.Errorf("%d instalments, %d terms, %d contacts", len(a.Instalments), len(a.Terms), len(a.Contacts))
	}
}

func TestTerminateRefusedWhileAPaymentAwaitsApproval(t *testing.T) {
	a, _ := NewAgreement(validInput(), now, "x")
	if _, err := a.Activate(now, "x"); err != nil {
		t.Fatal(err)
	}
	a.Instalments[0].Status = InstalmentDue
	if _, _, err := a.RequestPayment(1, PaymentRequest{PaymentReference: "BACS-1", PaidOn: "2026-01-10"}, "p1", true, now, Actor{ID: "fin1", Name: "fin1"}); err != nil {
		t.Fatal(err)
	}
	_, err := a.Terminate("Partner closed", now, "x")
	var e *Error
	if !errors.As(err, &e) || e.Reason != "payment_pending" || a.Status != AgreementActive {
		t.Fatalf("terminate with a payment pending: %v (status %s)", err, a.Status)
	}
	if _, err := a.ApprovePayment(1, "p1", true, now, Actor{ID: "fin2", Name: "fin2"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Terminate("Partner closed", now, "x"); err != nil {
		t.Fatalf("terminate once approved: %v", err)
	}
}

func TestRequestPaymentBoundsItsInput(t *testing.T) {
	for name, tt := range map[string]struct {
		req   PaymentRequest
		field string
	}{
		"paid on long ago":       {PaymentRequest{PaymentReference: "R", PaidOn: "1999-01-01"}, "paidOn"},
		"paid on past year 9999": {PaymentRequest{PaymentReference: "R", PaidOn: "99999-01-01"}, "paidOn"},
		"paid in the future":     {PaymentRequest{PaymentReference: "R", PaidOn: "2026-01-11"}, "paidOn"},
		"reference too long":     {PaymentRequest{PaymentReference: strings.Repeat("R", MaxPaymentReference+1), PaidOn: "2026-01-10"}, "paymentReference"},
		"override too long":      {PaymentRequest{PaymentReference: "R", PaidOn: "2026-01-10", OverrideReason: strings.Repeat("o", MaxReason+1)}, "override.reason"},
	} {
		a, _ := NewAgreement(validInput(), now, "x")
		_, _ = a.Activate(now, "x")
		a.Instalments[0].Status = InstalmentDue
		_, _, err := a.RequestPayment(1, tt.req, "p1", true, now, Actor{ID: "fin1", Name: "fin1"})
		var e *Error
		if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != tt.field {
			t.Errorf("%s: %v, want a field error on %s", name, err, tt.field)
		}
	}
}

func TestReasonsAreBounded(t *testing.T) {
	long := strings.Repeat("w", MaxReason+1)
	a, _ := NewAgreement(validInput(), now, "x")
	_, _ = a.Activate(now, "x")
	if _, err := a.Hold(1, long, now, "x"); ErrorCode(err) != Invalid {
		t.Errorf("hold: %v", err)
	}
	if _, err := a.WaiveCheckIn(1, long, now, "x"); ErrorCode(err) != Invalid {
		t.Errorf("waive: %v", err)
	}
	if _, err := a.Terminate(long, now, "x"); ErrorCode(err) != Invalid {
		t.Errorf("terminate: %v", err)
	}
}

func TestTransitionsRefuseIllegalMoves(t *testing.T) {
	a, _ := NewAgreement(validInput(), now, "x")
	if _, err := a.Terminate("", now, "x"); ErrorCode(err) != Invalid {
		t.Errorf("terminate without reason: %v", err)
	}
	if _, err := a.Activate(now, "x"); err != nil {
		t.Fatal(err)
	}
	_, err := a.Activate(now, "x")
	var te *TransitionError
	if !errors.As(err, &te) || te.From != "active" || ErrorCode(err) != Conflict {
		t.Fatalf("second activate: %v", err)
	}
	a.Instalments[0].Status = InstalmentPaid
	if _, err := a.Terminate("Partner closed", now, "x"); err != nil {
		t.Fatal(err)
	}
	if a.Instalments[0].Status != InstalmentPaid || a.Instalments[1].Status != InstalmentCancelled {
		t.Errorf("terminate must keep paid and cancel unpaid: %+v", a.Instalments)
	}
	if a.CheckIns[0].Status != CheckInWaived {
		t.Errorf("open check-ins must be waived: %+v", a.CheckIns[0])
	}
	if _, err := a.Amend(Amendment{Terms: &[]string{"x"}}, now, "x"); ErrorCode(err) != Conflict {
		t.Errorf("amending a terminated agreement: %v", err)
	}
	if err := InstalmentTransition(InstalmentPaid, InstalmentDue); err == nil {
		t.Error("paid → due allowed")
	}
	if err := CheckInTransition(CheckInReceived, CheckInSent); err == nil {
		t.Error("received → sent allowed")
	}
}

func TestAmendKeepsBounceOnlyForKeptAddresses(t *testing.T) {
	a, _ := NewAgreement(validInput(), now, "x")
	a.Contacts[0].Bounced = "hard bounce"
	contacts := []Contact{{Name: "Amina Khan", Email: "amina@levykitchen.org.uk"}, {Name: "Joe", Email: "joe@levykitchen.org.uk"}}
	if _, err := a.Amend(Amendment{Contacts: &contacts}, now, "y"); err != nil {
		t.Fatal(err)
	}
	if a.Contacts[0].Bounced == "" || a.Contacts[1].Bounced != "" || a.UpdatedBy != "y" {
		t.Errorf("contacts after amend: %+v", a.Contacts)
	}
}

func TestAmendMovesScheduledDates(t *testing.T) {
	a, _ := NewAgreement(validInput(), now, "x")
	a.Instalments[1].ScheduleCreated = true
	e, err := a.Amend(Amendment{InstalmentDates: []DateChange{{Number: 2, DueDate: "2026-05-15"}}, CheckInDates: []DateChange{{Number: 1, DueDate: "2026-04-30"}}}, now, "olu")
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Instalments[1]; got.DueDate.String() != "2026-05-15" || got.ScheduleCreated {
		t.Errorf("instalment 2: %+v (its schedule must be marked for replacement)", got)
	}
	if got := a.CheckIns[0].DueDate.String(); got != "2026-04-30" {
		t.Errorf("check-in 1 due %s", got)
	}
	if !strings.Contains(e.Detail, "instalment 2 due 2026-04-30 → 2026-05-15") || !strings.Contains(e.Detail, "check-in 1 due 2026-04-16 → 2026-04-30") {
		t.Errorf("audit detail %q", e.Detail)
	}

	for name, m := range map[string]Amendment{
		"out of order":       {InstalmentDates: []DateChange{{Number: 2, DueDate: "2026-08-01"}}},
		"after the end":      {CheckInDates: []DateChange{{Number: 4, DueDate: "2027-03-02"}}},
		"before today":       {InstalmentDates: []DateChange{{Number: 1, DueDate: "2026-01-09"}}},
		"not a date":         {InstalmentDates: []DateChange{{Number: 3, DueDate: "31/07/2026"}}},
		"no such check-in":   {CheckInDates: []DateChange{{Number: 9, DueDate: "2026-06-01"}}},
		"check-ins crossed":  {CheckInDates: []DateChange{{Number: 2, DueDate: "2026-04-01"}}},
		"past year 9999":     {InstalmentDates: []DateChange{{Number: 3, DueDate: "10000-01-01"}}},
		"the same twice":     {InstalmentDates: []DateChange{{Number: 3, DueDate: "2026-08-01"}, {Number: 3, DueDate: "2026-08-02"}}},
		"too many terms":     {Terms: &[]string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20", "21"}},
		"a term too long":    {Support: &[]string{strings.Repeat("s", MaxItemLength+1)}},
		"a contact too long": {Contacts: &[]Contact{{Name: strings.Repeat("n", MaxContactName+1), Email: "a@b.org"}}},
	} {
		b, _ := NewAgreement(validInput(), now, "x")
		if _, err := b.Amend(m, now, "olu"); ErrorCode(err) != Invalid {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}

	a.Instalments[0].Status = InstalmentDue
	if _, err := a.Amend(Amendment{InstalmentDates: []DateChange{{Number: 1, DueDate: "2026-02-15"}}}, now, "olu"); ErrorCode(err) != Conflict {
		t.Errorf("moving a due instalment: %v, want conflict", err)
	}
}

func TestDateLong(t *testing.T) {
	if got := (Date{Year: 2026, Month: time.April, Day: 30}).Long(); got != "30 April 2026" {
		t.Errorf("Long = %q, want 30 April 2026", got)
	}
	if got := (Date{}).Long(); got != "" {
		t.Errorf("zero Long = %q, want empty", got)
	}
}
