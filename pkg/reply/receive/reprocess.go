package receive

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/outbox"
	"github.com/partnership-grants/backend/pkg/reply"
)

// Invocation is what the InboundFunction is invoked with: SES's receipt
// event, or an operator's {"reprocess": {}} (see Reprocess).
type Invocation struct {
	Records   []events.SimpleEmailRecord `json:"Records"`
	Reprocess *ReprocessRequest          `json:"reprocess,omitempty"`
}

// Invoke is the InboundFunction's handler. An SES event that fails returns
// the error, so that Lambda retries it and then keeps it in the dead-letter
// queue; a reprocess run answers with its report.
func (rc *Receiver) Invoke(ctx context.Context, inv Invocation) (*ReprocessReport, error) {
	if inv.Reprocess != nil {
		rep, err := rc.Reprocess(ctx, *inv.Reprocess)
		return &rep, err
	}
	return nil, rc.Handle(ctx, events.SimpleEmailEvent{Records: inv.Records})
}

// ReprocessRequest starts a reprocess run; StartAfter continues one that
// ran out of time, from the Next its report gave.
type ReprocessRequest struct {
	StartAfter string `json:"startAfter,omitempty"`
}

// ReprocessReport says what a reprocess run did. Next, when set, is where
// it stopped for lack of time: run again with it as StartAfter.
type ReprocessReport struct {
	Listed        int       `json:"listed"`
	AlreadyStored int       `json:"alreadyStored"`
	Reprocessed   int       `json:"reprocessed"`
	Failed        []Failure `json:"failed,omitempty"` // to run again once the cause is fixed
	Next          string    `json:"next,omitempty"`
}

// Failure is a message a reprocess run could not handle, and why.
type Failure struct {
	MessageID string `json:"messageId"` // SES's
	Reason    string `json:"reason"`
}

// reprocessMargin is the time a run keeps in hand before its deadline to
// finish the message under way and answer.
const reprocessMargin = 15 * time.Second

// Reprocess handles every raw message in the bucket that never reached a
// check-in, the quarantine or the history: one whose every delivery failed
// (storage was down through Lambda's retries, so its event went to the
// dead-letter queue), or, locally, whose sender gave up after the
// listener's temporary failures. SES's verdicts are read from the stored
// copy (reply.StoredEnvelope), and each message goes through Receive, so
// the once-only record per SES message makes the run safe to repeat, and
// safe alongside SES's own deliveries; a resend already stored is recorded
// as a copy. A message that fails, or panics, is listed with why, and the
// run goes on: one message it cannot handle must not stop every message
// stored after it, run after run.
func (rc *Receiver) Reprocess(ctx context.Context, req ReprocessRequest) (ReprocessReport, error) {
	var rep ReprocessReport
	stored, err := rc.Store.StoredMessages(ctx, outbox.InboundPartition)
	if err != nil {
		return rep, err
	}
	last := req.StartAfter
	err = rc.Objects.Keys(ctx, rc.RawPrefix, req.StartAfter, func(key string) bool {
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < reprocessMargin {
			rep.Next = last
			return false
		}
		last = key
		id := strings.TrimPrefix(key, rc.RawPrefix)
		if id == sesSetupNotification {
			return true
		}
		rep.Listed++
		if stored[id] {
			rep.AlreadyStored++
			return true
		}
		if err := rc.reprocess(ctx, key, id); err != nil {
			slog.ErrorContext(ctx, "reprocess failed", "messageId", id, "error", err.Error())
			rep.Failed = append(rep.Failed, Failure{MessageID: id, Reason: err.Error()})
			return true
		}
		rep.Reprocessed++
		return true
	})
	slog.InfoContext(ctx, "reprocess done", "listed", rep.Listed, "alreadyStored", rep.AlreadyStored, "reprocessed", rep.Reprocessed,
		"failed", len(rep.Failed), "next", rep.Next)
	return rep, err
}

// sesSetupNotification is the object SES writes when a receipt rule's S3
// action is set up: not a message anybody sent.
const sesSetupNotification = "AMAZON_SES_SETUP_NOTIFICATION"

// reprocess receives one stored message as if SES had just delivered it.
// A panic is its failure alone: in AWS it would end the invocation, and
// the run, at the same message every time it was run.
func (rc *Receiver) reprocess(ctx context.Context, key, id string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	raw, err := rc.Objects.Get(ctx, key)
	if err != nil {
		return err
	}
	env := reply.StoredEnvelope(raw, id)
	status := func(s string) events.SimpleEmailVerdict { return events.SimpleEmailVerdict{Status: s} }
	v := env.Verdicts
	return rc.Receive(ctx, events.SimpleEmailService{
		Mail: events.SimpleEmailMessage{MessageID: id, Source: env.MailFrom},
		Receipt: events.SimpleEmailReceipt{Recipients: env.Recipients,
			SpamVerdict: status(v.Spam), VirusVerdict: status(v.Virus), SPFVerdict: status(v.SPF), DKIMVerdict: status(v.DKIM), DMARCVerdict: status(v.DMARC)},
	})
}
