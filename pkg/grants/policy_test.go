package grants

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

// afterCheckIn makes in's agreement under the check-in rule.
func afterCheckIn(in NewAgreementInput) NewAgreementInput {
	p := PolicyAfterCheckIn
	in.PaymentPolicy = &p
	return in
}

func onTrust(t *testing.T, in NewAgreementInput) *Agreement {
	t.Helper()
	a, err := NewAgreement(in, now, "officer")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Activate(now, "officer"); err != nil {
		t.Fatal(err)
	}
	return a
}

// Under onSchedule (the default), an instalment is payable on its due date
// whatever became of the check-in before it: nothing waits, no override is
// asked for or recorded, and the partner's standing says nothing of a
// check-in. A late check-in never makes a payment late.
func TestOnScheduleMoneyNeverWaitsOnACheckIn(t *testing.T) {
	a := onTrust(t, validInput())
	if a.Policy() != PolicyOnSchedule || a.PaymentPolicy != PolicyOnSchedule {
		t.Fatalf("new agreement's policy %q, want onSchedule", a.PaymentPolicy)
	}
	// Check-in 1 goes out and is never answered: overdue.
	sent := date(t, "2026-04-16").At(9, 0, time.UTC)
	if _, err := a.MarkCheckInSent(1, "ses-1", sent, 7); err != nil {
		t.Fatal(err)
	}
	a.CheckIns[0].Status = CheckInOverdue
	due := date(t, "2026-04-30").At(12, 0, time.UTC)
	e, changed, err := a.MakeInstalmentDue(2, due)
	if err != nil || !changed {
		t.Fatal(err, changed)
	}
	if in := a.Instalment(2); in.AwaitingCheckIn || e.Detail != "£2,500.00 due" {
		t.Errorf("instalment 2 on schedule: awaiting %v, %q", in.AwaitingCheckIn, e.Detail)
	}
	if a.PreviousCheckInIn(2) || a.WaitsOnCheckIn(2) != 0 {
		t.Errorf("the fact (check-in 1 not in) is %v, the wait %d; want a fact and no wait", a.PreviousCheckInIn(2), a.WaitsOnCheckIn(2))
	}
	for _, st := range a.MoneyStanding() {
		if st.WaitingFor != 0 {
			t.Errorf("standing %+v waits on a check-in", st)
		}
	}
	if got := a.WaitingForCheckIn(); got != nil {
		t.Errorf("waiting for check-in: %v", got)
	}
	// Paid on its due date without an override (one given is not recorded:
	// there is nothing to override), so 0 days late.
	p, entries, err := a.RequestPayment(2, PaymentRequest{PaymentReference: "BACS-2", PaidOn: "2026-04-30", OverrideReason: "no report"}, "pay-2", false, due, Actor{ID: "fin1", Name: "fin1"})
	if err != nil {
		t.Fatal(err)
	}
	if p.OverrideReason != "" || a.Instalment(2).DaysLate != 0 || a.Instalment(2).Status != InstalmentPaid {
		t.Errorf("payment %+v, instalment %+v", p, a.Instalment(2))
	}
	for _, e := range entries {
		if e.Action == "payment.check_in_overridden" {
			t.Errorf("an override recorded on schedule: %+v", e)
		}
	}
	// The same under afterCheckIn waits, and asks for an override.
	b := onTrust(t, afterCheckIn(validInput()))
	b.CheckIns[0].Status = CheckInOverdue
	if _, _, err := b.MakeInstalmentDue(2, due); err != nil {
		t.Fatal(err)
	}
	if !b.Instalment(2).AwaitingCheckIn || b.WaitsOnCheckIn(2) != 1 {
		t.Errorf("afterCheckIn: instalment 2 not waiting on check-in 1")
	}
	if _, _, err := b.RequestPayment(2, PaymentRequest{PaymentReference: "BACS-2", PaidOn: "2026-04-30"}, "pay-2", false, due, Actor{ID: "fin1", Name: "fin1"}); reasonOf(err) != "check_in_missing" {
		t.Errorf("afterCheckIn without override: %v", err)
	}
}

