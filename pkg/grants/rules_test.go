package grants

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// The agreement these tests start from (validInput, created on 10 Jan 2026):
// instalments of £2,500 due 31 Jan, 30 Apr, 31 Jul and 31 Oct 2026;
// check-ins due 16 Apr, 17 Jul, 17 Oct 2026 and 30 Jan 2027 (the final report).

// activeAgreement is made under the check-in rule (afterCheckIn), which
// these tests are about; policy_test.go has the onSchedule ones.
func activeAgreement(t *testing.T) *Agreement {
	t.Helper()
	a, err := NewAgreement(afterCheckIn(validInput()), now, "officer")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Activate(now, "officer"); err != nil {
		t.Fatal(err)
	}
	return a
}

// reasonOf is the stable reason of err's *Error, or "".
func reasonOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

func actions(entries []AuditEntry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.Action)
	}
	return out
}

// step is a change applied to an agreement to set up a case, through the
// domain's own methods where one exists.
type step func(t *testing.T, a *Agreement)

func steps(s ...step) step {
	return func(t *testing.T, a *Agreement) {
		t.Helper()
		for _, f := range s {
			f(t, a)
		}
	}
}

func fallDue(n int) step {
	return func(t *testing.T, a *Agreement) {
		t.Helper()
		if _, changed, err := a.MakeInstalmentDue(n, now); err != nil || !changed {
			t.Fatalf("make instalment %d due: %v, %v", n, changed, err)
		}
	}
}

// person is a member of staff whose ID follows from their name, whatever
// its case: one subject shown as "FIN1@Example.org" or "fin1@example.org".
func person(name string) Actor { return Actor{ID: "issuer#sub-" + strings.ToLower(name), Name: name} }

func requested(n int, id, by string) step {
	return func(t *testing.T, a *Agreement) {
		t.Helper()
		if _, _, err := a.RequestPayment(n, PaymentRequest{PaymentReference: "BACS-" + id, PaidOn: "2026-01-10", OverrideReason: "agreed by phone"}, id, true, now, person(by)); err != nil {
			t.Fatalf("request payment of instalment %d: %v", n, err)
		}
	}
}

func approved(n int, id, by string) step {
	return func(t *testing.T, a *Agreement) {
		t.Helper()
		if _, err := a.ApprovePayment(n, id, true, now, person(by)); err != nil {
			t.Fatalf("approve payment of instalment %d: %v", n, err)
		}
	}
}

func checkIn(n int, s CheckInStatus) step {
	return func(t *testing.T, a *Agreement) { a.CheckIns[n-1].Status = s }
}

func instalment(n int, s InstalmentStatus) step {
	return func(t *testing.T, a *Agreement) { a.Instalments[n-1].Status = s }
}

func status(s AgreementStatus) step {
	return func(t *testing.T, a *Agreement) { a.Status = s }
}

func TestPaymentRules(t *testing.T) {
	req := PaymentRequest{PaymentReference: "BACS-2", PaidOn: "2026-01-10"}
	request := func(n int, twoPeople bool, actor string, r PaymentRequest) func(*Agreement) error {
		return func(a *Agreement) error {
			_, _, err := a.RequestPayment(n, r, "p2", twoPeople, now, person(actor))
			return err
		}
	}
	approve := func(n int, id string, twoPeople bool, actor string) func(*Agreement) error {
		return func(a *Agreement) error {
			_, err := a.ApprovePayment(n, id, twoPeople, now, person(actor))
			return err
		}
	}
	tests := map[string]struct {
		setup  step
		act    func(*Agreement) error
		code   Code
		reason string
	}{
		"request for a due instalment":            {fallDue(1), request(1, true, "fin1", req), "", ""},
		"request twice while one awaits approval": {steps(fallDue(1), requested(1, "p1", "fin1")), request(1, true, "fin2", req), Conflict, "payment_pending"},
		"request for a paid instalment":           {steps(fallDue(1), requested(1, "p1", "fin1"), approved(1, "p1", "fin2")), request(1, true, "fin1", req), Conflict, "instalment_not_due"},
		"request with no second person, twice":    {steps(fallDue(1), func(t *testing.T, a *Agreement) { _ = request(1, false, "fin1", req)(a) }), request(1, false, "fin1", req), Conflict, "instalment_not_due"},
		"request for a scheduled instalment":      {nil, request(1, true, "fin1", req), Conflict, "instalment_not_due"},
		"request for a held instalment":           {instalment(1, InstalmentHeld), request(1, true, "fin1", req), Conflict, "instalment_not_due"},
		"request for a cancelled instalment":      {instalment(1, InstalmentCancelled), request(1, true, "fin1", req), Conflict, "instalment_not_due"},
		"request for no such instalment":          {nil, request(5, true, "fin1", req), NotFound, ""},
		"request on a draft agreement":            {steps(fallDue(1), status(AgreementDraft)), request(1, true, "fin1", req), Conflict, "agreement_not_active"},
		"request on a terminated agreement":       {steps(fallDue(1), status(AgreementTerminated)), request(1, true, "fin1", req), Conflict, "agreement_not_active"},
		"request without a reference":             {fallDue(1), request(1, true, "fin1", PaymentRequest{PaymentReference: "  ", PaidOn: "2026-01-10"}), Invalid, "validation"},
		"request with no paid-on date":            {fallDue(1), request(1, true, "fin1", PaymentRequest{PaymentReference: "R"}), Invalid, "validation"},
		"request before the check-in is in":       {fallDue(2), request(2, true, "fin1", req), Conflict, "check_in_missing"},
		"request with the check-in overridden":    {fallDue(2), request(2, true, "fin1", PaymentRequest{PaymentReference: "R", PaidOn: "2026-01-10", OverrideReason: "report came by post"}), "", ""},
		"request once the check-in is received":   {steps(fallDue(2), checkIn(1, CheckInReceived)), request(2, true, "fin1", req), "", ""},
		"request once the check-in is waived":     {steps(fallDue(2), checkIn(1, CheckInWaived)), request(2, true, "fin1", req), "", ""},
		"request while the check-in is overdue":   {steps(fallDue(2), checkIn(1, CheckInOverdue)), request(2, true, "fin1", req), Conflict, "check_in_missing"},

		"approve by another person":             {steps(fallDue(1), requested(1, "p1", "fin1")), approve(1, "p1", true, "fin2"), "", ""},
		"approve one's own request":             {steps(fallDue(1), requested(1, "p1", "fin1")), approve(1, "p1", true, "fin1"), Forbidden, "same_approver"},
		"approve one's own request, other case": {steps(fallDue(1), requested(1, "p1", "fin1@example.org")), approve(1, "p1", true, "FIN1@Example.org"), Forbidden, "same_approver"},
		"approve one's own without the rule":    {steps(fallDue(1), requested(1, "p1", "fin1")), approve(1, "p1", false, "fin1"), "", ""},
		"approve twice":                         {steps(fallDue(1), requested(1, "p1", "fin1"), approved(1, "p1", "fin2")), approve(1, "p1", true, "fin3"), Conflict, "payment_already_approved"},
		"approve twice, by the same approver":   {steps(fallDue(1), requested(1, "p1", "fin1"), approved(1, "p1", "fin2")), approve(1, "p1", true, "fin2"), Conflict, "payment_already_approved"},
		"approve a payment that does not exist": {steps(fallDue(1), requested(1, "p1", "fin1")), approve(1, "p9", true, "fin2"), NotFound, ""},
		"approve with no payment requested":     {fallDue(1), approve(1, "p1", true, "fin2"), NotFound, ""},
		"approve for no such instalment":        {nil, approve(9, "p1", true, "fin2"), NotFound, ""},
		"approve once the agreement has ended":  {steps(fallDue(1), requested(1, "p1", "fin1"), status(AgreementCompleted)), approve(1, "p1", true, "fin2"), Conflict, "agreement_not_active"},
		"approve an instalment no longer due":   {steps(fallDue(1), requested(1, "p1", "fin1"), instalment(1, InstalmentCancelled)), approve(1, "p1", true, "fin2"), Conflict, "illegal_transition"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			a := activeAgreement(t)
			if tt.setup != nil {
				tt.setup(t, a)
			}
			before := *a.Instalment(1)
			err := tt.act(a)
			if got := ErrorCode(err); got != tt.code {
				t.Fatalf("err = %v, want code %q", err, tt.code)
			}
			if got := reasonOf(err); tt.reason != "" && got != tt.reason {
				t.Fatalf("reason = %q (%v), want %q", got, err, tt.reason)
			}
			if err != nil && tt.reason != "validation" && *a.Instalment(1) != before {
				t.Errorf("a refused payment changed instalment 1: %+v → %+v", before, *a.Instalment(1))
			}
		})
	}
}

