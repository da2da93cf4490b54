package dynamo

import (
	"testing"

	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/dynamo/storetest"
)

// The DynamoDB store keeps the store contract (pkg/memstore keeps it too),
// each test on a fresh table in DynamoDB Local.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		db, table := testenv.AppTable(t)
		return New(db, table)
	})
}
