package receive_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/dev/testenv/replyworld"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/objects"
	"github.com/partnership-grants/backend/pkg/outbox"
	"github.com/partnership-grants/backend/pkg/reply/receive"
)

// TestMain silences the handlers' logs unless -v: the concurrent-delivery
// test makes the losing attempts log errors on purpose.
func TestMain(m *testing.M) {
	flag.Parse()
	level := slog.Level(100)
	if testing.Verbose() {
		level = slog.LevelInfo
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
	testenv.Main(m)
}

// env is one test's world (see replyworld) and the clock it reads.
type env struct {
	*replyworld.World
	clock *testenv.Clock
}

func newEnv(t *testing.T) *env {
	c := testenv.NewClock(time.Date(2026, 4, 20, 9, 0, 0, 0, time.UTC), time.Millisecond)
	return &env{World: replyworld.New(t, c.Now), clock: c}
}

func withSubject(ms []emulator.SESMessage, prefix string) []emulator.SESMessage {
	var out []emulator.SESMessage
	for _, m := range ms {
		if strings.HasPrefix(m.Subject, prefix) {
			out = append(out, m)
		}
	}
	return out
}

func count(entries []grants.AuditEntry, action, subject string) int {
	n := 0
	for _, en := range entries {
		if en.Action == action && (subject == "" || en.Subject == subject) {
			n++
		}
	}
	return n
}

const (
	ackSubject    = "Thank you – we've received your check-in reply"
	noticeSubject = "Reply received: check-in 1"
	digestSubject = "Held messages: "
)

// The same SES event delivered three times at once (SES and Lambda both
// deliver at least once) stores one reply, counts it once and sends one
// acknowledgement and one officer notice. The attempts that lose the race
// fail, so Lambda retries them; the retries find the message done.
func TestSameMessageDeliveredThreeTimesConcurrentlyIsProcessedOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	a, rcpt := e.ActiveAgreement(t)
	// Instalment 2 falls due while check-in 1 is unanswered: it waits on it.
	if err := e.Automation.InstalmentDue(ctx, a.ID, 2); err != nil {
		t.Fatal(err)
	}
	if in := e.Get(t, a.ID).Instalment(2); !in.AwaitingCheckIn {
		t.Fatalf("instalment 2 is not awaiting check-in 1: %+v", in)
	}

	id := e.Put(t, e.Corpus(t, "plain_text", replyworld.TokenOf(t, rcpt)))
	ev := replyworld.Event(id, e.Partner, rcpt, replyworld.Pass, e.clock.Now())
	errs := make([]error, 3)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() { errs[i] = e.Receiver.Handle(ctx, ev) })
	}
	wg.Wait()
	succeeded := 0
	for i, err := range errs {
		if err == nil {
			succeeded++
			continue
		}
		if !strings.Contains(err.Error(), "being processed by another attempt") {
			t.Fatalf("delivery %d failed with %v, want only the retryable in-progress error", i, err)
		}
		// Lambda retries a failed asynchronous invocation.
		deadline := time.Now().Add(10 * time.Second)
		for err != nil && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
			err = e.Receiver.Handle(ctx, ev)
		}
		if err != nil {
			t.Fatalf("retry of delivery %d: %v", i, err)
		}
	}
	if succeeded == 0 {
		t.Fatalf("no delivery succeeded: %v", errs)
	}
	// A late duplicate, long after, changes nothing either.
	e.clock.Advance(24 * time.Hour)
	if err := e.Receiver.Handle(ctx, ev); err != nil {
		t.Fatalf("late duplicate: %v", err)
	}

	rs := e.Replies(t, a.ID, 1)
	if len(rs) != 1 {
		t.Fatalf("%d replies stored, want 1: %+v", len(rs), rs)
	}
	r := rs[0]
	wantText := "Dear Riverside Community Fund,\n\nWe have had 15 volunteers in December. Everything is on track.\n\nRegards,\nSarah Jenkins"
	if r.MessageID != id || r.AgreementID != a.ID || r.CheckIn != 1 || r.From != e.Partner || r.Text != wantText ||
		!strings.Contains(r.FullText, "15 volunteers") || r.RawKey != replyworld.RawPrefix+id || r.ReceivedAt.IsZero() ||
		r.Verdicts != (grants.Verdicts{Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "PASS", DMARC: "PASS"}) ||
		r.Subject != "Re: Your January check-in: Community Garden Project" {
		t.Errorf("stored reply %+v", r)
	}

	got := e.Get(t, a.ID)
	if c := got.CheckIn(1); c.Status != grants.CheckInReceived || !c.ReceivedAt.Equal(r.ReceivedAt) {
		t.Errorf("check-in 1: %s received at %v; reply received at %v", c.Status, c.ReceivedAt, r.ReceivedAt)
	}
	if in := got.Instalment(2); in.AwaitingCheckIn {
		t.Errorf("instalment 2 still awaits check-in 1 after the reply: %+v", in)
	}
	h := e.History(t, a.ID)
	for _, tc := range []struct {
		action, subject string
	}{
		{"reply.received", "check-in 1"},
		{"checkin.received", "check-in 1"},
		{"email.sent", outbox.AckKey(1, id).String()},
		{"email.sent", outbox.ReplyNoticeKey(1, id).String()},
		{"email.sent", outbox.NowPayableKey(2).String()},
	} {
		if n := count(h, tc.action, tc.subject); n != 1 {
			t.Errorf("%d %s %q entries, want 1", n, tc.action, tc.subject)
		}
	}
	if ob, err := e.Store.Outbox(ctx, outbox.InboundPartition, "msg#"+id); err != nil || ob == nil || ob.Status != outbox.StatusDone {
		t.Errorf("inbound record of %s: %+v %v, want done", id, ob, err)
	}

	acks := withSubject(e.MailTo(t, e.Partner), ackSubject)
	if len(acks) != 1 || !strings.Contains(acks[0].Subject, a.Reference) {
		t.Errorf("partner got %d acknowledgements, want 1: %+v", len(acks), acks)
	}
	notices := withSubject(e.MailTo(t, e.Officer), noticeSubject)
	if len(notices) != 1 || !strings.Contains(notices[0].Body.Text, "15 volunteers in December") {
		t.Errorf("officer got %d reply notices, want 1 quoting the reply: %+v", len(notices), notices)
	}
	if all := e.MailTo(t, e.Officer); len(all) != 1 {
		t.Errorf("officer got %d emails, want just the reply notice", len(all))
	}
	// Finance hears once that the reply made instalment 2 payable.
	payable := withSubject(e.MailTo(t, e.Finance), "Now payable: ")
	if len(payable) != 1 || !strings.Contains(payable[0].Subject, "(2 of 4) – "+a.Reference) || !strings.Contains(payable[0].Body.Text, "check-in 1, which it was waiting for, has come in") {
		t.Errorf("finance got %d now-payable notices, want 1 for instalment 2: %+v", len(payable), payable)
	}
}

