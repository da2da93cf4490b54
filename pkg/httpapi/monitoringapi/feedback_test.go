package monitoringapi

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/httpapi"
	"github.com/partnership-grants/backend/pkg/service"
)

// TestFeedbackByRound stores replies to two agreements and reads "What
// partners told us": grouped by check-in round, the "Feedback for us"
// answer picked out where the reply labels it, the whole reply otherwise,
// a recorded conversation's partner's words, and what was read stated.
func TestFeedbackByRound(t *testing.T) {
	f := newMonitoringFixture(t)
	ctx := context.Background()
	reply := func(partner string, n int, r grants.Reply) {
		t.Helper()
		id := f.ids[partner]
		r.AgreementID, r.CheckIn, r.Attachments = id, n, []grants.Attachment{}
		if r.MessageID == "" {
			r.MessageID = partner[:4] + string(rune('0'+n))
		}
		_, err := f.store.UpdateAgreement(ctx, id, 0, func(a *grants.Agreement) (grants.Effects, error) {
			entries, err := a.ReceiveReply(n, r, r.ReceivedAt, "inbound")
			return grants.Effects{At: r.ReceivedAt, Audit: entries, Replies: []grants.Reply{r}}, err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	at := time.Date(2026, 5, 2, 10, 0, 0, 0, time.UTC)
	reply("Levenshulme Community Kitchen", 1, grants.Reply{From: "lead@levenshulme.example", ReceivedAt: at,
		Text: "1. Meals going well\n2. A story\n3. Mentoring\n4. Feedback for us: the forms are long"})
	reply("Gorton Repair Cafe", 1, grants.Reply{From: "lead@gorton.example", ReceivedAt: at.Add(24 * time.Hour),
		Text: "All fine here, thank you."})
	reply("Gorton Repair Cafe", 4, grants.Reply{From: "officer", ReceivedAt: at.Add(48 * time.Hour), Text: "We would do it again.",
		Conversation: &grants.Conversation{Channel: "call", HappenedOn: grants.Today(at.Add(48*time.Hour), time.UTC), Participants: []string{"Lead"}}})

	resp := f.do(t, get("/programmes/{programme}/feedback", community, httpapi.RoleProgramme))
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, resp.Body)
	}
	var fb service.Feedback
	if err := json.Unmarshal([]byte(resp.Body), &fb); err != nil {
		t.Fatal(err)
	}
	if fb.Limit != grants.FeedbackLimit || fb.Read != fb.Agreements || fb.Found == "" {
		t.Errorf("read %d of %d, limit %d, found %q", fb.Read, fb.Agreements, fb.Limit, fb.Found)
	}
	if len(fb.Rounds) != 2 || fb.Rounds[0].Title != "Check-in 1" || fb.Rounds[1].Title != "End-of-agreement report" {
		t.Fatalf("rounds %+v", fb.Rounds)
	}
	r1 := fb.Rounds[0].Entries
	if len(r1) != 2 || r1[0].Partner != "Gorton Repair Cafe" || !r1[0].WholeReply || r1[1].Words != "the forms are long" || r1[1].WholeReply {
		t.Errorf("check-in 1: %+v", r1)
	}
	if fin := fb.Rounds[1].Entries; len(fin) != 1 || fin[0].Channel != "call" || fin[0].Words != "We would do it again." {
		t.Errorf("final reports: %+v", fin)
	}
	for _, role := range []httpapi.Role{httpapi.RoleFinance, httpapi.RoleViewer} {
		if r := f.do(t, get("/programmes/{programme}/feedback", community, role)); r.StatusCode != 403 {
			t.Errorf("as %s: %d", role, r.StatusCode)
		}
	}
	if r := f.do(t, get("/programmes/{programme}/feedback", map[string]string{"programme": "bad code!"}, httpapi.RoleProgramme)); r.StatusCode != 422 {
		t.Errorf("bad programme: %d %s", r.StatusCode, r.Body)
	}
}
