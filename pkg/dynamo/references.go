package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/partnership-grants/backend/pkg/grants"
)

// AgreementIDByReference reads the item that reserved a reference
// (referenceItem): one GetItem, eventually consistent (a reference is
// written once, with its agreement, and never changes).
func (st *Store) AgreementIDByReference(ctx context.Context, reference string) (string, error) {
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: keyOf("REF#"+reference, "REF")})
	if err != nil {
		return "", fmt.Errorf("read reference: %w", err)
	}
	id := str(out.Item["agreementId"])
	if id == "" {
		return "", &grants.Error{Code: grants.NotFound, Message: "No agreement has the reference " + reference + ".", Reason: "agreement_not_found"}
	}
	return id, nil
}
