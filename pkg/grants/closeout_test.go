package grants

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func openAgreement(t *testing.T) *Agreement {
	t.Helper()
	a, err := NewAgreement(validInput(), now, "x")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Activate(now, "x"); err != nil {
		t.Fatal(err)
	}
	return a
}

func payAll(t *testing.T, a *Agreement) {
	t.Helper()
	for i := range a.Instalments {
		a.Instalments[i].Status = InstalmentPaid
	}
}

func reason(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

func TestReadyToCompleteOnlyWhenPaidAndFinalReportIn(t *testing.T) {
	a := openAgreement(t)
	if a.ReadyToComplete() {
		t.Fatal("a new agreement is ready to complete")
	}
	// Everything paid, final report not in: not ready, not completed.
	payAll(t, a)
	if a.ReadyToComplete() || a.Status != AgreementActive {
		t.Fatalf("ready with the final report missing (status %s)", a.Status)
	}
	b, _ := json.Marshal(a)
	if !strings.Contains(string(b), `"readyToComplete":false`) {
		t.Errorf("JSON lacks readyToComplete false: %s", b)
	}
	// The final report waived: ready, and it completes by itself as today.
	last := len(a.CheckIns)
	entries, err := a.WaiveCheckIn(last, "Report given in person", now, "officer")
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != AgreementCompleted || entries[len(entries)-1].Action != "agreement.completed" {
		t.Fatalf("not completed automatically: %s %+v", a.Status, entries)
	}
	if c := a.Closure; c == nil || c.Early || c.By != System || c.Left("GBP") != "" {
		t.Fatalf("closure %+v", a.Closure)
	}
}

func TestReadyAgreementCompletesAnyDayWithOptionalNote(t *testing.T) {
	a := openAgreement(t)
	payAll(t, a)
	a.CheckIns[len(a.CheckIns)-1].Status = CheckInReceived // as restored data: ready, not yet completed
	b, _ := json.Marshal(a)
	if !strings.Contains(string(b), `"readyToComplete":true`) {
		t.Errorf("JSON lacks readyToComplete true: %s", b)
	}
	entries, err := a.Complete("", now, "officer")
	if err != nil || a.Status != AgreementCompleted || a.Closure.Early || a.Closure.By != "officer" {
		t.Fatalf("complete a ready agreement: %v %s %+v", err, a.Status, a.Closure)
	}
	if entries[0].Detail != allDone {
		t.Errorf("detail %q", entries[0].Detail)
	}
	if _, err := a.Complete("again", now, "officer"); ErrorCode(err) != Conflict {
		t.Errorf("complete twice: %v", err)
	}
}

func TestCompleteEarlyNeedsReasonAndEndDate(t *testing.T) {
	a := openAgreement(t)
	a.Instalments[0].Status = InstalmentDue
	if _, _, err := a.RequestPayment(1, PaymentRequest{PaymentReference: "BACS-1", PaidOn: "2026-01-10"}, "p1", false, now, Actor{ID: "fin", Name: "fin"}); err != nil {
		t.Fatal(err)
	}
	afterEnd := a.EndDate.At(12, 0, a.Location()).Add(24 * time.Hour)
	if _, err := a.Complete("  ", afterEnd, "officer"); ErrorCode(err) != Invalid || !strings.Contains(err.Error(), "reason") {
		t.Errorf("no reason: %v", err)
	}
	if _, err := a.Complete("Partner wound down", now, "officer"); reason(err) != "not_ended" || a.Status != AgreementActive {
		t.Errorf("before the end date: %v", err)
	}
	// A payment waiting for its second person blocks closing.
	a.Instalments[1].Status = InstalmentDue
	a.CheckIns[0].Status = CheckInReceived
	if _, _, err := a.RequestPayment(2, PaymentRequest{PaymentReference: "BACS-2", PaidOn: "2026-01-10"}, "p2", true, now, Actor{ID: "fin", Name: "fin"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Complete("Partner wound down", afterEnd, "officer"); reason(err) != "payment_pending" {
		t.Errorf("payment pending: %v", err)
	}
	if _, err := a.ApprovePayment(2, "p2", true, now, Actor{ID: "fin2", Name: "fin2"}); err != nil {
		t.Fatal(err)
	}
	onEnd := a.EndDate.At(12, 0, a.Location())
	entries, err := a.Complete("Partner wound down", onEnd, "officer")
	if err != nil {
		t.Fatal(err)
	}
	c := a.Closure
	if a.Status != AgreementCompleted || c == nil || !c.Early || c.Reason != "Partner wound down" {
		t.Fatalf("closure %+v status %s", c, a.Status)
	}
	if got := joinInts(c.InstalmentsCancelled); got != "3, 4" || c.Unpaid != 500000 {
		t.Errorf("cancelled %s, unpaid %d", got, c.Unpaid)
	}
	if got := joinInts(c.CheckInsClosed); got != "2, 3, 4" || !c.FinalReportMissing {
		t.Errorf("closed %s, final missing %v", got, c.FinalReportMissing)
	}
	for _, in := range a.Instalments[2:] {
		if in.Status != InstalmentCancelled {
			t.Errorf("instalment %d is %s", in.Number, in.Status)
		}
	}
	for _, ci := range a.CheckIns[1:] {
		if ci.Status != CheckInWaived || ci.WaivedReason != ClosedEarly {
			t.Errorf("check-in %d is %s (%s)", ci.Number, ci.Status, ci.WaivedReason)
		}
	}
	want := "instalments 3, 4 (£5,000.00) not paid; check-ins 2, 3, 4 not answered (the end-of-agreement report among them)"
	if got := c.Left("GBP"); got != want {
		t.Errorf("left:\n got %s\nwant %s", got, want)
	}
	if !strings.Contains(entries[0].Detail, "Partner wound down") || !strings.Contains(entries[0].Detail, "check-ins 2, 3, 4") {
		t.Errorf("history %q", entries[0].Detail)
	}
}

func TestCompleteRefusesDraftAndTerminated(t *testing.T) {
	a, _ := NewAgreement(validInput(), now, "x")
	if _, err := a.Complete("why", now, "x"); ErrorCode(err) != Conflict {
		t.Errorf("draft: %v", err)
	}
}

func TestFeedbackAnswer(t *testing.T) {
	cases := []struct {
		name, text, want string
		whole            bool
	}{
		{"labelled", "Things are good.\n\nFeedback for us: fewer forms please.\nThanks", "fewer forms please.\nThanks", false},
		{"numbered label", "1. fine\n4. Feedback for us - more notice of visits", "more notice of visits", false},
		{"numbered answers", "1) Meals went well\n2) A story\n3) Mentoring\n4) Keep the calls, drop the forms", "Keep the calls, drop the forms", false},
		{"a four without one to three", "We ran:\n4. cookery classes\n", "We ran:\n4. cookery classes", true},
		{"label on its own line", "Feedback for us:\nMore time to report.", "More time to report.", false},
		{"free text", "  All good, thank you!  ", "All good, thank you!", true},
		{"empty", "", "", true},
	}
	for _, c := range cases {
		got, whole := FeedbackAnswer(c.text)
		if got != c.want || whole != c.whole {
			t.Errorf("%s: got %q %v, want %q %v", c.name, got, whole, c.want, c.whole)
		}
	}
}

func TestGatherFeedbackGroupsByRound(t *testing.T) {
	a := openAgreement(t)
	a.ID, a.Reference = "a1", "CP-2026-001"
	b := openAgreement(t)
	b.ID, b.Reference, b.Partner.Name = "b1", "CP-2026-002", "Moss Side Youth Hub"
	at := func(d int) time.Time { return time.Date(2026, 4, d, 10, 0, 0, 0, time.UTC) }
	replies := map[string][]Reply{
		"a1": {
			{CheckIn: 1, ReceivedAt: at(1), Text: "Feedback for us: clearer dates"},
			{CheckIn: 4, ReceivedAt: at(9), Text: "It was a good year."},
			{CheckIn: 2, ReceivedAt: at(5), Text: ""}, // attachments only
		},
		"b1": {
			{CheckIn: 1, ReceivedAt: at(3), Text: "We would like a visit.", Conversation: &Conversation{Channel: "call", HappenedOn: mustDate(t, "2026-04-02")}},
		},
	}
	rounds := GatherFeedback([]Agreement{*a, *b}, replies, time.UTC)
	if len(rounds) != 2 || rounds[0].CheckIn != 1 || rounds[0].Title != "Check-in 1" || !rounds[1].Final || rounds[1].Title != "End-of-agreement report" {
		t.Fatalf("rounds %+v", rounds)
	}
	r1 := rounds[0].Entries
	if len(r1) != 2 || r1[0].Reference != "CP-2026-002" || r1[0].Channel != "call" || r1[0].On.String() != "2026-04-02" || !r1[0].WholeReply {
		t.Errorf("round 1 newest first, conversation dated when it happened: %+v", r1)
	}
	if r1[1].Words != "clearer dates" || r1[1].WholeReply || r1[1].Partner != "Levenshulme Community Kitchen" {
		t.Errorf("round 1 labelled answer: %+v", r1[1])
	}
	if f := rounds[1].Entries; len(f) != 1 || f[0].Words != "It was a good year." || f[0].CheckIn != 4 {
		t.Errorf("final round %+v", f)
	}
}

func mustDate(t *testing.T, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
