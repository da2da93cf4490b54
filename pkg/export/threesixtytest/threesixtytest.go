// Package threesixtytest validates 360Giving files against the 360Giving
// Data Standard's own JSON schemas, shipped here (schema/, version 1.4.3,
// CC BY 4.0: see schema/README.md) so that tests in any package, from the
// export's unit tests to the local stack's published file, check output
// the same way and never reach the network. Only tests import it.
package threesixtytest

import (
	"bytes"
	"embed"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed schema/*.json
var files embed.FS

// The package schema refers to the grant schema by its published URL (at
// 1.4.2, while the grant schema's own $id says 1.4.3), so both URLs are
// mapped to the shipped file, and any other URL is refused.
const (
	PackageSchemaURL = "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.3/schema/360-giving-package-schema.json"
	grantSchemaURL   = "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.3/schema/360-giving-schema.json"
	grantSchemaRef   = "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json"
)

type offline map[string]string

func (l offline) Load(url string) (any, error) {
	name, ok := l[url]
	if !ok {
		return nil, fmt.Errorf("offline: no local copy of %s", url)
	}
	f, err := files.Open("schema/" + name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return jsonschema.UnmarshalJSON(f)
}

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.UseLoader(offline{
		PackageSchemaURL: "360-giving-package-schema.json",
		grantSchemaURL:   "360-giving-schema.json",
		grantSchemaRef:   "360-giving-schema.json",
	})
	// The schemas say "http://json-schema.org/draft/2020-12/schema"; state
	// the draft rather than rely on detecting it from that spelling.
	c.DefaultDraft(jsonschema.Draft2020)
	// Dates are oneOf {format: date-time} or a YYYY-MM-DD pattern: unless
	// format is asserted, a plain date matches both branches and fails.
	c.AssertFormat()
	sch, err := c.Compile(PackageSchemaURL)
	if err != nil {
		return nil, fmt.Errorf("compile the 360Giving package schema: %w", err)
	}
	return sch, nil
})

// Validate checks doc, a 360Giving grants package ({"grants": [...]}),
// against the standard's package and grant schemas. A document that is not
// JSON is an error too.
func Validate(doc []byte) error {
	sch, err := compiled()
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return sch.Validate(v)
}
