package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/outbox"
	"github.com/partnership-grants/backend/pkg/reports"
)

// A draft created by mistake is deleted with all it wrote (issue 26, item
// 16): nothing of it is read back anywhere, its programme's tally is as
// before it; deleting again is NotFound; an agreement no longer a draft is
// a Conflict (reason not_a_draft) and is left whole.
func draftsDeleted(t *testing.T, st Store) {
	ctx := context.Background()
	const programme = "alpha"
	today := grants.Date{Year: 2026, Month: 6, Day: 1}
	if err := st.RebuildAggregate(ctx, programme); err != nil {
		t.Fatal(err)
	}
	kept := draft(t, programme, 2, "2026-07-01") // another, which stays
	if _, err := st.CreateAgreement(ctx, kept, created(), nil); err != nil {
		t.Fatal(err)
	}
	before, _, _, err := st.ProgrammeTally(ctx, programme, today)
	if err != nil {
		t.Fatal(err)
	}

	a := draft(t, programme, 1, "2026-07-01")
	rec := grants.NewPartnerRecord(NewID(), a.Partner, Now, officer)
	a.PartnerID = rec.ID
	fx := created()
	fx.Outbox = []outbox.Key{outbox.WelcomeKey()}
	fx.PartnerLinks = []grants.PartnerLink{{PartnerID: rec.ID, AgreementID: a.ID, CreatedAt: a.CreatedAt, New: rec}}
	if _, err := st.CreateAgreement(ctx, a, fx, nil); err != nil {
		t.Fatal(err)
	}
	n, err := grants.NewNote(a, grants.NoteInput{Kind: grants.NoteCall, Text: "Created by mistake."}, today, Now, officer, NewID)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddNote(ctx, n); err != nil {
		t.Fatal(err)
	}
	if err := st.Apply(ctx, a.ID, grants.Audited(grants.AuditEntry{At: Now, Actor: officer, Action: "note.added"})); err != nil {
		t.Fatal(err)
	}

	if err := st.DeleteDraft(ctx, a.ID); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := st.GetAgreement(ctx, a.ID); code(err) != grants.NotFound {
		t.Errorf("read after delete: %v, want not found", err)
	}
	if _, err := st.AgreementProgramme(ctx, a.ID); code(err) != grants.NotFound {
		t.Errorf("its programme after delete: %v, want not found", err)
	}
	if h, err := st.AllHistory(ctx, a.ID); err != nil || len(h) != 0 {
		t.Errorf("history after delete: %+v %v", h, err)
	}
	if notes, err := st.Notes(ctx, a.ID); err != nil || len(notes) != 0 {
		t.Errorf("notes after delete: %+v %v", notes, err)
	}
	if e, err := st.Outbox(ctx, a.ID, outbox.WelcomeKey().String()); err != nil || e != nil {
		t.Errorf("outbox after delete: %+v %v", e, err)
	}
	page, err := st.ListAgreements(ctx, programme, "", "", 100)
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != kept.ID {
		t.Errorf("programme's agreements after delete: %+v %v", page.Items, err)
	}
	plans, _, err := st.ProgrammePlans(ctx, programme)
	if err != nil || len(plans) != 1 || plans[0].ID != kept.ID {
		t.Errorf("programme's plans after delete: %d %v", len(plans), err)
	}
	work, err := st.DueWork(ctx, grants.Date{Year: 2030, Month: 1, Day: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range work {
		if w.AgreementID == a.ID {
			t.Errorf("work left for the deleted draft: %+v", w)
		}
	}
	if as, err := st.PartnerAgreements(ctx, rec.ID); err != nil || len(as) != 0 {
		t.Errorf("partner's agreements after delete: %+v %v", as, err)
	}
	after, _, _, err := st.ProgrammeTally(ctx, programme, today)
	if err != nil {
		t.Fatal(err)
	}
	if !sameTally(before, after) {
		t.Errorf("tally after delete %v, want %v as before the draft", after, before)
	}
	if err := st.DeleteDraft(ctx, a.ID); code(err) != grants.NotFound {
		t.Errorf("deleted again: %v, want not found", err)
	}

	activate(t, st, kept.ID, false)
	err = st.DeleteDraft(ctx, kept.ID)
	var ge *grants.Error
	if !errors.As(err, &ge) || ge.Code != grants.Conflict || ge.Reason != "not_a_draft" {
		t.Errorf("delete an active agreement: %v, want conflict not_a_draft", err)
	}
	if got, err := st.GetAgreement(ctx, kept.ID); err != nil || got.Status != grants.AgreementActive {
		t.Errorf("the active agreement after a refused delete: %+v %v", got, err)
	}
}

// sameTally compares tallies, a zero counter the same as none.
func sameTally(p, q reports.Tally) bool {
	for k, v := range p {
		if q[k] != v {
			return false
		}
	}
	for k, v := range q {
		if p[k] != v {
			return false
		}
	}
	return true
}
