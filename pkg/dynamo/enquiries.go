package dynamo

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/readcost"
)

// The organisations' enquiries (issue 24, item 6) live in one partition,
// PK "ENQUIRIES", one item "E#<enquiry ID>" each, holding its thread: a
// deployment receives tens a month, not the thousands a second that would
// make one partition hot, and one partition lists a programme's in one
// Query (filtered by programme) with no index to keep. An enquiry is
// written whole, created once or replaced at the version read, in the same
// transaction as the once-only record of the email that changed it and the
// emails it owes (Effects.Enquiries).

const enquiriesPK, typeEnquiry = "ENQUIRIES", "enquiry"

func enquiryKey(id string) item { return keyOf(enquiriesPK, "E#"+id) }

// enquiryRecord is a stored grants.Enquiry.
type enquiryRecord struct {
	ID           string                 `dynamodbav:"id"`
	Programme    string                 `dynamodbav:"programme"`
	Name         string                 `dynamodbav:"name"`
	Email        string                 `dynamodbav:"email"`
	Organisation string                 `dynamodbav:"organisation,omitempty"`
	Subject      string                 `dynamodbav:"subject"`
	ReceivedAt   time.Time              `dynamodbav:"receivedAt"`
	Status       string                 `dynamodbav:"status"`
	Messages     []enquiryMessageRecord `dynamodbav:"messages"`
	Outcome      string                 `dynamodbav:"outcome,omitempty"`
	ClosedBy     string                 `dynamodbav:"closedBy,omitempty"`
	ClosedAt     *time.Time             `dynamodbav:"closedAt,omitempty"`
	AgreementID  string                 `dynamodbav:"agreementId,omitempty"`
	Version      int                    `dynamodbav:"version"`
}

// enquiryMessageRecord is a stored grants.EnquiryMessage.
type enquiryMessageRecord struct {
	N           int                `dynamodbav:"n"`
	In          bool               `dynamodbav:"in"`
	From        string             `dynamodbav:"from"`
	At          time.Time          `dynamodbav:"at"`
	Text        string             `dynamodbav:"text"`
	Attachments []attachmentRecord `dynamodbav:"attachments,omitempty"`
	MessageID   string             `dynamodbav:"messageId,omitempty"`
	Header      string             `dynamodbav:"header,omitempty"`
	RawKey      string             `dynamodbav:"rawKey,omitempty"`
}

func enquiryMessageRecordOf(m grants.EnquiryMessage) enquiryMessageRecord {
	return enquiryMessageRecord{N: m.N, In: m.In, From: m.From, At: m.At, Text: m.Text,
		Attachments: mapSlice(m.Attachments, attachmentRecordOf), MessageID: m.MessageID, Header: m.Header, RawKey: m.RawKey}
}

func (r enquiryMessageRecord) domain() grants.EnquiryMessage {
	return grants.EnquiryMessage{N: r.N, In: r.In, From: r.From, At: r.At, Text: r.Text,
		Attachments: mapSlice(r.Attachments, attachmentRecord.domain), MessageID: r.MessageID, Header: r.Header, RawKey: r.RawKey}
}

func enquiryRecordOf(e grants.Enquiry) enquiryRecord {
	return enquiryRecord{ID: e.ID, Programme: e.Programme, Name: e.Name, Email: e.Email, Organisation: e.Organisation,
		Subject: e.Subject, ReceivedAt: e.ReceivedAt, Status: string(e.Status), Messages: mapSlice(e.Messages, enquiryMessageRecordOf),
		Outcome: e.Outcome, ClosedBy: e.ClosedBy, ClosedAt: e.ClosedAt, AgreementID: e.AgreementID, Version: e.Version}
}

func (r enquiryRecord) domain() grants.Enquiry {
	return grants.Enquiry{ID: r.ID, Programme: r.Programme, Name: r.Name, Email: r.Email, Organisation: r.Organisation,
		Subject: r.Subject, ReceivedAt: r.ReceivedAt, Status: grants.EnquiryStatus(r.Status), Messages: mapSlice(r.Messages, enquiryMessageRecord.domain),
		Outcome: r.Outcome, ClosedBy: r.ClosedBy, ClosedAt: r.ClosedAt, AgreementID: r.AgreementID, Version: r.Version}
}

// enquiryItem is the transaction item of an enquiry's write.
func (st *Store) enquiryItem(w grants.EnquiryWrite) (types.TransactWriteItem, error) {
	e := w.Enquiry
	e.Version = w.Version + 1
	it, err := marshal(enquiryRecordOf(e))
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	maps.Copy(it, enquiryKey(e.ID))
	it["type"] = s(typeEnquiry)
	put := &types.Put{TableName: &st.table, Item: it, ConditionExpression: aws.String("attribute_not_exists(PK)")}
	if w.Version > 0 {
		put.ConditionExpression = aws.String("version = :v")
		put.ExpressionAttributeValues = map[string]types.AttributeValue{":v": n(w.Version)}
	}
	return types.TransactWriteItem{Put: put}, nil
}

// GetEnquiry reads an enquiry (strongly consistent: it is read to be
// changed).
func (st *Store) GetEnquiry(ctx context.Context, id string) (*grants.Enquiry, error) {
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: enquiryKey(id), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read enquiry: %w", err)
	}
	if out.Item == nil {
		return nil, grants.EnquiryNotFound()
	}
	e, err := decode[enquiryRecord](out.Item)
	if err != nil {
		return nil, unreadable(out.Item, err)
	}
	return &e, nil
}

// ListEnquiries lists a programme's enquiries, newest first.
func (st *Store) ListEnquiries(ctx context.Context, programme string) ([]grants.Enquiry, error) {
	out := []grants.Enquiry{}
	var cost readcost.Cost
	err := st.queryAll(ctx, &cost, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("PK = :p"),
		FilterExpression:          aws.String("programme = :g"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": s(enquiriesPK), ":g": s(programme)},
		ConsistentRead:            aws.Bool(true),
	}, func(q *dynamodb.QueryOutput) {
		out = append(out, decodeList[enquiryRecord](ctx, q.Items, nil)...)
	})
	if err != nil {
		return nil, fmt.Errorf("list enquiries of %s: %w", programme, err)
	}
	slices.SortFunc(out, func(x, y grants.Enquiry) int {
		return cmp.Or(y.ReceivedAt.Compare(x.ReceivedAt), cmp.Compare(x.ID, y.ID))
	})
	return out, nil
}
