// Package rie runs a function's real bootstrap under the AWS Lambda Runtime
// Interface Emulator (github.com/aws/aws-lambda-runtime-interface-emulator,
// the emulator inside sam local's containers; go.mod's tool directive pins
// its version), without Docker: make invoke, and the test that invokes every
// function's bootstrap on a seeded local stack.
package rie

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/dev/samtemplate"
)

// Path is the emulator's executable: go tool builds it once at the version
// go.mod pins and keeps it in the build cache.
func Path(ctx context.Context, root string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "tool", "-n", "aws-lambda-rie")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go tool -n aws-lambda-rie: %w\n%s", err, stderr.String())
	}
	return strings.TrimSpace(string(out)), nil
}

// GOARCH is the architecture bootstraps are built for here: the template's
// if this machine runs it, else this machine's (an arm64 bootstrap cannot
// run on an amd64 machine without an emulator; Go builds both alike).
func GOARCH(fn samtemplate.Function) string {
	if fn.GOARCH() == runtime.GOARCH {
		return fn.GOARCH()
	}
	return runtime.GOARCH
}

// Build builds fn's bootstrap into dir as sam build does: its BuildMethod is
// makefile, so the Makefile's build-<LogicalId> target with ARTIFACTS_DIR,
// for goarch (BUILD_GOARCH; the template's architecture by default).
func Build(ctx context.Context, root string, fn samtemplate.Function, goarch, dir string) (string, error) {
	if fn.BuildMethod != "makefile" {
		return "", fmt.Errorf("%s: BuildMethod %q (make invoke builds only the makefile method)", fn.ID, fn.BuildMethod)
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "make", "-s", "--no-print-directory", "build-"+fn.ID, "ARTIFACTS_DIR="+dir, "BUILD_GOARCH="+goarch)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("make build-%s: %w\n%s", fn.ID, err, out)
	}
	return filepath.Join(dir, "bootstrap"), nil
}

// Emulator is one running emulator with one function's bootstrap: it
// starts the bootstrap at the first invocation (Lambda's init) and keeps it
// for the next, as a warm Lambda sandbox does.
type Emulator struct {
	cmd  *exec.Cmd
	url  string
	logs *syncBuffer
	done chan struct{}
	err  error
}

// Start runs the emulator on a free loopback port with bootstrap, in
// bootstrap's directory (Lambda's /var/task), with env and what Lambda
// tells a runtime about fn (name, memory, timeout) as its whole
// environment: the emulator passes its environment to the bootstrap. Its
// output and the bootstrap's (the function's log lines, START, END and
// REPORT) go to logs too when it is not nil.
func Start(ctx context.Context, rie, bootstrap string, fn samtemplate.Function, env map[string]string, logs io.Writer) (*Emulator, error) {
	port, err := emulator.FreePort()
	if err != nil {
		return nil, err
	}
	apiPort, err := emulator.FreePort()
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	full := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        fn.ID,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(fn.MemorySize),
		"AWS_LAMBDA_FUNCTION_TIMEOUT":     strconv.Itoa(fn.Timeout),
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_EXECUTION_ENV":               "AWS_Lambda_provided.al2023",
		"LAMBDA_TASK_ROOT":                filepath.Dir(bootstrap),
		"PATH":                            "/usr/local/bin:/usr/bin:/bin",
		"TZ":                              ":UTC",
		"LOG_LEVEL":                       "warn", // the emulator's own lines
	}
	for k, v := range env {
		full[k] = v
	}
	keys := make([]string, 0, len(full))
	for k := range full {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	e := &Emulator{url: "http://" + addr + "/2015-03-31/functions/function/invocations", logs: &syncBuffer{}, done: make(chan struct{})}
	e.cmd = exec.Command(rie, "--runtime-interface-emulator-address", addr,
		"--runtime-api-address", fmt.Sprintf("127.0.0.1:%d", apiPort), bootstrap)
	e.cmd.Dir = filepath.Dir(bootstrap)
	for _, k := range keys {
		e.cmd.Env = append(e.cmd.Env, k+"="+full[k])
	}
	var out io.Writer = e.logs
	if logs != nil {
		out = io.MultiWriter(e.logs, logs)
	}
	e.cmd.Stdout, e.cmd.Stderr = out, out
	// Its own process group, so Close stops the bootstrap too; killed with
	// this process.
	e.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := e.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", rie, err)
	}
	go func() { e.err = e.cmd.Wait(); close(e.done) }()
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = c.Close()
			return e, nil
		}
		select {
		case <-e.done:
			return nil, fmt.Errorf("the emulator exited (%v):\n%s", e.err, e.logs.String())
		case <-ctx.Done():
			e.Close()
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			e.Close()
			return nil, fmt.Errorf("the emulator did not listen on %s within 15s:\n%s", addr, e.logs.String())
		}
	}
}

// Response is what an invocation returned.
type Response struct {
	Status int    // the emulator's HTTP status
	Body   []byte // the function's result, or its error document
	// Error is the function's error ("errorType: errorMessage"), as Lambda
	// reports a handler's error or an init that failed; empty if it answered.
	Error string
}

// Invoke posts event to the emulator's invoke endpoint, as the Lambda
// Invoke API does, and returns the function's answer.
func (e *Emulator) Invoke(ctx context.Context, event []byte) (Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, bytes.NewReader(event))
	if err != nil {
		return Response{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return Response{}, err
	}
	r := Response{Status: resp.StatusCode, Body: body}
	var fe struct {
		Type    string `json:"errorType"`
		Message string `json:"errorMessage"`
	}
	if json.Unmarshal(body, &fe) == nil && (fe.Type != "" || fe.Message != "") {
		r.Error = fe.Type + ": " + fe.Message
	} else if resp.StatusCode != http.StatusOK {
		// 502 and no body: the bootstrap exited (at init, or while
		// invoked); its output says why.
		r.Error = fmt.Sprintf("the emulator answered %s %s (the bootstrap failed: see its output)", resp.Status, strings.TrimSpace(string(body)))
	}
	return r, nil
}

// Logs is the emulator's and the bootstrap's output so far.
func (e *Emulator) Logs() string { return e.logs.String() }

// Close stops the emulator and the bootstrap.
func (e *Emulator) Close() {
	select {
	case <-e.done:
		return
	default:
	}
	_ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-e.done:
	case <-time.After(3 * time.Second):
		_ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGKILL)
		<-e.done
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
