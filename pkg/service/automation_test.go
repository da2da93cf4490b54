package service_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/smithy-go"

	schedulerstub "github.com/partnership-grants/backend/pkg/dev/stack/scheduler"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/outbox"
	"github.com/partnership-grants/backend/pkg/schedules"
	"github.com/partnership-grants/backend/pkg/service"
)

// The agreement every test uses starts on Monday 2 March 2026 and is
// activated on 20 February, so nothing is due at activation:
//
//	instalments 2026-03-02, 2026-06-02, 2026-09-02, 2026-12-02
//	check-ins   2026-05-19, 2026-08-19, 2026-11-18, 2027-03-01 (final)
const start = "2026-03-02"

var activatedAt = time.Date(2026, 2, 20, 10, 0, 0, 0, time.UTC)

func concurrently(n int, f func() error) []error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = f() }()
	}
	wg.Wait()
	return errs
}

// TestCheckInSentOnceWhenDeliveredThreeTimes walks the year with the
// Scheduler stand-in and delivers every check-in event three times at once,
// as an at-least-once target may see it.
func TestCheckInSentOnceWhenDeliveredThreeTimes(t *testing.T) {
	e := newEnv(t, activatedAt, options{})
	ctx := context.Background()
	contact := e.contact("amina")
	a := e.agreement(t, start, true, contact)
	counted := e.countMetrics()

	fire := func(ctx context.Context, f schedulerstub.Firing) error {
		var ev schedules.Event
		if err := json.Unmarshal([]byte(f.Input), &ev); err != nil {
			return err
		}
		switch f.TargetArn {
		case schedCfg.CheckInTarget:
			for _, err := range concurrently(3, func() error { return e.x.SendCheckIn(ctx, ev.AgreementID, ev.Number) }) {
				if err != nil {
					t.Errorf("SendCheckIn %d: %v", ev.Number, err)
				}
			}
		case schedCfg.InstalmentTarget:
			return e.x.InstalmentDue(ctx, ev.AgreementID, ev.Number)
		}
		return nil
	}
	for _, c := range a.CheckIns {
		e.clock.Set(at9(c.DueDate))
		if err := e.stub.Run(ctx, e.clock.Now(), fire); err != nil {
			t.Fatal(err)
		}
		if dl := e.stub.DeadLetters(); len(dl) > 0 {
			t.Fatalf("dead letters: %+v", dl)
		}
		got := e.mailTo(t, contact)
		if len(got) != c.Number {
			t.Fatalf("after check-in %d the partner has %d emails, want %d: %q", c.Number, len(got), c.Number, subjects(got))
		}
		last := got[len(got)-1]
		stored := e.get(t, a.ID).CheckIn(c.Number)
		if stored.Status != grants.CheckInSent || stored.MessageID == "" || stored.MessageID != last.MessageID {
			t.Errorf("check-in %d: status %s, message ID %q; SES holds %q", c.Number, stored.Status, stored.MessageID, last.MessageID)
		}
		if !strings.HasPrefix(last.ReplyTo[0], "checkin+") {
			t.Errorf("check-in %d Reply-To %v, want a signed checkin+ address", c.Number, last.ReplyTo)
		}
		if n := count(e.history(t, a.ID), "checkin.sent", fmt.Sprintf("check-in %d", c.Number)); n != 1 {
			t.Errorf("check-in %d: %d checkin.sent entries, want 1", c.Number, n)
		}
	}
	// A late duplicate after the fact changes nothing.
	if err := e.x.SendCheckIn(ctx, a.ID, 1); err != nil {
		t.Fatal(err)
	}
	if got := e.mailTo(t, contact); len(got) != 4 {
		t.Errorf("partner has %d emails after a late duplicate, want 4", len(got))
	}
	if got := e.mailTo(t, e.finance); len(got) != 4 {
		t.Errorf("finance has %d due notices over the year, want 4", len(got))
	}
	// Each check-in counted once, as it was sent once.
	if n := counted.sum(t, service.MetricCheckInsSent); n != 4 {
		t.Errorf("CheckInsSent counted %d, want 4", n)
	}
}

