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

// A sign-out is kept per person, to the second a token's iat is counted
// in; the later of two stands whatever order they arrive in; one person's
// sign-out is not another's (the same subject from another pool is another
// person); and the record expires (TTL) a day on, when no token it ends can
// still be alive.
func TestSignOutsAreKeptPerPerson(t *testing.T) {
	ctx := context.Background()
	db, table := testenv.AppTable(t)
	st := New(db, table)
	alice := "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_A#sub-a"
	elsewhere := "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_B#sub-a"
	nine := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

	if got, err := st.SessionsEnded(ctx, alice); err != nil || !got.IsZero() {
		t.Fatalf("never signed out: %s, %v; want the zero time", got, err)
	}
	for _, step := range []struct {
		name string
		at   time.Time
		want time.Time
	}{
		{"signs out", nine.Add(300 * time.Millisecond), nine},
		{"signs out again later", nine.Add(time.Hour), nine.Add(time.Hour)},
		{"an earlier sign-out arrives late", nine.Add(time.Minute), nine.Add(time.Hour)},
	} {
		if err := st.EndSessions(ctx, alice, step.at); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if got, err := st.SessionsEnded(ctx, alice); err != nil || !got.Equal(step.want) {
			t.Errorf("%s: sessions ended at %s, %v; want %s", step.name, got, err, step.want)
		}
	}
	if got, err := st.SessionsEnded(ctx, elsewhere); err != nil || !got.IsZero() {
		t.Errorf("the same subject in another pool: sessions ended at %s, %v; want never", got, err)
	}
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: keyOf(staffPK(alice), sessionsSK), ConsistentRead: new(true)})
	if err != nil {
		t.Fatal(err)
	}
	ttl, _ := out.Item["expiresAt"].(*types.AttributeValueMemberN)
	if want := strconv.FormatInt(nine.Add(time.Hour+24*time.Hour).Unix(), 10); ttl == nil || ttl.Value != want {
		t.Errorf("expiresAt %v, want %s (a day after the sign-out)", out.Item["expiresAt"], want)
	}
}