func TestTwoPersonPayment(t *testing.T) {
	a := activeAgreement(t)
	fallDue(1)(t, a)
	p, entries, err := a.RequestPayment(1, PaymentRequest{PaymentReference: " BACS-77 ", PaidOn: "2026-01-09"}, "p1", true, now, Actor{ID: "fin1", Name: "fin1"})
	if err != nil {
		t.Fatal(err)
	}
	in := a.Instalment(1)
	if in.Status != InstalmentDue || in.Payment != p || p.Status != PaymentRequested || p.PaymentReference != "BACS-77" ||
		p.PaidOn.String() != "2026-01-09" || p.Amount != 250000 || p.Currency != "GBP" || p.RequestedBy != "fin1" || p.ApprovedBy != "" {
		t.Fatalf("after request: instalment %+v, payment %+v", in, p)
	}
	if got := actions(entries); !slices.Equal(got, []string{"payment.requested"}) {
		t.Errorf("request audit %v", got)
	}
	later := now.Add(time.Hour)
	entries, err = a.ApprovePayment(1, "p1", true, later, Actor{ID: "fin2", Name: "fin2"})
	if err != nil {
		t.Fatal(err)
	}
	if in.Status != InstalmentPaid || in.PaidBy != "fin2" || in.PaymentReference != "BACS-77" || in.PaidOn.String() != "2026-01-09" ||
		p.Status != PaymentApproved || p.ApprovedBy != "fin2" || !p.ApprovedAt.Equal(later) || a.UpdatedBy != "fin2" {
		t.Fatalf("after approval: instalment %+v, payment %+v", in, p)
	}
	if got := actions(entries); !slices.Equal(got, []string{"payment.approved"}) || !strings.Contains(entries[0].Detail, "requested by fin1") {
		t.Errorf("approval audit %+v", entries)
	}
	if a.Status != AgreementActive {
		t.Errorf("one instalment paid of four completed the agreement")
	}
	if s := a.ComputeStats(); s.Paid != 250000 || s.InstalmentsPaid != 1 || s.Outstanding != 750000 {
		t.Errorf("stats after one payment: %+v", s)
	}
}

func TestOnePersonPaymentPaysAtOnceAndRecordsTheOverride(t *testing.T) {
	a := activeAgreement(t)
	fallDue(2)(t, a)
	if !a.Instalment(2).AwaitingCheckIn {
		t.Fatal("instalment 2 fell due before check-in 1 and is not flagged")
	}
	p, entries, err := a.RequestPayment(2, PaymentRequest{PaymentReference: "R", PaidOn: "2026-01-10", OverrideReason: " report by post "}, "p1", false, now, Actor{ID: "fin1", Name: "fin1"})
	if err != nil {
		t.Fatal(err)
	}
	in := a.Instalment(2)
	if in.Status != InstalmentPaid || p.Status != PaymentApproved || p.ApprovedBy != "fin1" || p.OverrideReason != "report by post" || in.AwaitingCheckIn {
		t.Fatalf("instalment %+v, payment %+v", in, p)
	}
	want := []string{"payment.requested", "payment.check_in_overridden", "payment.approved"}
	if got := actions(entries); !slices.Equal(got, want) || entries[1].Detail != "report by post" {
		t.Errorf("audit %+v, want %v", entries, want)
	}
}

func TestPayingTheLastInstalmentCompletesTheAgreement(t *testing.T) {
	in := validInput()
	in.InstalmentCount = new(1)
	for name, tt := range map[string]struct {
		finalReport CheckInStatus
		want        AgreementStatus
		wantAudit   []string
	}{
		"final report received": {CheckInReceived, AgreementCompleted, []string{"payment.approved", "agreement.completed"}},
		"final report waived":   {CheckInWaived, AgreementCompleted, []string{"payment.approved", "agreement.completed"}},
		"final report awaited":  {CheckInSent, AgreementActive, []string{"payment.approved"}},
	} {
		t.Run(name, func(t *testing.T) {
			a, err := NewAgreement(in, now, "x")
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Instalments) != 1 || a.Cadence != CadenceAnnual {
				t.Fatalf("plan %+v, cadence %s", a.Instalments, a.Cadence)
			}
			_, _ = a.Activate(now, "x")
			steps(fallDue(1), checkIn(1, tt.finalReport), requested(1, "p1", "fin1"))(t, a)
			entries, err := a.ApprovePayment(1, "p1", true, now, Actor{ID: "fin2", Name: "fin2"})
			if err != nil {
				t.Fatal(err)
			}
			if a.Status != tt.want || !slices.Equal(actions(entries), tt.wantAudit) {
				t.Errorf("status %s, audit %v; want %s, %v", a.Status, actions(entries), tt.want, tt.wantAudit)
			}
		})
	}
}

