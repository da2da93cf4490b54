package emulator

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// EnsureNodeModules installs the emulator packages under root/node_modules if
// any of them is missing, so that `go test` or `make run` works on a fresh
// clone. It runs `npm ci` (exact versions from package-lock.json), or `npm
// install` only when there is no lock file. Concurrent callers (go test runs
// several test binaries at once) are serialised with a file lock so only one
// npm runs; the others find the packages installed when they get the lock.
func EnsureNodeModules(ctx context.Context, root string) error {
	if installed(root) {
		return nil
	}
	unlock, err := lockFile(root)
	if err != nil {
		return err
	}
	defer unlock()
	if installed(root) { // another process installed them while we waited
		return nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return fmt.Errorf("emulator: node_modules is missing the emulator packages and npm is not on PATH (install Node.js 20+): %w", err)
	}
	args := []string{"ci", "--no-audit", "--no-fund"}
	if _, err := os.Stat(filepath.Join(root, "package-lock.json")); errors.Is(err, os.ErrNotExist) {
		args[0] = "install"
	}
	out := &tailBuffer{max: outputTail}
	cmd := exec.CommandContext(ctx, npm, args...)
	cmd.Dir = root
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("emulator: npm %s in %s: %w; output:\n%s", args[0], root, err, indent(out.String()))
	}
	if !installed(root) {
		return fmt.Errorf("emulator: npm %s in %s succeeded but emulator files are still missing (is package.json pinning them?)", args[0], root)
	}
	return nil
}

func installed(root string) bool {
	for _, f := range requiredFiles {
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			return false
		}
	}
	return true
}

// lockFile takes an exclusive flock on a per-repo file in the temp dir (not in
// the repo, so nothing needs ignoring) and returns its release function.
func lockFile(root string) (func(), error) {
	sum := sha256.Sum256([]byte(root))
	path := filepath.Join(os.TempDir(), "emulator-npm-"+hex.EncodeToString(sum[:8])+".lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("emulator: open npm lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("emulator: lock %s: %w", path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// need returns the absolute path of a file under root/node_modules, or an
// error telling the caller how to install it.
func need(root, rel string) (string, error) {
	p := filepath.Join(root, rel)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("emulator: %s not found; run `npm ci` in %s (or call emulator.EnsureNodeModules)", p, root)
	}
	return p, nil
}
