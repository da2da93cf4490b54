package stack

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/monitoring"
)

// On the local stack, day by day: an instalment of the deployment's
// programme left unpaid appears in finance's daily digest from the day it is
// more than 10 working days late, in one email each working day however
// often the sweep runs, linking to the web app's Finance page; the JSON API
// shows it late; once paid, it leaves the digest, keeps the days late it
// was paid with, and the summary measures it.
func TestLateDigestOnTheStack(t *testing.T) {
	st := startStack(t)
	ctx := context.Background()
	now := time.Now()
	issue := func(user, role string) client {
		tok, err := st.Auth.Issue(user, role, now)
		if err != nil {
			t.Fatal(err)
		}
		return client{t, st.opts.APIAddr, tok}
	}
	officer, alice, bob := issue("olu", "programme"), issue("alice", "finance"), issue("bob", "finance")
	partner := fmt.Sprintf("Didsbury Tool Library %d", now.UnixNano())
	start := grants.Today(st.Clock.Now(), time.UTC)
	var a grants.Agreement
	officer.must(201, "POST", "/agreements", fmt.Sprintf(`{"programme": %q,
		"partner": {"name": %q, "registrationNumber": "1175555", "address": "5 School Lane, Manchester M20 6RD"},
		"contacts": [{"name": "Ana Silva", "email": "ana-%d@tools.example", "role": "lead"}],
		"amount": 800000, "startDate": %q, "terms": ["Lend tools to neighbours"]}`, DemoProgramme, partner, now.UnixNano(), start),
		&a, "Idempotency-Key", fmt.Sprintf("late-%d", now.UnixNano()))
	officer.must(200, "POST", "/agreements/"+a.ID+"/activate", "", nil)
	due := a.Instalments[0].DueDate

	sesURL := fmt.Sprintf("http://127.0.0.1:%d", st.opts.SESPort)
	digests := func() []emulator.SESMessage {
		t.Helper()
		msgs, err := emulator.SESMessagesTo(ctx, sesURL, "finance@funder.local")
		if err != nil {
			t.Fatal(err)
		}
		var out []emulator.SESMessage
		for _, m := range msgs {
			if strings.HasPrefix(m.Subject, "Late payments: ") && strings.Contains(m.Body.Text, partner) {
				out = append(out, m)
			}
		}
		return out
	}

	// The days the digest should list it: working days (as the sweep sends)
	// on which it is more than 10 working days late.
	calendar, want := grants.Timing{}, 0
	for day := 1; day <= 20; day++ {
		if _, err := st.Runner.Advance(ctx, 1); err != nil {
			t.Fatal(err)
		}
		today := grants.Today(st.Clock.Now(), time.UTC)
		if calendar.WorkingDay(today) && calendar.WorkingDaysLate(due, today) > 10 {
			want++
		}
		// A second sweep the same day sends nothing more.
		if _, err := st.Runner.x.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if got := len(digests()); got != want {
			t.Fatalf("%s (%d working days after %s): %d digests list the instalment, want %d",
				today, calendar.WorkingDaysLate(due, today), due, got, want)
		}
	}
	if want == 0 {
		t.Fatalf("twenty days on from %s the instalment never turned late", due)
	}
	d := digests()[0]
	if !strings.Contains(d.Body.Text, "http://"+st.opts.APIAddr+"/app/finance") || !strings.Contains(d.Body.Text, a.Reference+", instalment 1") {
		t.Errorf("digest:\n%s", d.Body.Text)
	}
	today := grants.Today(st.Clock.Now(), time.UTC)
	late := calendar.WorkingDaysLate(due, today)
	var got grants.Agreement
	officer.must(200, "GET", "/agreements/"+a.ID, "", &got)
	if in := got.Instalment(1); in.Status != grants.InstalmentDue || in.DaysLate != late {
		t.Errorf("GET agreement: instalment 1 %s, %d days late; want due, %d", in.Status, in.DaysLate, late)
	}
	var sum monitoring.Summary
	officer.must(200, "GET", "/programmes/"+DemoProgramme+"/summary", "", &sum)
	if sum.Lateness.LateNow < 1 || sum.Lateness.OnTimeWorkingDays != 10 {
		t.Errorf("summary lateness %+v, want ours late now", sum.Lateness)
	}

	var requested struct{ Payment grants.Payment }
	alice.must(201, "POST", "/agreements/"+a.ID+"/instalments/1/payments", fmt.Sprintf(`{"paymentReference": "BACS-LATE-1", "paidOn": %q}`, today),
		&requested, "Idempotency-Key", fmt.Sprintf("late-pay-%d", now.UnixNano()))
	bob.must(200, "POST", "/agreements/"+a.ID+"/instalments/1/payments/"+requested.Payment.ID+"/approve", "", nil)
	before := len(digests())
	if _, err := st.Runner.Advance(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if n := len(digests()); n != before {
		t.Errorf("%d more digests list the instalment after it was paid", n-before)
	}
	got = grants.Agreement{}
	officer.must(200, "GET", "/agreements/"+a.ID, "", &got)
	if in := got.Instalment(1); in.Status != grants.InstalmentPaid || in.DaysLate != late {
		t.Errorf("paid instalment 1: %s, %d days late, want paid %d", in.Status, in.DaysLate, late)
	}
	sum = monitoring.Summary{}
	officer.must(200, "GET", "/programmes/"+DemoProgramme+"/summary", "", &sum)
	if sum.PaidDaysLate[grants.DaysLateKey(late)] < 1 || sum.Lateness.InstalmentsPaid < 1 || sum.Lateness.MedianDaysLate == nil {
		t.Errorf("summary after paying %d days late: %v, %+v", late, sum.PaidDaysLate, sum.Lateness)
	}
}
