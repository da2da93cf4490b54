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
	found, web := false, false
	for _, r := range routes {
		if r.RouteKey() == "GET /agreements/{id}" && r.Function == "AgreementsFunction" && !r.NoAuth {
			found = true
		}
		// The web app's routes skip the JWT authorizer: the function
		// checks the session cookie itself.
		if r.RouteKey() == "POST /app/{proxy+}" && r.Function == "WebFunction" && r.NoAuth {
			web = true
		}
	}
	if !found || !web {
		t.Fatalf("GET /agreements/{id} (authorized) or POST /app/{proxy+} (no authorizer) not among %+v", routes)
	}
	in, err := tpl.CreateTableInput(TableLogicalID, "x")
	if err != nil {
		t.Fatal(err)
	}
	if len(in.GlobalSecondaryIndexes) != 4 || len(in.KeySchema) != 2 || in.BillingMode != "PAY_PER_REQUEST" {
		t.Fatalf("table input: %+v", in)
	}
	if tpl.TTLAttribute(TableLogicalID) != "expiresAt" {
		t.Fatal("TTL attribute not read")
	}
}