// A second reply to the same check-in (another SES message) is kept as a
// further reply: stored, and the officer told, but the check-in is
// received once, and the partner, thanked for the first that day, is not
// thanked again (one automatic email a sender a day).
func TestSecondReplyIsStoredAsAFurtherReply(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a, rcpt := e.ActiveAgreement(t)
	tok := replyworld.TokenOf(t, rcpt)

	first := e.Receive(t, e.Corpus(t, "plain_text", tok), e.Partner, rcpt, replyworld.Pass)
	receivedAt := e.Get(t, a.ID).CheckIn(1).ReceivedAt
	e.clock.Advance(3 * time.Hour)
	second := e.Receive(t, e.Corpus(t, "gmail_alternative", tok), e.Partner, rcpt, replyworld.Pass)

	rs := e.Replies(t, a.ID, 1)
	if len(rs) != 2 {
		t.Fatalf("%d replies stored, want 2", len(rs))
	}
	byID := map[string]grants.Reply{}
	for _, r := range rs {
		byID[r.MessageID] = r
	}
	if r, ok := byID[first]; !ok || !strings.Contains(r.Text, "15 volunteers in December") {
		t.Errorf("first reply: %+v", r)
	}
	if r, ok := byID[second]; !ok || !strings.Contains(r.Text, "polytunnel is finally up") || strings.Contains(r.Text, "It's time for your January check-in") {
		t.Errorf("second reply: %+v", r)
	}
	c := e.Get(t, a.ID).CheckIn(1)
	if c.Status != grants.CheckInReceived || !c.ReceivedAt.Equal(receivedAt) {
		t.Errorf("check-in 1 after a further reply: %s at %v, want received at %v", c.Status, c.ReceivedAt, receivedAt)
	}
	h := e.History(t, a.ID)
	if n := count(h, "reply.received", "check-in 1"); n != 2 {
		t.Errorf("%d reply.received entries, want 2", n)
	}
	if n := count(h, "checkin.received", "check-in 1"); n != 1 {
		t.Errorf("%d checkin.received entries, want 1", n)
	}
	if acks := withSubject(e.MailTo(t, e.Partner), ackSubject); len(acks) != 1 {
		t.Errorf("partner got %d acknowledgements, want one for the day", len(acks))
	}
	skipped := 0
	for _, en := range h {
		if en.Action == "email.skipped" && en.Subject == outbox.AckKey(1, second).String() && en.Detail == grants.WithheldSender.Description() {
			skipped++
		}
	}
	if skipped != 1 {
		t.Errorf("the second acknowledgement is not recorded as withheld for the sender's day: %+v", h)
	}
	if notices := withSubject(e.MailTo(t, e.Officer), noticeSubject); len(notices) != 2 {
		t.Errorf("officer got %d reply notices, want one per reply", len(notices))
	}
}

