package stack

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/grants"
)

// TestEveryEmailOfTheYearIsTrueWhenSent is issue 26's item 11 on the local
// stack: a year walked day by day, and every email the partner and finance
// were sent read against the agreement as it stood at its send time (the
// email's Date header, the stack's clock). The programme pays after
// check-ins and sends at 16:00; the agreement started ten days before it is
// activated at 10:00, so its welcome waits for 16:00 while finance pays
// instalment 1 at once (the welcome must not then say it is "with our
// finance team"); its final report goes 30 days after the end date (it must
// not say the partnership "is coming to a close"); each check-in email
// asks for a reply before the next instalment (it must not say that
// instalment waits on nothing). Each claim an email makes is checked:
//
//   - "Instalment N … is due and with our finance team" / "already due and
//     with our finance team" / finance's "Instalment N of M … is due" or
//     "can now be paid": N was not paid then;
//   - "… is scheduled; nothing is waiting on you for it": N was not paid,
//     and the check-in it follows was not sent and unanswered then;
//   - "… (waiting for | once we have | waits on) your reply to check-in
//     K": K was sent and not answered then;
//   - "is coming to a close": the end date had not passed.
func TestEveryEmailOfTheYearIsTrueWhenSent(t *testing.T) {
	t.Parallel()
	st := startStackWith(t, func(o *Options) { o.NoDemo = true })
	ctx := stackContext(st)
	now := time.Now()
	token := func(user, role string) string {
		tok, err := st.Auth.Issue(user, role, now)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	api := st.opts.APIAddr
	officer := client{t, api, token("olu", "programme")}
	alice := client{t, api, token("alice", "finance")}
	bob := client{t, api, token("bob", "finance")}
	contact := fmt.Sprintf("lead-%d@true-when.example", now.UnixNano())
	if err := st.Deps.Store.PutProgrammeSettings(ctx, "true-when", grants.ProgrammeSettings{PaymentPolicy: grants.PolicyAfterCheckIn, SendTime: "16:00"}); err != nil {
		t.Fatal(err)
	}
	london, _ := time.LoadLocation("Europe/London")
	start := grants.Today(st.Clock.Now(), london).AddDays(-10)
	var a grants.Agreement
	officer.must(201, "POST", "/agreements", fmt.Sprintf(`{"programme": "true-when",
		"partner": {"name": "Ardwick Allotments", "registrationNumber": "1161299", "address": "1 Ardwick Green, Manchester M12 6FZ"},
		"contacts": [{"name": "Kim Shaw", "email": %q, "role": "lead"}],
		"amount": 1000000, "startDate": %q, "terms": ["Open the plots to four schools"], "support": ["Grant writing mentoring"]}`,
		contact, start), &a, "Idempotency-Key", "true-when-1")
	officer.must(200, "POST", "/agreements/"+a.ID+"/activate", "", nil)

	pay := func(n int) bool {
		path := fmt.Sprintf("/agreements/%s/instalments/%d/payments", a.ID, n)
		status, body := alice.do("POST", path, fmt.Sprintf(`{"paymentReference": "BACS-%d", "paidOn": %q}`, n, grants.Today(st.Clock.Now(), london)),
			"Idempotency-Key", fmt.Sprintf("pay-%s-%d", a.ID, n))
		if status != 201 {
			return false // waiting on a check-in: paid when it is in
		}
		var req struct{ Payment grants.Payment }
		if err := json.Unmarshal(body, &req); err != nil {
			t.Fatal(err)
		}
		bob.must(200, "POST", path+"/"+req.Payment.ID+"/approve", "", nil)
		return true
	}
	// Instalment 1 fell due at the activation: paid at once, before 16:00.
	if !pay(1) {
		t.Fatal("instalment 1 could not be paid at the activation")
	}

	sesURL := fmt.Sprintf("http://127.0.0.1:%d", st.opts.SESPort)
	var mail []emulator.SESMessage
	seen, answered := map[string]bool{}, map[string]bool{}
	paid := map[int]bool{1: true}
	var got grants.Agreement
	for day := 0; day < 430 && got.Status != grants.AgreementCompleted; day++ {
		if _, err := st.Runner.Advance(ctx, 1); err != nil {
			t.Fatalf("day %d: %v", day, err)
		}
		msgs, err := emulator.SESMessages(ctx, sesURL)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if seen[m.MessageID] || len(m.Destination.To) == 0 {
				continue
			}
			seen[m.MessageID] = true
			to := m.Destination.To[0]
			// The partner's, and finance's about this agreement (the stack's
			// demo agreements have theirs).
			if to != contact && (!strings.HasPrefix(to, "finance") || !strings.Contains(m.Subject, a.Reference)) {
				continue
			}
			mail = append(mail, m)
			if to == contact && len(m.ReplyTo) > 0 && strings.HasPrefix(m.ReplyTo[0], "checkin+") && !answered[m.Subject] {
				answered[m.Subject] = true
				reply(t, st.opts.SMTPAddr, contact, m.ReplyTo[0], m.Subject, "All going well, thank you.", nil)
			}
		}
		var due struct {
			Items []struct {
				AgreementID string
				Number      int
			}
		}
		alice.must(200, "GET", "/instalments?status=due&programme=true-when", "", &due)
		for _, in := range due.Items {
			if in.AgreementID == a.ID && !paid[in.Number] && pay(in.Number) {
				paid[in.Number] = true
			}
		}
		officer.must(200, "GET", "/agreements/"+a.ID, "", &got)
	}
	if got.Status != grants.AgreementCompleted {
		t.Fatalf("agreement is %s after the walk; paid %v, answered %d", got.Status, paid, len(answered))
	}

	// The agreement as it stood at t, from what it records of when each
	// thing happened.
	paidBy := func(n int, at time.Time) bool {
		in := got.Instalment(n)
		return in != nil && in.Payment != nil && !in.Payment.ApprovedAt.IsZero() && !in.Payment.ApprovedAt.After(at)
	}
	awaited := func(k int, at time.Time) bool { // sent and not yet answered at t
		c := got.CheckIn(k)
		return c != nil && !c.SentAt.IsZero() && !c.SentAt.After(at) && (c.ReceivedAt.IsZero() || c.ReceivedAt.After(at))
	}
	var (
		withFinance  = regexp.MustCompile(`Instalment (\d+) \([^)]*\) is due and with our finance team`)
		nothingWaits = regexp.MustCompile(`Instalment (\d+) \([^)]*\) is scheduled; nothing is waiting on you for it`)
		yourReply    = regexp.MustCompile(`(?:waiting for|once we have|waits on) your reply to check-in (\d+)`)
		alreadyDue   = regexp.MustCompile(`Instalments? ([\d, ]+) (?:is|are) already due and with our finance team`)
		financeDue   = regexp.MustCompile(`Instalment (\d+) of \d+ for .* (?:is due for payment|can now be paid)`)
	)
	number := func(s string) int {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		return n
	}
	checked := map[string]int{}
	for _, m := range mail {
		var at time.Time
		for _, h := range m.Headers {
			if strings.EqualFold(h.Name, "Date") {
				var err error
				if at, err = time.Parse(time.RFC1123Z, h.Value); err != nil {
					t.Fatalf("%q: Date %q: %v", m.Subject, h.Value, err)
				}
			}
		}
		if at.IsZero() {
			t.Fatalf("%q has no Date header", m.Subject)
		}
		// The header is to the second; what the email was written from
		// happened within it.
		at = at.Add(time.Second - time.Nanosecond)
		text := m.Body.Text
		untrue := func(claim, why string) {
			t.Errorf("%q, sent %s, says %q: untrue then, %s", m.Subject, at.In(london).Format("2 Jan 2006 15:04"), claim, why)
		}
		for _, c := range withFinance.FindAllStringSubmatch(text, -1) {
			checked["with finance"]++
			if paidBy(number(c[1]), at) {
				untrue(c[0], "it was paid")
			}
		}
		for _, c := range alreadyDue.FindAllStringSubmatch(text, -1) {
			checked["already due"]++
			for f := range strings.SplitSeq(c[1], ",") {
				if paidBy(number(f), at) {
					untrue(c[0], "instalment "+strings.TrimSpace(f)+" was paid")
				}
			}
		}
		for _, c := range nothingWaits.FindAllStringSubmatch(text, -1) {
			checked["nothing waits"]++
			n := number(c[1])
			if paidBy(n, at) {
				untrue(c[0], "it was paid")
			}
			if k := got.CheckInBefore(n); k != 0 && awaited(k, at) {
				untrue(c[0], fmt.Sprintf("it waited on the reply to check-in %d", k))
			}
		}
		for _, c := range yourReply.FindAllStringSubmatch(text, -1) {
			checked["your reply"]++
			if !awaited(number(c[1]), at) {
				untrue(c[0], "that check-in was not awaiting a reply")
			}
		}
		if strings.Contains(text, "is coming to a close") {
			checked["coming to a close"]++
			if grants.Today(at, london).After(got.EndDate) {
				untrue("is coming to a close", "the agreement ended on "+got.EndDate.String())
			}
		}
		for _, c := range financeDue.FindAllStringSubmatch(text, -1) {
			checked["finance: due"]++
			if paidBy(number(c[1]), at) {
				untrue(c[0], "it was paid")
			}
		}
	}
	// The walk made the claims the checks read, so none passes for want of them.
	for _, claim := range []string{"nothing waits", "your reply", "finance: due"} {
		if checked[claim] == 0 {
			t.Errorf("no email claimed %q: the walk does not test it (%v)", claim, checked)
		}
	}
	// The welcome went after instalment 1 was paid, and says so.
	welcomes := 0
	for _, m := range mail {
		if strings.HasPrefix(m.Subject, "Welcome to") {
			welcomes++
			if !strings.Contains(m.Body.Text, "Instalment 1 has been paid") {
				t.Errorf("the welcome, sent after instalment 1 was paid, does not say so:\n%s", m.Body.Text)
			}
		}
	}
	if welcomes != 1 {
		t.Errorf("%d welcomes, want 1", welcomes)
	}
	// The final report went 30 days after the end date, and says it ended.
	finals := 0
	for _, m := range mail {
		if strings.HasPrefix(m.Subject, "How did it go?") {
			finals++
			if !strings.Contains(m.Body.Text, "came to a close on "+got.EndDate.Long()) {
				t.Errorf("the final report, sent after the end date, does not say the partnership came to a close:\n%s", m.Body.Text)
			}
		}
	}
	if finals != 1 {
		t.Errorf("%d final reports, want 1", finals)
	}
	t.Logf("%d emails read; claims checked: %v", len(mail), checked)
}
