package stack

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/partnership-grants/backend/pkg/dev/billing"
	"github.com/partnership-grants/backend/pkg/dynamo"
)

// bill puts the request units AWS would bill on each invocation line
// (Options.Billing), beside DynamoDB Local's own figures: the functions'
// store goes through billing.DB, which reads what each call touched with a
// client that meters nothing.
func (st *Stack) bill() {
	raw := st.Deps.AWS.Copy()
	raw.APIOptions = nil
	shadow := dynamodb.NewFromConfig(raw, func(o *dynamodb.Options) { o.BaseEndpoint = st.Deps.Endpoint("DynamoDB") })
	st.Deps.Store = dynamo.New(&billing.DB{Inner: st.Deps.DB, Shadow: shadow, Trace: st.opts.BillingTrace}, st.opts.TableName)
}