// An agreement stored before policies existed has none: it keeps the rule
// it was made under, afterCheckIn. A programme with no policy of its own
// gets onSchedule.
func TestPolicyReadsAsBefore(t *testing.T) {
	old := &Agreement{}
	if old.Policy() != PolicyAfterCheckIn || !old.MoneyWaitsOnCheckIns() {
		t.Errorf("an old agreement reads as %q", old.Policy())
	}
	if p := (ProgrammeSettings{}).Policy(); p != PolicyOnSchedule {
		t.Errorf("a programme with no settings is %q", p)
	}
	in := ProgrammeSettings{}.Defaults(ProgrammeSettings{PaymentPolicy: PolicyAfterCheckIn}).PlanDefaults(validInput())
	if in.PaymentPolicy == nil || *in.PaymentPolicy != PolicyAfterCheckIn {
		t.Errorf("the deployment's default does not reach a new agreement: %v", in.PaymentPolicy)
	}
	bad := PaymentPolicy("whenever")
	x := validInput()
	x.PaymentPolicy = &bad
	if _, err := NewAgreement(x, now, "officer"); !hasField(err, "paymentPolicy") {
		t.Errorf("bad policy: %v", err)
	}
	if _, err := ParsePaymentPolicy("sometimes", DefaultPaymentPolicy); err == nil {
		t.Error("ParsePaymentPolicy took sometimes")
	}
}

// Check-ins in proportion: 2 check-ins for 4 quarterly instalments over a
// year, the first 14 days before month 6, the second the final report; the
// default is one per instalment, as before.
func TestCheckInCount(t *testing.T) {
	a, err := NewAgreement(validInput(), now, "officer")
	if err != nil {
		t.Fatal(err)
	}
	if a.CheckInCount != 0 || a.CheckInCountOf() != 4 || len(a.CheckIns) != 4 || a.CheckIns[0].DueDate != date(t, "2026-04-16") {
		t.Errorf("default: %d check-ins, first due %s", len(a.CheckIns), a.CheckIns[0].DueDate)
	}
	in := afterCheckIn(validInput())
	two := 2
	in.CheckInCount = &two
	b, err := NewAgreement(in, now, "officer")
	if err != nil {
		t.Fatal(err)
	}
	var dues []string
	for _, c := range b.CheckIns {
		dues = append(dues, c.DueDate.String())
	}
	// Start 31 Jan 2026: month 6 is 31 Jul; the end 30 Jan 2027, +30 days.
	if want := []string{"2026-07-17", "2027-03-01"}; !reflect.DeepEqual(dues, want) || !b.CheckIns[1].Final || b.CheckIns[0].Final {
		t.Errorf("2 check-ins due %v, want %v", dues, want)
	}
	// Instalments 1 and 2 follow no check-in; 3 and 4 follow check-in 1.
	for n, want := range map[int]int{1: 0, 2: 0, 3: 1, 4: 1} {
		if got := b.CheckInBefore(n); got != want {
			t.Errorf("instalment %d follows check-in %d, want %d", n, got, want)
		}
	}
	if b.InstalmentAfter(1) != 3 || b.InstalmentAfter(2) != 0 {
		t.Errorf("check-in 1 comes before instalment %d, 2 before %d", b.InstalmentAfter(1), b.InstalmentAfter(2))
	}
	if _, err := b.Activate(now, "officer"); err != nil {
		t.Fatal(err)
	}
	at := date(t, "2026-07-31").At(12, 0, time.UTC)
	b.Instalments[1].Status = InstalmentPaid
	if _, _, err := b.MakeInstalmentDue(3, at); err != nil || !b.Instalment(3).AwaitingCheckIn {
		t.Fatalf("instalment 3 does not wait on check-in 1: %v", err)
	}
	b.CheckIns[0].Status = CheckInSent
	if _, err := b.ReceiveReply(1, Reply{MessageID: "m1", From: "amina@levykitchen.org.uk", ReceivedAt: at}, at, "amina"); err != nil {
		t.Fatal(err)
	}
	if b.Instalment(3).AwaitingCheckIn {
		t.Error("check-in 1's reply did not free instalment 3")
	}

	// Bounds, by field.
	for _, n := range []int{0, -1, 13} {
		x := validInput()
		x.CheckInCount = &n
		if _, err := NewAgreement(x, now, "officer"); !hasField(err, "checkInCount") {
			t.Errorf("%d check-ins: %v", n, err)
		}
	}
	one, twelve := 1, 12
	for _, n := range []*int{&one, &twelve} {
		x := validInput()
		x.CheckInCount = n
		if _, err := NewAgreement(x, now, "officer"); err != nil {
			t.Errorf("%d check-ins: %v", *n, err)
		}
	}
	// 2 instalments: at most 6.
	x := validInput()
	ins, seven := 2, 7
	x.InstalmentCount, x.CheckInCount = &ins, &seven
	if _, err := NewAgreement(x, now, "officer"); !hasField(err, "checkInCount") {
		t.Errorf("7 check-ins for 2 instalments: %v", err)
	}
}

