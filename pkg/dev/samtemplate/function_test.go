package samtemplate

import (
	"path/filepath"
	"slices"
	"testing"
)

// Function reads a function as Lambda gets it: the Globals under its own
// properties, the variables of both (a YAML merge key's too), and its build.
func TestFunction(t *testing.T) {
	tpl, err := Load(filepath.Join("..", "..", "..", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	web, err := tpl.Function("WebFunction")
	if err != nil {
		t.Fatal(err)
	}
	if web.MemorySize != 512 || web.Timeout != 29 || web.Architecture != "arm64" || web.BuildMethod != "makefile" || web.GOARCH() != "arm64" {
		t.Errorf("WebFunction: %+v", web)
	}
	for _, name := range []string{"TABLE_NAME", "SIGNIN_ISSUER", "SCHEDULE_GROUP", "USER_POOL_ID"} {
		if !slices.Contains(web.Environment, name) {
			t.Errorf("WebFunction is given %s; read %v", name, web.Environment)
		}
	}
	agreements, err := tpl.Function("AgreementsFunction")
	if err != nil {
		t.Fatal(err)
	}
	if agreements.MemorySize != 256 || agreements.Timeout != 15 {
		t.Errorf("AgreementsFunction: %+v", agreements)
	}
	// Its own variables, not the WebFunction's (the staff's routes need the
	// issuer, issue 25; the sign-in page's address is the web app's alone).
	if slices.Contains(agreements.Environment, "SIGNIN_URL") || !slices.Contains(agreements.Environment, "SCHEDULE_GROUP") {
		t.Errorf("AgreementsFunction's variables: %v", agreements.Environment)
	}
	if _, err := tpl.Function("Table"); err == nil {
		t.Error("Function(Table) is not an error")
	}
}
