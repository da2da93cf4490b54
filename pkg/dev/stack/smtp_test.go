package stack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/smtp"
	"net/textproto"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/dev/testenv/replyworld"
	"github.com/partnership-grants/backend/pkg/dynamo"
	"github.com/partnership-grants/backend/pkg/reply/receive"
)

// TestMain lets this package's tests use the shared emulators of
// pkg/dev/testenv: the stacks they start share its DynamoDB Local, each with
// a table of its own. The functions' logs go through testLogs.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(routed{r: testLogs}))
	testenv.Main(m)
}

// A reply that cannot be stored must not be acknowledged: while storage is
// down the listener answers a temporary failure (451), so that the partner's
// mail server keeps the message and sends it again; it is stored when it
// does. The copy left in the bucket by the failed attempt is then recorded by
// the reprocess command as a copy of the stored email, not as a second reply.
// (The listener used to answer 250, and the message stayed in S3 only.)
func TestReplyWhileStorageIsDownIsRefusedForNowAndStoredOnRetry(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts DynamoDB Local and s3rver")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := testenv.NewClock(time.Date(2026, 4, 20, 9, 0, 0, 0, time.UTC), time.Millisecond)
	w := replyworld.New(t, c.Now)
	a, rcpt := w.ActiveAgreement(t)
	raw := w.Corpus(t, "plain_text", replyworld.TokenOf(t, rcpt))

	down := *w.Receiver
	down.Store = dynamo.New(w.DB, "no-such-table")
	receiver := &down
	port, err := emulator.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	in := &Inbound{
		Store: func(ctx context.Context, key string, raw []byte) error {
			return w.Bucket.Put(ctx, key, "message/rfc822", raw)
		},
		Invoke:  func(ctx context.Context, ev events.SimpleEmailEvent) error { return receiver.Handle(ctx, ev) },
		Prefix:  replyworld.RawPrefix,
		Clock:   c.Now,
		MaxSize: 40 << 20,
	}
	if err := in.Serve(ctx, addr); err != nil {
		t.Fatal(err)
	}

	err = smtp.SendMail(addr, nil, w.Partner, []string{rcpt}, raw)
	var reply *textproto.Error
	if !errors.As(err, &reply) || reply.Code/100 != 4 {
		t.Fatalf("with storage down the listener answered %v, want a temporary failure (4xx)", err)
	}
	if rs := w.Replies(t, a.ID, 1); len(rs) != 0 {
		t.Fatalf("%d replies stored while storage was down", len(rs))
	}

	// Storage is back; the partner's server sends the message again.
	receiver = w.Receiver
	if err := smtp.SendMail(addr, nil, w.Partner, []string{rcpt}, raw); err != nil {
		t.Fatalf("retry: %v", err)
	}
	rep, err := w.Receiver.Reprocess(ctx, receive.ReprocessRequest{})
	if err != nil || rep.Listed != 2 || rep.Reprocessed != 1 || len(rep.Failed) != 0 {
		t.Errorf("reprocess: %+v %v, want the failed attempt's copy reprocessed", rep, err)
	}
	if rs := w.Replies(t, a.ID, 1); len(rs) != 1 {
		t.Errorf("%d replies, want 1", len(rs))
	}
	if acks := w.MailTo(t, w.Partner); len(acks) != 2 {
		t.Errorf("partner has %d emails, want the check-in and one acknowledgement", len(acks))
	}
}
