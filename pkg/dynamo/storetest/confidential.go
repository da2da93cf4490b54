package storetest

import (
	"context"
	"reflect"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// Confidential feedback and where it came from are written together, each
// once (a second write of one is a Conflict and writes nothing), with what
// else the delivery writes or not at all; the feedback is read back by its
// programme only, in day order, and the sender's record by its ID.
func confidentialFeedbackOnce(t *testing.T, st Store) {
	ctx := context.Background()
	a := NewID()
	feedback := func(id string, on grants.Date, words string) grants.ConfidentialFeedback {
		return grants.ConfidentialFeedback{ID: grants.ConfidentialID(id), Programme: "trust-2026", Round: 2, On: on, Words: words, Files: 1}
	}
	sender := func(id string) grants.ConfidentialSender {
		return grants.ConfidentialSender{ID: grants.ConfidentialID(id), AgreementID: a, Round: 2, MessageID: id, ReceivedAt: Now}
	}
	later := feedback("ses-2", grants.DateOf(Now).AddDays(1), "the forms are long")
	first := feedback("ses-1", grants.DateOf(Now), "visits feel like inspections")
	first.Unverified, first.Cut = true, true
	aside := grants.ConfidentialFeedback{ID: grants.ConfidentialID("ses-3"), Programme: "trust-2026", Round: 1, On: grants.DateOf(Now), SetAside: "spam"}
	for _, x := range []struct {
		f grants.ConfidentialFeedback
		s grants.ConfidentialSender
	}{{later, sender("ses-2")}, {first, sender("ses-1")}, {aside, sender("ses-3")}} {
		if err := st.Apply(ctx, "", grants.Effects{At: Now, Confidential: []grants.ConfidentialFeedback{x.f}, ConfidentialSenders: []grants.ConfidentialSender{x.s}}); err != nil {
			t.Fatal(err)
		}
	}
	// Again: a conflict, and nothing of it written.
	again := later
	again.Words = "changed"
	if err := st.Apply(ctx, "", grants.Effects{At: Now, Confidential: []grants.ConfidentialFeedback{again}}); code(err) != grants.Conflict {
		t.Errorf("stored twice: %v, want a conflict", err)
	}
	// With a claim not held: nothing written.
	lost := feedback("ses-4", grants.DateOf(Now), "lost")
	err := st.Apply(ctx, "", grants.Effects{At: Now, Confidential: []grants.ConfidentialFeedback{lost}, ConfidentialSenders: []grants.ConfidentialSender{sender("ses-4")},
		Sent: []grants.Sent{{Partition: outbox.InboundPartition, Key: "msg#ses-4", Token: "not-held", MessageID: "ses-4"}}})
	if code(err) != grants.Conflict {
		t.Errorf("with a claim not held: %v, want a conflict", err)
	}
	got, err := st.ConfidentialFeedback(ctx, "trust-2026")
	if err != nil {
		t.Fatal(err)
	}
	want := []grants.ConfidentialFeedback{first, aside, later}
	if first.ID > aside.ID {
		want = []grants.ConfidentialFeedback{aside, first, later}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back\n%+v\nwant\n%+v", got, want)
	}
	s, err := st.ConfidentialSender(ctx, first.ID)
	if want := sender("ses-1"); err != nil || s == nil || !s.ReceivedAt.Equal(want.ReceivedAt) || s.AgreementID != a || s.MessageID != "ses-1" || s.Round != 2 || s.ID != first.ID {
		t.Errorf("its sender: %+v %v", s, err)
	}
	if s, err := st.ConfidentialSender(ctx, lost.ID); err != nil || s != nil {
		t.Errorf("a sender written with a failed claim: %+v %v", s, err)
	}
	if other, err := st.ConfidentialFeedback(ctx, "other-programme"); err != nil || len(other) != 0 {
		t.Errorf("another programme's: %+v %v", other, err)
	}
}
