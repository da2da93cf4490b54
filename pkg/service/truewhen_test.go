package service_test

import (
	"context"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
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
