package service_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/mailer"
	"github.com/partnership-grants/backend/pkg/mailer/agreementpdf"
	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/outbox"
	"github.com/partnership-grants/backend/pkg/service"
)

// TestAgreementAcceptedByReplyAndChangesProposed is issue 23, items 4 and
// 5, on pkg/memstore: activation sends the agreement (with its PDF) to the
// lead contact from the outbox, replying to the agreement's own address; a
// plain yes accepts it, and another delivery of that reply changes nothing;
// a change to an active agreement's dates is proposed and sent, a question
// back is a request for changes, an acceptance given in a meeting is
// recorded; a date brought earlier and a typo fixed need no acceptance.
func TestAgreementAcceptedByReplyAndChangesProposed(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC) // a Monday, after the send time
	e := newEnv(t, start, options{})
	e.x.NewID = memstore.NewID
	letters := e.x.Letters.(mailer.Letters)
	letters.PDF = agreementpdf.Render // as the sweep's and the check-in sender's
	e.x.Letters = letters
	lead, other := e.contact("lead"), e.contact("treasurer")
	in := grants.NewAgreementInput{
		Programme: "community-2026",
		Partner:   grants.Partner{Name: "Levenshulme Community Kitchen", RegistrationNumber: "1180123", Address: "1 Stockport Road, Manchester M19 3AB"},
		Contacts:  []grants.Contact{{Name: "Sam Taylor", Email: other, Role: "treasurer"}, {Name: "Asha Patel", Email: lead, Role: "lead"}},
		Amount:    1_000_000, StartDate: "2027-03-01",
		Terms: []string{"Run a weekly comunity meal"}, Support: []string{"Introductions to local food banks"},
	}
	a, _, err := e.x.CreateAgreement(ctx, "olu", in, nil)
	if err != nil {
		t.Fatal(err)
	}
	agreements := e.x.agreements()
	if a, err = agreements.Activate(ctx, "olu", a.ID); err != nil {
		t.Fatal(err)
	}
	if p := a.PartnerAcceptance; p == nil || p.Status != grants.AcceptanceAwaiting || p.Round != 1 {
		t.Fatalf("after activation: %+v", a.PartnerAcceptance)
	}
	// Sent from the outbox by a courier that signs reply addresses.
	if err := e.x.automation().Deliver(ctx, a.ID, outbox.AgreementKey().String()); err != nil {
		t.Fatal(err)
	}
	mail := e.mailTo(t, lead)
	if len(mail) != 1 || !strings.HasPrefix(mail[0].Subject, "Your agreement with") || len(mail[0].ReplyTo) != 1 ||
		!strings.HasPrefix(mail[0].ReplyTo[0], "agreement+") || len(mail[0].Attachments) != 1 || mail[0].Attachments[0].ContentType != "application/pdf" {
		t.Fatalf("to the lead contact: %+v", mail)
	}
	if len(e.mailTo(t, other)) != 0 {
		t.Error("the agreement went to a contact other than the lead")
	}

	replies := service.NewReplies(e.x.Store, e.x.delivery(), service.NoMetrics, e.x.env())
	yes := grants.Reply{AgreementID: a.ID, CheckIn: 0, MessageID: "ses-yes-1", From: strings.ToUpper(lead[:1]) + lead[1:], Text: "Yes, happy with this\n\nAsha"}
	for range 2 { // delivered twice
		if err := replies.AcceptAgreementReply(ctx, yes, yes.From, grants.Effects{}, service.Read{}); err != nil {
			t.Fatal(err)
		}
	}
	a = e.get(t, a.ID)
	if p := a.PartnerAcceptance; p.Status != grants.AcceptanceAccepted || p.By != "Asha Patel" || p.MessageID != "ses-yes-1" || p.Channel != grants.AcceptedByEmail ||
		!strings.HasPrefix(a.AcceptanceSummary(), "Accepted by Asha Patel on 1 March 2027") {
		t.Fatalf("after the yes: %+v (%s)", p, a.AcceptanceSummary())
	}
	if n := count(e.history(t, a.ID), "acceptance.accepted", ""); n != 1 {
		t.Errorf("%d acceptances in the history after two deliveries, want 1", n)
	}

	// A change of dates is a proposal, sent to the partner.
	later := a.Instalment(3).DueDate.AddDays(14)
	a, err = e.x.Amend(ctx, "olu", a.ID, a.Version, grants.Amendment{InstalmentDates: []grants.DateChange{{Number: 3, DueDate: later.String()}}})
	if err != nil {
		t.Fatal(err)
	}
	if p := a.PartnerAcceptance; p.Status != grants.AcceptanceAwaiting || len(p.Proposed) != 1 || p.Proposed[0].Field != "instalments[3].dueDate" || p.Round != 2 {
		t.Fatalf("after the amendment: %+v", p)
	}
	if en, err := e.store.Outbox(ctx, a.ID, outbox.ProposalKey(2).String()); err != nil || en == nil {
		t.Fatalf("no proposal enqueued: %v", err)
	}
	if err := e.x.automation().Deliver(ctx, a.ID, outbox.ProposalKey(2).String()); err != nil {
		t.Fatal(err)
	}
	mail = e.mailTo(t, lead)
	if len(mail) != 2 || !strings.Contains(mail[1].Body.Text, "Instalment 3 due date: ") || !strings.Contains(mail[1].Body.Text, "→ "+later.Long()) {
		t.Fatalf("the proposal: %+v", subjects(mail))
	}
	ask := grants.Reply{AgreementID: a.ID, MessageID: "ses-ask-1", From: lead, Text: "Can we change the second date?"}
	if err := replies.AcceptAgreementReply(ctx, ask, lead, grants.Effects{}, service.Read{}); err != nil {
		t.Fatal(err)
	}
	a = e.get(t, a.ID)
	if p := a.PartnerAcceptance; p.Status != grants.AcceptanceChangesAsked || p.Words != "Can we change the second date?" || len(p.Proposed) != 1 {
		t.Fatalf("after the question: %+v", p)
	}
	if _, err := agreements.RecordAcceptance(ctx, "olu", a.ID, "fax", ""); grants.ErrorCode(err) != grants.Invalid {
		t.Errorf("a bad channel and no note: %v", err)
	}
	a, err = agreements.RecordAcceptance(ctx, "olu", a.ID, grants.AcceptedInMeeting, "Agreed the new date at our visit")
	if err != nil {
		t.Fatal(err)
	}
	if p := a.PartnerAcceptance; p.Status != grants.AcceptanceAccepted || p.Channel != "meeting" || p.RecordedBy != "olu" || len(p.Proposed) != 0 {
		t.Fatalf("after the meeting: %+v", p)
	}

	// In the partner's favour, or a typo: nothing to accept, nothing sent.
	earlier := a.Instalment(4).DueDate.AddDays(-7)
	terms := []string{"Run a weekly community meal"}
	a, err = e.x.Amend(ctx, "olu", a.ID, a.Version, grants.Amendment{Terms: &terms, Typo: true,
		InstalmentDates: []grants.DateChange{{Number: 4, DueDate: earlier.String()}}})
	if err != nil {
		t.Fatal(err)
	}
	if p := a.PartnerAcceptance; p.Status != grants.AcceptanceAccepted || len(p.Proposed) != 0 || p.Round != 2 {
		t.Errorf("after an earlier date and a typo: %+v", p)
	}
	if en, _ := e.store.Outbox(ctx, a.ID, outbox.ProposalKey(3).String()); en != nil {
		t.Error("a proposal was enqueued for changes that need no acceptance")
	}
}

