package samtemplate

import (
	"context"
	"errors"
	"fmt"

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
