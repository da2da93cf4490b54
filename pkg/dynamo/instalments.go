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

// ListInstalments lists one programme's instalments of one status in
// due-date order from the ByInstalmentStatus index. The programme and status
// are the index partition and the dates a range of its sort key, so a page
// reads only the rows it returns, whatever other programmes hold.
func (st *Store) ListInstalments(ctx context.Context, f grants.InstalmentFilter, cursor string, limit int) (grants.Page[grants.InstalmentRow], error) {
	pk := instalmentStatusPK(f.Programme, f.Status)
	start, err := decodeCursor(cursor, "ispk", pk)
	if err != nil {
		return grants.Page[grants.InstalmentRow]{}, err
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
	out, err := st.db.Query(ctx, in)
	if err != nil {
		return grants.Page[grants.InstalmentRow]{}, fmt.Errorf("list instalments: %w", err)
	}
	page := grants.Page[grants.InstalmentRow]{Items: decodeList[instalmentRowRecord](ctx, out.Items, nil)}
	page.NextCursor, err = encodeCursor(out.LastEvaluatedKey)
	return page, err
}
