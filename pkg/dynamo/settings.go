package dynamo

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/readcost"
)

// A programme's settings history (issue 25, item 3) lives in a partition
// of its own, PK "PROG#<programme>#SETTINGSLOG", one item a change,
// SK "C#<when, UTC to the nanosecond>#<version, 6 digits>" (by time: the
// version starts again at 1 if the settings item is ever put by hand),
// written in the same transaction as the settings item it made.

const typeSettingsChange = "settingsChange"

func settingsLogPK(programme string) string { return "PROG#" + programme + "#SETTINGSLOG" }

// settingsChangeRecord is a stored grants.SettingsChange.
type settingsChangeRecord struct {
	Version int                   `dynamodbav:"version"`
	At      time.Time             `dynamodbav:"at"`
	By      string                `dynamodbav:"by"`
	Changes []settingChangeRecord `dynamodbav:"changes"`
}

// settingChangeRecord is one setting's before and after, as JSON text.
type settingChangeRecord struct {
	Field  string `dynamodbav:"field"`
	Before string `dynamodbav:"before"`
	After  string `dynamodbav:"after"`
}

func settingsChangeRecordOf(c grants.SettingsChange) settingsChangeRecord {
	r := settingsChangeRecord{Version: c.Version, At: c.At, By: c.By, Changes: []settingChangeRecord{}}
	for _, x := range c.Changes {
		r.Changes = append(r.Changes, settingChangeRecord{Field: x.Field, Before: string(x.Before), After: string(x.After)})
	}
	return r
}

func (r settingsChangeRecord) domain() grants.SettingsChange {
	c := grants.SettingsChange{Version: r.Version, At: r.At, By: r.By, Changes: []grants.SettingChange{}}
	for _, x := range r.Changes {
		c.Changes = append(c.Changes, grants.SettingChange{Field: x.Field, Before: json.RawMessage(x.Before), After: json.RawMessage(x.After)})
	}
	return c
}

// ChangeProgrammeSettings stores a programme's settings changed from the
// settings page at version from (else PreconditionFailed), with the change
// in the programme's settings history, in one transaction.
func (st *Store) ChangeProgrammeSettings(ctx context.Context, programme string, from int, next grants.ProgrammeSettings, change grants.SettingsChange) error {
	it, err := marshal(settingsRecordOf(next))
	if err != nil {
		return err
	}
	maps.Copy(it, settingsKey(programme))
	it["type"] = s("programme")
	h, err := marshal(settingsChangeRecordOf(change))
	if err != nil {
		return err
	}
	maps.Copy(h, keyOf(settingsLogPK(programme), fmt.Sprintf("C#%s#%06d", change.At.UTC().Format("2006-01-02T15:04:05.000000000Z"), change.Version)))
	h["type"] = s(typeSettingsChange)
	put := &types.Put{TableName: &st.table, Item: it}
	if from <= 1 {
		put.ConditionExpression = aws.String("attribute_not_exists(version) OR version = :v")
	} else {
		put.ConditionExpression = aws.String("version = :v")
	}
	put.ExpressionAttributeValues = map[string]types.AttributeValue{":v": n(from)}
	err = st.transact(ctx, []types.TransactWriteItem{
		{Put: put},
		{Put: &types.Put{TableName: &st.table, Item: h, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
	})
	if isConditionFailure(err) {
		return &grants.Error{Code: grants.PreconditionFailed, Reason: "version_mismatch",
			Message: "The settings have changed since you read them: read them again."}
	}
	if err != nil {
		return fmt.Errorf("change programme settings: %w", err)
	}
	return nil
}

// SettingsHistory reads a programme's settings history, newest first.
func (st *Store) SettingsHistory(ctx context.Context, programme string) ([]grants.SettingsChange, error) {
	out := []grants.SettingsChange{}
	var cost readcost.Cost
	err := st.queryAll(ctx, &cost, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("PK = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": s(settingsLogPK(programme))},
		ConsistentRead:            aws.Bool(true),
		ScanIndexForward:          aws.Bool(false),
	}, func(o *dynamodb.QueryOutput) {
		out = append(out, decodeList[settingsChangeRecord](ctx, o.Items, nil)...)
	})
	if err != nil {
		return nil, fmt.Errorf("read settings history of programme %s: %w", programme, err)
	}
	return out, nil
}