// TestFirstInstalmentWaitsForAcceptance: with the programme's setting, an
// instalment 1 that is due is not paid before the partner accepts (unless
// finance overrides with a reason); without it, it is.
func TestFirstInstalmentWaitsForAcceptance(t *testing.T) {
	now := time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, waits := range []bool{false, true} {
		a, err := grants.NewAgreement(grants.NewAgreementInput{Programme: "p",
			Partner:  grants.Partner{Name: "Kitchen", RegistrationNumber: "1180123", Address: "1 Road"},
			Contacts: []grants.Contact{{Name: "Asha", Email: "asha@partner.example", Role: "lead"}}, Amount: 400, StartDate: "2027-02-01"}, now, "olu")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := a.ActivateForAcceptance(now, "olu", grants.Timing{}, waits); err != nil {
			t.Fatal(err)
		}
		_, _, err = a.RequestPayment(1, grants.PaymentRequest{PaymentReference: "BACS-1", PaidOn: "2027-03-01"}, "pay-1", true, now, grants.Actor{ID: "f1", Name: "Fin"})
		var ge *grants.Error
		if waits != (errors.As(err, &ge) && ge.Reason == "acceptance_missing") {
			t.Errorf("setting %v: %v", waits, err)
		}
		if waits {
			if _, err := a.RecordAcceptance(grants.AcceptedOnPaper, "Signed copy received", now, "olu"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := a.RequestPayment(1, grants.PaymentRequest{PaymentReference: "BACS-1", PaidOn: "2027-03-01"}, "pay-1", true, now, grants.Actor{ID: "f1", Name: "Fin"}); err != nil {
				t.Errorf("after the acceptance: %v", err)
			}
		}
	}
}

// An agreement that ended before its email went out is not sent to be
// accepted: the email is recorded as skipped.
func TestAgreementNotSentOnceEnded(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC), options{})
	e.x.NewID = memstore.NewID
	letters := e.x.Letters.(mailer.Letters)
	letters.PDF = agreementpdf.Render
	e.x.Letters = letters
	lead := e.contact("lead")
	a, _, err := e.x.CreateAgreement(ctx, "olu", grants.NewAgreementInput{Programme: "community-2026",
		Partner:  grants.Partner{Name: "Levenshulme Community Kitchen", RegistrationNumber: "1180123", Address: "1 Stockport Road"},
		Contacts: []grants.Contact{{Name: "Asha Patel", Email: lead, Role: "lead"}}, Amount: 1_000_000, StartDate: "2027-03-08",
		Terms: []string{"Run a weekly community meal"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	agreements := e.x.agreements()
	if _, err := agreements.Activate(ctx, "olu", a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := agreements.Terminate(ctx, "olu", a.ID, "The group disbanded", ""); err != nil {
		t.Fatal(err)
	}
	if err := e.x.automation().Deliver(ctx, a.ID, outbox.AgreementKey().String()); err != nil {
		t.Fatal(err)
	}
	for _, m := range e.mailTo(t, lead) {
		if strings.HasPrefix(m.Subject, "Your agreement with") {
			t.Errorf("a terminated agreement was sent to accept: %q", m.Subject)
		}
	}
	if en, err := e.store.Outbox(ctx, a.ID, outbox.AgreementKey().String()); err != nil || en == nil || en.Status != outbox.StatusDone {
		t.Errorf("the agreement's email: %+v %v", en, err)
	}
}

// A doubtful answer to the agreement is held as today; accepted by a
// person, it is the partner's answer to the agreement, not a check-in's.
func TestHeldAnswerToTheAgreementAccepted(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)
	e := newEnv(t, now, options{})
	e.x.NewID = memstore.NewID
	lead := e.contact("lead")
	a, _, err := e.x.CreateAgreement(ctx, "olu", grants.NewAgreementInput{Programme: "community-2026",
		Partner:  grants.Partner{Name: "Levenshulme Community Kitchen", RegistrationNumber: "1180123", Address: "1 Stockport Road"},
		Contacts: []grants.Contact{{Name: "Asha Patel", Email: lead, Role: "lead"}}, Amount: 1_000_000, StartDate: "2027-03-08",
		Terms: []string{"Run a weekly community meal"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a, err = e.x.agreements().Activate(ctx, "olu", a.ID); err != nil {
		t.Fatal(err)
	}
	replies := service.NewReplies(e.x.Store, e.x.delivery(), service.NoMetrics, e.x.env())
	r := grants.Reply{AgreementID: a.ID, CheckIn: 0, MessageID: "ses-held-yes", From: "asha.personal@elsewhere.example", Text: "I agree", ReceivedAt: now}
	if err := replies.HoldMessage(ctx, r, grants.Quarantined{Reason: grants.QuarantineUnknownSender}, a, grants.Effects{At: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := replies.AcceptHeld(ctx, "olu", "ses-held-yes", service.Destination{}, "Asha's own address"); err != nil {
		t.Fatal(err)
	}
	a = e.get(t, a.ID)
	if p := a.PartnerAcceptance; p.Status != grants.AcceptanceAccepted || p.MessageID != "ses-held-yes" {
		t.Errorf("after accepting the held answer: %+v", p)
	}
}