func TestCheckQuestions(t *testing.T) {
	qs, err := CheckQuestions([]CheckInQuestion{{Key: "progress"}, {Text: "  What did the young people make?  ", Optional: true}, {Key: "feedback"}})
	if err != nil || qs[1].Text != "What did the young people make?" || qs[1].Label() != "What did the young people make?" || qs[0].Label() != "Progress" {
		t.Fatalf("%+v, %v", qs, err)
	}
	seven := make([]CheckInQuestion, 7)
	for i := range seven {
		seven[i] = CheckInQuestion{Text: string(rune('A'+i)) + " question?"}
	}
	if _, err := CheckQuestions(seven); !hasField(err, "checkInQuestions") {
		t.Errorf("7 questions: %v", err)
	}
	for _, tc := range []struct {
		q     []CheckInQuestion
		field string
	}{
		{[]CheckInQuestion{{Key: "weather"}}, "checkInQuestions[0].key"},
		{[]CheckInQuestion{{}}, "checkInQuestions[0]"},
		{[]CheckInQuestion{{Key: "story", Text: "x"}}, "checkInQuestions[0]"},
		{[]CheckInQuestion{{Key: "story"}, {Key: "story"}}, "checkInQuestions[1]"},
		{[]CheckInQuestion{{Text: "two\nlines"}}, "checkInQuestions[0].text"},
	} {
		if _, err := CheckQuestions(tc.q); !hasField(err, tc.field) {
			t.Errorf("%+v: %v, want an error at %s", tc.q, err, tc.field)
		}
	}
	if got := (ProgrammeSettings{}).QuestionsOf(); !reflect.DeepEqual(got, DefaultCheckInQuestions()) {
		t.Errorf("no questions chosen: %+v", got)
	}
}

// A programme's own questions may put "Feedback for us" anywhere: its
// answer is read from its numbered heading to the next numbered answer.
func TestFeedbackAnswerAmongProgrammeQuestions(t *testing.T) {
	got, whole := FeedbackAnswer("1. What did the young people make?\nA mural.\n\n2. Feedback for us: More notice of dates, please.\n\n3. A story: Jo's first exhibition.")
	if whole || got != "More notice of dates, please." {
		t.Errorf("got %q (whole %v)", got, whole)
	}
}

func TestSettingsCheckPolicyAndQuestions(t *testing.T) {
	seven := make([]CheckInQuestion, 7)
	for i := range seven {
		seven[i] = CheckInQuestion{Key: "progress"}
	}
	_, err := ProgrammeSettings{PaymentPolicy: "sometimes", CheckInQuestions: seven}.CheckPolicyAndQuestions()
	if !hasField(err, "paymentPolicy") || !hasField(err, "checkInQuestions") {
		t.Errorf("bad policy and 7 questions: %v", err)
	}
	p, err := ProgrammeSettings{CheckInQuestions: []CheckInQuestion{{Key: " story "}}}.CheckPolicyAndQuestions()
	if err != nil || p.CheckInQuestions[0].Key != "story" || p.Policy() != PolicyOnSchedule {
		t.Errorf("%+v, %v", p, err)
	}
}

// Settings stored out of bounds by hand (no page checks them yet) read as
// the deployment's defaults, so check-ins and payments go on.
func TestSettingsOutOfBoundsReadAsTheDefaults(t *testing.T) {
	seven := make([]CheckInQuestion, 7)
	for i := range seven {
		seven[i] = CheckInQuestion{Text: fmt.Sprintf("Question %d?", i+1)}
	}
	deployment := ProgrammeSettings{PaymentPolicy: PolicyAfterCheckIn, CheckInQuestions: []CheckInQuestion{{Key: "story"}}}
	p := ProgrammeSettings{PaymentPolicy: "sometimes", CheckInQuestions: seven}.Defaults(deployment)
	if p.PaymentPolicy != PolicyAfterCheckIn || len(p.CheckInQuestions) != 1 || p.CheckInQuestions[0].Key != "story" {
		t.Errorf("out of bounds read as %q and %+v; want the deployment's", p.PaymentPolicy, p.CheckInQuestions)
	}
	p = ProgrammeSettings{PaymentPolicy: PolicyOnSchedule, CheckInQuestions: seven[:2]}.Defaults(deployment)
	if p.PaymentPolicy != PolicyOnSchedule || len(p.CheckInQuestions) != 2 {
		t.Errorf("in bounds read as %q and %+v; want the programme's own", p.PaymentPolicy, p.CheckInQuestions)
	}
}
