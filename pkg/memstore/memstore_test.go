package memstore

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/outbox"
	"github.com/partnership-grants/backend/pkg/reports"
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

// Imported agreements read as written, and a programme's first summary
// builds its tally from them, as pkg/dynamo's does for a table from before
// aggregates.
func TestImportAndTheFirstSummary(t *testing.T) {
	st := New()
	ctx := context.Background()
	now := time.Date(2026, 6, 15, 9, 0, 0, 0, time.UTC)
	var list []*grants.Agreement
	for i := range 6 {
		a, err := grants.NewAgreement(grants.NewAgreementInput{
			Programme: "old", Partner: grants.Partner{Name: "Partner", RegistrationNumber: "1100000", Address: "1 Road"},
			Contacts: []grants.Contact{{Name: "Amina Khan", Email: "lead@partner.example", Role: "lead"}},
			Amount:   int64(100_000 + i), StartDate: "2026-01-31", Terms: []string{"Meals"},
		}, now, "officer@funder.example")
		if err != nil {
			t.Fatal(err)
		}
		a.ID, a.Reference = NewID(), "CP-2026-B0000"+string(rune('0'+i))
		if i%2 == 0 {
			a.Status = grants.AgreementActive
		}
		list = append(list, a)
	}
	if err := st.Import(ctx, list); err != nil {
		t.Fatal(err)
	}
	got, err := st.GetAgreement(ctx, list[0].ID)
	if err != nil || got.Reference != list[0].Reference || len(got.Instalments) != len(list[0].Instalments) {
		t.Fatalf("imported: %+v %v", got, err)
	}
	if h, err := st.AllHistory(ctx, list[0].ID); err != nil || len(h) != 1 || h[0].Action != "agreement.imported" {
		t.Errorf("imported history: %+v %v", h, err)
	}
	stored, _, err := st.ProgrammeAgreements(ctx, "old")
	if err != nil {
		t.Fatal(err)
	}
	today := grants.Date{Year: 2026, Month: 6, Day: 15}
	want, wantMarks, err := reports.Recount(stored, today)
	if err != nil {
		t.Fatal(err)
	}
	tally, marks, _, err := st.ProgrammeTally(ctx, "old", today)
	if err != nil || !reflect.DeepEqual(tally, want) || !reflect.DeepEqual(marks, wantMarks) || want["status.active"] != 3 {
		t.Errorf("first summary %v %+v (%v), want %v %+v", tally, marks, err, want, wantMarks)
	}
}
