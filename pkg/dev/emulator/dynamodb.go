package emulator

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Options configures StartDynamoDB.
type Options struct {
	// Port to listen on; 0 picks a free port.
	Port int
	// DataDir keeps tables on disk across restarts (created if missing);
	// "" runs in memory, which is what tests want.
	DataDir string
	// JavaOptions go to the JVM before -jar (for example -Xmx8g).
	JavaOptions []string
}

// StartDynamoDB starts AWS's DynamoDB Local (the jar shipped by the npm
// package amplify-dynamodb-simulator) and waits until it answers. It returns
// the process and its endpoint, e.g. "http://127.0.0.1:8000".
//
// It runs with -sharedDb, so the set of tables does not depend on the access
// key and region a client uses. DynamoDB Local has no option to choose the
// listen address: it listens on all interfaces, and the endpoint uses
// 127.0.0.1. ctx bounds only the wait for start-up.
func StartDynamoDB(ctx context.Context, opts Options) (*Process, string, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, "", err
	}
	jar, err := need(root, dynamoDBJar)
	if err != nil {
		return nil, "", err
	}
	lib, err := need(root, dynamoDBLib)
	if err != nil {
		return nil, "", err
	}
	java, err := javaPath()
	if err != nil {
		return nil, "", err
	}
	storage := []string{"-inMemory"}
	if opts.DataDir != "" {
		dir, err := filepath.Abs(opts.DataDir)
		if err != nil {
			return nil, "", err
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, "", fmt.Errorf("emulator: dynamodb data dir: %w", err)
		}
		storage = []string{"-dbPath", dir}
	}
	p, err := start(ctx, spec{
		name: "dynamodb",
		dir:  filepath.Dir(jar),
		argv: func(port int) []string {
			args := append([]string{java}, opts.JavaOptions...)
			args = append(args,
				"-Djava.library.path="+lib,
				"-jar", jar,
				"-sharedDb", "-disableTelemetry",
				"-port", strconv.Itoa(port))
			return append(args, storage...)
		},
		// Any HTTP answer (DynamoDB Local replies 400 to a bare GET) means up.
		ready: httpAnswers(false),
		failed: func(out string) bool {
			return strings.Contains(out, `Exception in thread "main"`)
		},
	}, opts.Port)
	if err != nil {
		return nil, "", err
	}
	return p, p.Endpoint, nil
}

// javaPath prefers $JAVA_HOME/bin/java, then java on PATH.
func javaPath() (string, error) {
	if home := os.Getenv("JAVA_HOME"); home != "" {
		p := filepath.Join(home, "bin", "java")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	p, err := exec.LookPath("java")
	if err != nil {
		return "", fmt.Errorf("emulator: DynamoDB Local needs a Java runtime (17+) and java is not on PATH: %w", err)
	}
	return p, nil
}
