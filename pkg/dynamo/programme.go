package dynamo

import (
	"context"
	"fmt"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/partnership-grants/backend/pkg/grants"
)

// ProgrammeSettings reads a programme's settings (zero if it has none).
func (st *Store) ProgrammeSettings(ctx context.Context, programme string) (grants.ProgrammeSettings, error) {
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: settingsKey(programme)})
	if err != nil {
		return grants.ProgrammeSettings{}, fmt.Errorf("read programme settings: %w", err)
	}
	return settingsOf(out.Item)
}

// settingsOf decodes a settings item; none is the zero settings.
func settingsOf(it item) (grants.ProgrammeSettings, error) {
	if it == nil {
		return grants.ProgrammeSettings{}, nil
	}
	return decode[settingsRecord](it)
}

// PutProgrammeSettings stores a programme's settings.
func (st *Store) PutProgrammeSettings(ctx context.Context, programme string, p grants.ProgrammeSettings) error {
	it, err := marshal(settingsRecordOf(p))
	if err != nil {
		return err
	}
	maps.Copy(it, settingsKey(programme))
	it["type"] = s("programme")
	_, err = st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(st.table), Item: it})
	return err
}

func settingsKey(programme string) item { return keyOf("PROG#"+programme, "SETTINGS") }
