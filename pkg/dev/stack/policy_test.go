package stack

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/reports"
)

// paysAfterCheckIn gives programme settings that choose the check-in rule
// (afterCheckIn), for a test about money waiting on check-ins: a programme
// with no settings pays on schedule.
func paysAfterCheckIn(t *testing.T, st *Stack, programme string) {
	t.Helper()
	if err := st.Deps.Store.PutProgrammeSettings(stackContext(st), programme, grants.ProgrammeSettings{PaymentPolicy: grants.PolicyAfterCheckIn}); err != nil {
		t.Fatal(err)
	}
}

// TestAgreementYearOnTrust is issue 23's items 1 and 2 on the local stack,
// a sibling of TestAgreementYear: two programmes walked side by side, day
// by day, finance paying whatever it can the day it can.
//
//   - "on-trust" has settings that choose its own check-in questions (three,
//     one optional, one in its own words) but no payment policy, so it pays
//     on schedule (the deployment's PaymentPolicy, onSchedule). Its
//     agreement has 3 check-ins for 4 instalments. The partner never answers
//     check-in 1 (it goes overdue), yet every instalment is paid on its due
//     date with no override, 0 working days late; no email to the partner
//     ties money to a check-in; the check-in email asks exactly the
//     programme's questions; a reply to them is read per question.
//   - "after-check-in" chooses afterCheckIn: instalment 2 falls due waiting
//     on check-in 1, finance is refused without an override, and it is paid
//     only once the partner's late reply is in: late because the check-in was.
func TestAgreementYearOnTrust(t *testing.T) {
	t.Parallel()
	st := startStackWith(t, func(o *Options) { o.NoDemo = true })
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
	questions := []grants.CheckInQuestion{{Text: "What did the young people make?"}, {Key: "feedback"}, {Key: "story", Optional: true}}
	if err := st.Deps.Store.PutProgrammeSettings(ctx, "on-trust", grants.ProgrammeSettings{CheckInQuestions: questions}); err != nil {
		t.Fatal(err)
	}
	paysAfterCheckIn(t, st, "after-check-in")

	london, _ := time.LoadLocation("Europe/London")
	start := grants.Today(st.Clock.Now(), london)
	create := func(programme, contact, extra string) grants.Agreement {
		var a grants.Agreement
		officer.must(201, "POST", "/agreements", fmt.Sprintf(`{"programme": %q,
			"partner": {"name": "Gorton Youth Arts", "registrationNumber": "1181234", "address": "3 Hyde Road, Manchester M18 7BA"},
			"contacts": [{"name": "Kai Brown", "email": %q, "role": "lead"}],
			"amount": 1000000, "startDate": %q, "terms": ["Run a weekly art club"], "support": ["Mentoring"]%s}`, programme, contact, start, extra),
			&a, "Idempotency-Key", fmt.Sprintf("%s-%d", programme, now.UnixNano()))
		officer.must(200, "POST", "/agreements/"+a.ID+"/activate", "", nil)
		return a
	}
	trustContact := fmt.Sprintf("kai-%d@on-trust.example", now.UnixNano())
	strictContact := fmt.Sprintf("kai-%d@after-check-in.example", now.UnixNano())
	trust := create("on-trust", trustContact, `, "checkInCount": 3`)
	strict := create("after-check-in", strictContact, "")
	if trust.PaymentPolicy != grants.PolicyOnSchedule || len(trust.CheckIns) != 3 || trust.CheckInCount != 3 || strict.PaymentPolicy != grants.PolicyAfterCheckIn || len(strict.CheckIns) != 4 {
		t.Fatalf("on-trust: %q with %d check-ins; after-check-in: %q with %d", trust.PaymentPolicy, len(trust.CheckIns), strict.PaymentPolicy, len(strict.CheckIns))
	}

	sesURL := fmt.Sprintf("http://127.0.0.1:%d", st.opts.SESPort)
	pay := func(a grants.Agreement, n int, override string) int {
		path := fmt.Sprintf("/agreements/%s/instalments/%d/payments", a.ID, n)
		body := fmt.Sprintf(`{"paymentReference": "BACS-%s-%d", "paidOn": %q}`, a.Reference, n, grants.Today(st.Clock.Now(), london))
		if override != "" {
			body = fmt.Sprintf(`{"paymentReference": "BACS-%s-%d", "paidOn": %q, "override": {"reason": %q}}`, a.Reference, n, grants.Today(st.Clock.Now(), london), override)
		}
		status, b := alice.do("POST", path, body, "Idempotency-Key", fmt.Sprintf("pay-%s-%d-%d", a.ID, n, st.Clock.Now().Unix()))
		if status != 201 {
			return status
		}
		var req struct{ Payment grants.Payment }
		if err := json.Unmarshal(b, &req); err != nil {
			t.Fatal(err)
		}
		bob.must(200, "POST", path+"/"+req.Payment.ID+"/approve", "", nil)
		return status
	}
	paidTrust, refused := 0, 0
	strictPaid2 := false
	var trustAnswered bool
	var strictCheckIn1 string // the reply address of after-check-in's check-in 1, answered late
	strictAnswered := map[string]bool{}
	var dueSeen grants.Date
	for day := 0; day < 320 && (paidTrust < 4 || !trustAnswered || !strictPaid2); day++ {
		if _, err := st.Runner.Advance(ctx, 1); err != nil {
			t.Fatalf("day %d: %v", day, err)
		}
		today := grants.Today(st.Clock.Now(), london)
		msgs, err := emulator.SESMessages(ctx, sesURL)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if len(m.Destination.To) == 0 || len(m.ReplyTo) == 0 || !strings.HasPrefix(m.ReplyTo[0], "checkin+") || strings.HasPrefix(m.Subject, "A gentle") || strings.HasPrefix(m.Subject, "Still keen") {
				continue
			}
			switch to := m.Destination.To[0]; {
			case to == trustContact && strings.Contains(m.Subject, "Check-in 2 of 3") && !trustAnswered:
				// Check-in 1 is never answered; check-in 2 is, per question.
				trustAnswered = true
				reply(t, st.opts.SMTPAddr, trustContact, m.ReplyTo[0], m.Subject,
					"1. What did the young people make?\nA mural on the bus shelter.\n\n2. Feedback for us: More notice of dates, please.\n\n3. A story: Jo's first exhibition.", nil)
			case to == strictContact && strings.Contains(m.Subject, "Check-in 1 of 4"):
				strictCheckIn1 = m.ReplyTo[0] + "\n" + m.Subject
			case to == strictContact && !strings.Contains(m.Subject, "Check-in 1 of 4") && !strictAnswered[m.Subject]:
				strictAnswered[m.Subject] = true
				reply(t, st.opts.SMTPAddr, strictContact, m.ReplyTo[0], m.Subject, "All well here.", nil)
			}
		}
		var due struct {
			Items []struct {
				AgreementID     string
				Number          int
				AwaitingCheckIn bool
			}
		}
		alice.must(200, "GET", "/instalments?status=due&programme=on-trust", "", &due)
		for _, in := range due.Items {
			if in.AwaitingCheckIn {
				t.Errorf("day %d: on-trust instalment %d is awaiting a check-in", day, in.Number)
			}
			if status := pay(trust, in.Number, ""); status != 201 {
				t.Fatalf("day %d: paying on-trust instalment %d without an override: %d", day, in.Number, status)
			}
			paidTrust++
		}
		due.Items = nil
		alice.must(200, "GET", "/instalments?status=due&programme=after-check-in", "", &due)
		for _, in := range due.Items {
			switch status := pay(strict, in.Number, ""); {
			case status == 201:
				strictPaid2 = strictPaid2 || in.Number == 2
			case status == 409 && in.Number == 2 && in.AwaitingCheckIn:
				refused++
				if dueSeen.IsZero() {
					dueSeen = today
				}
				// The partner answers check-in 1 a week after instalment 2 fell due.
				if today == dueSeen.AddDays(7) && strictCheckIn1 != "" {
					to, subject, _ := strings.Cut(strictCheckIn1, "\n")
					reply(t, st.opts.SMTPAddr, strictContact, to, subject, "Sorry this is late: the art club is going well.", nil)
				}
			default:
				t.Fatalf("day %d: paying after-check-in instalment %d: %d", day, in.Number, status)
			}
		}
	}
	if paidTrust != 4 || !trustAnswered || !strictPaid2 {
		t.Fatalf("walk ended with %d on-trust instalments paid (check-in 2 answered %v), after-check-in instalment 2 paid %v", paidTrust, trustAnswered, strictPaid2)
	}

	// On trust: everything paid on its due date, none waited, no override.
	var got grants.Agreement
	officer.must(200, "GET", "/agreements/"+trust.ID, "", &got)
	for _, in := range got.Instalments {
		// Instalment 1 is due the day the agreement starts: activated at
		// 10:00, after its schedule's 09:00, it falls due when the clock
		// next moves (a day on). Those after a check-in are paid on the day.
		late := in.DaysLate != 0
		if in.Number == 1 {
			late = in.DaysLate > 1
		}
		if in.Status != grants.InstalmentPaid || late || in.Payment == nil || in.Payment.OverrideReason != "" || in.AwaitingCheckIn {
			t.Errorf("on-trust instalment %d: %s, %d days late, %+v", in.Number, in.Status, in.DaysLate, in.Payment)
		}
	}
	if c := got.CheckIn(1); c.Status != grants.CheckInOverdue {
		t.Errorf("on-trust check-in 1 is %s, want overdue (never answered)", c.Status)
	}
	var sum reports.Summary
	officer.must(200, "GET", "/programmes/on-trust/summary", "", &sum)
	if sum.Lateness.InstalmentsPaid != 4 || sum.Lateness.PaidOnTime != 4 || sum.Lateness.MedianDaysLate == nil || *sum.Lateness.MedianDaysLate != 0 {
		t.Errorf("on-trust summary lateness: %+v", sum.Lateness)
	}

	// After check-in: instalment 2 waited for the late check-in, and was late because of it.
	var strictGot grants.Agreement
	officer.must(200, "GET", "/agreements/"+strict.ID, "", &strictGot)
	if in := strictGot.Instalment(2); refused < 5 || in.Status != grants.InstalmentPaid || in.DaysLate < 5 || in.Payment.OverrideReason != "" {
		t.Errorf("after-check-in instalment 2: refused %d times, then %s %d days late (%+v)", refused, in.Status, in.DaysLate, in.Payment)
	}
	// Those days were the partner's, not finance's (issue 26, item 8): paid
	// within a working day of the check-in, it counts as paid on time.
	if in := strictGot.Instalment(2); in.DaysWithPartner < 5 || in.DaysWithFinance > 1 || in.DaysWithPartner+in.DaysWithFinance != in.DaysLate {
		t.Errorf("after-check-in instalment 2: %d days late, %d waiting on the partner, %d with finance", in.DaysLate, in.DaysWithPartner, in.DaysWithFinance)
	}
	var strictSum reports.Summary
	officer.must(200, "GET", "/programmes/after-check-in/summary", "", &strictSum)
	if l := strictSum.Lateness; l.InstalmentsPaid < 2 || l.PaidOnTime != l.InstalmentsPaid {
		t.Errorf("after-check-in summary lateness: %+v; want every paid instalment on time", l)
	}

	// What the partners were told.
	msgs, err := emulator.SESMessages(ctx, sesURL)
	if err != nil {
		t.Fatal(err)
	}
	var checkInEmail, strictWaits bool
	for _, m := range msgs {
		if len(m.Destination.To) == 0 {
			continue
		}
		switch m.Destination.To[0] {
		case trustContact:
			for _, waits := range []string{"waiting for your reply", "once we have your reply", "without delay", "will not release it", "can now be paid"} {
				if strings.Contains(m.Body.Text, waits) || strings.Contains(m.Body.HTML, waits) {
					t.Errorf("on trust, %q says %q:\n%s", m.Subject, waits, m.Body.Text)
				}
			}
			if strings.Contains(m.Subject, "Check-in 1 of 3") {
				checkInEmail = true
				for _, asks := range []string{"1. What did the young people make?", "2. Feedback for us: how are we doing", "3. A story: is there a moment", "(optional)"} {
					if !strings.Contains(m.Body.Text, asks) {
						t.Errorf("the check-in email does not ask %q:\n%s", asks, m.Body.Text)
					}
				}
				if strings.Contains(m.Body.Text, "Progress:") || strings.Contains(m.Body.Text, "\n4. ") {
					t.Errorf("the check-in email asks more than the programme's questions:\n%s", m.Body.Text)
				}
			}
		case strictContact:
			if strings.Contains(m.Body.Text, "waiting for your reply to check-in 1") || strings.Contains(m.Body.Text, "once we have your reply to check-in 1") {
				strictWaits = true
			}
		}
	}
	if !checkInEmail || !strictWaits {
		t.Errorf("on-trust check-in email seen %v; after-check-in told its money waits %v", checkInEmail, strictWaits)
	}

	// The reply to the programme's own questions is read per question.
	var feedback struct {
		Rounds []struct {
			CheckIn int
			Entries []struct {
				Words      string
				WholeReply bool
			}
		}
	}
	officer.must(200, "GET", "/programmes/on-trust/feedback", "", &feedback)
	if len(feedback.Rounds) != 1 || feedback.Rounds[0].CheckIn != 2 || len(feedback.Rounds[0].Entries) != 1 ||
		feedback.Rounds[0].Entries[0].Words != "More notice of dates, please." || feedback.Rounds[0].Entries[0].WholeReply {
		t.Errorf("what on-trust's partner told us: %+v", feedback.Rounds)
	}
	t.Logf("on-trust: 4 paid on time with check-in 1 overdue; after-check-in: instalment 2 refused %d times, paid %d working days late", refused, strictGot.Instalment(2).DaysLate)
}