func TestCompleteIfDone(t *testing.T) {
	allPaid := func(t *testing.T, a *Agreement) {
		for i := range a.Instalments {
			a.Instalments[i].Status = InstalmentPaid
		}
	}
	for name, tt := range map[string]struct {
		setup step
		want  bool
	}{
		"paid and reported":            {steps(allPaid, checkIn(4, CheckInReceived)), true},
		"paid, last one cancelled":     {steps(allPaid, instalment(4, InstalmentCancelled), checkIn(4, CheckInWaived)), true},
		"paid, report outstanding":     {steps(allPaid, checkIn(4, CheckInOverdue)), false},
		"reported, one instalment due": {steps(allPaid, instalment(3, InstalmentDue), checkIn(4, CheckInReceived)), false},
		"reported, one held":           {steps(allPaid, instalment(2, InstalmentHeld), checkIn(4, CheckInReceived)), false},
		"a draft is never completed":   {steps(allPaid, checkIn(4, CheckInReceived), status(AgreementDraft)), false},
		"no check-ins":                 {steps(allPaid, func(t *testing.T, a *Agreement) { a.CheckIns = nil }), false},
	} {
		t.Run(name, func(t *testing.T) {
			a := activeAgreement(t)
			tt.setup(t, a)
			was := a.Status
			e, ok := a.CompleteIfDone(now)
			if ok != tt.want {
				t.Fatalf("completed = %v, want %v", ok, tt.want)
			}
			if ok && (a.Status != AgreementCompleted || e.Action != "agreement.completed" || e.Actor != System) {
				t.Errorf("status %s, entry %+v", a.Status, e)
			}
			if !ok && a.Status != was {
				t.Errorf("status changed to %s without completing", a.Status)
			}
		})
	}
}

func TestHoldAndRelease(t *testing.T) {
	// 29 April 23:30 UTC is already 30 April in London, when instalment 2 is due.
	dueDay := time.Date(2026, 4, 29, 23, 30, 0, 0, time.UTC)
	hold := func(n int, reason string) func(*Agreement) (AuditEntry, error) {
		return func(a *Agreement) (AuditEntry, error) { return a.Hold(n, reason, now, "olu") }
	}
	release := func(n int, at time.Time) func(*Agreement) (AuditEntry, error) {
		return func(a *Agreement) (AuditEntry, error) { return a.Release(n, "partner caught up", at, "olu") }
	}
	held := func(n int) step {
		return func(t *testing.T, a *Agreement) {
			t.Helper()
			if _, err := a.Hold(n, "awaiting receipts", now, "olu"); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := map[string]struct {
		setup          step
		act            func(*Agreement) (AuditEntry, error)
		n              int
		want           InstalmentStatus
		awaiting       bool
		code           Code
		reason, action string
	}{
		"hold a scheduled instalment":            {nil, hold(2, " awaiting receipts "), 2, InstalmentHeld, false, "", "", "instalment.held"},
		"hold a due instalment":                  {fallDue(1), hold(1, "awaiting receipts"), 1, InstalmentHeld, false, "", "", "instalment.held"},
		"hold a paid instalment":                 {steps(fallDue(1), requested(1, "p1", "f1"), approved(1, "p1", "f2")), hold(1, "late"), 1, InstalmentPaid, false, Conflict, "illegal_transition", ""},
		"hold a held instalment":                 {held(2), hold(2, "again"), 2, InstalmentHeld, false, Conflict, "illegal_transition", ""},
		"hold a cancelled instalment":            {instalment(2, InstalmentCancelled), hold(2, "x"), 2, InstalmentCancelled, false, Conflict, "illegal_transition", ""},
		"hold while a payment awaits approval":   {steps(fallDue(1), requested(1, "p1", "f1")), hold(1, "stop"), 1, InstalmentDue, false, Conflict, "payment_pending", ""},
		"hold without a reason":                  {nil, hold(2, "  "), 2, InstalmentScheduled, false, Invalid, "validation", ""},
		"hold no such instalment":                {nil, hold(7, "x"), 2, InstalmentScheduled, false, NotFound, "", ""},
		"release before the due date":            {held(2), release(2, now), 2, InstalmentScheduled, false, "", "", "instalment.released"},
		"release on the due date, check-in out":  {held(2), release(2, dueDay), 2, InstalmentDue, true, "", "", "instalment.released"},
		"release on the due date, check-in in":   {steps(held(2), checkIn(1, CheckInReceived)), release(2, dueDay), 2, InstalmentDue, false, "", "", "instalment.released"},
		"release the first instalment once due":  {held(1), release(1, dueDay), 1, InstalmentDue, false, "", "", "instalment.released"},
		"release the day before, in London":      {held(2), release(2, dueDay.Add(-time.Hour)), 2, InstalmentScheduled, false, "", "", "instalment.released"},
		"release an instalment that is not held": {fallDue(1), release(1, dueDay), 1, InstalmentDue, false, Conflict, "illegal_transition", ""},
		"release a scheduled one":                {nil, release(2, now), 2, InstalmentScheduled, false, Conflict, "illegal_transition", ""},
		"release without a reason":               {held(2), func(a *Agreement) (AuditEntry, error) { return a.Release(2, "", now, "olu") }, 2, InstalmentHeld, false, Invalid, "validation", ""},
		"release no such instalment":             {nil, release(0, now), 2, InstalmentScheduled, false, NotFound, "", ""},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			a := activeAgreement(t)
			if tt.setup != nil {
				tt.setup(t, a)
			}
			e, err := tt.act(a)
			if ErrorCode(err) != tt.code || (tt.reason != "" && reasonOf(err) != tt.reason) {
				t.Fatalf("err = %v, want %q %q", err, tt.code, tt.reason)
			}
			in := a.Instalment(tt.n)
			if in.Status != tt.want || in.AwaitingCheckIn != tt.awaiting {
				t.Errorf("instalment %d %s (awaiting check-in %v), want %s (%v)", tt.n, in.Status, in.AwaitingCheckIn, tt.want, tt.awaiting)
			}
			if e.Action != tt.action {
				t.Errorf("audit action %q, want %q", e.Action, tt.action)
			}
			if tt.action == "instalment.held" && (in.HoldReason != "awaiting receipts" || e.Detail != in.HoldReason || a.UpdatedBy != "olu") {
				t.Errorf("hold reason %q, detail %q, updated by %q", in.HoldReason, e.Detail, a.UpdatedBy)
			}
			if tt.action == "instalment.released" && in.HoldReason != "" {
				t.Errorf("hold reason %q kept after release", in.HoldReason)
			}
		})
	}
}