func TestInstalmentDueDeliveredTwiceLeavesOneEntry(t *testing.T) {
	e := newEnv(t, activatedAt, options{})
	e.x.Defaults.PaymentPolicy = grants.PolicyAfterCheckIn // about the check-in rule
	ctx := context.Background()
	a := e.agreement(t, start, true, e.contact("amina"))

	e.clock.Set(at9(a.Instalment(1).DueDate))
	for range 2 {
		if err := e.x.InstalmentDue(ctx, a.ID, 1); err != nil {
			t.Fatal(err)
		}
	}
	// Instalment 2 falls due while check-in 1 has not been received; its
	// event arrives three times at once, then once more.
	e.clock.Set(at9(a.Instalment(2).DueDate))
	for _, err := range concurrently(3, func() error { return e.x.InstalmentDue(ctx, a.ID, 2) }) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := e.x.InstalmentDue(ctx, a.ID, 2); err != nil {
		t.Fatal(err)
	}

	stored := e.get(t, a.ID)
	h := e.history(t, a.ID)
	for _, tc := range []struct {
		n        int
		awaiting bool
	}{{1, false}, {2, true}} {
		in := stored.Instalment(tc.n)
		if in.Status != grants.InstalmentDue || in.AwaitingCheckIn != tc.awaiting {
			t.Errorf("instalment %d: %s awaitingCheckIn=%v, want due awaitingCheckIn=%v", tc.n, in.Status, in.AwaitingCheckIn, tc.awaiting)
		}
		if n := count(h, "instalment.due", fmt.Sprintf("instalment %d", tc.n)); n != 1 {
			t.Errorf("instalment %d: %d instalment.due entries, want 1", tc.n, n)
		}
		// Instalment 2 waits on the partner: its notice is recorded as
		// skipped, once (issue 26, item 12; truewhen.go).
		action := "email.sent"
		if tc.awaiting {
			action = "email.skipped"
		}
		if n := count(h, action, fmt.Sprintf("due-notice#%02d", tc.n)); n != 1 {
			t.Errorf("instalment %d: %d due notices recorded %s, want 1", tc.n, n, action)
		}
	}
	got := e.mailTo(t, e.finance)
	if len(got) != 1 || strings.Contains(got[0].Subject, "(2 of 4)") {
		t.Fatalf("finance has %d emails, want instalment 1's due notice only: %q", len(got), subjects(got))
	}
}

