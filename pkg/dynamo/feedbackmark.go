package dynamo

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/grants"
)

// feedbackMarkRecord is a stored grants.FeedbackMark (issue 24), an
// attribute of its reply's item; replies stored before it have none and
// read as unmarked.
type feedbackMarkRecord struct {
	Passage string    `dynamodbav:"passage"`
	By      string    `dynamodbav:"by"`
	At      time.Time `dynamodbav:"at"`
}

func feedbackMarkRecordOf(v grants.FeedbackMark) feedbackMarkRecord {
	return feedbackMarkRecord{Passage: v.Passage, By: v.By, At: v.At}
}

func (r feedbackMarkRecord) domain() grants.FeedbackMark {
	return grants.FeedbackMark{Passage: r.Passage, By: r.By, At: r.At}
}

// feedbackMarkItem sets an officer's mark on a stored reply, replacing any
// earlier one; the reply must be there.
func (st *Store) feedbackMarkItem(m grants.MarkedFeedback) (types.TransactWriteItem, error) {
	v, err := marshal(feedbackMarkRecordOf(m.Mark))
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                 &st.table,
		Key:                       item{"PK": s(agreementPK(m.AgreementID)), "SK": s(replySK(m.CheckIn, m.MessageID))},
		UpdateExpression:          aws.String("SET feedbackMark = :m"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: item{":m": &types.AttributeValueMemberM{Value: v}},
	}}, nil
}
