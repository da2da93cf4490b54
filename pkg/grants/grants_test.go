package grants

import (
	"errors"
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
	wantCheckIns := []string{"2026-04-16", "2026-07-17", "2026-10-17", "2027-01-30"}
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
		in.Amount = r.Int64N(1<<40) + 1
		in.Cadence = c
		in.InstalmentCount = count
		in.DurationMonths = count*c.Months() + r.IntN(3)
		if in.DurationMonths > 60 {
			continue
		}
		start := Date{2020 + r.IntN(10), time.Month(r.IntN(12) + 1), r.IntN(31) + 1}
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
			if ci.DueDate.Before(a.StartDate) || ci.DueDate.After(a.EndDate) {
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
		"unknown currency": {func(in *NewAgreementInput) { in.Currency = "XYZ" }, "currency"},
		"bad date":         {func(in *NewAgreementInput) { in.StartDate = "31/01/2026" }, "startDate"},
		"impossible date":  {func(in *NewAgreementInput) { in.StartDate = "2026-02-30" }, "startDate"},
		"no contacts":      {func(in *NewAgreementInput) { in.Contacts = nil }, "contacts"},
		"bad email":        {func(in *NewAgreementInput) { in.Contacts[0].Email = "Amina <amina@x.org>" }, "contacts[0].email"},
		"no partner name":  {func(in *NewAgreementInput) { in.Partner.Name = " " }, "partner.name"},
		"bad reg number":   {func(in *NewAgreementInput) { in.Partner.RegistrationNumber = "n/a" }, "partner.registrationNumber"},
		"no programme":     {func(in *NewAgreementInput) { in.Programme = "" }, "programme"},
		"uneven cadence":   {func(in *NewAgreementInput) { in.InstalmentCount = 5 }, "cadence"},
		"too many":         {func(in *NewAgreementInput) { in.Cadence = CadenceQuarterly; in.InstalmentCount = 5 }, "instalmentCount"},
		"bad time zone":    {func(in *NewAgreementInput) { in.TimeZone = "Mars/Olympus" }, "timeZone"},
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
		"out of order":      {InstalmentDates: []DateChange{{Number: 2, DueDate: "2026-08-01"}}},
		"after the end":     {CheckInDates: []DateChange{{Number: 4, DueDate: "2027-02-01"}}},
		"before today":      {InstalmentDates: []DateChange{{Number: 1, DueDate: "2026-01-09"}}},
		"not a date":        {InstalmentDates: []DateChange{{Number: 3, DueDate: "31/07/2026"}}},
		"no such check-in":  {CheckInDates: []DateChange{{Number: 9, DueDate: "2026-06-01"}}},
		"check-ins crossed": {CheckInDates: []DateChange{{Number: 2, DueDate: "2026-04-01"}}},
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
