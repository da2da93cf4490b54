package memstore

import (
	"context"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// One item touched twice in a transaction is refused as DynamoDB refuses
// it (a ValidationException, whatever the conditions), and nothing is
// written. DynamoDB Local instead cancels a conditional second write as a
// failed condition, so the store contract leaves this case out.
func TestOneItemTwiceIsRefused(t *testing.T) {
	st := New()
	ctx := context.Background()
	r := grants.Reply{AgreementID: "partition", CheckIn: 1, MessageID: "ses-1"}
	err := st.Apply(ctx, "partition", grants.Effects{At: time.Now(), Outbox: []outbox.Key{outbox.CheckInKey(1)}, Replies: []grants.Reply{r, r}})
	if err == nil || grants.ErrorCode(err) != "" {
		t.Fatalf("one reply twice: %v, want an internal error", err)
	}
	if e, _ := st.Outbox(ctx, "partition", "checkin#01"); e != nil {
		t.Errorf("the refused transaction enqueued %+v", e)
	}
	if got, _ := st.Replies(ctx, "partition", 0); len(got) != 0 {
		t.Errorf("the refused transaction stored %d replies", len(got))
	}
}

// A copy is deep: no pointer, slice or map of the original is shared.
func TestCloneSharesNothing(t *testing.T) {
	p := grants.ProgrammeSettings{OfficerEmails: []string{"a@example.org"}, TwoPersonRule: new(true)}
	c := clone(p)
	c.OfficerEmails[0] = "changed"
	*c.TwoPersonRule = false
	if p.OfficerEmails[0] != "a@example.org" || !*p.TwoPersonRule {
		t.Errorf("the original changed through its copy: %+v", p)
	}
	now := time.Now()
	if got := clone(now); got != now.Round(0) {
		t.Errorf("a time copied as %v, want %v without its monotonic reading", got, now.Round(0))
	}
}