func TestAmendRules(t *testing.T) {
	contacts := func(c ...Contact) *[]Contact { return &c }
	tests := map[string]struct {
		setup  step
		m      Amendment
		code   Code
		reason string
		detail string
	}{
		"terms and support":        {nil, Amendment{Terms: &[]string{" Host four meals ", ""}, Support: &[]string{}}, "", "", "changed terms, support"},
		"contacts":                 {nil, Amendment{Contacts: contacts(Contact{Name: "Jo", Email: "jo@kit.org"})}, "", "", "changed contacts"},
		"a draft":                  {status(AgreementDraft), Amendment{Terms: &[]string{"x"}}, "", "", "changed terms"},
		"nothing":                  {nil, Amendment{}, Invalid, "validation", ""},
		"a date to itself":         {nil, Amendment{InstalmentDates: []DateChange{{Number: 2, DueDate: "2026-04-30"}}}, Invalid, "validation", ""},
		"a completed one":          {status(AgreementCompleted), Amendment{Terms: &[]string{"x"}}, Conflict, "not_amendable", ""},
		"a terminated one":         {status(AgreementTerminated), Amendment{Terms: &[]string{"x"}}, Conflict, "not_amendable", ""},
		"no contacts":              {nil, Amendment{Contacts: contacts()}, Invalid, "validation", ""},
		"a bad address":            {nil, Amendment{Contacts: contacts(Contact{Name: "Jo", Email: "jo at kit"})}, Invalid, "validation", ""},
		"an address twice":         {nil, Amendment{Contacts: contacts(Contact{Name: "Jo", Email: "jo@kit.org"}, Contact{Name: "J", Email: "JO@kit.org"})}, Invalid, "validation", ""},
		"a sent check-in's date":   {checkIn(1, CheckInSent), Amendment{CheckInDates: []DateChange{{Number: 1, DueDate: "2026-04-20"}}}, Conflict, "date_not_movable", ""},
		"a held instalment's date": {instalment(3, InstalmentHeld), Amendment{InstalmentDates: []DateChange{{Number: 3, DueDate: "2026-08-01"}}}, Conflict, "date_not_movable", ""},
		"no such instalment":       {nil, Amendment{InstalmentDates: []DateChange{{Number: 0, DueDate: "2026-08-01"}}}, Invalid, "validation", ""},
		"before the start":         {nil, Amendment{InstalmentDates: []DateChange{{Number: 1, DueDate: "2026-01-20"}}}, Invalid, "validation", ""},
		"too many dates at once":   {nil, Amendment{CheckInDates: make([]DateChange, MaxInstalments+1)}, Invalid, "validation", ""},
		"the last check-in moved":  {nil, Amendment{CheckInDates: []DateChange{{Number: 4, DueDate: "2027-01-15"}}}, "", "", "changed check-in 4 due 2027-03-01 → 2027-01-15"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			a := activeAgreement(t)
			if tt.setup != nil {
				tt.setup(t, a)
			}
			e, err := a.Amend(tt.m, now.Add(time.Minute), "olu")
			if ErrorCode(err) != tt.code || (tt.reason != "" && reasonOf(err) != tt.reason) {
				t.Fatalf("err = %v, want %q %q", err, tt.code, tt.reason)
			}
			if err != nil {
				return
			}
			if e.Action != "agreement.amended" || e.Detail != tt.detail || e.Actor != "olu" || a.UpdatedBy != "olu" || !a.UpdatedAt.Equal(now.Add(time.Minute)) {
				t.Errorf("entry %+v, updated by %s at %s", e, a.UpdatedBy, a.UpdatedAt)
			}
		})
	}

	t.Run("terms are trimmed and blanks dropped", func(t *testing.T) {
		a := activeAgreement(t)
		if _, err := a.Amend(Amendment{Terms: &[]string{" Host four meals ", " "}}, now, "olu"); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a.Terms, []string{"Host four meals"}) || !slices.Equal(a.SupportNames(), []string{"Evaluation mentoring"}) {
			t.Errorf("terms %q, support %q", a.Terms, a.Support)
		}
	})
}

// A bounce is a fact about an address: it stays with the address, whatever
// the case it is written in, and does not follow a name to a new address.
func TestAmendKeepsBounceWithTheAddress(t *testing.T) {
	a := activeAgreement(t)
	a.Contacts = []Contact{{Name: "Amina", Email: "Amina@Kit.org", Bounced: "bounce"}, {Name: "Joe", Email: "joe@kit.org", Bounced: "complaint"}}
	next := []Contact{{Name: "Amina K", Email: "AMINA@kit.org", Role: "lead"}, {Name: "Joe", Email: "joe.b@kit.org"}, {Name: "Sam", Email: "sam@kit.org"}}
	if _, err := a.Amend(Amendment{Contacts: &next}, now, "olu"); err != nil {
		t.Fatal(err)
	}
	want := []Contact{{Name: "Amina K", Email: "AMINA@kit.org", Role: "lead", Bounced: "bounce"}, {Name: "Joe", Email: "joe.b@kit.org", Role: "primary"}, {Name: "Sam", Email: "sam@kit.org", Role: "primary"}}
	if !reflect.DeepEqual(a.Contacts, want) {
		t.Errorf("contacts %+v\nwant     %+v", a.Contacts, want)
	}
	if got := a.DeliverableContacts(); len(got) != 2 || got[0].Email != "joe.b@kit.org" {
		t.Errorf("deliverable after amend: %+v", got)
	}
}

func TestWaiveCheckIn(t *testing.T) {
	tests := map[string]struct {
		setup  step
		n      int
		reason string
		code   Code
		why    string
		audit  []string
	}{
		"a scheduled check-in": {nil, 1, "partner on leave", "", "", []string{"checkin.waived"}},
		"a sent check-in":      {checkIn(1, CheckInSent), 1, "partner on leave", "", "", []string{"checkin.waived"}},
		"an overdue check-in":  {checkIn(2, CheckInOverdue), 2, "partner on leave", "", "", []string{"checkin.waived"}},
		"a received check-in":  {checkIn(1, CheckInReceived), 1, "x", Conflict, "illegal_transition", nil},
		"a waived check-in":    {checkIn(1, CheckInWaived), 1, "x", Conflict, "illegal_transition", nil},
		"without a reason":     {nil, 1, " ", Invalid, "validation", nil},
		"no such check-in":     {nil, 5, "x", NotFound, "", nil},
		"on a draft agreement": {status(AgreementDraft), 1, "x", Conflict, "agreement_not_active", nil},
		"the last thing outstanding": {func(t *testing.T, a *Agreement) {
			for i := range a.Instalments {
				a.Instalments[i].Status = InstalmentPaid
			}
		}, 4, "final report by phone", "", "", []string{"checkin.waived", "agreement.completed"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			a := activeAgreement(t)
			if tt.setup != nil {
				tt.setup(t, a)
			}
			entries, err := a.WaiveCheckIn(tt.n, tt.reason, now, "olu")
			if ErrorCode(err) != tt.code || (tt.why != "" && reasonOf(err) != tt.why) {
				t.Fatalf("err = %v, want %q %q", err, tt.code, tt.why)
			}
			if !slices.Equal(actions(entries), tt.audit) {
				t.Errorf("audit %v, want %v", actions(entries), tt.audit)
			}
			if err == nil {
				c := a.CheckIn(tt.n)
				if c.Status != CheckInWaived || c.WaivedReason != tt.reason || !c.RemindOn.IsZero() {
					t.Errorf("check-in %+v", c)
				}
			}
		})
	}

	t.Run("frees the next instalment", func(t *testing.T) {
		a := activeAgreement(t)
		fallDue(2)(t, a)
		a.CheckIns[0].Status, a.CheckIns[0].RemindOn = CheckInSent, Date{2026, 4, 23}
		if _, err := a.WaiveCheckIn(1, "met in person", now, "olu"); err != nil {
			t.Fatal(err)
		}
		if a.Instalment(2).AwaitingCheckIn || !a.PreviousCheckInIn(2) {
			t.Errorf("instalment 2 still awaits check-in 1: %+v", a.Instalment(2))
		}
		if _, _, err := a.RequestPayment(2, PaymentRequest{PaymentReference: "R", PaidOn: "2026-01-10"}, "p", true, now, Actor{ID: "fin1", Name: "fin1"}); err != nil {
			t.Errorf("instalment 2 cannot be paid after the waiver: %v", err)
		}
	})
}

