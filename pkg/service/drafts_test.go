package service_test

import (
	"context"
	"errors"
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
