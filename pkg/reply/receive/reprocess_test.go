package receive_test

import (
	"context"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/dev/testenv/replyworld"
	"github.com/partnership-grants/backend/pkg/dynamo"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/reply/receive"
)

// A reply that arrived while storage was down (the handler failed, and so
// did Lambda's retries) is in the mail bucket only. The reprocess command
// stores it, judged on SES's verdicts as SES wrote them into the stored
// copy; it leaves alone what is already a reply, held or recorded, holds
// what is doubtful (here a copy without SES's verdicts), and running it
// again changes nothing and emails nobody. (The partner is thanked once:
// one automatic email a sender a day.)
func TestReprocessStoresMessagesThatNeverReachedACheckInOrTheQuarantine(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	a, rcpt := e.ActiveAgreement(t)
	tok := replyworld.TokenOf(t, rcpt)
	stored := func(eml, from string) []byte {
		return replyworld.StoredBySES(e.Corpus(t, eml, tok), from, rcpt, replyworld.Pass)
	}

	// Before the outage: a reply and a held message.
	accepted := e.Receive(t, stored("gmail_alternative", e.Partner), e.Partner, rcpt, replyworld.Pass)
	held := e.Receive(t, stored("unknown_sender", e.Stranger), e.Stranger, rcpt, replyworld.Pass)

	// During it: the handler cannot store anything.
	down := *e.Receiver
	down.Store = dynamo.New(e.DB, "no-such-table")
	lost := e.Put(t, stored("plain_text", e.Partner))
	// Written by something that is not SES, so without its verdicts.
	doubtful := e.Put(t, e.Corpus(t, "iphone_mail", tok))
	for _, id := range []string{lost, doubtful} {
		for attempt := range 3 { // the invocation and Lambda's two retries
			if err := down.Handle(ctx, replyworld.Event(id, e.Partner, rcpt, replyworld.Pass, e.clock.Now())); err == nil {
				t.Fatalf("attempt %d at %s succeeded with storage down; it must fail so that Lambda retries", attempt, id)
			}
		}
	}
	if rs := e.Replies(t, a.ID, 1); len(rs) != 1 {
		t.Fatalf("%d replies before reprocessing, want 1", len(rs))
	}

	for run := 1; run <= 2; run++ {
		rep, err := e.Receiver.Reprocess(ctx, receive.ReprocessRequest{})
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		want := receive.ReprocessReport{Listed: 4, AlreadyStored: 2, Reprocessed: 2}
		if run == 2 {
			want = receive.ReprocessReport{Listed: 4, AlreadyStored: 4}
		}
		if rep.Listed != want.Listed || rep.AlreadyStored != want.AlreadyStored || rep.Reprocessed != want.Reprocessed || len(rep.Failed) != 0 || rep.Next != "" {
			t.Errorf("run %d reported %+v, want %+v", run, rep, want)
		}
	}

	rs := e.Replies(t, a.ID, 1)
	ids := map[string]grants.Reply{}
	for _, r := range rs {
		ids[r.MessageID] = r
	}
	if len(rs) != 2 || ids[accepted].MessageID == "" || ids[lost].MessageID == "" {
		t.Fatalf("replies %+v, want %s and %s", rs, accepted, lost)
	}
	if r := ids[lost]; r.From != e.Partner || !strings.Contains(r.Text, "15 volunteers") || r.Verdicts.DMARC != "PASS" || r.Verdicts.Virus != "PASS" {
		t.Errorf("reprocessed reply %+v", r)
	}
	q, err := e.Store.ListQuarantine(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{}
	for _, m := range q {
		reasons[m.ID] = string(m.Reason)
	}
	if len(q) != 2 || reasons[held] != "unknown_sender" || reasons[doubtful] != "dmarc_unverified" {
		t.Errorf("quarantine %v, want %s as unknown_sender and %s as dmarc_unverified", reasons, held, doubtful)
	}
	if acks := withSubject(e.MailTo(t, e.Partner), ackSubject); len(acks) != 1 {
		t.Errorf("partner got %d acknowledgements, want 1 (one automatic email a sender a day)", len(acks))
	}
	if notices := withSubject(e.MailTo(t, e.Officer), noticeSubject); len(notices) != 2 {
		t.Errorf("officer got %d reply notices, want 2", len(notices))
	}
	if all := e.MailTo(t, e.Officer); len(all) != 2 {
		t.Errorf("officer got %d emails, want only the 2 reply notices (held messages wait for the digest)", len(all))
	}
}

// failingObjects is the mail bucket as a bug in handling one message sees
// it: reading that message panics.
type failingObjects struct {
	receive.Objects
	key string
}

func (o failingObjects) Get(ctx context.Context, key string) ([]byte, error) {
	if key == o.key {
		panic("runtime error: index out of range [3] with length 3")
	}
	return o.Objects.Get(ctx, key)
}

// Messages the run cannot handle come first in the bucket (SES message IDs
// sort as they come): one its handling panics on, and one nested 25 deep,
// which the MIME parser took 40 s and more to read. Neither stops the run:
// the one is reported with why, the other held as too complex to read,
// and the replies stored after them are stored.
func TestReprocessGoesOnPastMessagesItCannotHandle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	a, rcpt := e.ActiveAgreement(t)
	tok := replyworld.TokenOf(t, rcpt)
	stored := func(raw []byte) []byte { return replyworld.StoredBySES(raw, e.Partner, rcpt, replyworld.Pass) }
	put := func(id string, raw []byte) string {
		if err := e.Bucket.Put(ctx, replyworld.RawPrefix+id, "message/rfc822", raw); err != nil {
			t.Fatal(err)
		}
		return id
	}
	panics := put("0panics", stored(e.Corpus(t, "plain_text", tok)))
	nested := put("1nested", stored(nestedReply(e.Partner, rcpt, 25)))
	good := []string{e.Put(t, stored(e.Corpus(t, "gmail_alternative", tok))), e.Put(t, stored(e.Corpus(t, "iphone_mail", tok)))}

	rc := *e.Receiver
	rc.Objects = failingObjects{Objects: e.Bucket, key: replyworld.RawPrefix + panics}
	rep, err := rc.Reprocess(ctx, receive.ReprocessRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Listed != 4 || rep.Reprocessed != 3 || rep.Next != "" || len(rep.Failed) != 1 || rep.Failed[0].MessageID != panics ||
		!strings.Contains(rep.Failed[0].Reason, "panic: runtime error: index out of range") {
		t.Errorf("report %+v, want 3 reprocessed and %s failed, with why", rep, panics)
	}
	rs := e.Replies(t, a.ID, 1)
	got := map[string]bool{}
	for _, r := range rs {
		got[r.MessageID] = true
	}
	if len(rs) != 2 || !got[good[0]] || !got[good[1]] {
		t.Errorf("replies %v, want %v", got, good)
	}
	if q, err := e.Store.GetQuarantined(ctx, nested); err != nil || q.Reason != grants.QuarantineTooComplex {
		t.Errorf("the nested message: %+v %v, want held as too_complex", q, err)
	}
}
