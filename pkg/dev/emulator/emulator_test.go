package emulator

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func skipShort(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real emulators; skipped with -short")
	}
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := EnsureNodeModules(ctx, root); err != nil {
		t.Fatal(err)
	}
}

// Each emulator starts, answers, and after Stop nothing is left in its
// process group and its port is free again.
func TestStartStop(t *testing.T) {
	skipShort(t)
	dir := t.TempDir()
	cases := []struct {
		name  string
		start func(ctx context.Context) (*Process, string, error)
	}{
		{"dynamodb-memory", func(ctx context.Context) (*Process, string, error) {
			return StartDynamoDB(ctx, Options{JavaOptions: quickJVM})
		}},
		{"dynamodb-disk", func(ctx context.Context) (*Process, string, error) {
			return StartDynamoDB(ctx, Options{DataDir: filepath.Join(dir, "ddb"), JavaOptions: quickJVM})
		}},
		{"ses", func(ctx context.Context) (*Process, string, error) { return StartSES(ctx, 0) }},
		{"s3", func(ctx context.Context) (*Process, string, error) { return StartS3(ctx, 0, filepath.Join(dir, "s3")) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			began := time.Now()
			p, endpoint, err := c.start(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s answered at %s after %v", c.name, endpoint, time.Since(began).Round(time.Millisecond))
			if !strings.HasPrefix(endpoint, "http://127.0.0.1:") {
				t.Errorf("endpoint = %q", endpoint)
			}
			pgid := p.cmd.Process.Pid
			began = time.Now()
			if err := p.Stop(); err != nil {
				t.Fatal(err)
			}
			t.Logf("stopped in %v", time.Since(began).Round(time.Millisecond))
			if err := syscall.Kill(-pgid, 0); err != syscall.ESRCH {
				t.Errorf("process group %d still exists after Stop (kill 0: %v)", pgid, err)
			}
			if conn, err := net.DialTimeout("tcp", strings.TrimPrefix(endpoint, "http://"), time.Second); err == nil {
				conn.Close()
				t.Errorf("%s still accepts connections after Stop", endpoint)
			}
			select {
			case <-p.Done():
			default:
				t.Error("Done not closed after Stop")
			}
			_ = p.Stop() // idempotent
		})
	}
}

// A start that fails reports the emulator's own output.
func TestStartFailureShowsOutput(t *testing.T) {
	skipShort(t)
	l, err := net.Listen("tcp", ":0") // DynamoDB Local binds every interface
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	_, _, err = StartDynamoDB(context.Background(), Options{Port: port, JavaOptions: quickJVM})
	if err == nil {
		t.Fatal("started on a port already in use")
	}
	t.Log(err)
	if !strings.Contains(err.Error(), strconv.Itoa(port)) || !strings.Contains(err.Error(), "output:") {
		t.Errorf("error lacks command or output: %v", err)
	}
}

func TestRepoRoot(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "package.json")); err != nil {
		t.Errorf("package.json not at repo root %s", root)
	}
}

func TestTailBuffer(t *testing.T) {
	b := &tailBuffer{max: 5}
	b.Write([]byte("abc"))
	b.Write([]byte("defg"))
	if got := b.String(); got != "cdefg" {
		t.Errorf("tail = %q", got)
	}
}

// quickJVM is testenv.JavaOptions (which this package cannot import).
var quickJVM = []string{"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"}
