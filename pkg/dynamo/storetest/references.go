package storetest

import (
	"context"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
)

// A reference finds the agreement it was given to; one never given finds
// none (issue 26, item 3: held messages are filed by reference).
func referencesFindAgreements(t *testing.T, st Store) {
	ctx := context.Background()
	a := create(t, st, draft(t, "alpha", 1, "2026-07-01"))
	b := create(t, st, draft(t, "alpha", 2, "2026-07-01"))
	for _, ag := range []*grants.Agreement{a, b} {
		if id, err := st.AgreementIDByReference(ctx, ag.Reference); err != nil || id != ag.ID {
			t.Errorf("reference %s: %q %v, want %s", ag.Reference, id, err, ag.ID)
		}
	}
	if id, err := st.AgreementIDByReference(ctx, "CP-2026-NONE0"); code(err) != grants.NotFound {
		t.Errorf("a reference never given: %q %v, want not found", id, err)
	}
}
