package testenv

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/dev/samtemplate"
)

// AppTable creates a fresh application table, defined exactly as in
// template.yaml, in DynamoDB Local and returns a client and its name.
func AppTable(t testing.TB, optFns ...func(*dynamodb.Options)) (*dynamodb.Client, string) {
	t.Helper()
	db := DynamoDB(t, optFns...)
	root, err := emulator.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := samtemplate.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	name := TableName(t)
	if err := tpl.CreateTable(context.Background(), db, name); err != nil {
		t.Fatal(err)
	}
	return db, name
}
