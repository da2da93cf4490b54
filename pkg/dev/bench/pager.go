package bench

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/partnership-grants/backend/pkg/dynamo"
)

// Pager makes DynamoDB Local page in time proportional to the page rather
// than to the rest of the partition, without changing any page.
//
// DynamoDB Local answers a Query with no Limit by reading and decoding
// every remaining item of the partition (SQL "LIMIT -1"), then keeping the
// first 1 MB of them: paging through a partition of P items costs about
// P²/page item reads. At 100,000 agreements the export's partition of
// ByProgrammePlan holds 900,000 items in about 400 pages, and the seed's
// aggregate rebuild did not finish in 40 minutes. With a Limit, DynamoDB
// Local reads that many items.
//
// A page cut by the 1 MB cap, or by the end of the partition, is the same
// with or without a Limit above its length. So Pager gives each Query that
// has no Limit of its own a Limit a little above the longest page seen on
// that index, and when DynamoDB stopped at the Limit (ScannedCount equals
// it: the unlimited page may be longer), asks again with four times as
// many, until the page ends before the Limit. The page returned is then the
// one DynamoDB returns without a Limit: the same items, LastEvaluatedKey
// and consumed capacity (TestPagerChangesNoPage). The Meter counts the
// returned page only, as the one request the caller made.
//
// It is for the benchmark only: real DynamoDB reads no more than a page.
type Pager struct {
	dynamo.DB
	// Meter, if set, is the Meter on DB's client.
	Meter *Meter

	mu      sync.Mutex
	longest map[string]int32 // index → the longest page cut by the 1 MB cap
	retries atomic.Int64
}

// Retries is how many Queries were made again with a larger Limit.
func (p *Pager) Retries() int64 { return p.retries.Load() }

// Query reads the page the caller asked for.
func (p *Pager) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	if in.Limit != nil {
		return p.DB.Query(ctx, in, opts...)
	}
	index := aws.ToString(in.TableName) + "/" + aws.ToString(in.IndexName) + "/" + aws.ToString(in.ProjectionExpression)
	limit := p.firstLimit(index)
	for {
		try := *in // the caller pages with its own input: leave it as it is
		try.Limit = aws.Int32(limit)
		out, err := p.DB.Query(uncounted(ctx), &try, opts...)
		if err != nil {
			return out, err
		}
		if out.ScannedCount < limit {
			if out.LastEvaluatedKey != nil {
				p.saw(index, out.ScannedCount)
			}
			if p.Meter != nil {
				p.Meter.record(out)
			}
			return out, nil
		}
		p.retries.Add(1)
		if limit >= 1<<20 {
			// No 1 MB page holds this many items: read as the caller asked.
			return p.DB.Query(ctx, in, opts...)
		}
		limit *= 4
	}
}

// firstLimit is a quarter more than the longest page seen on the index,
// or 1,024 on an index not read yet.
func (p *Pager) firstLimit(index string) int32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n, ok := p.longest[index]; ok {
		return n + n/4 + 16
	}
	return 1024
}

func (p *Pager) saw(index string, scanned int32) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.longest == nil {
		p.longest = map[string]int32{}
	}
	p.longest[index] = max(p.longest[index], scanned)
}
