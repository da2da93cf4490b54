// Command rekey gives the items of an existing table the list keys this
// version reads (dynamo.Rekey), once, after deploying it:
//
//	go run ./pkg/dynamo/cmd/rekey -table partnership-grants-prod
//
// It uses the standard AWS configuration (profile, region, and
// AWS_ENDPOINT_URL_DYNAMODB for a local table) and prints what it did as JSON.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/partnership-grants/backend/pkg/dynamo"
)

func main() {
	table := flag.String("table", "", "the table, e.g. partnership-grants-prod")
	flag.Parse()
	if *table == "" {
		fmt.Fprintln(os.Stderr, "rekey: -table is required")
		os.Exit(2)
	}
	if err := run(context.Background(), *table); err != nil {
		fmt.Fprintln(os.Stderr, "rekey:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, table string) error {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return err
	}
	rep, err := dynamo.Rekey(ctx, dynamodb.NewFromConfig(cfg), table)
	if err := json.NewEncoder(os.Stdout).Encode(rep); err != nil {
		return err
	}
	return err
}
