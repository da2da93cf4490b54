package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/partnership-grants/backend/pkg/grants"
)

// ProgrammeSettings reads a programme's settings (zero if it has none).
func (st *Store) ProgrammeSettings(ctx context.Context, programme string) (grants.ProgrammeSettings, error) {
	var p grants.ProgrammeSettings
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: settingsKey(programme)})
	if err != nil {
		return p, fmt.Errorf("read programme settings: %w", err)
	}
	if out.Item != nil {
		err = unmarshal(out.Item, &p)
	}
	return p, err
}

// PutProgrammeSettings stores a programme's settings.
func (st *Store) PutProgrammeSettings(ctx context.Context, programme string, p grants.ProgrammeSettings) error {
	it, err := marshal(p)
	if err != nil {
		return err
	}
	it["PK"], it["SK"], it["type"] = s("PROG#"+programme), s("SETTINGS"), s("programme")
	_, err = st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(st.table), Item: it})
	return err
}

func settingsKey(programme string) item { return keyOf("PROG#"+programme, "SETTINGS") }
