package grants

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// The agreement: £10,000 in four instalments of £2,500 due 31 Jan, 30 Apr,
// 31 Jul and 31 Oct 2026; today is 10 Jan 2026.

// later is a day in the agreement's first quarter.
var later = now.AddDate(0, 1, 0) // 10 Feb 2026

func extra(amount int64, due string, fromLater bool) ExtraPaymentRequest {
	return ExtraPaymentRequest{Kind: ExtraKind, Amount: amount, Reason: "the van failed its MOT", DueDate: due, FromLaterInstalments: fromLater}
}

func fieldNamed(err error) string {
	var e *Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		return e.Fields[0].Field
	}
	return ""
}

func TestAddExtraPaymentRefusesBadInputByField(t *testing.T) {
	for name, tt := range map[string]struct {
		req   ExtraPaymentRequest
		field string
	}{
		"amount zero":                {extra(0, "2026-02-01", true), "amount"},
		"amount negative":            {extra(-5, "2026-02-01", false), "amount"},
		"more than later ones hold":  {extra(750_000-2, "2026-02-01", true), "amount"}, // three instalments after 1 Feb can give 749,997
		"none later to take from":    {extra(100, "2026-11-01", true), "amount"},
		"due before the agreement":   {extra(100, "2025-12-31", true), "dueDate"},
		"due after the agreement":    {extra(100, "2027-01-31", false), "dueDate"},
		"due in the past":            {extra(100, "2026-01-09", false), "dueDate"},
		"not a date":                 {extra(100, "soon", false), "dueDate"},
		"no reason":                  {ExtraPaymentRequest{Kind: ExtraKind, Amount: 100, DueDate: "2026-02-01"}, "reason"},
		"another kind":               {ExtraPaymentRequest{Kind: "bonus", Amount: 100, Reason: "x", DueDate: "2026-02-01"}, "kind"},
		"unknown purpose":            {ExtraPaymentRequest{Kind: ExtraKind, Purpose: "gift", Amount: 100, Reason: "x", DueDate: "2026-02-01"}, "purpose"},
		"award raised past the most": {extra(MaxAward, "2026-02-01", false), "amount"},
	} {
		t.Run(name, func(t *testing.T) {
			a := activeAgreement(t)
			before := *a
			_, _, err := a.AddExtraPayment(tt.req, now, "olu")
			if ErrorCode(err) != Invalid || fieldNamed(err) != tt.field {
				t.Fatalf("err = %v, want invalid %s", err, tt.field)
			}
			if len(a.Instalments) != 4 || a.Amount != before.Amount {
				t.Errorf("a refused extra payment changed the plan: %+v", a.Instalments)
			}
		})
	}
	a, err := NewAgreement(validInput(), now, "officer")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.AddExtraPayment(extra(100, "2026-02-01", true), now, "olu"); reasonOf(err) != "agreement_not_active" {
		t.Errorf("draft: %v", err)
	}
}

// TestExtraPaymentFromLaterInstalments takes £3,000 from later instalments:
// the last gives all but 1p (£2,499.99), the one before it the rest
// (£500.01); the award and the
// plan's sum stay exact, and the payment is due at once (dated today).
func TestExtraPaymentFromLaterInstalments(t *testing.T) {
	a := activeAgreement(t)
	n, entries, err := a.AddExtraPayment(extra(300_000, "2026-02-10", true), later, "olu")
	if err != nil {
		t.Fatal(err)
	}
	if n != 5 || a.Amount != 1_000_000 {
		t.Fatalf("n = %d, award %d", n, a.Amount)
	}
	got := []int64{}
	for _, in := range a.Instalments {
		got = append(got, in.Amount)
	}
	if want := []int64{250_000, 250_000, 199_999, 1, 300_000}; !slicesEqual(got, want) {
		t.Errorf("amounts %v, want %v", got, want)
	}
	in := a.Instalment(5)
	if in.Status != InstalmentDue || in.AwaitingCheckIn || !in.IsExtra() || in.Extra.Purpose != ExtraAdvance ||
		len(in.Extra.TakenFrom) != 2 || in.Extra.TakenFrom[0] != (Taken{4, 249_999}) || in.Extra.TakenFrom[1] != (Taken{3, 50_001}) {
		t.Errorf("extra instalment %+v %+v", in, in.Extra)
	}
	if err := a.CheckStored(); err != nil {
		t.Error(err)
	}
	if got := actions(entries); strings.Join(got, ",") != "instalment.extra_added,instalment.due" {
		t.Errorf("history %v", got)
	}
	if len(entries[0].Changes) != 3 {
		t.Errorf("changes %+v", entries[0].Changes)
	}
}