func TestReceiveReply(t *testing.T) {
	received := time.Date(2026, 4, 20, 8, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	reply := Reply{MessageID: "m1", From: "amina@levykitchen.org.uk", ReceivedAt: received, Attachments: []Attachment{{Name: "a.pdf"}}}
	allPaid := func(t *testing.T, a *Agreement) {
		for i := range a.Instalments {
			a.Instalments[i].Status = InstalmentPaid
		}
	}
	tests := map[string]struct {
		setup  step
		n      int
		code   Code
		audit  []string
		status CheckInStatus
	}{
		"first reply to a sent check-in":   {checkIn(1, CheckInSent), 1, "", []string{"reply.received", "checkin.received"}, CheckInReceived},
		"a reply before the check-in went": {nil, 1, "", []string{"reply.received", "checkin.received"}, CheckInReceived},
		"a reply to an overdue check-in":   {checkIn(1, CheckInOverdue), 1, "", []string{"reply.received", "checkin.received"}, CheckInReceived},
		"a further reply":                  {checkIn(1, CheckInReceived), 1, "", []string{"reply.received"}, CheckInReceived},
		"a reply to a waived check-in":     {checkIn(1, CheckInWaived), 1, "", []string{"reply.received"}, CheckInWaived},
		"the final report, all paid":       {steps(allPaid, checkIn(4, CheckInSent)), 4, "", []string{"reply.received", "checkin.received", "agreement.completed"}, CheckInReceived},
		"the final report, one still due":  {steps(allPaid, instalment(4, InstalmentDue), checkIn(4, CheckInSent)), 4, "", []string{"reply.received", "checkin.received"}, CheckInReceived},
		"no such check-in":                 {nil, 0, NotFound, nil, ""},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			a := activeAgreement(t)
			if tt.setup != nil {
				tt.setup(t, a)
			}
			entries, err := a.ReceiveReply(tt.n, reply, now, "system")
			if ErrorCode(err) != tt.code {
				t.Fatalf("err = %v, want %q", err, tt.code)
			}
			if !slices.Equal(actions(entries), tt.audit) {
				t.Errorf("audit %v, want %v", actions(entries), tt.audit)
			}
			if err != nil {
				return
			}
			if c := a.CheckIn(tt.n); c.Status != tt.status {
				t.Errorf("check-in %d is %s, want %s", tt.n, c.Status, tt.status)
			}
			if !strings.Contains(entries[0].Detail, "1 attachment (") || !strings.Contains(entries[0].Detail, "m1") {
				t.Errorf("reply entry detail %q", entries[0].Detail)
			}
		})
	}

	t.Run("the first reply counts, further ones do not", func(t *testing.T) {
		a := activeAgreement(t)
		fallDue(2)(t, a)
		c := a.CheckIn(1)
		c.Status, c.RemindOn = CheckInSent, Date{2026, 4, 23}
		if _, err := a.ReceiveReply(1, reply, now, "system"); err != nil {
			t.Fatal(err)
		}
		if !c.ReceivedAt.Equal(received) || c.ReceivedAt.Location() != time.UTC || !c.RemindOn.IsZero() {
			t.Errorf("check-in after first reply: %+v", c)
		}
		if a.Instalment(2).AwaitingCheckIn {
			t.Error("instalment 2 still awaits the check-in that was answered")
		}
		second := reply
		second.MessageID, second.ReceivedAt = "m2", received.Add(48*time.Hour)
		if _, err := a.ReceiveReply(1, second, now, "system"); err != nil {
			t.Fatal(err)
		}
		if !c.ReceivedAt.Equal(received) {
			t.Errorf("a further reply moved the received time to %s", c.ReceivedAt)
		}
		if s := a.ComputeStats(); s.CheckInsReceived != 1 {
			t.Errorf("received counted %d times", s.CheckInsReceived)
		}
	})
}

// Every pair of states is either in the table of legal moves or refused;
// the expected moves are written out here independently of states.go.
func TestStateTransitionsAreExactlyTheTable(t *testing.T) {
	agreements := []AgreementStatus{AgreementDraft, AgreementActive, AgreementCompleted, AgreementTerminated}
	legalAgreement := map[[2]AgreementStatus]bool{
		{AgreementDraft, AgreementActive}: true, {AgreementDraft, AgreementTerminated}: true,
		{AgreementActive, AgreementCompleted}: true, {AgreementActive, AgreementTerminated}: true,
	}
	for _, from := range agreements {
		for _, to := range agreements {
			err := AgreementTransition(from, to)
			if (err == nil) != legalAgreement[[2]AgreementStatus{from, to}] {
				t.Errorf("agreement %s → %s: %v", from, to, err)
			}
			checkRefusal(t, err, "agreement", string(from), string(to))
		}
	}
	instalments := []InstalmentStatus{InstalmentScheduled, InstalmentDue, InstalmentPaid, InstalmentHeld, InstalmentCancelled}
	legalInstalment := map[[2]InstalmentStatus]bool{
		{InstalmentScheduled, InstalmentDue}: true, {InstalmentScheduled, InstalmentHeld}: true, {InstalmentScheduled, InstalmentCancelled}: true,
		{InstalmentDue, InstalmentPaid}: true, {InstalmentDue, InstalmentHeld}: true, {InstalmentDue, InstalmentCancelled}: true,
		{InstalmentHeld, InstalmentDue}: true, {InstalmentHeld, InstalmentScheduled}: true, {InstalmentHeld, InstalmentCancelled}: true,
	}
	for _, from := range instalments {
		for _, to := range instalments {
			err := InstalmentTransition(from, to)
			if (err == nil) != legalInstalment[[2]InstalmentStatus{from, to}] {
				t.Errorf("instalment %s → %s: %v", from, to, err)
			}
			checkRefusal(t, err, "instalment", string(from), string(to))
		}
	}
	checkIns := []CheckInStatus{CheckInScheduled, CheckInSent, CheckInReceived, CheckInOverdue, CheckInWaived}
	legalCheckIn := map[[2]CheckInStatus]bool{
		{CheckInScheduled, CheckInSent}: true, {CheckInScheduled, CheckInReceived}: true, {CheckInScheduled, CheckInWaived}: true,
		{CheckInSent, CheckInReceived}: true, {CheckInSent, CheckInOverdue}: true, {CheckInSent, CheckInWaived}: true,
		{CheckInOverdue, CheckInReceived}: true, {CheckInOverdue, CheckInWaived}: true,
	}
	for _, from := range checkIns {
		for _, to := range checkIns {
			err := CheckInTransition(from, to)
			if (err == nil) != legalCheckIn[[2]CheckInStatus{from, to}] {
				t.Errorf("check-in %s → %s: %v", from, to, err)
			}
			checkRefusal(t, err, "check-in", string(from), string(to))
		}
	}
}

