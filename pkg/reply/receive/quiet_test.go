package receive_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/dev/testenv/replyworld"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// Inbound mail must not turn into outbound mail without limit (issue item
// 4): anyone can write to the reply domain, and every email we send in
// answer spends the SES quota that check-ins and remittances need.

// redeliver handles ev until it succeeds, as Lambda retries a failed
// asynchronous invocation (a delivery that lost the race for the message
// fails with "being processed by another attempt").
func redeliver(t *testing.T, e *env, ev events.SimpleEmailEvent) {
	t.Helper()
	err := e.Receiver.Handle(context.Background(), ev)
	for deadline := time.Now().Add(20 * time.Second); err != nil && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		err = e.Receiver.Handle(context.Background(), ev)
	}
	if err != nil {
		t.Fatalf("delivery of %s: %v", ev.Records[0].SES.Mail.MessageID, err)
	}
}

func subjectsOf(ms []emulator.SESMessage) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Subject
	}
	return out
}

// A partner who writes five replies in a day, each delivered twice and all
// at once, is thanked once: one automatic email a sender a day. The
// officer hears of each reply. A reply SES flagged (here SPF failed,
// though DMARC passed on DKIM, so it is accepted) is never answered, and
// takes nobody's place: the partner's next reply that day is thanked.
func TestARepliesSenderIsAnsweredOnceADayAndNeverWhenFlagged(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a, rcpt := e.ActiveAgreement(t)
	tok := replyworld.TokenOf(t, rcpt)

	spfFailed := replyworld.Verdicts{Spam: "PASS", Virus: "PASS", SPF: "FAIL", DKIM: "PASS", DMARC: "PASS"}
	flagged := e.Receive(t, e.Corpus(t, "apple_mail_qp", tok), e.Partner, rcpt, spfFailed)
	if got := withSubject(e.MailTo(t, e.Partner), ackSubject); len(got) != 0 {
		t.Fatalf("a flagged reply was answered: %v", subjectsOf(got))
	}

	var evs []events.SimpleEmailEvent
	for _, eml := range []string{"plain_text", "gmail_alternative", "iphone_mail", "outlook_web", "thunderbird_flowed"} {
		evs = append(evs, replyworld.Event(e.Put(t, e.Corpus(t, eml, tok)), e.Partner, rcpt, replyworld.Pass, e.clock.Now()))
	}
	var wg sync.WaitGroup
	for _, ev := range append(evs, evs...) {
		wg.Go(func() { redeliver(t, e, ev) })
	}
	wg.Wait()

	if rs := e.Replies(t, a.ID, 1); len(rs) != 6 {
		t.Fatalf("%d replies stored, want 6", len(rs))
	}
	if got := withSubject(e.MailTo(t, e.Partner), ackSubject); len(got) != 1 {
		t.Errorf("the partner was thanked %d times for six replies in a day, want once", len(got))
	}
	if got := withSubject(e.MailTo(t, e.Officer), noticeSubject); len(got) != 6 {
		t.Errorf("the officer heard of %d replies, want 6", len(got))
	}
	withheld := map[string]int{}
	for _, en := range e.History(t, a.ID) {
		if en.Action == "email.skipped" {
			withheld[en.Detail]++
			if en.Subject == outbox.AckKey(1, flagged).String() && en.Detail != grants.WithheldFlagged.Description() {
				t.Errorf("the flagged reply's acknowledgement was skipped as %q", en.Detail)
			}
		}
	}
	if withheld[grants.WithheldFlagged.Description()] != 1 || withheld[grants.WithheldSender.Description()] != 4 {
		t.Errorf("withheld acknowledgements %v, want 1 flagged and 4 for the sender's day", withheld)
	}

	// The next day the partner is thanked again.
	e.clock.Advance(24 * time.Hour)
	e.Receive(t, e.Corpus(t, "base64_body", tok), e.Partner, rcpt, replyworld.Pass)
	if got := withSubject(e.MailTo(t, e.Partner), ackSubject); len(got) != 2 {
		t.Errorf("the partner was thanked %d times after a reply the next day, want 2", len(got))
	}
}

// Past the day's cap, automatic emails stop, acknowledgements and notices
// alike, and check-ins still go: the rest of the quota is theirs. With a
// cap of 3 and three partners replying: the first reply's thanks and
// notice, the second's thanks; nothing more that day. The next day the
// count starts again.
func TestAutomaticEmailsStopAtTheDaysCap(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.Automation.AutoMailCap = 3
	type partner struct {
		addr, rcpt string
		id         string
	}
	var ps []partner
	base := e.Partner
	for i := range 3 {
		e.Partner = fmt.Sprintf("p%d-%s", i, base)
		a, rcpt := e.ActiveAgreement(t)
		ps = append(ps, partner{e.Partner, rcpt, a.ID})
	}
	automatic := func() int {
		n := len(withSubject(e.MailTo(t, e.Officer), noticeSubject))
		for _, p := range ps {
			n += len(withSubject(e.MailTo(t, p.addr), ackSubject))
		}
		return n
	}
	for _, p := range ps {
		e.Partner = p.addr
		e.Receive(t, e.Corpus(t, "plain_text", replyworld.TokenOf(t, p.rcpt)), p.addr, p.rcpt, replyworld.Pass)
	}
	if n := automatic(); n != 3 {
		t.Errorf("%d automatic emails from three replies with a cap of 3", n)
	}
	capped := 0
	for _, p := range ps {
		for _, en := range e.History(t, p.id) {
			if en.Action == "email.skipped" && en.Detail == grants.WithheldDailyCap.Description() {
				capped++
			}
		}
	}
	if capped != 3 {
		t.Errorf("%d emails recorded as withheld by the cap, want 3", capped)
	}
	// A check-in is no automatic email: it goes (ActiveAgreement checks it went).
	e.Partner = "p3-" + base
	e.ActiveAgreement(t)

	e.clock.Advance(24 * time.Hour)
	p := ps[2]
	e.Partner = p.addr
	e.Receive(t, e.Corpus(t, "gmail_alternative", replyworld.TokenOf(t, p.rcpt)), p.addr, p.rcpt, replyworld.Pass)
	if n := automatic(); n != 5 {
		t.Errorf("%d automatic emails after a reply the next day, want 5 (its thanks and notice)", n)
	}
}