// TestSweepCatchesUpAfterLostEvents: no schedule fires; the sweep does what
// they should have done, once, and a late firing afterwards adds nothing.
func TestSweepCatchesUpAfterLostEvents(t *testing.T) {
	e := newEnv(t, activatedAt, options{})
	e.x.Defaults.PaymentPolicy = grants.PolicyAfterCheckIn // about the check-in rule
	ctx := context.Background()
	contact := e.contact("amina")
	a := e.agreement(t, start, true, contact)

	// 3 June, 06:00 London: instalments 1 and 2 and check-in 1 have passed,
	// but it is before the send time (09:00): nothing goes out yet.
	e.clock.Set(time.Date(2026, 6, 3, 6, 0, 0, 0, london))
	rep, err := e.x.Sweep(ctx)
	if err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	if rep.InstalmentsDue+rep.CheckInsSent+rep.Reminders != 0 || len(e.mailTo(t, contact)) != 0 {
		t.Errorf("sweep before the send time: %+v", rep)
	}
	// 09:00, the send time (and the sweep's time).
	e.clock.Set(time.Date(2026, 6, 3, 9, 0, 0, 0, london))
	rep, err = e.x.Sweep(ctx)
	if err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	if rep.InstalmentsDue != 2 || rep.CheckInsSent != 1 || rep.Failed != 0 {
		t.Errorf("first sweep: %+v, want 2 instalments due, 1 check-in sent", rep)
	}
	stored := e.get(t, a.ID)
	if in := stored.Instalment(1); in.Status != grants.InstalmentDue || in.AwaitingCheckIn {
		t.Errorf("instalment 1: %s awaiting=%v", in.Status, in.AwaitingCheckIn)
	}
	if in := stored.Instalment(2); in.Status != grants.InstalmentDue || !in.AwaitingCheckIn {
		t.Errorf("instalment 2: %s awaiting=%v, want due and awaiting check-in 1", in.Status, in.AwaitingCheckIn)
	}
	if in := stored.Instalment(3); in.Status != grants.InstalmentScheduled {
		t.Errorf("instalment 3: %s, want scheduled", in.Status)
	}
	c := stored.CheckIn(1)
	partner := e.mailTo(t, contact)
	if c.Status != grants.CheckInSent || len(partner) != 1 || partner[0].MessageID != c.MessageID {
		t.Fatalf("check-in 1: %s %q; partner emails %d", c.Status, c.MessageID, len(partner))
	}
	// Instalment 2 waits on check-in 1: finance is told of instalment 1
	// only (issue 26, item 12).
	if got := e.mailTo(t, e.finance); len(got) != 1 {
		t.Errorf("finance has %d due notices, want 1", len(got))
	}

	rep, err = e.x.Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep != (service.SweepReport{Today: rep.Today}) {
		t.Errorf("second sweep did something: %+v", rep)
	}
	// The lost events turn up after all.
	err = e.stub.Run(ctx, e.clock.Now(), func(ctx context.Context, f schedulerstub.Firing) error {
		var ev schedules.Event
		_ = json.Unmarshal([]byte(f.Input), &ev)
		if f.TargetArn == schedCfg.CheckInTarget {
			return e.x.SendCheckIn(ctx, ev.AgreementID, ev.Number)
		}
		return e.x.InstalmentDue(ctx, ev.AgreementID, ev.Number)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, fin := e.mailTo(t, contact), e.mailTo(t, e.finance); len(got) != 1 || len(fin) != 1 {
		t.Errorf("after the second sweep and late events: partner %d emails (want 1), finance %d (want 1)", len(got), len(fin))
	}
	h := e.history(t, a.ID)
	if count(h, "instalment.due", "") != 2 || count(h, "checkin.sent", "") != 1 {
		t.Errorf("history: %d instalment.due, %d checkin.sent; want 2 and 1", count(h, "instalment.due", ""), count(h, "checkin.sent", ""))
	}
}

// TestSweepRepairsMissingSchedules: an agreement activated without its
// schedules (the creation failed) gets them from the sweep.
func TestSweepRepairsMissingSchedules(t *testing.T) {
	e := newEnv(t, activatedAt, options{})
	ctx := context.Background()
	a := e.agreement(t, start, false, e.contact("amina"))
	rep, err := e.x.Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.SchedulesRepaired != 1 || rep.Items != 8 {
		t.Errorf("sweep: %+v, want 8 items and 1 agreement repaired", rep)
	}
	for _, c := range e.get(t, a.ID).CheckIns {
		if !c.ScheduleCreated {
			t.Errorf("check-in %d still has no schedule", c.Number)
		}
	}
	if rep, _ := e.x.Sweep(ctx); rep.Items != 0 {
		t.Errorf("second sweep found %d items", rep.Items)
	}
}

func TestRemindersStopAtTheLimit(t *testing.T) {
	e := newEnv(t, activatedAt, options{})
	ctx := context.Background()
	contact := e.contact("amina")
	a := e.agreement(t, start, true, contact)
	counted := e.countMetrics()
	e.clock.Set(at9(a.CheckIn(1).DueDate))
	if err := e.x.SendCheckIn(ctx, a.ID, 1); err != nil {
		t.Fatal(err)
	}
	// Partner: check-in, then a reminder a week later, and another; in week
	// 3 the check-in becomes overdue and the officer is told; then silence.
	wantPartner := []int{2, 3, 3, 3, 3, 3}
	wantOfficer := []int{0, 0, 1, 1, 1, 1}
	for week := range 6 {
		e.clock.Advance(7 * 24 * time.Hour)
		if _, err := e.x.Sweep(ctx); err != nil {
			t.Fatalf("week %d: %v", week+1, err)
		}
		p, o := e.mailTo(t, contact), e.mailTo(t, e.officer)
		if len(p) != wantPartner[week] || len(o) != wantOfficer[week] {
			t.Fatalf("week %d: partner %d emails %q, officer %d; want %d and %d", week+1, len(p), subjects(p), len(o), wantPartner[week], wantOfficer[week])
		}
	}
	p := e.mailTo(t, contact)
	if !strings.HasPrefix(p[1].Subject, "A gentle reminder") || !strings.HasPrefix(p[2].Subject, "Still keen to hear from you") {
		t.Errorf("reminder subjects %q", subjects(p[1:]))
	}
	c := e.get(t, a.ID).CheckIn(1)
	if c.Status != grants.CheckInOverdue || c.Reminders != 2 {
		t.Errorf("check-in 1: %s after %d reminders, want overdue after 2", c.Status, c.Reminders)
	}
	h := e.history(t, a.ID)
	if count(h, "checkin.reminder_due", "") != 2 || count(h, "checkin.overdue", "") != 1 {
		t.Errorf("history: %d reminders, %d overdue; want 2 and 1", count(h, "checkin.reminder_due", ""), count(h, "checkin.overdue", ""))
	}
	// A duplicate Remind (as a retried trigger would call it) adds nothing.
	if err := e.x.Remind(ctx, a.ID, 1); err != nil {
		t.Fatal(err)
	}
	if got := e.mailTo(t, e.officer); len(got) != 1 {
		t.Errorf("officer has %d emails after a duplicate Remind, want 1", len(got))
	}
	if n, c := counted.sum(t, service.MetricRemindersSent), counted.sum(t, service.MetricCheckInsSent); n != 2 || c != 1 {
		t.Errorf("counted %d reminders and %d check-ins sent, want 2 and 1", n, c)
	}
}

// sesEvent is an SES event as the configuration set publishes it to SNS.
func sesEvent(t *testing.T, eventType, bounceType, recipient, messageID, agreementID string) service.SESEvent {
	t.Helper()
	var body string
	switch eventType {
	case "Bounce":
		body = fmt.Sprintf(`{"eventType":"Bounce","bounce":{"bounceType":%q,"bounceSubType":"General","bouncedRecipients":[{"emailAddress":%q}]},`, bounceType, recipient)
	case "Complaint":
		body = fmt.Sprintf(`{"eventType":"Complaint","complaint":{"complainedRecipients":[{"emailAddress":%q}]},`, recipient)
	}
	body += fmt.Sprintf(`"mail":{"messageId":%q,"tags":{"agreement-id":[%q],"kind":["check-in"]}}}`, messageID, agreementID)
	ev, err := service.ParseSESEvent(body)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestBouncesAndComplaints(t *testing.T) {
	for _, tc := range []struct {
		name, eventType, bounceType string
		stops                       bool
		kind                        string
	}{
		{"hard bounce", "Bounce", "Permanent", true, "bounce"},
		{"complaint", "Complaint", "", true, "complaint"},
		{"transient bounce", "Bounce", "Transient", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, activatedAt, options{})
			ctx := context.Background()
			contact := e.contact("amina")
			a := e.agreement(t, start, true, contact)
			e.clock.Set(at9(a.CheckIn(1).DueDate))
			if err := e.x.SendCheckIn(ctx, a.ID, 1); err != nil {
				t.Fatal(err)
			}
			sent := e.get(t, a.ID).CheckIn(1).MessageID

			counted := e.countMetrics()
			ev := sesEvent(t, tc.eventType, tc.bounceType, contact, sent, a.ID)
			for range 2 { // SNS delivers at least once
				if err := e.x.RecordSESEvent(ctx, ev); err != nil {
					t.Fatal(err)
				}
			}
			stored := e.get(t, a.ID)
			if got := stored.Contacts[0].Bounced; got != tc.kind {
				t.Errorf("contact bounced = %q, want %q", got, tc.kind)
			}
			officer := e.mailTo(t, e.officer)
			if want := map[bool]int{true: 1, false: 0}[tc.stops]; len(officer) != want {
				t.Fatalf("officer has %d emails, want %d: %q", len(officer), want, subjects(officer))
			}
			if tc.stops && !strings.Contains(officer[0].Body.Text, contact) {
				t.Errorf("bounce notice does not name the address:\n%s", officer[0].Body.Text)
			}
			if n := count(e.history(t, a.ID), "contact.bounced", contact); n != map[bool]int{true: 1, false: 0}[tc.stops] {
				t.Errorf("%d contact.bounced entries", n)
			}
			if n := counted.sum(t, service.MetricBounces); n != map[bool]int{true: 1, false: 0}[tc.stops] {
				t.Errorf("Bounces counted %d for an event delivered twice", n)
			}

			e.clock.Set(at9(a.CheckIn(2).DueDate))
			if err := e.x.SendCheckIn(ctx, a.ID, 2); err != nil {
				t.Fatalf("SendCheckIn 2: %v", err)
			}
			partner := e.mailTo(t, contact)
			h := e.history(t, a.ID)
			if tc.stops {
				if len(partner) != 1 {
					t.Errorf("check-in 2 went to the %s address: %d emails", tc.kind, len(partner))
				}
				if n := count(h, "email.skipped", "checkin#02"); n != 1 {
					t.Errorf("%d email.skipped entries for check-in 2, want 1", n)
				}
				if c := e.get(t, a.ID).CheckIn(2); c.Status == grants.CheckInSent || c.MessageID != "" {
					t.Errorf("check-in 2 recorded as %s with message %q though nothing was sent", c.Status, c.MessageID)
				}
			} else {
				if len(partner) != 2 || e.get(t, a.ID).CheckIn(2).Status != grants.CheckInSent {
					t.Errorf("after a transient bounce check-in 2 was not sent: %d emails", len(partner))
				}
			}
		})
	}
}

// TestBounceSkipsOnlyTheBouncedContact: with two contacts, the next
// check-in goes to the one whose mail still arrives.
func TestBounceSkipsOnlyTheBouncedContact(t *testing.T) {
	e := newEnv(t, activatedAt, options{})
	ctx := context.Background()
	first, second := e.contact("amina"), e.contact("bola")
	a := e.agreement(t, start, true, first, second)
	e.clock.Set(at9(a.CheckIn(1).DueDate))
	if err := e.x.SendCheckIn(ctx, a.ID, 1); err != nil {
		t.Fatal(err)
	}
	if err := e.x.RecordSESEvent(ctx, sesEvent(t, "Bounce", "Permanent", first, e.get(t, a.ID).CheckIn(1).MessageID, a.ID)); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(at9(a.CheckIn(2).DueDate))
	if err := e.x.SendCheckIn(ctx, a.ID, 2); err != nil {
		t.Fatal(err)
	}
	// Check-in 1 went to both contacts (the SES v2 emulator keeps every
	// To address); check-in 2 only to the one whose mail still arrives.
	if got := e.mailTo(t, first); len(got) != 1 {
		t.Errorf("bounced contact has %d emails, want only check-in 1", len(got))
	}
	got := e.mailTo(t, second)
	c := e.get(t, a.ID).CheckIn(2)
	if len(got) != 2 || got[1].MessageID != c.MessageID || c.Status != grants.CheckInSent {
		t.Errorf("check-in 2: %s %q; second contact has %d emails", c.Status, c.MessageID, len(got))
	}
}

// TestCheckInResumesAfterTheContactIsChanged: "no further check-ins go to a
// hard-bounced address until a contact is changed" – so once it is changed,
// the check-in that could not go out should reach the new address.
func TestCheckInResumesAfterTheContactIsChanged(t *testing.T) {
	e := newEnv(t, activatedAt, options{})
	ctx := context.Background()
	old, replacement := e.contact("amina"), e.contact("bola")
	a := e.agreement(t, start, true, old)
	e.clock.Set(at9(a.CheckIn(1).DueDate))
	if err := e.x.SendCheckIn(ctx, a.ID, 1); err != nil {
		t.Fatal(err)
	}
	if err := e.x.RecordSESEvent(ctx, sesEvent(t, "Bounce", "Permanent", old, e.get(t, a.ID).CheckIn(1).MessageID, a.ID)); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(at9(a.CheckIn(2).DueDate))
	if err := e.x.SendCheckIn(ctx, a.ID, 2); err != nil {
		t.Fatal(err)
	}
	// The officer replaces the contact the next day; the daily sweep runs.
	e.clock.Advance(24 * time.Hour)
	contacts := []grants.Contact{{Name: "Bola Ade", Email: replacement, Role: "lead"}}
	if _, err := e.store.UpdateAgreement(ctx, a.ID, 0, grants.AuditOnly(func(a *grants.Agreement) ([]grants.AuditEntry, error) {
		en, err := a.Amend(grants.Amendment{Contacts: &contacts}, e.clock.Now(), "officer@funder.test")
		return []grants.AuditEntry{en}, err
	})); err != nil {
		t.Fatal(err)
	}
	if _, err := e.x.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.x.SendCheckIn(ctx, a.ID, 2); err != nil {
		t.Fatal(err)
	}
	var checkIn2 []string
	for _, m := range e.mailTo(t, replacement) {
		if strings.Contains(m.Subject, "Check-in 2 of 4") {
			checkIn2 = append(checkIn2, m.Subject)
		}
	}
	c := e.get(t, a.ID).CheckIn(2)
	if len(checkIn2) != 1 || c.Status != grants.CheckInSent {
		t.Fatal("BUG: check-in 2 is never sent to the replacement contact: the skipped send completed its outbox entry " +
			"(service.go Deliver: Store.Complete on ErrNoRecipients), so every later Claim of checkin#02 fails; " +
			fmt.Sprintf("the check-in stays %s forever (and in the sweep's index); check-in 2 emails to the new contact: %d "+
				"(while reminders for check-in 1 do reach it: %q)", c.Status, len(checkIn2), subjects(e.mailTo(t, replacement))))
	}
}

// TestBounceOfANonContactIsNotReportedAsAContact: due notices and officer
// notices carry the agreement-id tag too, so SES publishes their bounces.
// A bounced finance or officer address is not a partner contact: nothing
// should be marked, and no "a contact bounced" notice should go out (to an
// officer whose address is itself bouncing, each notice would bounce again
// with a new message ID, a new outbox key and a new notice, without end).
func TestBounceOfANonContactIsNotReportedAsAContact(t *testing.T) {
	e := newEnv(t, activatedAt, options{})
	ctx := context.Background()
	a := e.agreement(t, start, true, e.contact("amina"))
	for i := range 3 {
		if err := e.x.RecordSESEvent(ctx, sesEvent(t, "Bounce", "Permanent", e.officer, fmt.Sprintf("notice-%d", i), a.ID)); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.get(t, a.ID).Contacts[0].Bounced; got != "" {
		t.Errorf("partner contact marked %q by another address's bounce", got)
	}
	if got := e.mailTo(t, e.officer); len(got) != 0 {
		t.Fatal("BUG: bounce.go RecordSESEvent calls Deliver(bounceKey) even when MarkContactBounced found no such contact " +
			"(UpdateAgreement returned on ErrNoChange without enqueuing); Claim then creates the outbox entry, so each bounce " +
			fmt.Sprintf("of the officer's own address sends the officer another bounce notice: %d notices for 3 bounces: %q", len(got), subjects(got)))
	}
}

// TestNothingFallsDueOnATerminatedAgreement: a schedule that fires after
// termination (its deletion failed, or the event was already in flight)
// must not tell finance to pay a cancelled instalment.
func TestNothingFallsDueOnATerminatedAgreement(t *testing.T) {
	e := newEnv(t, activatedAt, options{})
	ctx := context.Background()
	contact := e.contact("amina")
	a := e.agreement(t, start, true, contact)
	if _, err := e.store.UpdateAgreement(ctx, a.ID, 0, grants.AuditOnly(func(a *grants.Agreement) ([]grants.AuditEntry, error) {
		en, err := a.Terminate("Partner closed", e.clock.Now(), "officer@funder.test")
		return []grants.AuditEntry{en}, err
	})); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(at9(a.CheckIn(1).DueDate))
	if err := e.x.SendCheckIn(ctx, a.ID, 1); err != nil {
		t.Fatal(err)
	}
	if got := e.mailTo(t, contact); len(got) != 0 {
		t.Errorf("a check-in went out on a terminated agreement")
	}
	if in := e.get(t, a.ID).Instalment(1); in.Status != grants.InstalmentCancelled {
		t.Fatalf("instalment 1 is %s", in.Status)
	}
	if err := e.x.InstalmentDue(ctx, a.ID, 1); err != nil {
		t.Fatal(err)
	}
	if got := e.mailTo(t, e.finance); len(got) != 0 {
		t.Fatal("BUG: service.go InstalmentDue calls Deliver(due-notice) even when MakeInstalmentDue changed nothing; " +
			"Claim creates the missing outbox entry, so finance is emailed that a cancelled instalment of a terminated " +
			fmt.Sprintf("agreement is due: %q", subjects(got)))
	}
}

func TestThrottling(t *testing.T) {
	t.Run("retried until sent", func(t *testing.T) {
		th := &throttler{}
		th.remaining.Store(3)
		e := newEnv(t, activatedAt, options{ses: []func(*sesv2.Options){th.install}})
		ctx := context.Background()
		contact := e.contact("amina")
		a := e.agreement(t, start, true, contact)
		e.clock.Set(at9(a.CheckIn(1).DueDate))
		if err := e.x.SendCheckIn(ctx, a.ID, 1); err != nil {
			t.Fatalf("SendCheckIn after 3 throttled attempts: %v", err)
		}
		if th.attempts.Load() != 4 || th.reached.Load() != 1 {
			t.Errorf("attempts %d, reached SES %d; want 4 and 1", th.attempts.Load(), th.reached.Load())
		}
		got := e.mailTo(t, contact)
		c := e.get(t, a.ID).CheckIn(1)
		if len(got) != 1 || c.Status != grants.CheckInSent || c.MessageID != got[0].MessageID {
			t.Errorf("check-in %s %q; partner has %d emails", c.Status, c.MessageID, len(got))
		}
	})
	t.Run("persistent, then cleared", func(t *testing.T) {
		th := &throttler{}
		th.remaining.Store(1 << 40)
		e := newEnv(t, activatedAt, options{ses: []func(*sesv2.Options){th.install}})
		ctx := context.Background()
		contact := e.contact("amina")
		a := e.agreement(t, start, true, contact)
		e.clock.Set(at9(a.CheckIn(1).DueDate))
		err := e.x.SendCheckIn(ctx, a.ID, 1)
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "TooManyRequestsException" {
			t.Fatalf("SendCheckIn while throttled = %v, want a throttling error", err)
		}
		if n := th.attempts.Load(); n != int64(fastRetry.MaxAttempts) {
			t.Errorf("attempts %d, want %d", n, fastRetry.MaxAttempts)
		}
		assertUnsent := func(when string) {
			t.Helper()
			c := e.get(t, a.ID).CheckIn(1)
			if c.Status != grants.CheckInScheduled || c.MessageID != "" || !c.SentAt.IsZero() {
				t.Errorf("%s: check-in %s with message %q, want scheduled with none", when, c.Status, c.MessageID)
			}
			if n := count(e.history(t, a.ID), "checkin.sent", ""); n != 0 {
				t.Errorf("%s: %d checkin.sent entries", when, n)
			}
		}
		assertUnsent("after the failed send")
		ob, err := e.store.Outbox(ctx, a.ID, "checkin#01")
		if err != nil || ob == nil {
			t.Fatalf("outbox entry: %v, %v", ob, err)
		}
		if ob.Status != outbox.StatusPending || ob.MessageID != "" || !strings.Contains(ob.LastError, "TooManyRequestsException") {
			t.Errorf("outbox entry %+v, want pending with the throttling error", ob)
		}
		// The sweep retries it while SES still throttles: still not sent.
		e.clock.Advance(time.Hour)
		if rep, err := e.x.Sweep(ctx); err == nil || rep.Failed == 0 {
			t.Errorf("sweep while throttled: %+v, %v; want a failure", rep, err)
		}
		assertUnsent("after a throttled sweep")
		if got := e.mailTo(t, contact); len(got) != 0 {
			t.Fatalf("partner has %d emails while SES throttles", len(got))
		}

		th.remaining.Store(0)
		if err := e.x.SendCheckIn(ctx, a.ID, 1); err != nil {
			t.Fatalf("SendCheckIn after throttling stopped: %v", err)
		}
		if _, err := e.x.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		got := e.mailTo(t, contact)
		c := e.get(t, a.ID).CheckIn(1)
		if len(got) != 1 || c.Status != grants.CheckInSent || c.MessageID != got[0].MessageID {
			t.Errorf("after recovery: check-in %s %q; partner has %d emails, want 1", c.Status, c.MessageID, len(got))
		}
	})
}
