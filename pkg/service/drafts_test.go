package service_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/service"
)

// A draft created by mistake is deleted by the programme team of its
// programme, and by no one else; a repeat is NotFound; an active agreement
// is a Conflict (not_a_draft) and stays.
func TestDeleteDraft(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	env := service.Env{Now: func() time.Time { return time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC) }, NewID: memstore.NewID}
	x := service.NewAgreements(st, service.LeaveQueued, service.NoSchedules, env, service.AgreementOptions{})
	in := grants.NewAgreementInput{Programme: "pilot", Partner: grants.Partner{Name: "Levy Kitchen", Type: grants.PartnerRegisteredCharity, RegistrationNumber: "1180123", Address: "Manchester M19 3AB"},
		Contacts: []grants.Contact{{Name: "Amina", Email: "amina@partner.example"}}, Amount: 1_000_000, StartDate: "2026-07-01"}
	a, _, err := x.CreateAgreement(ctx, "olu", in, nil)
	if err != nil {
		t.Fatal(err)
	}
	reason := func(err error) string {
		var ge *grants.Error
		if errors.As(err, &ge) {
			return ge.Reason
		}
		return ""
	}
	elsewhere := grants.Actor{ID: "kim", Name: "kim", Groups: []grants.Role{"programme:other"}}
	if err := x.DeleteDraft(ctx, elsewhere, a.ID); grants.ErrorCode(err) != grants.Forbidden {
		t.Errorf("delete by another programme's team: %v, want forbidden", err)
	}
	viewer := grants.Actor{ID: "vi", Name: "vi", Groups: []grants.Role{grants.RoleViewer}}
	if err := x.DeleteDraft(ctx, viewer, a.ID); grants.ErrorCode(err) != grants.Forbidden {
		t.Errorf("delete by a viewer: %v, want forbidden", err)
	}
	if _, err := x.Agreement(ctx, a.ID); err != nil {
		t.Fatalf("the draft after refused deletes: %v", err)
	}
	officer := grants.Actor{ID: "olu", Name: "olu", Groups: []grants.Role{"programme:pilot"}}
	if err := x.DeleteDraft(ctx, officer, a.ID); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := x.Agreement(ctx, a.ID); grants.ErrorCode(err) != grants.NotFound {
		t.Errorf("read after delete: %v, want not found", err)
	}
	if err := x.DeleteDraft(ctx, officer, a.ID); grants.ErrorCode(err) != grants.NotFound {
		t.Errorf("deleted again: %v, want not found", err)
	}

	b, _, err := x.CreateAgreement(ctx, "olu", in, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.Activate(ctx, "olu", b.ID); err != nil {
		t.Fatal(err)
	}
	if err := x.DeleteDraft(ctx, officer, b.ID); grants.ErrorCode(err) != grants.Conflict || reason(err) != "not_a_draft" {
		t.Errorf("delete an active agreement: %v, want conflict not_a_draft", err)
	}
	if got, err := x.Agreement(ctx, b.ID); err != nil || got.Status != grants.AgreementActive {
		t.Errorf("the active agreement: %+v %v", got, err)
	}
}

// removals stands in for the documents' bucket: the keys it was asked to
// remove, failing for fail.
type removals struct {
	keys []string
	fail string
}

func (r *removals) Remove(_ context.Context, key string) error {
	r.keys = append(r.keys, key)
	if key == r.fail {
		return errors.New("storage unreachable")
	}
	return nil
}

// A deleted draft's documents leave storage after the record does; a
// refused deletion removes none; a file that will not go does not fail a
// deletion done (issue 26, item 16).
func TestDeleteDraftRemovesItsDocuments(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	env := service.Env{Now: func() time.Time { return now }, NewID: memstore.NewID}
	agreements := service.NewAgreements(st, service.LeaveQueued, service.NoSchedules, env, service.AgreementOptions{})
	files := &removals{}
	drafts := service.NewDrafts(agreements, st, files)
	record := service.NewRecord(st, storedFiles{}, env)
	in := grants.NewAgreementInput{Programme: "pilot", Partner: grants.Partner{Name: "Levy Kitchen", Type: grants.PartnerRegisteredCharity, RegistrationNumber: "1180123", Address: "Manchester M19 3AB"},
		Contacts: []grants.Contact{{Name: "Amina", Email: "amina@partner.example"}}, Amount: 1_000_000, StartDate: "2026-07-01"}
	officer := grants.Actor{ID: "olu", Name: "olu", Groups: []grants.Role{"programme:pilot"}}
	viewer := grants.Actor{ID: "vi", Name: "vi", Groups: []grants.Role{grants.RoleViewer}}
	draftWithDocuments := func() (string, []string) {
		a, _, err := agreements.CreateAgreement(ctx, "olu", in, nil)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, title := range []string{"Signed agreement", "Due diligence"} {
			added, err := record.AddNote(ctx, officer, a.ID, grants.NoteInput{Kind: grants.NoteVisit, Text: "Visited.",
				Documents: []grants.DocumentInput{{Title: title, Type: "pdf"}}}, func(string) string { return "" })
			if err != nil {
				t.Fatal(err)
			}
			keys = append(keys, added.Note.Documents[0].Key)
		}
		return a.ID, keys
	}

	id, keys := draftWithDocuments()
	if err := drafts.DeleteDraft(ctx, viewer, id); grants.ErrorCode(err) != grants.Forbidden {
		t.Fatalf("a viewer's delete: %v", err)
	}
	if len(files.keys) != 0 {
		t.Fatalf("a refused deletion removed %v", files.keys)
	}
	if err := drafts.DeleteDraft(ctx, officer, id); err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	slices.Sort(files.keys)
	if !slices.Equal(files.keys, keys) {
		t.Errorf("removed %v, want the draft's documents %v", files.keys, keys)
	}
	if _, err := agreements.Agreement(ctx, id); grants.ErrorCode(err) != grants.NotFound {
		t.Errorf("the draft after delete: %v", err)
	}

	files.keys = nil
	id, keys = draftWithDocuments()
	files.fail = keys[0]
	if err := drafts.DeleteDraft(ctx, officer, id); err != nil {
		t.Errorf("a file that would not go failed the deletion: %v", err)
	}
	if len(files.keys) != 2 {
		t.Errorf("after one failed, removed %v: want both tried", files.keys)
	}
}
