package service_test

import (
	"context"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/memstore"
)

// Issue 23, items 1 and 2, through the use cases on memstore: an agreement
// is created under its programme's policy (onSchedule with no settings,
// afterCheckIn where its settings say so) and check-in count; under
// onSchedule an instalment falls due with nothing waiting, is paid without
// an override while the check-in before it is unanswered, and the
// programme's own questions are what the check-in email asks.
func TestPolicyThroughTheUseCases(t *testing.T) {
	e := newEnv(t, activatedAt, options{})
	ctx := context.Background()
	e.x.NewID = memstore.NewID
	store := e.store.(*memstore.Store)
	if err := store.PutProgrammeSettings(ctx, "strict-2026", grants.ProgrammeSettings{PaymentPolicy: grants.PolicyAfterCheckIn}); err != nil {
		t.Fatal(err)
	}
	if err := store.PutProgrammeSettings(ctx, "trust-2026", grants.ProgrammeSettings{CheckInQuestions: []grants.CheckInQuestion{{Text: "What did the young people make?"}, {Key: "feedback", Optional: true}}}); err != nil {
		t.Fatal(err)
	}
	contact := e.contact("kai")
	create := func(programme string, checkIns *int) *grants.Agreement {
		a, _, err := e.x.CreateAgreement(ctx, "officer@funder.test", grants.NewAgreementInput{
			Programme: programme,
			Partner:   grants.Partner{Name: "Gorton Youth Arts", RegistrationNumber: "1181234", Address: "3 Hyde Road, Manchester M18 7BA"},
			Contacts:  []grants.Contact{{Name: "Kai Brown", Email: contact, Role: "lead"}},
			Amount:    1_000_000, StartDate: start, Terms: []string{"Run a weekly art club"}, CheckInCount: checkIns,
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	strict := create("strict-2026", nil)
	noSettings := create("no-settings-2026", nil)
	two := 2
	trust := create("trust-2026", &two)
	if strict.PaymentPolicy != grants.PolicyAfterCheckIn || noSettings.PaymentPolicy != grants.PolicyOnSchedule || trust.PaymentPolicy != grants.PolicyOnSchedule {
		t.Fatalf("policies: strict %q, no settings %q, trust %q", strict.PaymentPolicy, noSettings.PaymentPolicy, trust.PaymentPolicy)
	}
	if len(trust.CheckIns) != 2 || trust.CheckInCount != 2 || len(strict.CheckIns) != 4 {
		t.Fatalf("check-ins: trust %d, strict %d", len(trust.CheckIns), len(strict.CheckIns))
	}
	ninety := 90
	if _, _, err := e.x.CreateAgreement(ctx, "officer@funder.test", grants.NewAgreementInput{Programme: "trust-2026",
		Partner:  grants.Partner{Name: "Gorton Youth Arts", RegistrationNumber: "1181234", Address: "3 Hyde Road"},
		Contacts: []grants.Contact{{Name: "Kai", Email: contact}}, Amount: 1_000_000, StartDate: start, CheckInCount: &ninety}, nil); !strings.Contains(errString(err), "checkInCount") {
		t.Errorf("90 check-ins: %v", err)
	}

	for _, a := range []*grants.Agreement{strict, noSettings} {
		if _, err := e.x.agreements().Activate(ctx, "officer@funder.test", a.ID); err != nil {
			t.Fatal(err)
		}
		// Instalment 2 falls due with check-in 1 unanswered.
		e.clock.Set(at9(a.Instalment(2).DueDate))
		if err := e.x.InstalmentDue(ctx, a.ID, 2); err != nil {
			t.Fatal(err)
		}
	}
	req := grants.PaymentRequest{PaymentReference: "BACS-2", PaidOn: strict.Instalment(2).DueDate.String()}
	if _, _, err := e.x.RequestPayment(ctx, grants.Actor{ID: "fin1", Name: "fin1"}, strict.ID, 2, req, nil); !strings.Contains(errString(err), "override.reason") {
		t.Errorf("afterCheckIn, check-in 1 out: %v", err)
	}
	if got := e.get(t, noSettings.ID).Instalment(2); got.AwaitingCheckIn {
		t.Error("on schedule, instalment 2 waits on check-in 1")
	}
	paid, _, err := e.x.RequestPayment(ctx, grants.Actor{ID: "fin1", Name: "fin1"}, noSettings.ID, 2, req, nil)
	if err != nil {
		t.Fatalf("on schedule, check-in 1 out: %v", err)
	}
	if in := paid.Instalment(2); in.Payment == nil || in.Payment.OverrideReason != "" {
		t.Errorf("on schedule: %+v", in)
	}

	// The trust programme's check-in asks its own questions.
	if _, err := e.x.agreements().Activate(ctx, "officer@funder.test", trust.ID); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(at9(trust.CheckIn(1).DueDate))
	if err := e.x.SendCheckIn(ctx, trust.ID, 1); err != nil {
		t.Fatal(err)
	}
	var asked bool
	for _, m := range e.mailTo(t, contact) {
		if strings.Contains(m.Subject, "Check-in 1 of 2") {
			asked = strings.Contains(m.Body.Text, "1. What did the young people make?") && strings.Contains(m.Body.Text, "2. Feedback for us: how are we doing as a funder") &&
				strings.Contains(m.Body.Text, "(optional)") && !strings.Contains(m.Body.Text, "Progress:") && !strings.Contains(m.Body.Text, "without delay")
			if !asked {
				t.Errorf("the check-in email:\n%s", m.Body.Text)
			}
		}
	}
	if !asked {
		t.Error("no check-in 1 of 2 sent to the partner")
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
