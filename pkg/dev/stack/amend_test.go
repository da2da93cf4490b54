package stack

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/reports"
)

// On the local stack, through the gateway's template routes: an officer
// varies two unpaid instalments and the award with a reason, and the
// history holds each change before and after; a recorded reply asking for
// help is flagged, counted in the summary, and followed up.
func TestAmendAmountsAndHelpOnTheStack(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	now := time.Now()
	tok, err := st.Auth.Issue("olu", "programme", now)
	if err != nil {
		t.Fatal(err)
	}
	officer := client{t, st.opts.APIAddr, tok}
	start := grants.Today(st.Clock.Now(), time.UTC)
	var a grants.Agreement
	officer.must(201, "POST", "/agreements", fmt.Sprintf(`{"programme": "amending",
		"partner": {"name": "Hulme Garden Centre", "registrationNumber": "1121212", "address": "28 Old Birley Street, Manchester M15 5RG"},
		"contacts": [{"name": "Kim Lee", "email": "kim-%d@garden.example", "role": "lead"}],
		"amount": 1000000, "startDate": %q, "terms": ["Grow food with four schools"], "support": ["Evaluation mentoring"]}`,
		now.UnixNano(), start.AddDays(7)), &a, "Idempotency-Key", fmt.Sprintf("amend-%d", now.UnixNano()))
	officer.must(200, "POST", "/agreements/"+a.ID+"/activate", "", nil)
	var cur grants.Agreement
	officer.must(200, "GET", "/agreements/"+a.ID, "", &cur)
	ifMatch := fmt.Sprintf(`"%d"`, cur.Version)

	if status, body := officer.do("PATCH", "/agreements/"+a.ID, `{"instalments": [{"number": 3, "amount": 300000}]}`, "If-Match", ifMatch); status != 422 || !strings.Contains(string(body), `"reason"`) {
		t.Errorf("an amount with no reason: %d %s", status, body)
	}
	if status, body := officer.do("PATCH", "/agreements/"+a.ID, `{"reason": "r", "instalments": [{"number": 3, "amount": 300000}]}`, "If-Match", ifMatch); status != 422 || !strings.Contains(string(body), `"instalments"`) {
		t.Errorf("amounts not summing to the award: %d %s", status, body)
	}
	var amended grants.Agreement
	officer.must(200, "PATCH", "/agreements/"+a.ID, `{"reason": "A fifth school joined", "award": 1100000, "terms": ["Grow food with five schools"],
		"instalments": [{"number": 3, "amount": 300000}, {"number": 4, "amount": 300000}]}`, &amended, "If-Match", ifMatch)
	if amended.Amount != 1100000 || amended.Instalment(3).Amount != 300000 || amended.Stats.Outstanding != 1100000 {
		t.Errorf("after the amendment: award %d, instalments %+v, stats %+v", amended.Amount, amended.Instalments, amended.Stats)
	}
	var hist struct{ Items []grants.AuditEntry }
	officer.must(200, "GET", "/agreements/"+a.ID+"/history", "", &hist)
	var changes []string
	for _, e := range hist.Items {
		if e.Action == "agreement.amended" {
			for _, c := range e.Changes {
				changes = append(changes, c.Field+": "+strings.Join(c.Before, "|")+" → "+strings.Join(c.After, "|"))
			}
			if !strings.Contains(e.Detail, "reason: A fifth school joined") {
				t.Errorf("amended entry's detail %q", e.Detail)
			}
		}
	}
	want := "terms: Grow food with four schools → Grow food with five schools," +
		"instalments[3].amount: 250000 → 300000,instalments[4].amount: 250000 → 300000,award: 1000000 → 1100000"
	if strings.Join(changes, ",") != want {
		t.Errorf("history's changes\n%s\nwant\n%s", strings.Join(changes, ","), want)
	}

	var rec struct{ Reply grants.Reply }
	officer.must(201, "POST", "/agreements/"+a.ID+"/check-ins/1/responses", fmt.Sprintf(`{"channel": "call", "happenedOn": %q,
		"participants": ["Kim Lee"], "summary": "Schools signed up.", "partnerWords": "Could you put us in touch with a grower?"}`,
		grants.Today(st.Clock.Now(), a.Location())), &rec)
	if rec.Reply.AsksForHelp != "could you" {
		t.Errorf("the reply's flag: %q", rec.Reply.AsksForHelp)
	}
	// The phrase may be feedback: finance reads that help was asked, not in what words.
	ftok, err := st.Auth.Issue("alice", "finance", now)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		who    client
		phrase string
	}{{officer, "could you"}, {client{t, st.opts.APIAddr, ftok}, ""}} {
		var read grants.Agreement
		c.who.must(200, "GET", "/agreements/"+a.ID, "", &read)
		if len(read.HelpRequests) != 1 || read.HelpRequests[0].Phrase != c.phrase {
			t.Errorf("the agreement's help requests read %+v, want the phrase %q", read.HelpRequests, c.phrase)
		}
	}
	var sum reports.Summary
	officer.must(200, "GET", "/programmes/amending/summary", "", &sum)
	if sum.RepliesAskingForHelp != 1 || sum.HelpToFollowUp != 1 {
		t.Errorf("summary: %d asking for help, %d to follow up", sum.RepliesAskingForHelp, sum.HelpToFollowUp)
	}
	officer.must(200, "POST", "/agreements/"+a.ID+"/replies/"+rec.Reply.MessageID+"/followed-up", `{"note": "Introduced them to the allotment society"}`, nil)
	officer.must(200, "GET", "/programmes/amending/summary", "", &sum)
	if sum.RepliesAskingForHelp != 1 || sum.HelpToFollowUp != 0 {
		t.Errorf("summary after following up: %d asking for help, %d to follow up", sum.RepliesAskingForHelp, sum.HelpToFollowUp)
	}
}
