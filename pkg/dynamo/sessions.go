package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A person's sign-out (pkg/web/signin) is one item, STAFF#<actor ID> /
// SESSIONS, holding the instant up to which every session of theirs is
// over. It expires (TTL) a day after that instant: no ID token lives
// longer (Cognito's most), so by then each session it ends has ended by
// itself, and an item TTL has not yet deleted still says nothing false.
const (
	sessionsSK   = "SESSIONS"
	sessionsKept = 24 * time.Hour
)

func staffPK(actorID string) string { return "STAFF#" + actorID }

// EndSessions records that the sessions of the person actorID names issued
// up to at (whole seconds, as a token's iat) are over. It never moves the
// instant back: of two sign-outs the later stands.
func (st *Store) EndSessions(ctx context.Context, actorID string, at time.Time) error {
	at = at.UTC().Truncate(time.Second)
	ended := at.Format(time.RFC3339)
	item := keyOf(staffPK(actorID), sessionsSK)
	item["endedAt"], item["expiresAt"] = s(ended), epoch(at.Add(sessionsKept))
	_, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &st.table, Item: item,
		ConditionExpression:       aws.String("attribute_not_exists(endedAt) OR endedAt < :at"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":at": s(ended)},
	})
	if err != nil && !isConditionFailure(err) {
		return fmt.Errorf("end the sessions of %s: %w", actorID, err)
	}
	return nil
}

// SessionsEnded is the instant up to which the sessions of the person
// actorID names are over, or the zero time. It is read on every request
// of the web app, so it is one eventually consistent GetItem (half a read
// unit): a sign-out may take a moment to reach every replica.
func (st *Store) SessionsEnded(ctx context.Context, actorID string) (time.Time, error) {
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &st.table, Key: keyOf(staffPK(actorID), sessionsSK), ProjectionExpression: aws.String("endedAt"),
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("read the sign-out of %s: %w", actorID, err)
	}
	v, ok := out.Item["endedAt"].(*types.AttributeValueMemberS)
	if !ok {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v.Value)
	if err != nil {
		return time.Time{}, fmt.Errorf("the sign-out of %s: %w", actorID, err)
	}
	return t, nil
}