// An attachment is stored in S3 under its agreement, with its name, type
// and size recorded on the reply.
func TestAttachmentIsStoredUnderTheAgreement(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	a, rcpt := e.ActiveAgreement(t)
	raw := e.Corpus(t, "pdf_attachment", replyworld.TokenOf(t, rcpt))
	// What the partner attached, decoded independently of the parser.
	m := regexp.MustCompile(`(?s)X-Attachment-Id: f_mk3pdf0001\r?\n\r?\n(.*?)\r?\n--`).FindSubmatch(raw)
	if m == nil {
		t.Fatal("corpus message has no PDF part")
	}
	pdf, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(m[1])), ""))
	if err != nil {
		t.Fatal(err)
	}

	id := e.Receive(t, raw, e.Partner, rcpt, replyworld.Pass)
	rs := e.Replies(t, a.ID, 1)
	if len(rs) != 1 || len(rs[0].Attachments) != 1 {
		t.Fatalf("replies %+v, want one with one attachment", rs)
	}
	att := rs[0].Attachments[0]
	if att.Name != "Interim budget report Q4.pdf" || att.ContentType != "application/pdf" || att.Size != len(pdf) || att.Size != 142 || att.Inline {
		t.Errorf("attachment recorded as %+v, want the 142-byte PDF", att)
	}
	if !strings.HasPrefix(att.Key, "attachments/"+a.ID+"/check-in-1/"+id+"/") {
		t.Errorf("attachment key %q is not under the agreement, check-in and message", att.Key)
	}
	obj, err := e.Bucket.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: &e.Bucket.Name, Key: &att.Key})
	if err != nil {
		t.Fatalf("attachment not in S3: %v", err)
	}
	body, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	if !bytes.Equal(body, pdf) || aws.ToString(obj.ContentType) != "application/pdf" {
		t.Errorf("S3 holds %d bytes of %s, want the %d-byte PDF", len(body), aws.ToString(obj.ContentType), len(pdf))
	}
	for _, en := range e.History(t, a.ID) {
		if en.Action == "reply.received" && !strings.Contains(en.Detail, "1 attachment (") {
			t.Errorf("history does not record the attachment: %+v", en)
		}
	}
}

// A held message's files are extracted too, so that an officer who accepts
// it gets them: under "unassigned" when the message names no agreement.
func TestHeldMessageKeepsItsAttachments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	_, rcpt := e.ActiveAgreement(t)
	forged := replyworld.Forge(rcpt)
	id := e.Receive(t, e.Corpus(t, "pdf_attachment", replyworld.TokenOf(t, forged)), e.Partner, forged, replyworld.Pass)

	q, err := e.Store.GetQuarantined(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if q.Reason != "bad_token" || q.AgreementID != "" || len(q.Reply.Attachments) != 1 {
		t.Fatalf("held as %+v, want bad_token, no agreement, one attachment", q)
	}
	att := q.Reply.Attachments[0]
	if att.Name != "Interim budget report Q4.pdf" || att.Size != 142 || !strings.HasPrefix(att.Key, "attachments/unassigned/"+id+"/") {
		t.Errorf("attachment recorded as %+v, want the 142-byte PDF under attachments/unassigned/%s/", att, id)
	}
	obj, err := e.Bucket.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: &e.Bucket.Name, Key: &att.Key})
	if err != nil {
		t.Fatalf("attachment not in S3: %v", err)
	}
	body, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	if len(body) != 142 {
		t.Errorf("S3 holds %d bytes, want 142", len(body))
	}
}

