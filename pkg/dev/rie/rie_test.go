package rie

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/samtemplate"
)

// The emulator runs a bootstrap with the environment it is given and
// reports its answer, a handler's error, and an init that exits, as
// Lambda does. Builds the emulator: INVOKE_BOOTSTRAPS=1 (make test-slow).
func TestEmulator(t *testing.T) {
	if os.Getenv("INVOKE_BOOTSTRAPS") != "1" {
		t.Skip("builds the Lambda runtime emulator: INVOKE_BOOTSTRAPS=1 (make test-slow)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	root := filepath.Join("..", "..", "..")
	emu, err := Path(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	bootstrap := filepath.Join(t.TempDir(), "bootstrap")
	build := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-o", bootstrap, "./testdata/fn")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	fn := samtemplate.Function{ID: "TestFunction", MemorySize: 128, Timeout: 10}
	for _, c := range []struct {
		mode, wantBody, wantError string
	}{
		{"", `{"event":{"n":1},"greeting":"hello"}`, ""},
		{"error", `"errorMessage":"no such agreement"`, "no such agreement"},
		{"exit", "", "502"},
	} {
		e, err := Start(ctx, emu, bootstrap, fn, map[string]string{"GREETING": "hello", "MODE": c.mode}, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := e.Invoke(ctx, []byte(`{"n":1}`))
		e.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(resp.Body), c.wantBody) || (c.wantError == "") != (resp.Error == "") || !strings.Contains(resp.Error, c.wantError) {
			t.Errorf("MODE=%s: %d %s, error %q\n%s", c.mode, resp.Status, resp.Body, resp.Error, e.Logs())
		}
		if c.mode == "exit" && !strings.Contains(e.Logs(), "GREETING: not set") {
			t.Errorf("MODE=exit: the bootstrap's output is not in the logs:\n%s", e.Logs())
		}
	}
}
