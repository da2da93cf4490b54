package dynamo

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/dev/testenv"
)

// A sign-out's record expires (TTL) a day on, when no token it ends can
// still be alive. (What a sign-out ends is the store contract's, in
// storetest.)
func TestSignOutExpiresADayOn(t *testing.T) {
	ctx := context.Background()
	db, table := testenv.AppTable(t)
	st := New(db, table)
	alice := "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_A#sub-a"
	nine := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for _, at := range []time.Time{nine.Add(300 * time.Millisecond), nine.Add(time.Hour), nine.Add(time.Minute)} {
		if err := st.EndSessions(ctx, alice, at); err != nil {
			t.Fatal(err)
		}
	}
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: keyOf(staffPK(alice), sessionsSK), ConsistentRead: new(true)})
	if err != nil {
		t.Fatal(err)
	}
	ttl, _ := out.Item["expiresAt"].(*types.AttributeValueMemberN)
	if want := strconv.FormatInt(nine.Add(time.Hour+24*time.Hour).Unix(), 10); ttl == nil || ttl.Value != want {
		t.Errorf("expiresAt %v, want %s (a day after the later sign-out)", out.Item["expiresAt"], want)
	}
}
