package memstore_test

import (
	"testing"

	"github.com/partnership-grants/backend/pkg/dynamo/storetest"
	"github.com/partnership-grants/backend/pkg/memstore"
)

// The in-memory store keeps the store contract DynamoDB keeps.
func TestContract(t *testing.T) {
	storetest.Run(t, func(*testing.T) storetest.Store { return memstore.New() })
}
