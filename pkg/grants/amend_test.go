package grants

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func amount(n int64) *int64 { return &n }

// Every amendment's entry holds what changed, before and after, and only
// what changed.
func TestAmendKeepsWhatChanged(t *testing.T) {
	a := activeAgreement(t)
	contacts := []Contact{{Name: "Jo Bloggs", Email: "jo@kit.org", Role: "lead"}}
	before := contactLines(a.Contacts)
	e, err := a.Amend(Amendment{
		Terms:           &[]string{"Host six meals"},
		Support:         &[]string{"Evaluation mentoring"}, // unchanged: not in the changes
		Contacts:        &contacts,
		InstalmentDates: []DateChange{{Number: 2, DueDate: "2026-05-15"}},
		CheckInDates:    []DateChange{{Number: 1, DueDate: "2026-04-30"}},
	}, now, "olu")
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{
		{Field: "contacts", Before: before, After: []string{"Jo Bloggs <jo@kit.org> (lead)"}},
		{Field: "terms", Before: validInput().Terms, After: []string{"Host six meals"}},
		{Field: "instalments[2].dueDate", Before: []string{"2026-04-30"}, After: []string{"2026-05-15"}},
		{Field: "checkIns[1].dueDate", Before: []string{"2026-04-16"}, After: []string{"2026-04-30"}},
	}
	if !reflect.DeepEqual(e.Changes, want) {
		t.Errorf("changes\n%+v\nwant\n%+v", e.Changes, want)
	}
	if e.Changes[0].IsAmount() || !(Change{Field: "award"}).IsAmount() || !(Change{Field: "instalments[1].amount"}).IsAmount() {
		t.Error("IsAmount")
	}
	// An entry stored before changes were kept reads, with none.
	var old AuditEntry
	if err := json.Unmarshal([]byte(`{"at":"2026-01-10T09:00:00Z","actor":"olu","action":"agreement.amended","detail":"changed terms"}`), &old); err != nil || old.Changes != nil {
		t.Errorf("old entry: %v %+v", err, old)
	}
}

func TestAmendVariesUnpaidAmounts(t *testing.T) {
	t.Run("keeping the award", func(t *testing.T) {
		a := activeAgreement(t)
		fallDue(1)(t, a)
		e, err := a.Amend(Amendment{Reason: " Meals moved to the autumn ",
			InstalmentDates: []DateChange{{Number: 3, Amount: amount(300000)}, {Number: 4, Amount: amount(200000), DueDate: "2026-11-02"}}}, now, "olu")
		if err != nil {
			t.Fatal(err)
		}
		if a.Instalment(3).Amount != 300000 || a.Instalment(4).Amount != 200000 || a.Amount != 1000000 || a.Instalment(4).DueDate.String() != "2026-11-02" {
			t.Errorf("instalments %+v award %d", a.Instalments, a.Amount)
		}
		if !strings.HasSuffix(e.Detail, "; reason: Meals moved to the autumn") || len(e.Changes) != 3 ||
			!reflect.DeepEqual(e.Changes[1], Change{Field: "instalments[3].amount", Before: []string{"250000"}, After: []string{"300000"}}) {
			t.Errorf("entry %q %+v", e.Detail, e.Changes)
		}
		if err := a.CheckStored(); err != nil {
			t.Error(err)
		}
	})
	t.Run("changing the award", func(t *testing.T) {
		a := activeAgreement(t)
		steps(fallDue(1), requested(1, "p1", "fin1"), approved(1, "p1", "fin2"))(t, a)
		e, err := a.Amend(Amendment{Award: amount(1100000), Reason: "Extra session agreed",
			InstalmentDates: []DateChange{{Number: 2, Amount: amount(350000)}}}, now, "olu")
		if err != nil {
			t.Fatal(err)
		}
		last := e.Changes[len(e.Changes)-1]
		if a.Amount != 1100000 || last.Field != "award" || last.Before[0] != "1000000" || last.After[0] != "1100000" {
			t.Errorf("award %d, changes %+v", a.Amount, e.Changes)
		}
		if st := a.ComputeStats(); st.Paid != 250000 || st.Outstanding != 850000 {
			t.Errorf("stats %+v", st)
		}
	})
	bad := map[string]struct {
		setup step
		m     Amendment
		field string
	}{
		"no reason":             {nil, Amendment{InstalmentDates: []DateChange{{Number: 3, Amount: amount(300000)}, {Number: 4, Amount: amount(200000)}}}, "reason"},
		"a paid instalment":     {steps(fallDue(1), requested(1, "p1", "fin1"), approved(1, "p1", "fin2")), Amendment{Reason: "r", InstalmentDates: []DateChange{{Number: 1, Amount: amount(200000)}, {Number: 2, Amount: amount(300000)}}}, "instalments[0].amount"},
		"a payment requested":   {steps(fallDue(1), requested(1, "p1", "fin1")), Amendment{Reason: "r", InstalmentDates: []DateChange{{Number: 2, Amount: amount(300000)}, {Number: 1, Amount: amount(200000)}}}, "instalments[1].amount"},
		"zero":                  {nil, Amendment{Reason: "r", InstalmentDates: []DateChange{{Number: 1, Amount: amount(0)}, {Number: 2, Amount: amount(500000)}}}, "instalments[0].amount"},
		"not summing":           {nil, Amendment{Reason: "r", InstalmentDates: []DateChange{{Number: 1, Amount: amount(1)}}}, "instalments"},
		"an award not summing":  {nil, Amendment{Reason: "r", Award: amount(2000000), InstalmentDates: []DateChange{{Number: 1, Amount: amount(300000)}}}, "award"},
		"an award out of range": {nil, Amendment{Reason: "r", Award: amount(MaxAward + 1)}, "award"},
		"a check-in's amount":   {nil, Amendment{Reason: "r", CheckInDates: []DateChange{{Number: 1, Amount: amount(1)}}}, "checkIns[0].amount"},
		"an overflow": {nil, Amendment{Reason: "r", InstalmentDates: []DateChange{{Number: 1, Amount: amount(MaxAward)}, {Number: 2, Amount: amount(MaxAward)},
			{Number: 3, Amount: amount(MaxAward)}, {Number: 4, Amount: amount(MaxAward)}}}, "instalments"},
	}
	for name, tt := range bad {
		t.Run(name, func(t *testing.T) {
			a := activeAgreement(t)
			if tt.setup != nil {
				tt.setup(t, a)
			}
			if _, err := a.Amend(tt.m, now, "olu"); ErrorCode(err) != Invalid || !hasField(err, tt.field) {
				t.Errorf("err = %v, want a fault in %s", err, tt.field)
			}
		})
	}
}

