package app

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/partnership-grants/backend/pkg/callmeter"
)

// meterCalls makes every client built from cfg count its calls on the
// invocation's meter ("DynamoDB.Query") and, for DynamoDB, ask for and add
// up the capacity consumed (reporting it costs nothing).
func meterCalls(cfg *aws.Config) {
	cfg.APIOptions = append(cfg.APIOptions, callmeter.Middleware, func(st *middleware.Stack) error {
		return st.Initialize.Add(middleware.InitializeMiddlewareFunc("callmeter.capacity", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			m := callmeter.From(ctx)
			if m == nil {
				return next.HandleInitialize(ctx, in)
			}
			askCapacity(in.Parameters)
			out, md, err := next.HandleInitialize(ctx, in)
			m.Consumed(consumed(out.Result))
			return out, md, err
		}), middleware.After)
	})
}

func askCapacity(params any) {
	total := types.ReturnConsumedCapacityTotal
	switch in := params.(type) {
	case *dynamodb.QueryInput:
		if in.ReturnConsumedCapacity == "" {
			in.ReturnConsumedCapacity = total
		}
	case *dynamodb.GetItemInput:
		in.ReturnConsumedCapacity = total
	case *dynamodb.PutItemInput:
		in.ReturnConsumedCapacity = total
	case *dynamodb.UpdateItemInput:
		in.ReturnConsumedCapacity = total
	case *dynamodb.DeleteItemInput:
		in.ReturnConsumedCapacity = total
	case *dynamodb.TransactWriteItemsInput:
		in.ReturnConsumedCapacity = total
	case *dynamodb.BatchGetItemInput:
		in.ReturnConsumedCapacity = total
	}
}

// consumed is the read and write capacity a DynamoDB call reports.
func consumed(result any) (read, written float64) {
	units := func(c *types.ConsumedCapacity) float64 {
		if c == nil || c.CapacityUnits == nil {
			return 0
		}
		return *c.CapacityUnits
	}
	switch out := result.(type) {
	case *dynamodb.QueryOutput:
		return units(out.ConsumedCapacity), 0
	case *dynamodb.GetItemOutput:
		return units(out.ConsumedCapacity), 0
	case *dynamodb.PutItemOutput:
		return 0, units(out.ConsumedCapacity)
	case *dynamodb.UpdateItemOutput:
		return 0, units(out.ConsumedCapacity)
	case *dynamodb.DeleteItemOutput:
		return 0, units(out.ConsumedCapacity)
	case *dynamodb.TransactWriteItemsOutput:
		for i := range out.ConsumedCapacity {
			written += units(&out.ConsumedCapacity[i])
		}
	case *dynamodb.BatchGetItemOutput:
		for i := range out.ConsumedCapacity {
			read += units(&out.ConsumedCapacity[i])
		}
	}
	return read, written
}
