package service_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/outbox"
	"github.com/partnership-grants/backend/pkg/service"
)

// Issue 23, items 3 (an extra payment at a time of need) and 6 (the partner
// hears about their money), on pkg/memstore.

func day(s string) grants.Date {
	d, err := grants.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func (u *uses) replies() *service.Replies {
	return service.NewReplies(u.Store, u.delivery(), u.metrics(), u.env())
}

func extraOnce(caller, key string, req grants.ExtraPaymentRequest) *idempotency.Once[*grants.Agreement] {
	return &idempotency.Once[*grants.Agreement]{
		Request: idempotency.Request{Scope: "extra", Caller: caller, Key: key, Payload: []byte(req.DueDate + req.Reason)},
		Render: func(a *grants.Agreement) (idempotency.Response, error) {
			return idempotency.Response{StatusCode: 201}, nil
		},
	}
}

// TestExtraPaymentPaidOnceByTwoPeople: an extra payment added eight times
// at once under one Idempotency-Key is added once, re-planning the later
// instalments to keep the award's sum; requested by one member of finance
// (duplicates at once pay nothing twice), refused to its requester,
// approved by another (twice at once: paid once); the partner hears of it
// in one email and gets one remittance.
func TestExtraPaymentPaidOnceByTwoPeople(t *testing.T) {
	e := newEnv(t, at9(day("2026-02-10")).Add(time.Hour), options{})
	ctx := context.Background()
	lead := e.contact("lead")
	a := e.agreement(t, "2026-02-02", false, lead)
	e.x.NewID, e.x.Events = memstore.NewID, paidEvents{}
	pay := e.x.payments()

	req := grants.ExtraPaymentRequest{Kind: grants.ExtraKind, Amount: 300_000, Reason: "Internal: the van failed its MOT",
		DueDate: "2026-02-10", FromLaterInstalments: true}
	var wg sync.WaitGroup
	var mu sync.Mutex
	added, replays := 0, 0
	for range 8 {
		wg.Go(func() {
			got, n, replay, err := pay.AddExtraPayment(ctx, "Olu", a.ID, req, nil, extraOnce("olu", "extra-1", req))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				t.Errorf("add: %v", err)
			case replay != nil:
				replays++
			case got != nil && n == 5:
				added++
			}
		})
	}
	wg.Wait()
	if added != 1 || replays != 7 {
		t.Fatalf("added %d, replayed %d; want 1 and 7", added, replays)
	}
	a = e.get(t, a.ID)
	var sum int64
	for _, in := range a.Instalments {
		sum += in.Amount
	}
	if len(a.Instalments) != 5 || sum != a.Amount || a.Amount != 1_000_000 ||
		a.Instalment(4).Amount != 1 || a.Instalment(3).Amount != 199_999 || a.Instalment(5).Status != grants.InstalmentDue {
		t.Fatalf("plan %+v (sum %d)", a.Instalments, sum)
	}

	fin1 := grants.StaffActor("https://pool", "sub-fin1", "fin1@funder.test", "Fin One", []grants.Role{grants.RoleFinance})
	fin2 := grants.StaffActor("https://pool", "sub-fin2", "fin2@funder.test", "Fin Two", []grants.Role{grants.RoleFinance})
	payReq := grants.PaymentRequest{PaymentReference: "BACS-EXTRA-1", PaidOn: "2026-02-10", PartnerMessage: "Paid today; we hope the van is back on the road soon."}
	for range 4 {
		wg.Go(func() {
			once := &idempotency.Once[*grants.Agreement]{Request: idempotency.Request{Scope: "pay", Caller: fin1.ID, Key: "pay-extra", Payload: []byte("x")},
				Render: func(a *grants.Agreement) (idempotency.Response, error) {
					return idempotency.Response{StatusCode: 201}, nil
				}}
			if _, _, err := pay.RequestPayment(ctx, fin1, a.ID, 5, payReq, once); err != nil {
				t.Errorf("request: %v", err)
			}
		})
	}
	wg.Wait()
	a = e.get(t, a.ID)
	p := a.Instalment(5).Payment
	if p == nil || p.Status != grants.PaymentRequested || a.Instalment(5).Status != grants.InstalmentDue {
		t.Fatalf("one person paid an extra payment: %+v", a.Instalment(5))
	}
	if _, err := pay.ApprovePayment(ctx, fin1, a.ID, 5, p.ID); grants.ErrorCode(err) != grants.Forbidden {
		t.Fatalf("approved by its requester: %v", err)
	}
	paid := 0
	for range 2 {
		wg.Go(func() {
			if _, err := pay.ApprovePayment(ctx, fin2, a.ID, 5, p.ID); err == nil {
				mu.Lock()
				paid++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	a = e.get(t, a.ID)
	if paid != 1 || a.Instalment(5).Status != grants.InstalmentPaid {
		t.Fatalf("approvals that paid: %d; instalment %+v", paid, a.Instalment(5))
	}
	h := e.history(t, a.ID)
	if n := count(h, "payment.approved", "instalment 5"); n != 1 {
		t.Errorf("%d approvals in the history", n)
	}
	if n := count(h, "instalment.extra_added", "instalment 5"); n != 1 {
		t.Errorf("%d extra payments in the history", n)
	}
	mail := e.mailTo(t, lead)
	var extraMails, remittances int
	for _, m := range mail {
		switch {
		case strings.HasPrefix(m.Subject, "An extra payment of £3,000.00"):
			extraMails++
		case strings.HasPrefix(m.Subject, "Payment sent: £3,000.00"):
			remittances++
			if !strings.Contains(m.Body.Text, "we hope the van is back on the road") {
				t.Errorf("the remittance lacks finance's words:\n%s", m.Body.Text)
			}
		}
		if strings.Contains(m.Body.Text+m.Body.HTML, "Internal") {
			t.Errorf("%q says the internal reason", m.Subject)
		}
	}
	if extraMails != 1 || remittances != 1 {
		t.Errorf("extra notices %d, remittances %d; want 1 each: %v", extraMails, remittances, subjects(mail))
	}
}

// TestHoldAndReleaseTellThePartnerOnceAtTheSendTime: holding before the
// send time queues one email in the officer's words, which the sweep sends
// at the send time (once, however often it runs); releasing after it sends
// one at once, in the default words; neither says the internal reason.
func TestHoldAndReleaseTellThePartnerOnceAtTheSendTime(t *testing.T) {
	e := newEnv(t, at9(day("2026-02-10")).Add(-2*time.Hour), options{})
	ctx := context.Background()
	lead := e.contact("lead")
	a := e.agreement(t, "2026-02-02", false, lead)
	pay := e.x.payments()
	words := "We have paused instalment 2 while we look at the budget together."
	if _, err := pay.Hold(ctx, "Olu", a.ID, 2, "Internal: trustees querying the budget", &words); err != nil {
		t.Fatal(err)
	}
	if got := e.mailTo(t, lead); len(got) != 0 {
		t.Fatalf("sent before the send time: %v", subjects(got))
	}
	if entry, err := e.store.Outbox(ctx, a.ID, outbox.NoticeKey(1).String()); err != nil || entry == nil || entry.Status != outbox.StatusPending {
		t.Fatalf("notice not queued: %+v %v", entry, err)
	}
	auto := e.x.automation()
	if _, err := auto.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.mailTo(t, lead); len(got) != 0 {
		t.Fatalf("the sweep sent before the send time: %v", subjects(got))
	}
	e.clock.Set(at9(day("2026-02-10")).Add(5 * time.Minute))
	for range 3 {
		if _, err := auto.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pay.Release(ctx, "Olu", a.ID, 2, "Internal: trustees satisfied", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := auto.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	mail := e.mailTo(t, lead)
	if len(mail) != 2 {
		t.Fatalf("emails %v; want one for the hold, one for the release", subjects(mail))
	}
	if !strings.HasPrefix(mail[0].Subject, "Instalment 2 is on hold") || !strings.Contains(mail[0].Body.Text, words) {
		t.Errorf("hold email %q:\n%s", mail[0].Subject, mail[0].Body.Text)
	}
	if !strings.HasPrefix(mail[1].Subject, "Instalment 2 is no longer on hold") || !strings.Contains(mail[1].Body.Text, "is no longer on hold") {
		t.Errorf("release email %q:\n%s", mail[1].Subject, mail[1].Body.Text)
	}
	for _, m := range mail {
		if strings.Contains(m.Body.Text+m.Body.HTML, "Internal") || strings.Contains(m.Body.Text, "trustees querying") {
			t.Errorf("%q says the internal reason", m.Subject)
		}
	}
	if a = e.get(t, a.ID); len(a.Notices) != 2 || a.Notices[0].Message != words {
		t.Errorf("notices %+v", a.Notices)
	}
	if n := count(e.history(t, a.ID), "email.sent", outbox.NoticeKey(1).String()); n != 1 {
		t.Errorf("the hold's email recorded sent %d times", n)
	}
}

// TestWaiveTellsThePartnerAndCloseSaysTheOfficersWords: waiving a check-in
// tells the partner in the officer's words; closing with things left
// thanks them in the officer's words, never the internal reason.
func TestWaiveTellsThePartnerAndCloseSaysTheOfficersWords(t *testing.T) {
	e := newEnv(t, at9(day("2026-05-05")).Add(time.Hour), options{})
	ctx := context.Background()
	lead := e.contact("lead")
	a := e.agreement(t, "2026-02-02", false, lead)
	words := "No need to send check-in 1: we talked it through on the phone."
	if _, err := e.x.replies().Waive(ctx, "Olu", a.ID, 1, "Internal: partner overwhelmed", &words); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(at9(day("2027-02-03")).Add(time.Hour))
	close := "Thank you for a year of work with us; we are sorry the last months were so hard."
	if _, err := e.x.agreements().Complete(ctx, "Olu", a.ID, "Internal: lost contact with the board", &close); err != nil {
		t.Fatal(err)
	}
	mail := e.mailTo(t, lead)
	if len(mail) != 2 || !strings.Contains(mail[0].Body.Text, words) || !strings.Contains(mail[1].Body.Text, close) {
		t.Fatalf("emails %v", subjects(mail))
	}
	for _, m := range mail {
		if strings.Contains(m.Body.Text+m.Body.HTML, "Internal") || strings.Contains(m.Body.Text, "Why:") {
			t.Errorf("%q says the internal reason:\n%s", m.Subject, m.Body.Text)
		}
	}
}

// TestHoldingADraftTellsNobody: a draft's partner has been sent nothing,
// so holding its instalment queues no email.
func TestHoldingADraftTellsNobody(t *testing.T) {
	e := newEnv(t, at9(day("2026-02-10")).Add(time.Hour), options{})
	ctx := context.Background()
	lead := e.contact("lead")
	a, err := grants.NewAgreement(grants.NewAgreementInput{
		Programme: "community-2026",
		Partner:   grants.Partner{Name: "Levenshulme Community Kitchen", RegistrationNumber: "1180123", Address: "1 Stockport Road, Manchester M19 3AB"},
		Contacts:  []grants.Contact{{Name: "Lead", Email: lead}},
		Amount:    1_000_000, StartDate: "2026-03-02",
	}, e.clock.Now(), "officer@funder.test")
	if err != nil {
		t.Fatal(err)
	}
	a.ID = memstore.NewID()
	if _, err := e.store.CreateAgreement(ctx, a, grants.Audited(grants.AuditEntry{At: e.clock.Now(), Actor: "officer", Action: "agreement.created"}), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.x.payments().Hold(ctx, "Olu", a.ID, 2, "not yet agreed", nil); err != nil {
		t.Fatal(err)
	}
	if a = e.get(t, a.ID); len(a.Notices) != 0 || len(e.mailTo(t, lead)) != 0 {
		t.Errorf("a draft's partner was told: %+v", a.Notices)
	}
}