// Anything doubtful is quarantined with its reason, for a person: nothing is
// dropped, nothing is counted, nobody is emailed as it arrives, and the
// officers (the programme's, and the deployment's for what names no
// agreement) get one digest at the send time.
func TestDoubtfulMessagesAreQuarantinedNotDropped(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	// The programme has officers of its own: they hear of messages naming
	// its agreements, the default officers of those naming none.
	progOfficer := "community-" + e.Officer
	if err := e.Store.PutProgrammeSettings(ctx, "community-2026", grants.ProgrammeSettings{OfficerEmails: []string{progOfficer}}); err != nil {
		t.Fatal(err)
	}
	a, rcpt := e.ActiveAgreement(t)
	tok := replyworld.TokenOf(t, rcpt)

	cases := []struct {
		name, eml, from, rcpt string
		v                     replyworld.Verdicts
		reason                string
		known                 bool // the token is genuine, so the agreement is known
	}{
		{"sender not a contact", "unknown_sender", e.Stranger, rcpt, replyworld.Pass, "unknown_sender", true},
		{"forged token", "forged_token", e.Partner, replyworld.Forge(rcpt), replyworld.Pass, "bad_token", false},
		{"DMARC fail", "dmarc_fail", e.Partner, rcpt, replyworld.Verdicts{Spam: "PASS", Virus: "PASS", SPF: "FAIL", DKIM: "FAIL", DMARC: "FAIL"}, "dmarc_fail", true},
		{"spam", "spam_verdict", e.Partner, rcpt, replyworld.Verdicts{Spam: "FAIL", Virus: "PASS", SPF: "PASS", DKIM: "PASS", DMARC: "PASS"}, "spam", true},
		{"virus", "virus_verdict", "accounts@evil.example", rcpt, replyworld.Verdicts{Spam: "PASS", Virus: "FAIL", SPF: "PASS", DKIM: "PASS", DMARC: "PASS"}, "virus", true},
	}
	ids := map[string]int{}
	var spamEvent events.SimpleEmailEvent
	for i, tc := range cases {
		raw := e.Corpus(t, tc.eml, tok)
		id := e.Put(t, raw)
		ev := replyworld.Event(id, tc.from, tc.rcpt, tc.v, e.clock.Now())
		if err := e.Receiver.Handle(ctx, ev); err != nil {
			t.Fatalf("%s: Handle: %v", tc.name, err)
		}
		ids[id] = i
		if tc.reason == "spam" {
			spamEvent = ev
		}
	}
	// A redelivery of a quarantined message holds it once.
	if err := e.Receiver.Handle(ctx, spamEvent); err != nil {
		t.Fatal(err)
	}

	held, err := e.Store.ListQuarantine(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(held) != len(cases) {
		t.Fatalf("%d messages quarantined, want %d: %+v", len(held), len(cases), held)
	}
	for _, q := range held {
		i, ok := ids[q.ID]
		if !ok {
			t.Errorf("unexpected quarantined message %+v", q)
			continue
		}
		tc := cases[i]
		if q.Status != grants.QuarantinePending || string(q.Reason) != tc.reason || q.Reply.From != tc.from || q.Reply.Text == "" ||
			q.Reply.RawKey != replyworld.RawPrefix+q.ID || q.Reply.MessageID != q.ID {
			t.Errorf("%s: held as %+v, want pending, reason %s, from %s, with its text", tc.name, q, tc.reason, tc.from)
		}
		if tc.reason == "virus" && len(q.Reply.Attachments) != 0 {
			t.Errorf("virus: its attachment was extracted (%+v); it must stay inside the raw message", q.Reply.Attachments)
		}
		if tc.known && (q.AgreementID != a.ID || q.CheckIn != 1 || q.Reference != a.Reference || q.Programme != a.Programme) {
			t.Errorf("%s: held without its agreement: %+v", tc.name, q)
		}
		if !tc.known && (q.AgreementID != "" || q.Reference != "") {
			t.Errorf("%s: a forged token named agreement %q", tc.name, q.AgreementID)
		}
		// The raw message is kept for the person who decides.
		if _, err := e.Bucket.Get(ctx, q.Reply.RawKey); err != nil {
			t.Errorf("%s: raw message gone: %v", tc.name, err)
		}
	}

	if rs := e.Replies(t, a.ID, 1); len(rs) != 0 {
		t.Errorf("%d replies stored from quarantined messages", len(rs))
	}
	if c := e.Get(t, a.ID).CheckIn(1); c.Status != grants.CheckInSent {
		t.Errorf("check-in 1 is %s, want still sent", c.Status)
	}
	if n := count(e.History(t, a.ID), "reply.received", ""); n != 0 {
		t.Errorf("%d reply.received entries from quarantined messages", n)
	}
	if got := e.MailTo(t, e.Partner); len(got) != 1 {
		t.Errorf("partner has %d emails, want only the check-in (no acknowledgement): %+v", len(got), got)
	}
	if got := e.MailTo(t, e.Stranger); len(got) != 0 {
		t.Errorf("the stranger was written to: %+v", got)
	}
	// Nobody was emailed as the messages arrived; at the send time both
	// officers get one digest that counts them, and names nobody.
	for _, addr := range []string{progOfficer, e.Officer} {
		if got := e.MailTo(t, addr); len(got) != 0 {
			t.Errorf("%s was emailed as the messages arrived: %v", addr, subjectsOf(got))
		}
	}
	for range 2 {
		if _, err := e.Automation.HeldDigest(ctx); err != nil {
			t.Fatal(err)
		}
	}
	digests := withSubject(e.MailTo(t, progOfficer), digestSubject)
	if len(digests) != 1 || len(withSubject(e.MailTo(t, e.Officer), digestSubject)) != 1 {
		t.Fatalf("the officers got %d and %d digests, want one email to both", len(digests), len(withSubject(e.MailTo(t, e.Officer), digestSubject)))
	}
	d := digests[0]
	if !strings.HasPrefix(d.Subject, "Held messages: 5 messages held") || !strings.Contains(d.Body.Text, "- 4 naming an agreement of community-2026") ||
		!strings.Contains(d.Body.Text, "- 1 naming no agreement") {
		t.Errorf("digest %q:\n%s", d.Subject, d.Body.Text)
	}
	for _, who := range []string{e.Partner, e.Stranger, "evil.example"} {
		if strings.Contains(d.Body.Text+d.Body.HTML, who) {
			t.Errorf("the digest names %s", who)
		}
	}
}

// Out-of-office replies (Auto-Submitted, X-Autoreply, Precedence: bulk) are
// kept in the history but not counted as answers, not held for a person, and
// nobody is emailed about them.
func TestAutoRepliesAreNotCounted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a, rcpt := e.ActiveAgreement(t)
	tok := replyworld.TokenOf(t, rcpt)
	version := e.Get(t, a.ID).Version

	for _, eml := range []string{"ooo_exchange", "ooo_x_autoreply", "ooo_precedence_bulk"} {
		raw := e.Corpus(t, eml, tok)
		if eml == "ooo_exchange" && !bytes.Contains(raw, []byte("\nAuto-Submitted: auto-replied")) {
			t.Fatal("ooo_exchange no longer carries Auto-Submitted: auto-replied")
		}
		e.Receive(t, raw, e.Partner, rcpt, replyworld.Pass)
	}

	if rs := e.Replies(t, a.ID, 1); len(rs) != 0 {
		t.Errorf("auto-replies stored as %d replies", len(rs))
	}
	if c := e.Get(t, a.ID).CheckIn(1); c.Status != grants.CheckInSent {
		t.Errorf("check-in 1 is %s after auto-replies, want still sent", c.Status)
	}
	if v := e.Get(t, a.ID).Version; v != version {
		t.Errorf("auto-replies moved the agreement's version %d → %d: an officer's If-Match would fail", version, v)
	}
	h := e.History(t, a.ID)
	if n := count(h, "reply.received", ""); n != 0 {
		t.Errorf("%d reply.received entries for auto-replies", n)
	}
	ignored := 0
	for _, en := range h {
		if en.Action == "reply.ignored" && strings.Contains(en.Detail, "auto_reply") {
			ignored++
		}
	}
	if ignored != 3 {
		t.Errorf("%d reply.ignored auto_reply entries, want 3", ignored)
	}
	if held, err := e.Store.ListQuarantine(context.Background(), ""); err != nil || len(held) != 0 {
		t.Errorf("auto-replies quarantined: %+v %v", held, err)
	}
	if got := e.MailTo(t, e.Partner); len(got) != 1 {
		t.Errorf("partner has %d emails, want only the check-in", len(got))
	}
	if got := e.MailTo(t, e.Officer); len(got) != 0 {
		t.Errorf("officer was emailed about auto-replies: %+v", got)
	}
}