// checkRefusal: a refused move is a *TransitionError that the HTTP layer
// sees as a conflict.
func checkRefusal(t *testing.T, err error, entity, from, to string) {
	t.Helper()
	if err == nil {
		return
	}
	var te *TransitionError
	if !errors.As(err, &te) || te.Entity != entity || te.From != from || te.To != to ||
		ErrorCode(err) != Conflict || reasonOf(err) != "illegal_transition" || err.Error() != entity+" cannot move from "+from+" to "+to {
		t.Errorf("refusal of %s %s → %s: %#v", entity, from, to, err)
	}
}

func TestComputeStats(t *testing.T) {
	a := activeAgreement(t)
	a.Instalments = []Instalment{
		{Number: 1, Amount: 100, Status: InstalmentPaid},
		{Number: 2, Amount: 200, Status: InstalmentPaid, DaysLate: 3},
		{Number: 3, Amount: 400, Status: InstalmentDue},
		{Number: 4, Amount: 800, Status: InstalmentHeld},
		{Number: 5, Amount: 1600, Status: InstalmentScheduled},
		{Number: 6, Amount: 3200, Status: InstalmentCancelled},
	}
	a.CheckIns = []CheckIn{
		{Number: 1, Status: CheckInReceived},
		{Number: 2, Status: CheckInReceived},
		{Number: 3, Status: CheckInSent, Reminders: 2},
		{Number: 4, Status: CheckInSent},
		{Number: 5, Status: CheckInOverdue, Reminders: 3},
		{Number: 6, Status: CheckInWaived},
		{Number: 7, Status: CheckInScheduled},
	}
	a.Contacts = []Contact{{Email: "a@x.org", Bounced: "bounce"}, {Email: "b@x.org"}, {Email: "c@x.org", Bounced: "complaint"}}
	want := Stats{Paid: 300, Outstanding: 2800, InstalmentsDue: 1, InstalmentsHeld: 1, InstalmentsPaid: 2,
		CheckInsReceived: 2, CheckInsLate: 1, CheckInsOverdue: 1, BouncingContacts: 2,
		PaidDaysLate: map[string]int{"0": 1, "3": 1}, NeedsAttention: 1}
	if got := a.ComputeStats(); !reflect.DeepEqual(got, want) {
		t.Errorf("stats\n got %+v\nwant %+v", got, want)
	}
	if got := (&Agreement{}).ComputeStats(); !reflect.DeepEqual(got, Stats{}) {
		t.Errorf("empty agreement stats %+v", got)
	}
}

func TestNextActionDates(t *testing.T) {
	due := Date{2026, 4, 30}
	remind := Date{2026, 4, 23}
	instalments := map[string]struct {
		agreement AgreementStatus
		in        Instalment
		want      Date
		ok        bool
	}{
		"scheduled, schedule made":    {AgreementActive, Instalment{Status: InstalmentScheduled, DueDate: due, ScheduleCreated: true}, due, true},
		"scheduled, schedule missing": {AgreementActive, Instalment{Status: InstalmentScheduled, DueDate: due}, Immediately, true},
		"due":                         {AgreementActive, Instalment{Status: InstalmentDue, DueDate: due}, Date{}, false},
		"held":                        {AgreementActive, Instalment{Status: InstalmentHeld, DueDate: due}, Date{}, false},
		"paid":                        {AgreementActive, Instalment{Status: InstalmentPaid, DueDate: due}, Date{}, false},
		"agreement still a draft":     {AgreementDraft, Instalment{Status: InstalmentScheduled, DueDate: due}, Date{}, false},
		"agreement terminated":        {AgreementTerminated, Instalment{Status: InstalmentScheduled, DueDate: due}, Date{}, false},
	}
	for name, tt := range instalments {
		a := &Agreement{Status: tt.agreement}
		if got, ok := a.InstalmentNextAction(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("instalment %s: %s, %v; want %s, %v", name, got, ok, tt.want, tt.ok)
		}
	}
	checkIns := map[string]struct {
		agreement AgreementStatus
		c         CheckIn
		want      Date
		ok        bool
	}{
		"scheduled, schedule made":    {AgreementActive, CheckIn{Status: CheckInScheduled, DueDate: due, ScheduleCreated: true}, due, true},
		"scheduled, schedule missing": {AgreementActive, CheckIn{Status: CheckInScheduled, DueDate: due}, Immediately, true},
		"sent, reminder to come":      {AgreementActive, CheckIn{Status: CheckInSent, DueDate: due, RemindOn: remind}, remind, true},
		"sent, no reminder date":      {AgreementActive, CheckIn{Status: CheckInSent, DueDate: due}, Date{}, false},
		"overdue":                     {AgreementActive, CheckIn{Status: CheckInOverdue, DueDate: due, RemindOn: remind}, Date{}, false},
		"received":                    {AgreementActive, CheckIn{Status: CheckInReceived, DueDate: due}, Date{}, false},
		"waived":                      {AgreementActive, CheckIn{Status: CheckInWaived, DueDate: due}, Date{}, false},
		"agreement completed":         {AgreementCompleted, CheckIn{Status: CheckInSent, RemindOn: remind}, Date{}, false},
	}
	for name, tt := range checkIns {
		a := &Agreement{Status: tt.agreement}
		if got, ok := a.CheckInNextAction(tt.c); got != tt.want || ok != tt.ok {
			t.Errorf("check-in %s: %s, %v; want %s, %v", name, got, ok, tt.want, tt.ok)
		}
	}
	if !Immediately.Before(Date{1970, 1, 1}) {
		t.Error("Immediately must sort before every real date")
	}
}

func TestProgrammeSettingsDefaults(t *testing.T) {
	off, on := false, true
	d := ProgrammeSettings{Name: "Open Doors", OfficerEmails: []string{"o@x.org"}, FinanceEmails: []string{"f@x.org"}, ReminderDays: 7, MaxReminders: 2, TwoPersonRule: &on}
	tests := map[string]struct {
		p, want ProgrammeSettings
	}{
		"nothing set takes every default": {ProgrammeSettings{}, d},
		"what is set is kept": {
			ProgrammeSettings{Name: "Kitchens", OfficerEmails: []string{"k@x.org"}, FinanceEmails: []string{"kf@x.org"}, ReminderDays: 3, MaxReminders: 5, TwoPersonRule: &off},
			ProgrammeSettings{Name: "Kitchens", OfficerEmails: []string{"k@x.org"}, FinanceEmails: []string{"kf@x.org"}, ReminderDays: 3, MaxReminders: 5, TwoPersonRule: &off},
		},
		"an empty list is unset": {
			ProgrammeSettings{OfficerEmails: []string{}, ReminderDays: 10},
			ProgrammeSettings{Name: "Open Doors", OfficerEmails: []string{"o@x.org"}, FinanceEmails: []string{"f@x.org"}, ReminderDays: 10, MaxReminders: 2, TwoPersonRule: &on},
		},
	}
	for name, tt := range tests {
		if got := tt.p.Defaults(d); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %+v, want %+v", name, got, tt.want)
		}
	}
	for name, tt := range map[string]struct {
		rule *bool
		want bool
	}{"unset": {nil, true}, "on": {&on, true}, "off": {&off, false}} {
		if got := (ProgrammeSettings{TwoPersonRule: tt.rule}).RequiresTwoPeople(); got != tt.want {
			t.Errorf("two-person rule %s: %v", name, got)
		}
	}
	// An unset rule in both still means two people.
	if !(ProgrammeSettings{}).Defaults(ProgrammeSettings{}).RequiresTwoPeople() {
		t.Error("two-person rule off when nothing says so")
	}
}

