package service_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// Issue 26, item 11: a queued email is checked again when it goes out.
// Finance's "instalment due" notice, left queued (its send failed), for an
// instalment paid meanwhile is not sent: it is recorded as skipped, with
// the reason, and not tried again.
func TestDueNoticeForAnInstalmentPaidMeanwhileIsNotSent(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, activatedAt, options{})
	a := e.agreement(t, start, false, e.contact("amina"))
	key := outbox.DueNoticeKey(1)
	// Instalment 1 falls due with its notice queued, then is paid before
	// the notice goes.
	if _, err := e.store.UpdateAgreement(ctx, a.ID, 0, func(a *grants.Agreement) (grants.Effects, error) {
		en, ok, err := a.MakeInstalmentDue(1, e.clock.Now())
		if err != nil || !ok {
			t.Fatalf("instalment 1 not made due: %v", err)
		}
		return grants.Effects{At: e.clock.Now(), Audit: []grants.AuditEntry{en}, Outbox: []outbox.Key{key}}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.UpdateAgreement(ctx, a.ID, 0, grants.AuditOnly(func(a *grants.Agreement) ([]grants.AuditEntry, error) {
		in := a.Instalment(1)
		in.Status, in.PaidOn, in.PaymentReference = grants.InstalmentPaid, a.StartDate, "BACS-1"
		return []grants.AuditEntry{{At: e.clock.Now(), Actor: "test", Action: "instalment.paid"}}, nil
	})); err != nil {
		t.Fatal(err)
	}
	// The sweep finds the notice pending, twice.
	for range 2 {
		if _, err := e.x.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.mailTo(t, e.finance); len(got) != 0 {
		t.Errorf("finance was told a paid instalment is due: %v", subjects(got))
	}
	if n := count(e.history(t, a.ID), "email.skipped", key.String()); n != 1 {
		t.Errorf("%d email.skipped entries for the notice, want 1", n)
	}
	if entry, err := e.store.Outbox(ctx, a.ID, key.String()); err != nil || entry == nil || entry.Status != outbox.StatusDone {
		t.Errorf("the notice's outbox entry: %+v, %v; want done", entry, err)
	}
}

// Issue 26, item 12: nobody is emailed about an instalment they cannot act
// on. Under afterCheckIn, instalment 2 falls due while check-in 1 is
// unanswered: finance is not told it is due (it waits on the partner; the
// history says why), and is told once it can be paid: when the partner's
// answer is recorded.
func TestFinanceNotToldOfAnInstalmentWaitingOnTheCheckIn(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, activatedAt, options{})
	e.x.Defaults.PaymentPolicy = grants.PolicyAfterCheckIn
	a := e.agreement(t, start, false, e.contact("amina"))
	e.clock.Set(at9(a.Instalment(2).DueDate))
	if err := e.x.InstalmentDue(ctx, a.ID, 2); err != nil {
		t.Fatal(err)
	}
	if in := e.get(t, a.ID).Instalment(2); in.Status != grants.InstalmentDue || !in.AwaitingCheckIn {
		t.Fatalf("instalment 2: %s awaiting=%v, want due and waiting on check-in 1", in.Status, in.AwaitingCheckIn)
	}
	if got := e.mailTo(t, e.finance); len(got) != 0 {
		t.Errorf("finance was told to pay an instalment waiting on the partner: %v", subjects(got))
	}
	key := outbox.DueNoticeKey(2).String()
	if n := count(e.history(t, a.ID), "email.skipped", key); n != 1 {
		t.Errorf("%d email.skipped entries for the due notice, want 1", n)
	}
	if entry, err := e.store.Outbox(ctx, a.ID, key); err != nil || entry == nil || entry.Status != outbox.StatusDone {
		t.Errorf("the due notice's outbox entry: %+v, %v; want done", entry, err)
	}
	// The partner's answer, recorded from a call: now finance can act.
	if _, _, err := e.x.replies().RecordConversation(ctx, "officer@funder.test", a.ID, 1, grants.ConversationInput{
		Channel: "call", HappenedOn: grants.Today(e.clock.Now(), london).String(), Participants: []string{"Amina"}, Summary: "All going well",
	}); err != nil {
		t.Fatal(err)
	}
	got := e.mailTo(t, e.finance)
	if len(got) != 1 || !strings.HasPrefix(got[0].Subject, "Now payable") || !strings.Contains(got[0].Body.Text, "has come in") {
		t.Errorf("finance after the check-in came in: %v", subjects(got))
	}
}

// Waiving the check-in an instalment waited on tells finance it can be
// paid, in words true of a waiver: without it, finance (not told when it
// fell due) would never hear.
func TestWaivingTheCheckInTellsFinanceTheInstalmentCanBePaid(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, activatedAt, options{})
	e.x.Defaults.PaymentPolicy = grants.PolicyAfterCheckIn
	a := e.agreement(t, start, false, e.contact("amina"))
	e.clock.Set(at9(a.Instalment(2).DueDate))
	if err := e.x.InstalmentDue(ctx, a.ID, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := e.x.replies().Waive(ctx, "officer@funder.test", a.ID, 1, "we spoke at the event", nil); err != nil {
		t.Fatal(err)
	}
	got := e.mailTo(t, e.finance)
	if len(got) != 1 || !strings.HasPrefix(got[0].Subject, "Now payable") {
		t.Fatalf("finance after the waiver: %v", subjects(got))
	}
	if body := got[0].Body.Text; !strings.Contains(body, "check-in 1, which it was waiting for, has been waived") || strings.Contains(body, "has come in") {
		t.Errorf("the now-payable notice after a waiver says:\n%s", body)
	}
	// Waiving a check-in nothing waits on tells finance nothing.
	if _, err := e.x.replies().Waive(ctx, "officer@funder.test", a.ID, 3, "covered at the visit", nil); err != nil {
		t.Fatal(err)
	}
	if got := e.mailTo(t, e.finance); len(got) != 1 {
		t.Errorf("finance has %d emails, want the one now-payable notice: %v", len(got), subjects(got))
	}
}

// A reminder to the partner, or the officer's overdue notice, left queued
// for a check-in answered or waived meanwhile is not sent: the partner
// would be asked for what they gave, the officer to chase what came in.
func TestReminderAndOverdueForACheckInNoLongerOutstandingAreNotSent(t *testing.T) {
	for _, status := range []grants.CheckInStatus{grants.CheckInReceived, grants.CheckInWaived} {
		t.Run(string(status), func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, activatedAt, options{})
			contact := e.contact("amina")
			a := e.agreement(t, start, false, contact)
			keys := []outbox.Key{outbox.ReminderKey(1, 1), outbox.OverdueKey(1)}
			if _, err := e.store.UpdateAgreement(ctx, a.ID, 0, func(a *grants.Agreement) (grants.Effects, error) {
				a.CheckIn(1).Status = grants.CheckInSent
				return grants.Effects{At: e.clock.Now(), Audit: []grants.AuditEntry{{At: e.clock.Now(), Actor: "test", Action: "checkin.sent"}}, Outbox: keys}, nil
			}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.store.UpdateAgreement(ctx, a.ID, 0, grants.AuditOnly(func(a *grants.Agreement) ([]grants.AuditEntry, error) {
				a.CheckIn(1).Status = status
				return []grants.AuditEntry{{At: e.clock.Now(), Actor: "test", Action: "checkin." + string(status)}}, nil
			})); err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if _, err := e.x.Sweep(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if got := e.mailTo(t, contact); len(got) != 0 {
				t.Errorf("the partner was reminded of a check-in %s: %v", status, subjects(got))
			}
			if got := e.mailTo(t, e.officer); len(got) != 0 {
				t.Errorf("the officer was told a check-in %s is overdue: %v", status, subjects(got))
			}
			h := e.history(t, a.ID)
			for _, k := range keys {
				if n := count(h, "email.skipped", k.String()); n != 1 {
					t.Errorf("%s: %d email.skipped entries, want 1", k, n)
				}
			}
		})
	}
}

// Finance is told to make no further payments under a terminated
// agreement only when something was left to pay: with every instalment
// paid (the final report outstanding), there is nothing to stop.
func TestFinanceToldOfATerminationOnlyWithSomethingLeftToPay(t *testing.T) {
	for _, tc := range []struct {
		name    string
		allPaid bool
		emails  int
		action  string
	}{
		{"every instalment paid", true, 0, "email.skipped"},
		{"instalments left to pay", false, 1, "email.sent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, activatedAt, options{})
			a := e.agreement(t, start, false, e.contact("amina"))
			if tc.allPaid {
				if _, err := e.store.UpdateAgreement(ctx, a.ID, 0, grants.AuditOnly(func(a *grants.Agreement) ([]grants.AuditEntry, error) {
					for i := range a.Instalments {
						in := &a.Instalments[i]
						in.Status, in.PaidOn, in.PaymentReference = grants.InstalmentPaid, a.StartDate, "BACS-"+strconv.Itoa(in.Number)
					}
					return []grants.AuditEntry{{At: e.clock.Now(), Actor: "test", Action: "instalment.paid"}}, nil
				})); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := e.x.agreements().Terminate(ctx, "officer@funder.test", a.ID, "The kitchen closed", ""); err != nil {
				t.Fatal(err)
			}
			if got := e.mailTo(t, e.finance); len(got) != tc.emails {
				t.Errorf("finance has %d emails, want %d: %v", len(got), tc.emails, subjects(got))
			}
			if n := count(e.history(t, a.ID), tc.action, outbox.TerminatedFinanceKey().String()); n != 1 {
				t.Errorf("%d %s entries for finance's notice, want 1", n, tc.action)
			}
		})
	}
}

// Where instalment 1 waits on the partner accepting the agreement (the
// programme's FirstInstalmentAwaitsAcceptance), finance is not told it is
// due at activation, and is told it can be paid once the partner accepts.
func TestFinanceToldOfTheFirstInstalmentOnceThePartnerAccepts(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC) // the start date, a Monday, after the send time
	e := newEnv(t, now, options{})
	e.x.NewID = memstore.NewID
	e.x.Defaults.FirstInstalmentAwaitsAcceptance = true
	a, _, err := e.x.CreateAgreement(ctx, "olu", grants.NewAgreementInput{
		Programme: "community-2026",
		Partner:   grants.Partner{Name: "Levenshulme Community Kitchen", RegistrationNumber: "1180123", Address: "1 Stockport Road, Manchester M19 3AB"},
		Contacts:  []grants.Contact{{Name: "Asha Patel", Email: e.contact("lead"), Role: "lead"}},
		Amount:    1_000_000, StartDate: "2027-03-01", Terms: []string{"Run a weekly community meal"},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a, err = e.x.agreements().Activate(ctx, "olu", a.ID); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(at9(a.Instalment(1).DueDate))
	if err := e.x.InstalmentDue(ctx, a.ID, 1); err != nil {
		t.Fatal(err)
	}
	if a = e.get(t, a.ID); a.Instalment(1).Status != grants.InstalmentDue || !a.FirstInstalmentWaiting(1) {
		t.Fatalf("instalment 1 %s, waiting on acceptance %v", a.Instalment(1).Status, a.FirstInstalmentWaiting(1))
	}
	if got := e.mailTo(t, e.finance); len(got) != 0 {
		t.Errorf("finance was told to pay an instalment waiting on the partner's acceptance: %v", subjects(got))
	}
	if n := count(e.history(t, a.ID), "email.skipped", outbox.DueNoticeKey(1).String()); n != 1 {
		t.Errorf("%d email.skipped entries for the due notice, want 1", n)
	}
	if _, err := e.x.agreements().RecordAcceptance(ctx, "olu", a.ID, grants.AcceptedInMeeting, "Signed at our visit"); err != nil {
		t.Fatal(err)
	}
	got := e.mailTo(t, e.finance)
	if len(got) != 1 || !strings.HasPrefix(got[0].Subject, "Now payable") || !strings.Contains(got[0].Body.Text, "the partner has accepted the agreement") {
		t.Fatalf("finance after the acceptance: %v", subjects(got))
	}
}
