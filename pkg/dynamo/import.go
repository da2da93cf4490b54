package dynamo

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/grants"
)

// BatchWriter is the part of the DynamoDB client Import writes with.
type BatchWriter interface {
	BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

// importWriters is how many batches Import writes at once.
const importWriters = 16

// Import writes whole agreements (agreement, instalments, check-ins and a
// created audit entry) as the store lays them out, with BatchWriteItem and
// no conditions: for seeding benchmarks and restoring a table, never for
// people's changes (no reference is assigned, no aggregate kept: run
// RebuildAggregates afterwards). Each agreement must already have its ID
// and reference.
func Import(ctx context.Context, db BatchWriter, table string, agreements []*grants.Agreement) error {
	var items []item
	for _, a := range agreements {
		ai, err := agreementItem(a)
		if err != nil {
			return err
		}
		items = append(items, ai)
		for _, in := range a.Instalments {
			it, err := instalmentItem(a, in)
			if err != nil {
				return err
			}
			items = append(items, it)
		}
		for _, c := range a.CheckIns {
			it, err := checkInItem(a, c)
			if err != nil {
				return err
			}
			items = append(items, it)
		}
		hi, err := auditItem(a.ID, 0, grants.AuditEntry{At: a.CreatedAt, Actor: a.CreatedBy, Action: "agreement.imported"})
		if err != nil {
			return err
		}
		items = append(items, hi)
		items = append(items, findMarkers(a)...) // find.go: so a rebuild need not put them one by one
	}
	return batchPut(ctx, db, table, items)
}

// batchPut writes items 25 at a time from importWriters goroutines,
// retrying what DynamoDB leaves unprocessed.
func batchPut(ctx context.Context, db BatchWriter, table string, items []item) error {
	batches := make(chan []item)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for range importWriters {
		wg.Go(func() {
			for batch := range batches {
				if err := writeBatch(ctx, db, table, batch); err != nil {
					mu.Lock()
					firstErr = cmpOr(firstErr, err)
					mu.Unlock()
				}
			}
		})
	}
	for chunk := range slices.Chunk(items, 25) {
		batches <- chunk
	}
	close(batches)
	wg.Wait()
	return firstErr
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func writeBatch(ctx context.Context, db BatchWriter, table string, batch []item) error {
	reqs := make([]types.WriteRequest, len(batch))
	for i, it := range batch {
		reqs[i] = types.WriteRequest{PutRequest: &types.PutRequest{Item: it}}
	}
	pending := map[string][]types.WriteRequest{table: reqs}
	for attempt := 0; len(pending) > 0; attempt++ {
		if attempt == 10 {
			return fmt.Errorf("batch write: items still unprocessed after %d attempts", attempt)
		}
		out, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
		if err != nil {
			return fmt.Errorf("batch write: %w", err)
		}
		pending = out.UnprocessedItems
	}
	return nil
}
