package receive_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/dev/testenv/replyworld"
	"github.com/partnership-grants/backend/pkg/grants"
)

func enquiryRaw(from, messageID, extra string) []byte {
	return fmt.Appendf(nil, "From: Amina Patel <%s>\r\nTo: %s\r\nSubject: Could we work with you?\r\nMessage-ID: %s\r\n%sMIME-Version: 1.0\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n\r\nHello, we run a lunch club.\r\n\r\nAmina Patel\r\nHulme Community Garden Trust\r\n",
		from, replyworld.EnquiryAddress, messageID, extra)
}

// An enquiry delivered five times at once (the same SES message three
// times, and two more SES messages of the same email) is one enquiry and
// one acknowledgement: the attempts that lose fail, are retried as Lambda
// would, and then find the message done or a copy.
func TestCopiesOfOneEnquiryArrivingTogetherMakeOneEnquiry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	from := e.Stranger
	raw := enquiryRaw(from, fmt.Sprintf("<lunch-%d@garden.example>", time.Now().UnixNano()), "")
	first := e.Put(t, raw)
	evs := []events.SimpleEmailEvent{}
	for range 3 {
		evs = append(evs, replyworld.Event(first, from, replyworld.EnquiryAddress, replyworld.Pass, e.clock.Now()))
	}
	for range 2 {
		evs = append(evs, replyworld.Event(e.Put(t, raw), from, replyworld.EnquiryAddress, replyworld.Pass, e.clock.Now()))
	}
	var wg sync.WaitGroup
	errs := make([]error, len(evs))
	for i, ev := range evs {
		wg.Go(func() { errs[i] = e.Receiver.Handle(ctx, ev) })
	}
	wg.Wait()
	for i, err := range errs {
		deadline := time.Now().Add(10 * time.Second)
		for err != nil && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
			err = e.Receiver.Handle(ctx, evs[i])
		}
		if err != nil {
			t.Fatalf("copy %d: %v", i, err)
		}
	}
	list, err := e.Enquiries.List(ctx, "riverside")
	if err != nil || len(list) != 1 || list[0].Email != from || list[0].Organisation != "Hulme Community Garden Trust" || len(list[0].Messages) != 1 {
		t.Fatalf("enquiries from five copies: %+v %v", list, err)
	}
	if acks := withSubject(e.MailTo(t, from), "Thank you for your enquiry"); len(acks) != 1 {
		t.Errorf("%d acknowledgements, want 1", len(acks))
	}
}

// Mail to the enquiry address that SES flags, or a machine sent, is never
// an enquiry and never answered: spam and a forged sender are held for a
// person (with the reason), an out-of-office is kept as ignored.
func TestDoubtfulEnquiriesAreHeldAndMachineMailIgnored(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	from := e.Stranger
	n := time.Now().UnixNano()
	spam := e.Receive(t, enquiryRaw(from, fmt.Sprintf("<spam-%d@x.example>", n), ""), from, replyworld.EnquiryAddress,
		replyworld.Verdicts{Spam: "FAIL", Virus: "PASS", SPF: "PASS", DKIM: "PASS", DMARC: "PASS"})
	forged := e.Receive(t, enquiryRaw(from, fmt.Sprintf("<forged-%d@x.example>", n), ""), from, replyworld.EnquiryAddress,
		replyworld.Verdicts{Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "PASS", DMARC: "FAIL"})
	e.Receive(t, enquiryRaw(from, fmt.Sprintf("<ooo-%d@x.example>", n), "Auto-Submitted: auto-replied\r\n"), from, replyworld.EnquiryAddress, replyworld.Pass)
	for id, reason := range map[string]grants.QuarantineReason{spam: grants.QuarantineSpam, forged: grants.QuarantineDMARCFail} {
		q, err := e.Store.GetQuarantined(ctx, id)
		if err != nil || q.Reason != reason || q.Status != grants.QuarantinePending {
			t.Errorf("held %s: %+v %v", reason, q, err)
		}
	}
	if list, err := e.Enquiries.List(ctx, "riverside"); err != nil || len(list) != 0 {
		t.Errorf("enquiries: %+v %v", list, err)
	}
	if got := e.MailTo(t, from); len(got) != 0 {
		t.Errorf("%d emails to the sender, want none: %q", len(got), got[0].Subject)
	}
}
