package memstore

import (
	"context"

	"github.com/partnership-grants/backend/pkg/grants"
)

// AgreementIDByReference is the agreement that reserved the reference.
func (st *Store) AgreementIDByReference(ctx context.Context, reference string) (string, error) {
	if err := live(ctx); err != nil {
		return "", err
	}
	st.mu.Lock()
	id, ok := st.references[reference]
	st.mu.Unlock()
	if !ok {
		return "", &grants.Error{Code: grants.NotFound, Message: "No agreement has the reference " + reference + ".", Reason: "agreement_not_found"}
	}
	return id, nil
}
