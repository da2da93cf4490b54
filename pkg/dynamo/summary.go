package dynamo

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/readcost"
)

func addCost(c *readcost.Cost, scanned int32, cc *types.ConsumedCapacity) {
	c.Requests++
	c.Items += int(scanned)
	if cc != nil {
		c.CapacityUnits += aws.ToFloat64(cc.CapacityUnits)
	}
}

// ProgrammeAgreements reads every agreement of a programme, all statuses,
// for the lists and exports that show each one (the summary reads the
// programme's aggregate instead: ProgrammeTally),
// from the ByProgramme index: the agreement items only (with their stored
// Stats), never instalments or check-ins, so the cost is one index entry per
// agreement of this programme whatever else the table holds. It follows the
// index's pages to the end and reports what the read consumed, so callers
// can log it and the benchmark can show it.
//
// The index is eventually consistent and paginated: an agreement that
// changes status while the read is under way moves to a later sort key and
// can be read twice. Such a duplicate is dropped, keeping the newer version.
func (st *Store) ProgrammeAgreements(ctx context.Context, programme string) ([]grants.Agreement, readcost.Cost, error) {
	var cost readcost.Cost
	var out []grants.Agreement
	at := map[string]int{} // agreement ID → index in out
	var start map[string]types.AttributeValue
	for {
		page, err := st.db.Query(ctx, &dynamodb.QueryInput{
			TableName:                 &st.table,
			IndexName:                 aws.String(IndexByProgramme),
			KeyConditionExpression:    aws.String("gsi1pk = :p"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("PROG#" + programme)},
			ExclusiveStartKey:         start,
			// Reporting the consumed capacity costs nothing and makes the
			// summary's price visible in the logs.
			ReturnConsumedCapacity: types.ReturnConsumedCapacityIndexes,
		})
		if err != nil {
			return nil, cost, fmt.Errorf("read agreements of programme %s: %w", programme, err)
		}
		addCost(&cost, page.ScannedCount, page.ConsumedCapacity)
		for _, a := range decodeList[agreementRecord](ctx, page.Items, (*grants.Agreement).CheckStored) {
			if i, dup := at[a.ID]; dup {
				if a.Version > out[i].Version {
					out[i] = a
				}
				continue
			}
			at[a.ID] = len(out)
			out = append(out, a)
		}
		if start = page.LastEvaluatedKey; start == nil {
			break
		}
	}
	return out, cost, nil
}

// planReaders bounds the concurrent Queries of AgreementsWithPlans: enough
// to hide the round trips, few enough not to throttle an on-demand table or
// exhaust the SDK's connection pool.
const planReaders = 16

// AgreementsWithPlans reads the agreements with the given IDs, each with its
// instalments and check-ins, in the order given. An ID with no agreement is
// skipped (agreements are never deleted, so that is an ID from elsewhere).
//
// Cost: the ByProgramme index carries agreement items only, so this is one
// Query per agreement on its own partition (agreement, instalments and
// check-ins; not the audit history). A four-instalment agreement's nine
// items fit in 4 KB, so each read costs 0.5 RCU eventually consistent (1 RCU
// strongly): exporting a programme of 5,000 agreements costs about 2,500 RCU
// in 5,000 requests, against about 9 RCU in 3 requests for its summary
// (ProgrammeTally, from the programme's aggregate; make bench). That is
// acceptable for an export someone asks for now and then, and is why the
// summary never calls this.
// Eventually consistent reads are enough: the IDs came from an index that is
// itself eventually consistent, and each agreement is read whole from one
// partition.
func (st *Store) AgreementsWithPlans(ctx context.Context, ids []string) ([]grants.Agreement, error) {
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	found := make([]*grants.Agreement, len(ids))
	var (
		mu       sync.Mutex
		firstErr error // the cause; later failures are its cancellation
	)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(planReaders, len(ids)) {
		wg.Go(func() {
			for i := range next {
				a, err := st.readAgreement(ctx, ids[i], false)
				if skipUnreadable(ctx, err) {
					continue
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					cancel()
					continue
				}
				found[i] = a
			}
		})
	}
	fed := 0
feed:
	for ; fed < len(ids); fed++ {
		select {
		case next <- fed:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if fed < len(ids) {
		return nil, fmt.Errorf("read agreements: %w", parent.Err())
	}
	out := make([]grants.Agreement, 0, len(ids))
	for _, a := range found {
		if a != nil {
			out = append(out, *a)
		}
	}
	return out, nil
}