func TestDeliverableContacts(t *testing.T) {
	amina := Contact{Name: "Amina", Email: "amina@kit.org"}
	joe := Contact{Name: "Joe", Email: "joe@kit.org", Bounced: "bounce"}
	sam := Contact{Name: "Sam", Email: "sam@kit.org", Bounced: "complaint"}
	noAddress := Contact{Name: "Pat"}
	lee := Contact{Email: "lee@kit.org"}
	for name, tt := range map[string]struct {
		contacts, want []Contact
	}{
		"none":                      {nil, nil},
		"all deliverable, in order": {[]Contact{lee, amina}, []Contact{lee, amina}},
		"a bounce is skipped":       {[]Contact{joe, amina}, []Contact{amina}},
		"a complaint is skipped":    {[]Contact{amina, sam}, []Contact{amina}},
		"no address is skipped":     {[]Contact{noAddress, lee}, []Contact{lee}},
		"nobody left":               {[]Contact{joe, sam, noAddress}, nil},
	} {
		a := &Agreement{Contacts: tt.contacts}
		if got := a.DeliverableContacts(); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %+v, want %+v", name, got, tt.want)
		}
	}
	a := activeAgreement(t)
	if _, marked := a.MarkContactBounced("AMINA@LevyKitchen.org.uk", "bounce", now); !marked || len(a.DeliverableContacts()) != 0 {
		t.Errorf("a marked bounce leaves %+v deliverable", a.DeliverableContacts())
	}
}

func TestMakeInstalmentDue(t *testing.T) {
	a := activeAgreement(t)
	e, changed, err := a.MakeInstalmentDue(1, now)
	if err != nil || !changed || a.Instalment(1).Status != InstalmentDue || a.Instalment(1).AwaitingCheckIn ||
		e.Action != "instalment.due" || e.Actor != System || e.Detail != "£2,500.00 due" {
		t.Fatalf("instalment 1: %+v, %v, %v, %+v", e, changed, err, a.Instalment(1))
	}
	if _, changed, err := a.MakeInstalmentDue(1, now); changed || err != nil {
		t.Errorf("a duplicate event changed it again: %v, %v", changed, err)
	}
	e, _, _ = a.MakeInstalmentDue(2, now)
	if !a.Instalment(2).AwaitingCheckIn || e.Detail != "£2,500.00 due; awaiting check-in 1" {
		t.Errorf("instalment 2 before check-in 1: %+v, %q", a.Instalment(2), e.Detail)
	}
	if _, _, err := a.MakeInstalmentDue(9, now); ErrorCode(err) != NotFound {
		t.Errorf("no such instalment: %v", err)
	}
	a.Status = AgreementTerminated
	if _, changed, _ := a.MakeInstalmentDue(3, now); changed || a.Instalment(3).Status != InstalmentScheduled {
		t.Error("a terminated agreement's instalment fell due")
	}
}

func TestCheckInSentThenRemindedThenOverdue(t *testing.T) {
	a := activeAgreement(t)
	sent := time.Date(2026, 4, 16, 8, 0, 0, 0, time.UTC)
	e, err := a.MarkCheckInSent(1, "ses-1", sent, 7)
	c := a.CheckIn(1)
	if err != nil || c.Status != CheckInSent || c.MessageID != "ses-1" || !c.SentAt.Equal(sent) || c.RemindOn.String() != "2026-04-23" || e.Action != "checkin.sent" {
		t.Fatalf("sent: %+v, %v, %+v", e, err, c)
	}
	if _, err := a.MarkCheckInSent(1, "ses-2", sent, 7); reasonOf(err) != "illegal_transition" || c.MessageID != "ses-1" {
		t.Errorf("sent twice: %v, message %s", err, c.MessageID)
	}
	if _, err := a.MarkCheckInSent(8, "ses", sent, 7); ErrorCode(err) != NotFound {
		t.Errorf("no such check-in: %v", err)
	}

	day := func(d int) time.Time { return time.Date(2026, 4, d, 12, 0, 0, 0, time.UTC) }
	type result struct {
		action   string
		reminder int
		overdue  bool
		changed  bool
		remindOn string
		status   CheckInStatus
	}
	for _, step := range []struct {
		at   time.Time
		want result
	}{
		{day(22), result{"", 0, false, false, "2026-04-23", CheckInSent}}, // not yet
		{day(23), result{"checkin.reminder_due", 1, false, true, "2026-04-30", CheckInSent}},
		{day(23), result{"", 0, false, false, "2026-04-30", CheckInSent}}, // the same day again
		{day(30), result{"checkin.reminder_due", 2, false, true, "2026-05-07", CheckInSent}},
		{time.Date(2026, 5, 8, 0, 0, 0, 0, time.UTC), result{"checkin.overdue", 0, true, true, "0000-00-00", CheckInOverdue}},
		{time.Date(2026, 5, 20, 0, 0, 0, 0, time.UTC), result{"", 0, false, false, "0000-00-00", CheckInOverdue}},
	} {
		e, reminder, overdue, changed := a.RemindOrEscalate(1, step.at, 7, 2)
		got := result{e.Action, reminder, overdue, changed, c.RemindOn.String(), c.Status}
		if got != step.want {
			t.Errorf("at %s: %+v, want %+v", step.at, got, step.want)
		}
	}
	if s := a.ComputeStats(); s.CheckInsOverdue != 1 || s.CheckInsLate != 0 {
		t.Errorf("stats %+v", s)
	}
	if _, _, _, changed := a.RemindOrEscalate(9, day(30), 7, 2); changed {
		t.Error("no such check-in changed")
	}
}

func TestMarkContactBounced(t *testing.T) {
	a := activeAgreement(t)
	e, ok := a.MarkContactBounced("Amina@LevyKitchen.org.uk", "complaint", now)
	if !ok || a.Contacts[0].Bounced != "complaint" || e.Action != "contact.bounced" || e.Detail != "complaint" || a.UpdatedBy != System {
		t.Fatalf("%+v, %v, %+v", e, ok, a.Contacts)
	}
	if _, ok := a.MarkContactBounced("amina@levykitchen.org.uk", "bounce", now); ok || a.Contacts[0].Bounced != "complaint" {
		t.Errorf("marked twice: %+v", a.Contacts[0])
	}
	if _, ok := a.MarkContactBounced("finance@council.gov.uk", "bounce", now); ok {
		t.Error("an address that is not a contact was marked")
	}
}

