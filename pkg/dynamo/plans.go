package dynamo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/readcost"
)

// IndexByProgrammePlan holds each programme's agreements with their
// instalments and check-ins, agreement after agreement (see setPlanKeys).
const IndexByProgrammePlan = "ByProgrammePlan"

// ProgrammePlans reads every agreement of a programme, all statuses, each
// with its instalments and check-ins, in the order the programme's lists
// give them (status, then oldest first). It pages through the
// ByProgrammePlan index, where an agreement's items sit together under its
// ID: about one Query per 1 MB of the programme's items, not one per
// agreement, whatever else the table holds. A page may end inside an
// agreement; its items wait for the next page and it is decoded whole.
//
// The index is eventually consistent and a change writes several items,
// which reach it one by one: an agreement read midway through a change may
// not hold together (instalments not summing to the award). Such an
// agreement is read again from its own partition, consistently; one that
// still cannot be read is skipped and logged, so one bad agreement never
// breaks an export.
func (st *Store) ProgrammePlans(ctx context.Context, programme string) ([]grants.Agreement, readcost.Cost, error) {
	var (
		cost      readcost.Cost
		out       []grants.Agreement
		pending   []item // the items read so far of the agreement pendingID
		pendingID string
	)
	decodePending := func() error {
		if len(pending) == 0 {
			return nil
		}
		a, err := decodeAgreement(pending)
		if u := (*unreadableError)(nil); errors.As(err, &u) {
			a, err = st.readAgreement(ctx, pendingID, true)
		}
		pending = nil
		if skipUnreadable(ctx, err) {
			return nil
		}
		if err != nil {
			return err
		}
		if a != nil { // nil: an agreement's items whose agreement item has not reached the index yet
			out = append(out, *a)
		}
		return nil
	}
	var start map[string]types.AttributeValue
	for {
		page, err := st.db.Query(ctx, &dynamodb.QueryInput{
			TableName:                 &st.table,
			IndexName:                 aws.String(IndexByProgrammePlan),
			KeyConditionExpression:    aws.String("plpk = :p"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": s(planPK(programme))},
			ExclusiveStartKey:         start,
			ReturnConsumedCapacity:    types.ReturnConsumedCapacityIndexes,
		})
		if err != nil {
			return nil, cost, fmt.Errorf("read plans of programme %s: %w", programme, err)
		}
		addCost(&cost, page.ScannedCount, page.ConsumedCapacity)
		for _, it := range page.Items {
			sk, _ := it["plsk"].(*types.AttributeValueMemberS)
			if sk == nil {
				continue // not possible: the index's items all have their key
			}
			id, _, _ := strings.Cut(sk.Value, "#")
			if id != pendingID {
				if err := decodePending(); err != nil {
					return nil, cost, err
				}
				pendingID = id
			}
			pending = append(pending, it)
		}
		if start = page.LastEvaluatedKey; start == nil {
			break
		}
	}
	if err := decodePending(); err != nil {
		return nil, cost, err
	}
	order := make(map[string]string, len(out)) // ID → sort key in the programme index
	for i := range out {
		order[out[i].ID] = programmeOrder(&out[i])
	}
	slices.SortFunc(out, func(x, y grants.Agreement) int { return strings.Compare(order[x.ID], order[y.ID]) })
	return out, cost, nil
}