// crashingObjects is the mail bucket as seen by an invocation that dies
// (times out) after claiming the message, before finishing it.
type crashingObjects struct{ receive.Objects }

type crash struct{}

func (crashingObjects) Get(context.Context, string) ([]byte, error) { panic(crash{}) }

// An attempt that claims a message and then dies (a Lambda timeout) must
// not hold the message past its invocation's deadline: Lambda's retry, a
// minute or so later, processes it. (The claim used to last five minutes,
// longer than both of Lambda's retries, so the message went to the
// dead-letter queue unprocessed.)
func TestRetryAfterACrashedAttemptProcessesTheMessage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a, rcpt := e.ActiveAgreement(t)
	id := e.Put(t, e.Corpus(t, "plain_text", replyworld.TokenOf(t, rcpt)))
	ev := replyworld.Event(id, e.Partner, rcpt, replyworld.Pass, e.clock.Now())

	// The InboundFunction's timeout is 60 s.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	crashed := *e.Receiver
	crashed.Objects = crashingObjects{e.Bucket}
	func() {
		defer func() {
			if _, ok := recover().(crash); !ok {
				t.Fatal("the attempt did not crash")
			}
		}()
		_ = crashed.Handle(ctx, ev)
	}()
	cancel()

	// Lambda retries an asynchronous invocation about a minute after it failed.
	e.clock.Advance(60*time.Second + time.Minute + 5*time.Second)
	if err := e.Receiver.Handle(context.Background(), ev); err != nil {
		t.Fatalf("retry after the crash: %v", err)
	}
	if rs := e.Replies(t, a.ID, 1); len(rs) != 1 || rs[0].MessageID != id {
		t.Fatalf("replies after the retry: %+v", rs)
	}
	if c := e.Get(t, a.ID).CheckIn(1); c.Status != grants.CheckInReceived {
		t.Errorf("check-in 1 is %s after the retry", c.Status)
	}
}

