package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/readcost"
)

// Confidential feedback (issue 24, item 2) is kept in two items, written
// once each in the transaction that completes the delivery's claim
// (grants.Effects.Confidential, ConfidentialSenders):
//
//	PROG#<programme>#CONFIDENTIAL  F#<day>#<id>  what staff read, without its sender
//	CONFIDENTIAL#<id>              SENDER        where it came from, to stop abuse
//
// The sender's item is in no index, and the product reads it nowhere but
// ConfidentialSender, which no use case, route or page calls (the store
// contract test reads it back); whoever runs the service reads it in the
// table itself when abuse must be traced.

const typeConfidential, typeConfidentialSender = "confidentialFeedback", "confidentialSender"

func confidentialPK(programme string) string { return "PROG#" + programme + "#CONFIDENTIAL" }

func confidentialSK(f grants.ConfidentialFeedback) string { return "F#" + f.On.String() + "#" + f.ID }

func confidentialSenderPK(id string) string { return "CONFIDENTIAL#" + id }

// confidentialRecord is a stored grants.ConfidentialFeedback.
type confidentialRecord struct {
	ID         string      `dynamodbav:"id"`
	Programme  string      `dynamodbav:"programme"`
	Round      int         `dynamodbav:"round"`
	On         grants.Date `dynamodbav:"on"`
	Words      string      `dynamodbav:"words"`
	Cut        bool        `dynamodbav:"cut,omitempty"`
	Files      int         `dynamodbav:"files,omitempty"`
	Unverified bool        `dynamodbav:"unverified,omitempty"`
	SetAside   string      `dynamodbav:"setAside,omitempty"`
}

func (r confidentialRecord) domain() grants.ConfidentialFeedback {
	return grants.ConfidentialFeedback(r)
}

// confidentialSenderRecord is a stored grants.ConfidentialSender.
type confidentialSenderRecord struct {
	ID          string    `dynamodbav:"id"`
	AgreementID string    `dynamodbav:"agreementId"`
	Round       int       `dynamodbav:"round"`
	MessageID   string    `dynamodbav:"messageId"`
	ReceivedAt  time.Time `dynamodbav:"receivedAt"`
	Reason      string    `dynamodbav:"reason,omitempty"`
}

func (r confidentialSenderRecord) domain() grants.ConfidentialSender {
	return grants.ConfidentialSender(r)
}

// confidentialItems are the effects' confidential feedback and senders,
// each written once (a second delivery's write fails, as its claim does).
func (st *Store) confidentialItems(fx grants.Effects) ([]types.TransactWriteItem, error) {
	var items []types.TransactWriteItem
	for _, f := range fx.Confidential {
		it, err := marshal(confidentialRecord(f))
		if err != nil {
			return nil, err
		}
		it["PK"], it["SK"], it["type"] = s(confidentialPK(f.Programme)), s(confidentialSK(f)), s(typeConfidential)
		items = append(items, st.putNew(it))
	}
	for _, c := range fx.ConfidentialSenders {
		it, err := marshal(confidentialSenderRecord(c))
		if err != nil {
			return nil, err
		}
		it["PK"], it["SK"], it["type"] = s(confidentialSenderPK(c.ID)), s("SENDER"), s(typeConfidentialSender)
		items = append(items, st.putNew(it))
	}
	return items, nil
}

// ConfidentialFeedback reads what reached a programme's confidential
// feedback addresses, shown and set aside, in day order (a strongly
// consistent Query of its partition).
func (st *Store) ConfidentialFeedback(ctx context.Context, programme string) ([]grants.ConfidentialFeedback, error) {
	out := []grants.ConfidentialFeedback{}
	var cost readcost.Cost
	err := st.queryAll(ctx, &cost, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("PK = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": s(confidentialPK(programme))},
		ConsistentRead:            aws.Bool(true),
	}, func(page *dynamodb.QueryOutput) {
		out = append(out, decodeList[confidentialRecord](ctx, page.Items, nil)...)
	})
	if err != nil {
		return nil, fmt.Errorf("read confidential feedback of programme %s: %w", programme, err)
	}
	return out, nil
}

// ConfidentialSender reads where confidential feedback id came from, or
// nil. Nothing in the product calls it: it is for the store contract test
// and for tracing abuse by hand.
func (st *Store) ConfidentialSender(ctx context.Context, id string) (*grants.ConfidentialSender, error) {
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: keyOf(confidentialSenderPK(id), "SENDER"), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read confidential sender: %w", err)
	}
	if out.Item == nil {
		return nil, nil
	}
	c, err := decode[confidentialSenderRecord](out.Item)
	if err != nil {
		return nil, err
	}
	return &c, nil
}