func TestHelpPhrase(t *testing.T) {
	for text, want := range map[string]string{
		"We'd love HELP with evaluation.":                "help",
		"Could you put us in touch with a funder?":       "could you",
		"We are struggling to recruit volunteers":        "struggling",
		"We would like support with our board":           "support with",
		"We don’t know how to measure this":              "don't know how",
		"All going well, the sessions were helpful.":     "",
		"Thanks for the support, everything is on track": "",
		"": "",
	} {
		if got := HelpPhrase(text); got != want {
			t.Errorf("HelpPhrase(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestReplyAskingForHelpIsFlagged(t *testing.T) {
	a := activeAgreement(t)
	r := Reply{AgreementID: a.ID, CheckIn: 1, MessageID: "m1", Text: "Could you help us plan the evaluation?", FullText: "> help\nquoted", ReceivedAt: now}
	r.FlagHelp()
	if r.AsksForHelp != "help" {
		t.Errorf("flag %q", r.AsksForHelp)
	}
	entries, err := a.ReceiveReply(1, r, now, System)
	if err != nil || strings.Join(actions(entries), ",") != "reply.received,reply.asks_for_help,checkin.received" {
		t.Fatalf("%v %v", actions(entries), err)
	}
	// The same message again is not counted twice; a reply with no request is not flagged.
	if _, err := a.ReceiveReply(1, r, now, System); err != nil {
		t.Fatal(err)
	}
	quiet := Reply{CheckIn: 1, MessageID: "m2", Text: "All fine.", FullText: "All fine.\n> Could you reply?"}
	if _, err := a.ReceiveReply(1, quiet, now, System); err != nil {
		t.Fatal(err)
	}
	if st := a.ComputeStats(); st.RepliesAskingForHelp != 1 || st.HelpToFollowUp != 1 || len(a.HelpRequests) != 1 || a.HelpRequests[0].Phrase != "help" {
		t.Errorf("stats %+v, requests %+v", st, a.HelpRequests)
	}
	later := now.Add(time.Hour)
	e, err := a.FollowUpHelp("m1", " Called Amina ", later, "olu")
	if err != nil || e.Action != "reply.followed_up" || e.Detail != "Called Amina" {
		t.Fatalf("%+v %v", e, err)
	}
	if st := a.ComputeStats(); st.RepliesAskingForHelp != 1 || st.HelpToFollowUp != 0 || a.HelpRequests[0].FollowedUpBy != "olu" {
		t.Errorf("after follow-up: %+v %+v", st, a.HelpRequests)
	}
	if _, err := a.FollowUpHelp("m1", "", later, "olu"); ErrorCode(err) != Conflict {
		t.Errorf("twice: %v", err)
	}
	if _, err := a.FollowUpHelp("nope", "", later, "olu"); ErrorCode(err) != NotFound {
		t.Errorf("unknown: %v", err)
	}
	if _, err := a.FollowUpHelp("m1", strings.Repeat("x", MaxReason+1), later, "olu"); ErrorCode(err) != Invalid {
		t.Errorf("long note: %v", err)
	}
}