// A partner's mail client or a relay that sends the same email again (the
// same Message-ID from the same sender) reaches SES as a new message, with a
// new SES message ID: it is still one reply, counted, thanked and notified
// once, and the copy is recorded in the history rather than dropped. The
// same Message-ID from someone else is not that email: it is judged on its
// own (here quarantined, as its sender is not a contact).
func TestSameEmailUnderANewSESMessageIDIsOneReply(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	a, rcpt := e.ActiveAgreement(t)
	raw := e.Corpus(t, "plain_text", replyworld.TokenOf(t, rcpt))

	first := e.Receive(t, raw, e.Partner, rcpt, replyworld.Pass)
	e.clock.Advance(time.Hour)
	again := e.Receive(t, raw, e.Partner, rcpt, replyworld.Pass)
	fromStranger := bytes.Replace(raw, []byte("From: Sarah Jenkins <"+e.Partner+">"), []byte("From: Jo Bloggs <"+e.Stranger+">"), 1)
	if bytes.Equal(fromStranger, raw) {
		t.Fatal("plain_text no longer has the From line the test rewrites")
	}
	other := e.Receive(t, fromStranger, e.Stranger, rcpt, replyworld.Pass)

	if rs := e.Replies(t, a.ID, 1); len(rs) != 1 || rs[0].MessageID != first {
		t.Fatalf("replies %+v, want only the first copy, %s", rs, first)
	}
	h := e.History(t, a.ID)
	if n := count(h, "reply.received", "check-in 1"); n != 1 {
		t.Errorf("%d reply.received entries, want 1", n)
	}
	dup := 0
	for _, en := range h {
		if en.Action == "reply.ignored" && strings.Contains(en.Detail, again) && strings.Contains(en.Detail, first) {
			dup++
		}
	}
	if dup != 1 {
		t.Errorf("%d history entries record copy %s as a duplicate of %s, want 1: %+v", dup, again, first, h)
	}
	if acks := withSubject(e.MailTo(t, e.Partner), ackSubject); len(acks) != 1 {
		t.Errorf("partner got %d acknowledgements, want 1", len(acks))
	}
	if notices := withSubject(e.MailTo(t, e.Officer), noticeSubject); len(notices) != 1 {
		t.Errorf("officer got %d reply notices, want 1", len(notices))
	}
	for _, id := range []string{first, again, other} {
		if ob, err := e.Store.Outbox(ctx, outbox.InboundPartition, "msg#"+id); err != nil || ob == nil || ob.Status != outbox.StatusDone {
			t.Errorf("inbound record of %s: %+v %v, want done", id, ob, err)
		}
	}
	held, err := e.Store.ListQuarantine(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(held) != 1 || held[0].ID != other || held[0].Reason != "unknown_sender" {
		t.Errorf("quarantine %+v, want only %s (the stranger's), as unknown_sender", held, other)
	}
}

// A held message sent again under a new SES message ID is held once, and
// counted once in the officers' digest.
func TestSameDoubtfulEmailUnderANewSESMessageIDIsHeldOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	_, rcpt := e.ActiveAgreement(t)
	raw := e.Corpus(t, "unknown_sender", replyworld.TokenOf(t, rcpt))
	first := e.Receive(t, raw, e.Stranger, rcpt, replyworld.Pass)
	e.Receive(t, raw, e.Stranger, rcpt, replyworld.Pass)

	held, err := e.Store.ListQuarantine(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(held) != 1 || held[0].ID != first {
		t.Errorf("quarantine %+v, want only the first copy, %s", held, first)
	}
	if sent, err := e.Automation.HeldDigest(ctx); err != nil || !sent {
		t.Fatalf("digest: sent %v, %v", sent, err)
	}
	if d := withSubject(e.MailTo(t, e.Officer), digestSubject); len(d) != 1 || !strings.HasPrefix(d[0].Subject, "Held messages: 1 message held") {
		t.Errorf("officer's digests %v, want one counting 1 message", subjectsOf(d))
	}
}

// Two copies of one email arriving at once (a relay's resend racing the
// original) still make one reply: the first to store its outcome marks the
// email, the other's transaction fails on that mark, and Lambda's retry of
// it finds it a copy.
func TestCopiesOfOneEmailArrivingTogetherMakeOneReply(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	a, rcpt := e.ActiveAgreement(t)
	raw := e.Corpus(t, "plain_text", replyworld.TokenOf(t, rcpt))
	evs := make([]events.SimpleEmailEvent, 3)
	for i := range evs {
		evs[i] = replyworld.Event(e.Put(t, raw), e.Partner, rcpt, replyworld.Pass, e.clock.Now())
	}
	var wg sync.WaitGroup
	errs := make([]error, len(evs))
	for i, ev := range evs {
		wg.Go(func() { errs[i] = e.Receiver.Handle(ctx, ev) })
	}
	wg.Wait()
	for i, err := range errs {
		// Lambda retries a failed asynchronous invocation.
		deadline := time.Now().Add(10 * time.Second)
		for err != nil && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
			err = e.Receiver.Handle(ctx, evs[i])
		}
		if err != nil {
			t.Fatalf("copy %d: %v", i, err)
		}
	}
	if rs := e.Replies(t, a.ID, 1); len(rs) != 1 {
		t.Fatalf("%d replies from three copies, want 1", len(rs))
	}
	if acks := withSubject(e.MailTo(t, e.Partner), ackSubject); len(acks) != 1 {
		t.Errorf("partner got %d acknowledgements, want 1", len(acks))
	}
	if notices := withSubject(e.MailTo(t, e.Officer), noticeSubject); len(notices) != 1 {
		t.Errorf("officer got %d reply notices, want 1", len(notices))
	}
	if n := count(e.History(t, a.ID), "reply.ignored", "check-in 1"); n != 2 {
		t.Errorf("%d copies recorded in the history, want 2", n)
	}
}

