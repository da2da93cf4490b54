package service

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/logs"
)

// DeleteDraft deletes a draft agreement created by mistake, with all it
// wrote (its plans, history, reference, partner link, notes and its share
// of its programme's summary): nothing of it is kept, so nothing of it is
// left to mail or to count (issue 26, item 16). Only the programme role of
// its programme may, and only while it is a draft: else a Conflict with
// reason not_a_draft, which the store checks again as it deletes. A
// repeat finds no agreement: NotFound, the answer of a delete done.
func (x *Agreements) DeleteDraft(ctx context.Context, actor grants.Actor, id string) error {
	ctx = logs.WithAgreement(ctx, id)
	a, err := x.store.GetAgreement(ctx, id)
	if err != nil {
		return err
	}
	if !actor.HasIn(a.Programme, grants.RoleProgramme) {
		return &grants.Error{Code: grants.Forbidden, Message: "Only the programme team of its programme may delete a draft.", Reason: "forbidden"}
	}
	if a.Status != grants.AgreementDraft {
		return &grants.Error{Code: grants.Conflict, Reason: "not_a_draft",
			Message: fmt.Sprintf("Agreement %s is %s: only a draft can be deleted.", a.Reference, a.Status)}
	}
	if err := x.store.DeleteDraft(ctx, id); err != nil {
		return err
	}
	// The history goes with the draft: this line is the only trace.
	slog.InfoContext(ctx, "draft deleted", "actor", actor.ID, "programme", a.Programme)
	return nil
}
