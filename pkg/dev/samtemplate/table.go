package samtemplate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TableLogicalID is the application table's logical ID in template.yaml.
const TableLogicalID = "Table"

// CreateTable creates the application table as the template defines it (and
// its TTL), unless it already exists.
func (t *Template) CreateTable(ctx context.Context, db *dynamodb.Client, name string) error {
	in, err := t.CreateTableInput(TableLogicalID, name)
	if err != nil {
		return err
	}
	if _, err := db.CreateTable(ctx, in); err != nil {
		var exists *types.ResourceInUseException
		if errors.As(err, &exists) {
			return nil
		}
		return fmt.Errorf("create table %s: %w", name, err)
	}
	if attr := t.TTLAttribute(TableLogicalID); attr != "" {
		_, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
			TableName:               aws.String(name),
			TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String(attr), Enabled: aws.Bool(true)},
		})
		if err != nil {
			return fmt.Errorf("enable TTL on %s: %w", name, err)
		}
	}
	return nil
}

// AddMissingIndexes adds to an existing table the global secondary indexes
// the template defines and the table lacks, as a deploy of a newer template
// would, and returns their names. The local stack keeps its table between
// runs, so an index a newer version reads would otherwise be missing.
func (t *Template) AddMissingIndexes(ctx context.Context, db *dynamodb.Client, name string) ([]string, error) {
	in, err := t.CreateTableInput(TableLogicalID, name)
	if err != nil {
		return nil, err
	}
	out, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		return nil, fmt.Errorf("describe table %s: %w", name, err)
	}
	has := map[string]bool{}
	for _, g := range out.Table.GlobalSecondaryIndexes {
		has[aws.ToString(g.IndexName)] = true
	}
	var added []string
	for _, g := range in.GlobalSecondaryIndexes {
		if has[aws.ToString(g.IndexName)] {
			continue
		}
		_, err := db.UpdateTable(ctx, &dynamodb.UpdateTableInput{
			TableName:            aws.String(name),
			AttributeDefinitions: in.AttributeDefinitions,
			GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{
				IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection, ProvisionedThroughput: g.ProvisionedThroughput,
			}}},
		})
		if err != nil {
			return added, fmt.Errorf("add index %s to %s: %w", aws.ToString(g.IndexName), name, err)
		}
		added = append(added, aws.ToString(g.IndexName))
		if err := waitForIndexes(ctx, db, name); err != nil {
			return added, err
		}
	}
	return added, nil
}

// waitForIndexes waits until every index of the table is active (DynamoDB
// builds one at a time, and writes during a build can fail locally).
func waitForIndexes(ctx context.Context, db *dynamodb.Client, name string) error {
	for range 600 {
		out, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		if err != nil {
			return fmt.Errorf("describe table %s: %w", name, err)
		}
		active := true
		for _, g := range out.Table.GlobalSecondaryIndexes {
			active = active && g.IndexStatus == types.IndexStatusActive
		}
		if active {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("the indexes of %s are not active after a minute", name)
}
