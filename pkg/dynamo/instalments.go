package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/grants"
)

// IndexByInstalmentStatus lists instalments by status and due date.
const IndexByInstalmentStatus = "ByInstalmentStatus"

// InstalmentRow is one line of finance's list: no bank details, ever.
type InstalmentRow struct {
	AgreementID       string                  `json:"agreementId" dynamodbav:"agreementId"`
	Reference         string                  `json:"reference" dynamodbav:"reference"`
	Programme         string                  `json:"programme" dynamodbav:"programme"`
	PartnerName       string                  `json:"partnerName" dynamodbav:"partnerName"`
	Number            int                     `json:"number" dynamodbav:"number"`
	Amount            int64                   `json:"amount" dynamodbav:"amount"`
	Currency          string                  `json:"currency" dynamodbav:"currency"`
	DueDate           grants.Date             `json:"dueDate" dynamodbav:"dueDate"`
	Status            grants.InstalmentStatus `json:"status" dynamodbav:"status"`
	PreviousCheckInIn bool                    `json:"previousCheckInReceived" dynamodbav:"previousCheckInIn"`
	AwaitingCheckIn   bool                    `json:"awaitingCheckIn" dynamodbav:"awaitingCheckIn"`
	HoldReason        string                  `json:"holdReason,omitempty" dynamodbav:"holdReason"`
	PaymentReference  string                  `json:"paymentReference,omitempty" dynamodbav:"paymentReference"`
	PaidOn            grants.Date             `json:"paidOn,omitzero" dynamodbav:"paidOn"`
	Payment           *grants.Payment         `json:"payment,omitempty" dynamodbav:"payment"`
}

// InstalmentFilter narrows finance's list; From and To bound the due date.
type InstalmentFilter struct {
	Status    grants.InstalmentStatus
	Programme string
	From, To  grants.Date
}

// ListInstalments lists instalments of one status in due-date order from the
// ByInstalmentStatus index.
func (st *Store) ListInstalments(ctx context.Context, f InstalmentFilter, cursor string, limit int) (Page[InstalmentRow], error) {
	pk := "INST#" + string(f.Status)
	start, err := decodeCursor(cursor, "ispk", pk)
	if err != nil {
		return Page[InstalmentRow]{}, err
	}
	from, to := "0000", "9999"
	if !f.From.IsZero() {
		from = f.From.String()
	}
	if !f.To.IsZero() {
		to = f.To.String() + "#~"
	}
	in := &dynamodb.QueryInput{
		TableName:                 &st.table,
		IndexName:                 aws.String(IndexByInstalmentStatus),
		KeyConditionExpression:    aws.String("ispk = :pk AND issk BETWEEN :from AND :to"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(pk), ":from": s(from), ":to": s(to)},
		Limit:                     aws.Int32(int32(limit)),
		ExclusiveStartKey:         start,
	}
	if f.Programme != "" {
		in.FilterExpression = aws.String("programme = :p")
		in.ExpressionAttributeValues[":p"] = s(f.Programme)
	}
	out, err := st.db.Query(ctx, in)
	if err != nil {
		return Page[InstalmentRow]{}, fmt.Errorf("list instalments: %w", err)
	}
	page := Page[InstalmentRow]{Items: decodeList[InstalmentRow](ctx, out.Items, nil)}
	page.NextCursor, err = encodeCursor(out.LastEvaluatedKey)
	return page, err
}
