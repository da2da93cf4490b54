package reports

import (
	"reflect"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
)

// Stats fields added later (an on-time count, a lateness histogram) are
// tallied with no change to the tally: every number and every value of a
// map of numbers, by its JSON name; anything else is left out.
func TestFlattenNumbersTakesAnyNumberOrMapOfNumbers(t *testing.T) {
	later := struct {
		Paid                  int64          `json:"paid"`
		InstalmentsPaidOnTime int            `json:"instalmentsPaidOnTime"`
		PaidDaysLate          map[string]int `json:"paidDaysLate"`
		Note                  string         `json:"note"`
	}{Paid: 5, InstalmentsPaidOnTime: 2, PaidDaysLate: map[string]int{"0-10": 2, "11+": 1}, Note: "not a counter"}
	got := Tally{}
	if err := flattenNumbers(later, "stats.", got); err != nil {
		t.Fatal(err)
	}
	want := Tally{"stats.paid": 5, "stats.instalmentsPaidOnTime": 2, "stats.paidDaysLate.0-10": 2, "stats.paidDaysLate.11+": 1}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("flattened %v, want %v", got, want)
	}
}

// A programme's tally kept by deltas equals the tally of its agreements as
// they end up: the store adds Delta(before, after) on every change.
func TestDeltasAddUpToTheTally(t *testing.T) {
	a := agr("001", grants.AgreementDraft, 1000, "EUR", grants.Stats{Outstanding: 1000})
	kept := Tally{}
	change := func(before, after *grants.Agreement) {
		d, err := Delta(before, after)
		if err != nil {
			t.Fatal(err)
		}
		if err := kept.Add(d); err != nil {
			t.Fatal(err)
		}
	}
	change(nil, &a)
	b := a
	b.Status, b.Stats = grants.AgreementActive, grants.Stats{Outstanding: 750, Paid: 250, InstalmentsPaid: 1}
	change(&a, &b)
	c := b
	c.Status = grants.AgreementTerminated
	change(&b, &c)
	want, err := TallyOf(&c)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(kept.nonZero(), want) {
		t.Errorf("kept %v, want %v", kept, want)
	}
	s, err := FromTally("p", kept, Marks{}, 0, today)
	if err != nil {
		t.Fatal(err)
	}
	if s.Status.Terminated != 1 || s.Status.Total != 1 || s.Currencies["EUR"].Committed.Minor != 250 || s.Totals.InstalmentsPaid != 1 {
		t.Errorf("summary from the kept tally: %+v", s)
	}
}

// A change's marks follow the agreement: an end date while it is active, a
// bouncing partner while it still sends mail; a new agreement had none.
func TestChangeOfMarks(t *testing.T) {
	end := grants.Date{Year: 2027, Month: 3, Day: 31}
	draft := agr("001", grants.AgreementDraft, 1000, "GBP", grants.Stats{Outstanding: 1000})
	draft.EndDate, draft.Reference, draft.Partner.Name = end, "PG-1", "Partner"
	draft.Contacts = []grants.Contact{{Email: "a@partner.example", Bounced: "hard"}, {Email: "b@partner.example"}}
	active := draft
	active.Status = grants.AgreementActive
	done := active
	done.Status = grants.AgreementCompleted
	bouncing := BouncingPartner{AgreementID: "001", Reference: "PG-1", Partner: "Partner", Contacts: 1}
	for _, c := range []struct {
		name          string
		before, after *grants.Agreement
		want          [2]AgreementMarks
	}{
		{"created", nil, &draft, [2]AgreementMarks{{}, {Bouncing: bouncing}}},
		{"activated", &draft, &active, [2]AgreementMarks{{Bouncing: bouncing}, {EndDate: end, Bouncing: bouncing}}},
		{"completed", &active, &done, [2]AgreementMarks{{EndDate: end, Bouncing: bouncing}, {}}},
	} {
		got, err := ChangeOf(c.before, c.after)
		if err != nil {
			t.Fatal(err)
		}
		if got.Before != c.want[0] || got.After != c.want[1] {
			t.Errorf("%s: marks %+v → %+v, want %+v → %+v", c.name, got.Before, got.After, c.want[0], c.want[1])
		}
		if got.After.IsBouncing() != (c.want[1].Bouncing.Contacts > 0) {
			t.Errorf("%s: IsBouncing %v", c.name, got.After.IsBouncing())
		}
		want, _ := Delta(c.before, c.after)
		if !reflect.DeepEqual(got.Delta, want) {
			t.Errorf("%s: delta %v, want %v", c.name, got.Delta, want)
		}
	}
}
