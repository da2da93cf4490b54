package stack

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/reports"
)

// On the local stack, day by day: an instalment of the deployment's
// programme left unpaid appears in finance's daily digest from the day it is
// more than 10 working days late, in one email that day however often the
// sweep runs, and again on the next week's first working day, linking to the web app's Finance page; the JSON API
// shows it late; once paid, it leaves the digest, keeps the days late it
// was paid with, and the summary measures it.
func TestLateDigestOnTheStack(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	ctx := stackContext(st)
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
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	start := grants.Today(st.Clock.Now(), london)
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

	// The day the digest should first list it: a working day (as the sweep
	// sends) whose send time has passed on which it is more than 10 working
	// days late. The walk goes on until it has, so it turns late from any
	// start, the quiet period's included.
	calendar, want := grants.Timing{}, 0
	counted := map[grants.Date]bool{}
	for day := 1; want < 1; day++ {
		if day > 45 {
			t.Fatalf("45 days on from %s the instalment never turned late", due)
		}
		if _, err := st.Runner.Advance(ctx, 1); err != nil {
			t.Fatal(err)
		}
		now := st.Clock.Now()
		for _, d := range []grants.Date{grants.Today(now, london).AddDays(-1), grants.Today(now, london)} {
			if !counted[d] && !now.Before(calendar.SendAt(d, london)) && calendar.WorkingDay(d) && calendar.WorkingDaysLate(due, d) > 10 {
				counted[d] = true
				want++
			}
		}
		// A second sweep the same day sends nothing more.
		if _, err := st.Runner.x.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if got := len(digests()); got != want {
			today := grants.Today(now, london)
			t.Fatalf("%s (%d working days after %s): %d digests list the instalment, want %d",
				now.In(london).Format(time.DateTime), calendar.WorkingDaysLate(due, today), due, got, want)
		}
	}
	// Still late, it is listed again on the first working day of the next
	// week, one digest that day; the days between need not repeat the same
	// list (issue 26, item 12: daily is when the list changes), and no day
	// has two.
	for day := 1; ; day++ {
		if day > 14 {
			t.Fatal("no week's first working day in 14 days")
		}
		before, from := len(digests()), st.Clock.Now()
		if _, err := st.Runner.Advance(ctx, 1); err != nil {
			t.Fatal(err)
		}
		now := st.Clock.Now()
		got := len(digests()) - before
		if got > 1 {
			t.Fatalf("%s: %d digests in a day", now.In(london).Format(time.DateTime), got)
		}
		// The week's first working day whose send time this day passed.
		first := false
		for _, d := range []grants.Date{grants.Today(now, london).AddDays(-1), grants.Today(now, london)} {
			monday := d.AddDays(-((int(d.At(12, 0, london).Weekday()) + 6) % 7))
			at := calendar.SendAt(d, london)
			first = first || calendar.NextWorkingDay(monday) == d && at.After(from) && !now.Before(at)
		}
		if first {
			if got != 1 {
				t.Fatalf("%s, the week's first working day: %d digests list the still-late instalment, want 1", now.In(london).Format(time.DateTime), got)
			}
			break
		}
	}
	d := digests()[0]
	if !strings.Contains(d.Body.Text, "http://"+st.opts.APIAddr+"/app/finance") || !strings.Contains(d.Body.Text, a.Reference+", instalment 1") {
		t.Errorf("digest:\n%s", d.Body.Text)
	}
	today := grants.Today(st.Clock.Now(), london)
	late := calendar.WorkingDaysLate(due, today)
	var got grants.Agreement
	officer.must(200, "GET", "/agreements/"+a.ID, "", &got)
	if in := got.Instalment(1); in.Status != grants.InstalmentDue || in.DaysLate != late {
		t.Errorf("GET agreement: instalment 1 %s, %d days late; want due, %d", in.Status, in.DaysLate, late)
	}
	var sum reports.Summary
	officer.must(200, "GET", "/programmes/"+DemoProgramme+"/summary", "", &sum)
	if sum.Lateness.LateNow < 1 || sum.Lateness.OnTimeWorkingDays != 10 {
		t.Errorf("summary lateness %+v, want ours late now", sum.Lateness)
	}

	var requested struct{ Payment grants.Payment }
	alice.must(201, "POST", "/agreements/"+a.ID+"/instalments/1/payments", fmt.Sprintf(`{"paymentReference": "BACS-LATE-1", "paidOn": %q}`, today),
		&requested, "Idempotency-Key", fmt.Sprintf("late-pay-%d", now.UnixNano()))
	// One person is one person, whichever token they hold: Alice's access
	// token passes the gateway's JWT check, as in AWS, and the API refuses
	// it; her ID token under an email she changed is still hers.
	approve := "/agreements/" + a.ID + "/instalments/1/payments/" + requested.Payment.ID + "/approve"
	aliceAccess, err := st.Auth.IssueKind("alice", "finance", AccessToken, now)
	if err != nil {
		t.Fatal(err)
	}
	if code, body := (client{t, st.opts.APIAddr, aliceAccess}).do("POST", approve, ""); code != 401 || !strings.Contains(string(body), "id_token_required") {
		t.Errorf("alice approves her own request with her access token: %d %s", code, body)
	}
	renamed, err := st.Auth.Key.Sign(map[string]any{"iss": st.Auth.Issuer, "aud": apiClient, "sub": "local-alice", "token_use": IDToken,
		"email": "a.brennan@elsewhere.example", "cognito:groups": []string{"finance"}, "exp": now.Add(time.Hour).Unix(), "iat": now.Unix()})
	if err != nil {
		t.Fatal(err)
	}
	if code, body := (client{t, st.opts.APIAddr, renamed}).do("POST", approve, ""); code != 403 || !strings.Contains(string(body), "same_approver") {
		t.Errorf("alice approves her own request under another email: %d %s", code, body)
	}
	bob.must(200, "POST", approve, "", nil)
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
	sum = reports.Summary{}
	officer.must(200, "GET", "/programmes/"+DemoProgramme+"/summary", "", &sum)
	if sum.PaidDaysLate[grants.DaysLateKey(late)] < 1 || sum.Lateness.InstalmentsPaid < 1 || sum.Lateness.MedianDaysLate == nil {
		t.Errorf("summary after paying %d days late: %v, %+v", late, sum.PaidDaysLate, sum.Lateness)
	}
}