// TestExtraPaymentRaisesTheAward adds £500 on top: the award rises, the
// plan is untouched, and the payment waits for its date.
func TestExtraPaymentRaisesTheAward(t *testing.T) {
	a := activeAgreement(t)
	n, _, err := a.AddExtraPayment(extra(50_000, "2026-03-01", false), now, "olu")
	if err != nil {
		t.Fatal(err)
	}
	if a.Amount != 1_050_000 || a.Instalment(n).Status != InstalmentScheduled || a.Instalment(n).Extra.Purpose != ExtraHardship {
		t.Errorf("award %d, instalment %+v", a.Amount, a.Instalment(n))
	}
	for i := range 4 {
		if a.Instalments[i].Amount != 250_000 {
			t.Errorf("instalment %d varied: %d", i+1, a.Instalments[i].Amount)
		}
	}
	if err := a.CheckStored(); err != nil {
		t.Error(err)
	}
}

// TestExtraPaymentsKeepTheSumForRandomAmounts: for any amount later
// instalments can give, the plan sums exactly to the award, no instalment
// is below 1, instalments due on or before the extra one are untouched,
// and one minor unit more than they can give is refused.
func TestExtraPaymentsKeepTheSumForRandomAmounts(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 3))
	dates := []string{"2026-01-31", "2026-02-15", "2026-04-30", "2026-05-01", "2026-08-01"}
	for range 500 {
		a := activeAgreement(t)
		due := dates[r.IntN(len(dates))]
		d, _ := ParseDate(due)
		spare := a.Spare(d)
		if spare == 0 {
			continue
		}
		amount := 1 + r.Int64N(spare)
		before := append([]Instalment(nil), a.Instalments...)
		if _, _, err := a.AddExtraPayment(extra(amount, due, true), now, "olu"); err != nil {
			t.Fatalf("%d on %s: %v", amount, due, err)
		}
		if err := a.CheckStored(); err != nil {
			t.Fatalf("%d on %s: %v", amount, due, err)
		}
		for i, in := range before {
			if !in.DueDate.After(d) && a.Instalments[i].Amount != in.Amount {
				t.Fatalf("%d on %s: instalment %d due %s varied", amount, due, in.Number, in.DueDate)
			}
		}
		b := activeAgreement(t)
		if _, _, err := b.AddExtraPayment(extra(spare+1, due, true), now, "olu"); fieldNamed(err) != "amount" {
			t.Fatalf("spare+1 on %s: %v", due, err)
		}
	}
}

// TestExtraPaymentAlwaysNeedsTwoPeople: even where the programme lets one
// person pay, an extra payment waits for a second, who must be someone
// else; and it never waits on a check-in.
func TestExtraPaymentAlwaysNeedsTwoPeople(t *testing.T) {
	a := activeAgreement(t)
	n, _, err := a.AddExtraPayment(extra(50_000, "2026-02-10", false), later, "olu")
	if err != nil {
		t.Fatal(err)
	}
	now := later
	fin1, fin2 := Actor{ID: "f1", Name: "Fin One"}, Actor{ID: "f2", Name: "Fin Two"}
	p, _, err := a.RequestPayment(n, PaymentRequest{PaymentReference: "BACS-X", PaidOn: "2026-02-10"}, "pay-x", false, now, fin1)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != PaymentRequested || a.Instalment(n).Status != InstalmentDue {
		t.Fatalf("paid by one person: %+v", p)
	}
	if _, err := a.ApprovePayment(n, "pay-x", false, now, fin1); ErrorCode(err) != Forbidden {
		t.Fatalf("approved by its requester: %v", err)
	}
	if _, err := a.ApprovePayment(n, "pay-x", false, now, fin2); err != nil {
		t.Fatal(err)
	}
	if a.Instalment(n).Status != InstalmentPaid {
		t.Fatal("not paid")
	}
	if _, err := a.ApprovePayment(n, "pay-x", false, now, fin2); reasonOf(err) != "payment_already_approved" {
		t.Errorf("approved twice: %v", err)
	}
}

