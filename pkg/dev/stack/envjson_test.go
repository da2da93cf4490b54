package stack

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/dev/samtemplate"
)

var update = flag.Bool("update", false, "rewrite events/env.json from the local stack's settings")

// TestEnvJSONIsTheLocalStacks: events/env.json, which sam local gives the
// functions, holds exactly what make run's stack sets (so a sam local
// invoke reaches make run's emulators and table), and names every variable
// template.yaml gives a function.
func TestEnvJSONIsTheLocalStacks(t *testing.T) {
	root := filepath.Join("..", "..", "..")
	path := filepath.Join(root, "events", "env.json")
	want := localSettings(DefaultOptions(root))
	if *update {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(map[string]any{"Parameters": want}); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var env struct{ Parameters map[string]string }
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatal(err)
	}
	for k, v := range want {
		if got, ok := env.Parameters[k]; !ok || got != v {
			t.Errorf("env.json has %s=%q; make run sets %q (go test ./pkg/dev/stack -run TestEnvJSON -update)", k, got, v)
		}
	}
	for k := range env.Parameters {
		if _, ok := want[k]; !ok {
			t.Errorf("env.json sets %s, which make run does not", k)
		}
	}
	// What sam local gives a function from it, with the runtime's region and
	// keys, is a Config every function can start with, as make run's is.
	withRuntime := func(name string) string {
		if v, ok := map[string]string{"AWS_REGION": localRegion, "AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": "S3RVER"}[name]; ok {
			return v
		}
		return env.Parameters[name]
	}
	if _, err := app.Load(withRuntime, localNeeds(DefaultOptions(root))...); err != nil {
		t.Errorf("env.json is not a configuration the functions start with: %v", err)
	}
	tpl, err := samtemplate.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	names, err := tpl.EnvironmentNames()
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 10 {
		t.Fatalf("read only %d variables from template.yaml: %v", len(names), names)
	}
	for _, name := range names {
		if _, ok := env.Parameters[name]; !ok && !strings.HasPrefix(name, "AWS_") {
			t.Errorf("template.yaml gives a function %s; env.json and make run do not", name)
		}
	}
}