// nestedReply is a reply from from to rcpt whose MIME parts are nested
// depth deep, no level closed: 1.5 KB at 25 levels, which took the MIME
// parser 40 s and more, before any check of its token or sender.
func nestedReply(from, rcpt string, depth int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: Sarah Jenkins <%s>\r\nTo: %s\r\nSubject: Re: Your January check-in\r\nMessage-ID: <nested-%d@hopehouse.org.uk>\r\nMIME-Version: 1.0\r\n", from, rcpt, depth)
	for i := range depth {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n", i, i)
	}
	b.WriteString("Content-Type: text/plain\r\n\r\nWe have had 15 volunteers in December.\r\n")
	return []byte(b.String())
}

// A message built past what the parser reads safely (pkg/reply's Limits)
// is held, not parsed: with its reason and what it was past, its sender,
// subject and check-in from its header, and the message as received kept
// for the person who reads it.
func TestMessageTooComplexToReadIsHeldWithItsReason(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	a, rcpt := e.ActiveAgreement(t)
	id := e.Receive(t, nestedReply(e.Partner, rcpt, 25), e.Partner, rcpt, replyworld.Pass)

	q, err := e.Store.GetQuarantined(ctx, id)
	if err != nil {
		t.Fatalf("not held: %v", err)
	}
	if q.Reason != grants.QuarantineTooComplex || q.Detail != "its parts are nested more than 10 deep" {
		t.Errorf("held for %q (%q), want too_complex, nested more than 10 deep", q.Reason, q.Detail)
	}
	if q.AgreementID != a.ID || q.CheckIn != 1 || q.Reply.From != e.Partner || q.Reply.Subject != "Re: Your January check-in" || q.Reply.Text != "" {
		t.Errorf("held as %+v, want its agreement, sender and subject from its header, and no text", q)
	}
	if _, err := e.Bucket.Get(ctx, q.Reply.RawKey); err != nil {
		t.Errorf("raw message gone: %v", err)
	}
	if rs := e.Replies(t, a.ID, 1); len(rs) != 0 {
		t.Errorf("stored as %d replies", len(rs))
	}
}

// file is an attachment of a message built by mime.
type file struct {
	name, contentType string
	content           []byte
}

// mime is a reply from from to rcpt with text and files, as a mail client
// writes one: multipart/mixed, the text first, each file base64-encoded
// and named with RFC 2231's continuations (filename*0*=, filename*1*=...),
// as clients fold a long name.
func mime(from, rcpt, text string, files ...file) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: Sarah Jenkins <%s>\r\nTo: %s\r\nSubject: Re: Your January check-in\r\nMessage-ID: <%d.%d@hopehouse.org.uk>\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n--outer\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s\r\n",
		from, rcpt, len(text), len(files), strings.ReplaceAll(text, "\n", "\r\n"))
	for _, f := range files {
		fmt.Fprintf(&b, "--outer\r\nContent-Type: %s\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment", f.contentType)
		name, charset := url.PathEscape(f.name), "UTF-8''"
		for i := 0; name != ""; i++ {
			n := min(len(name), 60)
			if k := strings.LastIndexByte(name[:n], '%'); k > n-3 && n < len(name) {
				n = k // never split a %XX
			}
			fmt.Fprintf(&b, ";\r\n filename*%d*=%s%s", i, charset, name[:n])
			name, charset = name[n:], ""
		}
		fmt.Fprintf(&b, "\r\n\r\n%s\r\n", base64.StdEncoding.EncodeToString(f.content))
	}
	b.WriteString("--outer--\r\n")
	return []byte(b.String())
}

// longText is about n bytes of a partner's report, in lines.
func longText(n int) string {
	var b strings.Builder
	for i := 1; b.Len() < n; i++ {
		fmt.Fprintf(&b, "Week %d: the garden group met, %d volunteers came, and we planted out the beds by the kitchen.\n", i, i%17+3)
	}
	return strings.TrimSpace(b.String())
}

// A reply of about 200 KB of text used to be refused by DynamoDB on every
// attempt (the text twice in one item, over 400 KB). It is stored: its
// beginning in the reply, the whole of it in S3, where the reply says.
func TestLongReplyIsStoredWithTheWholeTextKept(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	a, rcpt := e.ActiveAgreement(t)
	text := longText(200 << 10)
	e.Receive(t, mime(e.Partner, rcpt, text), e.Partner, rcpt, replyworld.Pass)

	rs := e.Replies(t, a.ID, 1)
	if len(rs) != 1 {
		t.Fatalf("%d replies stored, want 1", len(rs))
	}
	r := rs[0]
	if len(r.Text) > grants.MaxReplyText || len(r.FullText) > grants.MaxReplyText || len(r.Text) < grants.MaxReplyText-200 ||
		!strings.HasPrefix(text, r.Text) || !strings.HasPrefix(text, r.FullText) {
		t.Errorf("stored %d and %d bytes of text, want the first %d of the %d", len(r.Text), len(r.FullText), grants.MaxReplyText, len(text))
	}
	if r.TextSize != len(text) || !strings.HasPrefix(r.TextKey, "attachments/"+a.ID+"/check-in-1/"+r.MessageID+"/") {
		t.Fatalf("the whole text is said to be %d bytes at %q, want %d bytes beside the attachments", r.TextSize, r.TextKey, len(text))
	}
	whole, err := e.Bucket.Get(ctx, r.TextKey)
	if err != nil || string(whole) != text {
		t.Errorf("S3 holds %d bytes of text (%v), want the whole %d", len(whole), err, len(text))
	}
	if c := e.Get(t, a.ID).CheckIn(1); c.Status != grants.CheckInReceived {
		t.Errorf("check-in 1 is %s, want received", c.Status)
	}
}

