package receive_test

import (
	"context"
	"fmt"
	"strings"
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

// strangerMail is a message that names no check-in, from sender, whose
// subject and words try to get into whatever an officer is sent.
func strangerMail(sender string, n int) []byte {
	return fmt.Appendf(nil, "From: Someone <%s>\r\nTo: grants@%s\r\nSubject: URGENT-%d click http://evil.example/%d\r\n"+
		"Message-ID: <stranger-%d-%s>\r\nDate: Mon, 20 Apr 2026 08:00:00 +0000\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: text/plain; charset=UTF-8\r\n\r\nWire the money to account %d today.\r\n",
		sender, replyworld.ReplyDomain, n, n, n, sender, n)
}

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

// 100 messages from strangers, naming no check-in: half from 50 different
// addresses, half from one; one in five flagged by SES (spam, a virus, or
// failed SPF, DKIM or DMARC); every one delivered twice at once, as SES and
// Lambda may. They are held, quietly: while they arrive nobody is emailed,
// and at the send time the officer gets one digest however often (and
// however concurrently) the sweep runs, saying how many are held and
// where, and nothing a stranger wrote. No sender gets anything.
func TestStrangersMailHeldQuietlyForOneDigest(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.ActiveAgreement(t) // the officer's programme is live
	officerBefore := len(e.MailTo(t, e.Officer))

	flags := []replyworld.Verdicts{
		{Spam: "FAIL", Virus: "PASS", SPF: "PASS", DKIM: "PASS", DMARC: "PASS"},
		{Spam: "PASS", Virus: "FAIL", SPF: "PASS", DKIM: "PASS", DMARC: "PASS"},
		{Spam: "PASS", Virus: "PASS", SPF: "FAIL", DKIM: "PASS", DMARC: "PASS"},
		{Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "FAIL", DMARC: "PASS"},
		{Spam: "PASS", Virus: "PASS", SPF: "FAIL", DKIM: "FAIL", DMARC: "FAIL"},
	}
	const messages = 100
	senders := map[string]bool{}
	evs := make([]events.SimpleEmailEvent, messages)
	for i := range messages {
		sender := "same-" + e.Stranger
		if i%2 == 0 {
			sender = fmt.Sprintf("s%d-%s", i, e.Stranger)
		}
		senders[sender] = true
		v := replyworld.Pass
		if i%5 == 0 {
			v = flags[i/5%len(flags)]
		}
		rcpt := "grants@" + replyworld.ReplyDomain
		evs[i] = replyworld.Event(e.Put(t, strangerMail(sender, i)), sender, rcpt, v, e.clock.Now())
	}
	// Eight deliveries at a time, each message twice.
	var wg sync.WaitGroup
	slots := make(chan struct{}, 8)
	for _, ev := range append(evs, evs...) {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			redeliver(t, e, ev)
		})
	}
	wg.Wait()

	held, err := e.Store.ListQuarantine(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(held) != messages {
		t.Fatalf("%d messages held, want %d", len(held), messages)
	}
	if got := e.MailTo(t, e.Officer); len(got) != officerBefore {
		t.Errorf("the officer got %d emails while the messages arrived, want none", len(got)-officerBefore)
	}

	// The send time (09:00 on Monday 20 April): three sweeps at once, then one more.
	ctx := context.Background()
	e.clock.Set(time.Date(2026, 4, 20, 9, 30, 0, 0, time.UTC))
	for range 2 {
		var sweeps sync.WaitGroup
		for range 3 {
			sweeps.Go(func() {
				if _, err := e.Automation.Sweep(ctx); err != nil {
					t.Errorf("sweep: %v", err)
				}
			})
		}
		sweeps.Wait()
	}
	got := e.MailTo(t, e.Officer)[officerBefore:]
	if len(got) > 1 {
		t.Fatalf("the officer got %d emails about %d stranger messages, want at most one: %v", len(got), messages, subjectsOf(got))
	}
	for sender := range senders {
		if got := e.MailTo(t, sender); len(got) != 0 {
			t.Errorf("%s was sent %d emails", sender, len(got))
		}
	}
	if len(got) != 1 {
		t.Fatalf("the officer got no digest of the held messages")
	}
	d := got[0]
	if !strings.Contains(d.Subject, "100 messages held") || !strings.Contains(d.Body.Text, "/app/quarantine") {
		t.Errorf("digest %q does not say how many are held and where:\n%s", d.Subject, d.Body.Text)
	}
	for _, leak := range []string{"URGENT", "evil.example", "Wire the money", e.Stranger} {
		if strings.Contains(d.Subject+d.Body.Text+d.Body.HTML, leak) {
			t.Errorf("digest carries %q, which a stranger wrote", leak)
		}
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
	e.SetAutoMailCap(3)
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

// The digest goes on a working day once the send time has come, once,
// and only while something is held; a notice of one held message that an
// earlier version enqueued is closed unsent by the sweep (the digest
// tells of it), as is a digest left from an earlier day.
func TestHeldDigestGoesAtTheSendTimeOfAWorkingDay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	digests := func() int { return len(withSubject(e.MailTo(t, e.Officer), digestSubject)) }
	at := func(day, hour, minute int) { e.clock.Set(time.Date(2026, 4, day, hour, minute, 0, 0, time.UTC)) }

	at(20, 10, 0)
	if sent, err := e.Automation.HeldDigest(ctx); err != nil || sent {
		t.Fatalf("nothing held: sent %v, %v", sent, err)
	}
	id := e.Receive(t, strangerMail(e.Stranger, 1), e.Stranger, "grants@"+replyworld.ReplyDomain, replyworld.Pass)
	// What an earlier version left: a notice of this message, pending, and
	// yesterday's digest, claimed by a sweep that stopped.
	notice, old := outbox.QuarantineNoticeKey(id).String(), outbox.HeldDigestKey("2026-04-19").String()
	for _, k := range []string{notice, old} {
		if ok, err := e.Store.Claim(ctx, outbox.InboundPartition, k, "old", e.clock.Now().Add(-time.Hour), time.Minute); err != nil || !ok {
			t.Fatalf("claim %s: %v %v", k, ok, err)
		}
	}
	if err := e.Store.Release(ctx, outbox.InboundPartition, notice, "old", nil); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name              string
		day, hour, minute int
		want              bool
	}{
		{"Saturday after the send time", 25, 10, 0, false},
		{"Monday before the send time", 27, 8, 59, false},
		{"Monday at the send time", 27, 9, 0, true},
		{"Monday again", 27, 15, 0, false},
		{"Tuesday", 28, 9, 5, true},
	} {
		at(tc.day, tc.hour, tc.minute)
		if sent, err := e.Automation.HeldDigest(ctx); err != nil || sent != tc.want {
			t.Errorf("%s: sent %v, %v; want %v", tc.name, sent, err, tc.want)
		}
	}
	if n := digests(); n != 2 {
		t.Errorf("%d digests, want 2", n)
	}

	before := len(e.MailTo(t, e.Officer))
	if _, err := e.Automation.Sweep(ctx); err != nil {
		t.Fatalf("sweep: %v", err)
	}
	for _, k := range []string{notice, old} {
		if ob, err := e.Store.Outbox(ctx, outbox.InboundPartition, k); err != nil || ob == nil || ob.Status != outbox.StatusDone || ob.MessageID != "" {
			t.Errorf("%s after the sweep: %+v %v, want done, unsent", k, ob, err)
		}
	}
	if got := e.MailTo(t, e.Officer); len(got) != before {
		t.Errorf("the sweep sent the officer %v", subjectsOf(got[before:]))
	}
}
