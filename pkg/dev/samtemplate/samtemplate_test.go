package samtemplate

import (
	"path/filepath"
	"testing"
)

func TestReadsTheProjectTemplate(t *testing.T) {
	tpl, err := Load(filepath.Join("..", "..", "..", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	routes, err := tpl.Routes()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range routes {
		if r.RouteKey() == "GET /agreements/{id}" && r.Function == "AgreementsFunction" {
			found = true
		}
	}
	if !found {
		t.Fatalf("GET /agreements/{id} not among %v", routes)
	}
	in, err := tpl.CreateTableInput(TableLogicalID, "x")
	if err != nil {
		t.Fatal(err)
	}
	if len(in.GlobalSecondaryIndexes) != 3 || len(in.KeySchema) != 2 || in.BillingMode != "PAY_PER_REQUEST" {
		t.Fatalf("table input: %+v", in)
	}
	if tpl.TTLAttribute(TableLogicalID) != "expiresAt" {
		t.Fatal("TTL attribute not read")
	}
}
