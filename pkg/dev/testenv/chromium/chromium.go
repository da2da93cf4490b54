// Package chromium runs Debian's headless Chromium for tests that look at
// a page the way a person's browser would: its DOM, and a screenshot.
package chromium

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const path = "/usr/bin/chromium"

// Need skips the test when Chromium is not installed, or under -short
// (make check), as a browser takes seconds to start.
func Need(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts Chromium; skipped with -short")
	}
	if _, err := os.Stat(path); err != nil {
		t.Skip("install Debian chromium (apt-get install chromium)")
	}
}

// Run runs Chromium with args and returns what it printed. The flags keep
// it off the network and out of any proxy (this machine's network is
// closed, and a browser waiting on it stalls) and out of the user's profile.
func Run(t testing.TB, args ...string) []byte {
	t.Helper()
	stdout, _ := run(t, args...)
	return stdout
}

// Console loads url and returns the messages the page wrote to the
// browser's console, Content Security Policy violations among them.
func Console(t testing.TB, url string) []string {
	t.Helper()
	_, stderr := run(t, "--enable-logging=stderr", "--v=0", "--dump-dom", url)
	var out []string
	for line := range strings.Lines(string(stderr)) {
		if _, msg, ok := strings.Cut(line, ":CONSOLE"); ok {
			out = append(out, strings.TrimSpace(msg))
		}
	}
	return out
}

func run(t testing.TB, args ...string) (stdout, stderr []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	flags := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--no-proxy-server",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--window-size=1400,1800",
	}
	cmd := exec.CommandContext(ctx, path, append(flags, args...)...)
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, errs.String())
	}
	return out.Bytes(), errs.Bytes()
}

// Share is the fraction of the picture's pixels (a sample of them) that
// are exactly the colour c, "#rrggbb": whether a stylesheet's colour
// painted, say.
func Share(t testing.TB, picture []byte, c string) float64 {
	t.Helper()
	var want [3]uint8
	if _, err := fmt.Sscanf(c, "#%02x%02x%02x", &want[0], &want[1], &want[2]); err != nil {
		t.Fatalf("colour %q: %v", c, err)
	}
	img, err := png.Decode(bytes.NewReader(picture))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	n, hit := 0, 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, _ := img.At(x, y).RGBA()
			n++
			if uint8(r>>8) == want[0] && uint8(g>>8) == want[1] && uint8(bl>>8) == want[2] {
				hit++
			}
		}
	}
	return float64(hit) / float64(max(n, 1))
}

// Screenshot captures url and checks the picture painted: a PNG of at
// least 1000×1000 with 8 or more colours (a blank capture has one or two).
func Screenshot(t testing.TB, url string) []byte {
	t.Helper()
	shot := t.TempDir() + "/screenshot.png"
	Run(t, "--hide-scrollbars", "--screenshot="+shot, url)
	data, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 1000 || b.Dy() < 1000 {
		t.Errorf("screenshot is %dx%d, want about 1400x1800", b.Dx(), b.Dy())
	}
	if n := colours(img, 64); n < 8 {
		t.Errorf("screenshot has %d distinct colours: the page did not paint", n)
	}
	return data
}

// colours counts distinct colours, stopping at limit.
func colours(img image.Image, limit int) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
			if len(seen) >= limit {
				return len(seen)
			}
		}
	}
	return len(seen)
}

// Keep saves a screenshot for people to look at as testdata/<name>, the
// committed copy (KeepPage calls it only under make screenshots).
func Keep(t testing.TB, name string, picture []byte) {
	t.Helper()
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join("testdata", name)
	if err := os.WriteFile(file, picture, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", file)
}
