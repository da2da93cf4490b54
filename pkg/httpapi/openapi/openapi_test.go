package openapi_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/partnership-grants/backend/pkg/dev/samtemplate"
	"github.com/partnership-grants/backend/pkg/httpapi/openapi"
	"github.com/partnership-grants/backend/pkg/httpapi/openapi/openapitest"
)

// notJSONAPI are the template's functions whose routes the document leaves
// out, and why.
var notJSONAPI = map[string]string{
	// The web app: HTML pages and form posts for staff in a browser, signed in
	// with a session cookie (no JWT authorizer), behind one greedy
	// /app/{proxy+} that OpenAPI's one-segment path parameters cannot say.
	// Integrations use the JSON routes; the pages have their own tests.
	"WebFunction": "pages, not the JSON API",
}

// documented lists the document's operations as route keys ("GET /agreements/{id}").
func documented(t *testing.T) []string {
	t.Helper()
	var doc struct {
		OpenAPI string                          `yaml:"openapi"`
		Paths   map[string]map[string]yaml.Node `yaml:"paths"`
	}
	if err := yaml.Unmarshal(openapi.Document, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1.") {
		t.Fatalf("openapi %q, want 3.1.x", doc.OpenAPI)
	}
	var keys []string
	for path, item := range doc.Paths {
		for method := range item {
			switch method {
			case "get", "put", "post", "delete", "options", "head", "patch", "trace":
				keys = append(keys, strings.ToUpper(method)+" "+path)
			}
		}
	}
	slices.Sort(keys)
	return keys
}

// Every route template.yaml gives the HTTP API is in the document, and the
// document has no route the template lacks.
func TestDocumentHasEveryTemplateRoute(t *testing.T) {
	tpl, err := samtemplate.Load(filepath.Join("..", "..", "..", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	routes, err := tpl.Routes()
	if err != nil {
		t.Fatal(err)
	}
	var inTemplate []string
	left := map[string]int{}
	for _, r := range routes {
		if _, skip := notJSONAPI[r.Function]; skip {
			left[r.Function]++
			continue
		}
		inTemplate = append(inTemplate, r.RouteKey())
	}
	for fn := range notJSONAPI {
		if left[fn] == 0 {
			t.Errorf("%s is left out of the document but has no routes in the template: drop it from notJSONAPI", fn)
		}
	}
	inDoc := documented(t)
	for _, k := range inTemplate {
		if !slices.Contains(inDoc, k) {
			t.Errorf("template route %s is not in openapi.yaml", k)
		}
	}
	for _, k := range inDoc {
		if !slices.Contains(inTemplate, k) {
			t.Errorf("openapi.yaml has %s, which template.yaml does not route", k)
		}
	}
	if len(inTemplate) < 30 {
		t.Errorf("only %d JSON routes read from the template", len(inTemplate))
	}
}

// The document is valid OpenAPI 3.1 (the validator's own check of it).
func TestDocumentIsValid(t *testing.T) {
	v, err := openapitest.Load()
	if err != nil {
		t.Fatal(err)
	}
	if v.Doc.OpenAPIMajorMinor() != "3.1" {
		t.Errorf("openapi.yaml is OpenAPI %s, want 3.1", v.Doc.OpenAPI)
	}
}
