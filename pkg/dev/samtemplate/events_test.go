package samtemplate

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every function has a sample event for sam local invoke, and every sample
// HTTP event names a route the template really has.
func TestSampleEvents(t *testing.T) {
	root := filepath.Join("..", "..", "..")
	tpl, err := Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	routes, err := tpl.Routes()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, r := range routes {
		known[r.RouteKey()] = true
	}
	files, _ := filepath.Glob(filepath.Join(root, "events", "*.json"))
	names := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var ev struct {
			RouteKey string `json:"routeKey"`
		}
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		if ev.RouteKey != "" && !known[ev.RouteKey] {
			t.Errorf("%s: route %q is not in template.yaml", f, ev.RouteKey)
		}
		names[filepath.Base(f)] = true
	}
	dirs, _ := os.ReadDir(filepath.Join(root, "functions"))
	for _, d := range dirs {
		found := false
		for n := range names {
			if strings.HasPrefix(n, d.Name()) {
				found = true
			}
		}
		if !found {
			t.Errorf("functions/%s has no sample event in events/", d.Name())
		}
	}
	if len(dirs) != len(tpl.Functions()) {
		t.Errorf("%d function directories but %d functions in template.yaml", len(dirs), len(tpl.Functions()))
	}
}
