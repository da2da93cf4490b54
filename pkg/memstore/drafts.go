package memstore

import (
	"context"
	"fmt"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/reports"
)

// DeleteDraft deletes a draft agreement with all it wrote, as pkg/dynamo
// does: its plans, history, outbox and replies, its reference, its partner
// link, its part of its programme's tally, and its notes. Not a draft is a
// Conflict (reason not_a_draft); an absent agreement is NotFound.
func (st *Store) DeleteDraft(ctx context.Context, id string) error {
	if err := live(ctx); err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	a, err := st.readAgreement(id)
	if err != nil {
		return err
	}
	if a == nil {
		return errNotFound(id)
	}
	if a.Status != grants.AgreementDraft {
		return &grants.Error{Code: grants.Conflict, Reason: "not_a_draft",
			Message: fmt.Sprintf("Agreement %s is %s: only a draft can be deleted.", a.Reference, a.Status)}
	}
	tally, err := reports.TallyOf(a)
	if err != nil {
		return err
	}
	for k, v := range tally {
		tally[k] = -v
	}
	if t := st.tallyOp(a.Programme, tally); t != nil {
		t.apply()
	}
	if p := st.partners[a.PartnerID]; p != nil {
		delete(p.links, partnerLinkKey(grants.PartnerLink{PartnerID: a.PartnerID, AgreementID: id, CreatedAt: a.CreatedAt}))
	}
	delete(st.agreements, id)
	delete(st.references, a.Reference)
	delete(st.history, id)
	delete(st.outbox, id)
	delete(st.replies, id)
	delete(st.notes, id)
	return nil
}
