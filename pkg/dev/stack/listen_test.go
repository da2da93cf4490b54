package stack

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/reports"
)

// On the local stack, through the gateway's template routes: the partner
// answers no email, instalment 2 falls due waiting for check-in 1, and the
// officer records a call with them as check-in 1's response; the instalment
// is freed for finance, and the timeline, check-in route and summary show
// the conversation.
func TestConversationCheckInOnTheStack(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	ctx := stackContext(st)
	now := time.Now()
	tok, err := st.Auth.Issue("olu", "programme", now)
	if err != nil {
		t.Fatal(err)
	}
	officer := client{t, st.opts.APIAddr, tok}
	start := grants.Today(st.Clock.Now(), time.UTC)
	// The programme pays after check-ins: the walk is about what the call frees.
	paysAfterCheckIn(t, st, "listening")
	var a grants.Agreement
	officer.must(201, "POST", "/agreements", fmt.Sprintf(`{"programme": "listening",
		"partner": {"name": "Moss Side Men's Shed", "registrationNumber": "1172345", "address": "1 Princess Road, Manchester M14 4TH"},
		"contacts": [{"name": "Dev Patel", "email": "dev-%d@shed.example", "role": "lead"}],
		"amount": 400000, "startDate": %q, "terms": ["Run a weekly repair café"], "support": ["Governance mentoring"]}`,
		now.UnixNano(), start), &a, "Idempotency-Key", fmt.Sprintf("listen-%d", now.UnixNano()))
	officer.must(200, "POST", "/agreements/"+a.ID+"/activate", "", nil)

	var got grants.Agreement
	for day := 0; day < 120; day++ {
		if _, err := st.Runner.Advance(ctx, 1); err != nil {
			t.Fatal(err)
		}
		got = grants.Agreement{}
		officer.must(200, "GET", "/agreements/"+a.ID, "", &got)
		if in := got.Instalment(2); in != nil && in.Status == grants.InstalmentDue {
			break
		}
	}
	if in := got.Instalment(2); in == nil || in.Status != grants.InstalmentDue || !in.AwaitingCheckIn {
		t.Fatalf("instalment 2 did not fall due waiting for check-in 1: %+v", in)
	}

	today := grants.Today(st.Clock.Now(), a.Location())
	if status, body := officer.do("POST", "/agreements/"+a.ID+"/check-ins/1/responses", `{"channel": "call", "happenedOn": "not a date", "participants": ["Dev Patel"], "summary": "x"}`); status != 422 || !strings.Contains(string(body), "happenedOn") {
		t.Errorf("a bad date: %d %s", status, body)
	}
	var rec struct {
		CheckIn grants.CheckIn
		Reply   grants.Reply
	}
	officer.must(201, "POST", "/agreements/"+a.ID+"/check-ins/1/responses", fmt.Sprintf(`{"channel": "call", "happenedOn": %q,
		"participants": ["Dev Patel", "Olu Adeyemi"], "summary": "Repair café running weekly; 30 regulars.",
		"partnerWords": "We could do with help writing our first annual report."}`, today), &rec)
	if rec.CheckIn.Status != grants.CheckInReceived || rec.CheckIn.ReceivedBy != grants.ChannelCall {
		t.Errorf("check-in 1 after the call: %+v", rec.CheckIn)
	}
	var after grants.Agreement // a fresh value: omitted fields must not keep old ones
	officer.must(200, "GET", "/agreements/"+a.ID, "", &after)
	if after.Instalment(2).AwaitingCheckIn {
		t.Error("instalment 2 still waits for check-in 1 after the call was recorded")
	}
	var ci struct{ Replies []grants.Reply }
	officer.must(200, "GET", "/agreements/"+a.ID+"/check-ins/1", "", &ci)
	if len(ci.Replies) != 1 || ci.Replies[0].Conversation == nil || ci.Replies[0].Conversation.Summary != "Repair café running weekly; 30 regulars." {
		t.Errorf("check-in 1's replies: %+v", ci.Replies)
	}
	var tl struct{ Events []reports.Event }
	officer.must(200, "GET", "/agreements/"+a.ID+"/timeline", "", &tl)
	seen := false
	for _, e := range tl.Events {
		seen = seen || e.Status == "conversation.recorded" && strings.Contains(e.Detail, "call on "+today.String())
	}
	if !seen {
		t.Errorf("the timeline does not show the call: %+v", tl.Events)
	}
	var sum reports.Summary
	officer.must(200, "GET", "/programmes/listening/summary", "", &sum)
	if sum.CheckInsReceived != 1 || sum.CheckInsByConversation != 1 {
		t.Errorf("summary: %d received, %d by conversation", sum.CheckInsReceived, sum.CheckInsByConversation)
	}
}