// TestNoticesKeepTheOfficersWordsAndNeverTheReason: a notice's words are
// the officer's when given and the default ones when not; neither holds
// the internal reason, and each notice has its own outbox key.
func TestNoticesKeepTheOfficersWordsAndNeverTheReason(t *testing.T) {
	a := activeAgreement(t)
	reason := "Internal: board member under investigation"
	if _, err := a.Hold(2, reason, now, "olu"); err != nil {
		t.Fatal(err)
	}
	k1, err := a.Tell(NoticeHeld, 2, nil, now, "olu")
	if err != nil {
		t.Fatal(err)
	}
	words := "  We have paused instalment 2 for now.  "
	if _, err := a.Release(2, reason, now, "olu"); err != nil {
		t.Fatal(err)
	}
	k2, err := a.Tell(NoticeReleased, 2, &words, now, "olu")
	if err != nil {
		t.Fatal(err)
	}
	if k1.String() != "notice#01" || k2.String() != "notice#02" {
		t.Errorf("keys %s %s", k1, k2)
	}
	if got := a.Notice(1).Message; !strings.Contains(got, "instalment 2 (£2,500.00, due 30 April 2026) on hold") {
		t.Errorf("default words %q", got)
	}
	if got := a.Notice(2).Message; got != "We have paused instalment 2 for now." {
		t.Errorf("officer's words %q", got)
	}
	for _, kind := range []NoticeKind{NoticeHeld, NoticeReleased, NoticeWaived, NoticeExtra} {
		if w := a.NoticeWords(kind, 2); w == "" || strings.Contains(w, "Internal") {
			t.Errorf("%s: %q", kind, w)
		}
	}
	long := strings.Repeat("x", MaxNoticeMessage+1)
	if _, err := a.Tell(NoticeHeld, 2, &long, now, "olu"); fieldNamed(err) != "partnerMessage" {
		t.Errorf("long words: %v", err)
	}
}

// TestCloseWithThingsLeftKeepsTheMessageApart: the officer's words for the
// partner are kept on the closure, apart from the internal reason.
func TestCloseWithThingsLeftKeepsTheMessageApart(t *testing.T) {
	a := activeAgreement(t)
	after := a.EndDate.At(12, 0, a.Location())
	words := "Thank you for this year."
	if _, err := a.CompleteAndTell("Internal: lost contact", &words, after, "olu"); err != nil {
		t.Fatal(err)
	}
	if c := a.Closure; c == nil || !c.Early || c.Message != words || c.Reason != "Internal: lost contact" {
		t.Errorf("closure %+v", a.Closure)
	}
}

func slicesEqual(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestNoCheckInComesBeforeAnExtraPayment: the final report is not what an
// extra payment (numbered after it) waits on, and replying to it promises
// nothing about the extra payment.
func TestNoCheckInComesBeforeAnExtraPayment(t *testing.T) {
	a := activeAgreement(t)
	n, _, err := a.AddExtraPayment(extra(50_000, "2026-03-01", false), now, "olu")
	if err != nil {
		t.Fatal(err)
	}
	last := len(a.CheckIns)
	if n != last+1 || !a.PreviousCheckInIn(n) {
		t.Fatalf("extra payment %d waits on check-in %d", n, last)
	}
	if _, ok := a.Unblocked(last); ok || a.PaysWithoutDelay(last) {
		t.Error("the final report is said to unblock the extra payment")
	}
}
