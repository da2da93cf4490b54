package monitoringapi

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/httpapi"
	"github.com/partnership-grants/backend/pkg/service"
)

// What reached the confidential feedback addresses (issue 24, item 2) is
// in "What partners told us", in the round of the check-in it was offered
// with, from "a partner in round N" with no agreement, reference, partner
// or address; what was set aside is counted, not shown; the route's
// answer is the OpenAPI document's.
func TestConfidentialFeedbackInTheRoute(t *testing.T) {
	f := newMonitoringFixture(t)
	ctx := context.Background()
	on := grants.DateOf(monNow()())
	agreement := f.ids["Gorton Repair Cafe"]
	for _, x := range []grants.ConfidentialFeedback{
		{ID: grants.ConfidentialID("ses-c1"), Programme: "community-2026", Round: 1, On: on, Words: "CONFIDENTIAL the visits feel like inspections", Files: 1},
		{ID: grants.ConfidentialID("ses-c2"), Programme: "community-2026", Round: 3, On: on, Words: "UNVERIFIED more notice", Unverified: true},
		{ID: grants.ConfidentialID("ses-c3"), Programme: "community-2026", Round: 1, On: on, SetAside: "spam"},
	} {
		sender := grants.ConfidentialSender{ID: x.ID, AgreementID: agreement, Round: x.Round, MessageID: "ses-x", ReceivedAt: monNow()()}
		if err := f.store.Apply(ctx, "", grants.Effects{At: monNow()(), Confidential: []grants.ConfidentialFeedback{x}, ConfidentialSenders: []grants.ConfidentialSender{sender}}); err != nil {
			t.Fatal(err)
		}
	}
	resp := f.do(t, get("/programmes/{programme}/feedback", community, httpapi.RoleProgramme))
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, resp.Body)
	}
	var fb service.Feedback
	if err := json.Unmarshal([]byte(resp.Body), &fb); err != nil {
		t.Fatal(err)
	}
	if len(fb.Rounds) != 2 || fb.Rounds[0].Title != "Check-in 1" || fb.Rounds[1].Title != "Check-in 3" || fb.ConfidentialSetAside != 1 {
		t.Fatalf("rounds %+v, %d set aside", fb.Rounds, fb.ConfidentialSetAside)
	}
	e1, e3 := fb.Rounds[0].Entries, fb.Rounds[1].Entries
	if len(e1) != 1 || e1[0].From != "a partner in round 1" || !e1[0].Confidential || e1[0].Files != 1 || e1[0].AgreementID != "" || e1[0].Partner != "" {
		t.Errorf("round 1: %+v", e1)
	}
	if len(e3) != 1 || e3[0].From != "a partner in round 3" || !e3[0].Unverified {
		t.Errorf("round 3: %+v", e3)
	}
	for _, s := range []string{agreement, "Gorton", f.refs["Gorton Repair Cafe"], "ses-", "spam"} {
		if strings.Contains(resp.Body, s) {
			t.Errorf("the answer carries %q: %s", s, resp.Body)
		}
	}
	for _, role := range []httpapi.Role{httpapi.RoleFinance, httpapi.RoleViewer} {
		if r := f.do(t, get("/programmes/{programme}/feedback", community, role)); r.StatusCode != 403 || strings.Contains(r.Body, "CONFIDENTIAL") {
			t.Errorf("as %s: %d %s", role, r.StatusCode, r.Body)
		}
	}
}
