package dynamo

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/readcost"
)

// A programme's themes (issue 24, item 3) live in a partition of their own,
// PK "PROG#<programme>#THEMES": a tag is the item
// "T#<agreement ID>#<check-in, 2 digits>#<theme key>" and an action
// "A#<action ID>", each written once (a second of the same is no change),
// with who wrote it and when: they are the history.

const typeThemeTag, typeThemeAction = "themeTag", "themeAction"

func themesPK(programme string) string { return "PROG#" + programme + "#THEMES" }

// themeTagRecord is a stored grants.ThemeTag.
type themeTagRecord struct {
	Theme       string    `dynamodbav:"theme"`
	AgreementID string    `dynamodbav:"agreementId"`
	CheckIn     int       `dynamodbav:"checkIn"`
	By          string    `dynamodbav:"by"`
	At          time.Time `dynamodbav:"at"`
}

func (r themeTagRecord) domain() grants.ThemeTag {
	return grants.ThemeTag{Theme: r.Theme, AgreementID: r.AgreementID, CheckIn: r.CheckIn, By: r.By, At: r.At}
}

// themeActionRecord is a stored grants.ThemeAction.
type themeActionRecord struct {
	ID    string      `dynamodbav:"id"`
	Theme string      `dynamodbav:"theme"`
	What  string      `dynamodbav:"what"`
	On    grants.Date `dynamodbav:"on"`
	Who   string      `dynamodbav:"who"`
	By    string      `dynamodbav:"by"`
	At    time.Time   `dynamodbav:"at"`
}

func (r themeActionRecord) domain() grants.ThemeAction {
	return grants.ThemeAction{ID: r.ID, Theme: r.Theme, What: r.What, On: r.On, Who: r.Who, By: r.By, At: r.At}
}

// Themes reads a programme's tags and actions (a strongly consistent
// Query of their partition: what an officer just added shows).
func (st *Store) Themes(ctx context.Context, programme string) ([]grants.ThemeTag, []grants.ThemeAction, error) {
	tags, actions := []grants.ThemeTag{}, []grants.ThemeAction{}
	var cost readcost.Cost
	err := st.queryAll(ctx, &cost, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("PK = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": s(themesPK(programme))},
		ConsistentRead:            aws.Bool(true),
	}, func(out *dynamodb.QueryOutput) {
		for _, it := range out.Items {
			sk, _ := it["SK"].(*types.AttributeValueMemberS)
			switch {
			case sk == nil:
			case strings.HasPrefix(sk.Value, "T#"):
				tags = append(tags, decodeList[themeTagRecord](ctx, []item{it}, nil)...)
			case strings.HasPrefix(sk.Value, "A#"):
				actions = append(actions, decodeList[themeActionRecord](ctx, []item{it}, nil)...)
			}
		}
	})
	if err != nil {
		return nil, nil, fmt.Errorf("read themes of programme %s: %w", programme, err)
	}
	return tags, actions, nil
}

// AddThemeTag stores a tag unless the same theme is on the same feedback.
func (st *Store) AddThemeTag(ctx context.Context, programme string, t grants.ThemeTag) error {
	sk := fmt.Sprintf("T#%s#%02d#%s", t.AgreementID, t.CheckIn, grants.ThemeKey(t.Theme))
	return st.putOnce(ctx, themeTagRecord(t), keyOf(themesPK(programme), sk), typeThemeTag)
}

// AddThemeAction stores an action unless one with its ID is stored.
func (st *Store) AddThemeAction(ctx context.Context, programme string, a grants.ThemeAction) error {
	return st.putOnce(ctx, themeActionRecord(a), keyOf(themesPK(programme), "A#"+a.ID), typeThemeAction)
}

// putOnce writes a record at key unless an item is there.
func (st *Store) putOnce(ctx context.Context, rec any, key item, typ string) error {
	it, err := marshal(rec)
	if err != nil {
		return err
	}
	maps.Copy(it, key)
	it["type"] = s(typ)
	_, err = st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table, Item: it, ConditionExpression: aws.String("attribute_not_exists(PK)")})
	if isConditionFailure(err) {
		return nil
	}
	return err
}
