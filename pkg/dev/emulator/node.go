package emulator

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
)

// StartSES starts aws-ses-v2-local on 127.0.0.1:port (0 picks a free port)
// and waits for its health check. It returns the process and its endpoint,
// e.g. "http://127.0.0.1:8005"; point the SDK at it with
// AWS_ENDPOINT_URL_SES, and read what was sent with SESMessages. It keeps
// mail in memory only. ctx bounds only the wait for start-up.
func StartSES(ctx context.Context, port int) (*Process, string, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, "", err
	}
	entry, err := need(root, sesEntry)
	if err != nil {
		return nil, "", err
	}
	node, err := nodePath()
	if err != nil {
		return nil, "", err
	}
	p, err := start(ctx, spec{
		name: "ses",
		dir:  root,
		argv: func(port int) []string {
			return []string{node, entry, "--host", "127.0.0.1", "--port", strconv.Itoa(port)}
		},
		ready: func(ctx context.Context, endpoint string) bool {
			return httpAnswers(true)(ctx, endpoint+"/health-check")
		},
	}, port)
	if err != nil {
		return nil, "", err
	}
	forgetSESMessages(p.Endpoint) // a new store: what an earlier one at this port held is gone
	return p, p.Endpoint, nil
}

// StartS3 starts s3rver on 127.0.0.1:port (0 picks a free port) storing
// buckets under dir (created if missing), and waits until it answers. It
// returns the process and its endpoint, e.g. "http://127.0.0.1:4569".
//
// s3rver accepts only the access key id "S3RVER" (it does not check SigV4
// signatures, so any secret works) and needs path-style addressing
// (s3.Options.UsePathStyle). ctx bounds only the wait for start-up.
func StartS3(ctx context.Context, port int, dir string) (*Process, string, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, "", err
	}
	entry, err := need(root, s3Entry)
	if err != nil {
		return nil, "", err
	}
	node, err := nodePath()
	if err != nil {
		return nil, "", err
	}
	if dir == "" {
		return nil, "", fmt.Errorf("emulator: StartS3 needs a data directory")
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return nil, "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, "", fmt.Errorf("emulator: s3 data dir: %w", err)
	}
	p, err := start(ctx, spec{
		name: "s3",
		dir:  root,
		argv: func(port int) []string {
			return []string{node, entry, "-d", dir, "-a", "127.0.0.1", "-p", strconv.Itoa(port), "--silent"}
		},
		ready: httpAnswers(false),
	}, port)
	if err != nil {
		return nil, "", err
	}
	return p, p.Endpoint, nil
}

func nodePath() (string, error) {
	p, err := exec.LookPath("node")
	if err != nil {
		return "", fmt.Errorf("emulator: the SES and S3 emulators need Node.js (20+) and node is not on PATH: %w", err)
	}
	return p, nil
}