// The codes are stored with held messages: they must never change, and
// every one has words an officer can read.
func TestQuarantineReasons(t *testing.T) {
	stored := []string{"virus", "unparseable", "too_complex", "spam", "no_token", "bad_token", "dmarc_fail", "dmarc_unverified", "contacts_unavailable", "unknown_sender"}
	reasons := []QuarantineReason{
		QuarantineVirus, QuarantineUnparseable, QuarantineTooComplex, QuarantineSpam, QuarantineNoToken, QuarantineBadToken,
		QuarantineDMARCFail, QuarantineDMARCUnverified, QuarantineContactsUnavailable, QuarantineUnknownSender,
	}
	seen := map[string]bool{}
	for i, r := range reasons {
		if string(r) != stored[i] {
			t.Errorf("reason %d is %q, stored as %q", i, r, stored[i])
		}
		d := r.Description()
		if d == string(r) || d == "" || seen[d] {
			t.Errorf("%s has no description of its own: %q", r, d)
		}
		seen[d] = true
	}
	if got := QuarantineDMARCFail.Description(); got != "the sender's domain did not vouch for it (DMARC failed)" {
		t.Errorf("dmarc_fail reads %q", got)
	}
	if got := QuarantineReason("from_the_future").Description(); got != "from_the_future" {
		t.Errorf("unknown code reads %q", got)
	}
}

func TestErrors(t *testing.T) {
	err := Errorf(NotFound, "Agreement %s has no check-in %d.", "CP-2026-001", 9)
	if err.Error() != "not_found: Agreement CP-2026-001 has no check-in 9." || ErrorCode(err) != NotFound {
		t.Errorf("%q", err.Error())
	}
	fe := &Error{Code: Invalid, Message: "Bad.", Fields: []FieldError{{Field: "amount", Reason: "too big"}}}
	if fe.Error() != "invalid: Bad. [{amount too big}]" {
		t.Errorf("%q", fe.Error())
	}
	if ErrorCode(errors.New("dynamo timeout")) != "" || ErrorCode(nil) != "" {
		t.Error("an internal error has a code")
	}
	if ErrorCode(errors.Join(errors.New("wrapped"), err)) != NotFound {
		t.Error("a wrapped *Error lost its code")
	}
}

func TestDates(t *testing.T) {
	d := Date{2026, time.April, 30}
	b, err := d.MarshalText()
	if err != nil || string(b) != "2026-04-30" {
		t.Errorf("marshal %q, %v", b, err)
	}
	if b, _ := (Date{}).MarshalText(); len(b) != 0 {
		t.Errorf("zero date marshals as %q", b)
	}
	var got Date
	if err := got.UnmarshalText([]byte("2026-04-30")); err != nil || got != d {
		t.Errorf("unmarshal %v, %v", got, err)
	}
	if err := got.UnmarshalText(nil); err != nil || !got.IsZero() {
		t.Errorf("empty unmarshal %v, %v", got, err)
	}
	if err := got.UnmarshalText([]byte("30/04/2026")); err == nil {
		t.Error("unmarshal of a non-date")
	}
	for _, tt := range []struct {
		from, to Date
		want     int
	}{{d, Date{2026, 5, 7}, 7}, {d, d, 0}, {Date{2026, 3, 28}, Date{2026, 3, 30}, 2}, {d, Date{2026, 4, 1}, -29}} {
		if got := tt.from.DaysUntil(tt.to); got != tt.want {
			t.Errorf("%s to %s: %d days, want %d", tt.from, tt.to, got, tt.want)
		}
	}
	london, _ := time.LoadLocation("Europe/London")
	if at := d.At(9, 30, london); at.UTC() != time.Date(2026, 4, 30, 8, 30, 0, 0, time.UTC) {
		t.Errorf("9:30 on 30 April in London is %s", at.UTC())
	}
}

func TestSmallRules(t *testing.T) {
	for random, want := range map[uint32]string{0: "CP-2026-A0000", 21: "CP-2026-Z0000", 22: "CP-2026-A1000", 1<<32 - 1: "CP-2026-DT5T5"} {
		if got := NewReference(2026, random); got != want {
			t.Errorf("reference of %d = %q, want %q", random, got, want)
		}
	}
	for reg, want := range map[string]string{"01234567": "company", "SC012345": "charity", "NIC10001": "charity", "1180123": "charity", "SC123456": "company"} {
		if got := (Partner{RegistrationNumber: reg}).RegistrationKind(); got != want {
			t.Errorf("%s is a %s number, want %s", reg, got, want)
		}
	}
	if note, err := OptionalNote("note", "  looks fine  "); err != nil || note != "looks fine" {
		t.Errorf("note %q, %v", note, err)
	}
	if note, err := OptionalNote("note", ""); err != nil || note != "" {
		t.Errorf("empty note %q, %v", note, err)
	}
	if _, err := OptionalNote("note", strings.Repeat("n", MaxReason+1)); ErrorCode(err) != Invalid {
		t.Errorf("long note: %v", err)
	}
	a := &Agreement{TimeZone: "Mars/Olympus"}
	if a.Location() != time.UTC {
		t.Errorf("an unknown zone reads as %s", a.Location())
	}
	if m := (&Agreement{Amount: 123456, Currency: "GBP"}).Money(); m.Minor != 123456 || m.Currency != "GBP" {
		t.Errorf("money %+v", m)
	}
}

func TestCheckStored(t *testing.T) {
	for name, tt := range map[string]struct {
		mutate func(*Agreement)
		ok     bool
	}{
		"as created":              {func(*Agreement) {}, true},
		"plans not read":          {func(a *Agreement) { a.Instalments = nil }, true},
		"unknown currency":        {func(a *Agreement) { a.Currency = "XYZ" }, false},
		"no award":                {func(a *Agreement) { a.Amount = 0 }, false},
		"award over the limit":    {func(a *Agreement) { a.Amount = MaxAward + 1 }, false},
		"no end date":             {func(a *Agreement) { a.EndDate = Date{} }, false},
		"a zero instalment":       {func(a *Agreement) { a.Instalments[0].Amount, a.Instalments[1].Amount = 0, 500000 }, false},
		"instalments short":       {func(a *Agreement) { a.Instalments[3].Amount-- }, false},
		"instalments overflowing": {func(a *Agreement) { a.Instalments[0].Amount, a.Instalments[1].Amount = 1<<62, 1<<62 }, false},
	} {
		a := activeAgreement(t)
		tt.mutate(a)
		if err := a.CheckStored(); (err == nil) != tt.ok {
			t.Errorf("%s: %v", name, err)
		}
	}
}