// A file named with 600 characters made a key S3 refuses (over 1,024 bytes
// with its prefix) and crashed s3rver, taking S3 down for the local stack.
// Its key holds a short, safe form of the name; the object and the reply
// keep the name itself.
func TestLongAttachmentNameIsStoredUnderAShortKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	a, rcpt := e.ActiveAgreement(t)
	name := strings.Repeat("Interim budget report (Q4) – draft ", 17) + ".pdf"
	if n := utf8.RuneCountInString(name); n != 599 {
		t.Fatalf("the name has %d characters", n)
	}
	pdf := []byte("%PDF-1.4 the interim budget report")
	e.Receive(t, mime(e.Partner, rcpt, "The report is attached.", file{name, "application/pdf", pdf}), e.Partner, rcpt, replyworld.Pass)

	rs := e.Replies(t, a.ID, 1)
	if len(rs) != 1 || len(rs[0].Attachments) != 1 {
		t.Fatalf("replies %+v, want one with one attachment", rs)
	}
	att := rs[0].Attachments[0]
	last := att.Key[strings.LastIndexByte(att.Key, '/')+1:]
	if att.Name != name || len(last) > 110 || !strings.HasPrefix(last, "01-Interim_budget_report_Q4_draft_") || !strings.HasSuffix(last, ".pdf") {
		t.Errorf("stored as %q under %q, want the name kept and a short key ending .pdf", att.Name, att.Key)
	}
	obj, err := e.Bucket.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: &e.Bucket.Name, Key: &att.Key})
	if err != nil {
		t.Fatalf("attachment not in S3: %v", err)
	}
	body, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	kept, err := url.PathUnescape(obj.Metadata[objects.NameMetadata])
	if !bytes.Equal(body, pdf) || err != nil || kept != name {
		t.Errorf("S3 holds %q named %q (%v), want the PDF named %q", body, kept, err, name)
	}
}

// A reply of 3,000 small files, each with a long name, and a long text (every
// limit at once) used to be refused by DynamoDB on every attempt: the list
// of files alone was over 400 KB. It is stored with its first 100 files and
// the count of the rest, which stay in the message as received, and the
// history says so.
func TestThousandsOfAttachmentsStoreTheFirstHundredAndSaySo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	a, rcpt := e.ActiveAgreement(t)
	files := make([]file, 3000)
	for i := range files {
		files[i] = file{fmt.Sprintf("photo %04d ", i+1) + strings.Repeat("é", (grants.MaxAttachmentName-11)/2) + ".jpg", "image/jpeg", []byte{0xff, 0xd8, byte(i)}}
	}
	e.Receive(t, mime(e.Partner, rcpt, longText(200<<10), files...), e.Partner, rcpt, replyworld.Pass)

	rs := e.Replies(t, a.ID, 1)
	if len(rs) != 1 {
		t.Fatalf("%d replies stored, want 1", len(rs))
	}
	r := rs[0]
	if len(r.Attachments) != grants.MaxAttachments || r.MoreAttachments != 2900 || r.TextKey == "" {
		t.Fatalf("stored %d files and %d more, want %d and 2900, and the whole text kept", len(r.Attachments), r.MoreAttachments, grants.MaxAttachments)
	}
	if last := r.Attachments[99]; !strings.HasPrefix(last.Name, "photo 0100 éé") || len(last.Name) > grants.MaxAttachmentName {
		t.Errorf("the 100th file is recorded as %.20q (%d bytes)", last.Name, len(last.Name))
	}
	stored := 0
	if err := e.Bucket.Keys(ctx, "attachments/"+a.ID+"/", "", func(string) bool { stored++; return true }); err != nil {
		t.Fatal(err)
	}
	if stored != grants.MaxAttachments+1 { // and the whole text
		t.Errorf("%d objects stored, want %d files and the text", stored, grants.MaxAttachments)
	}
	said := false
	for _, en := range e.History(t, a.ID) {
		said = said || en.Action == "reply.received" && strings.Contains(en.Detail, "100 attachments and 2900 more kept in the message as received")
	}
	if !said {
		t.Error("the history does not say where the other 2,900 files are")
	}
}
