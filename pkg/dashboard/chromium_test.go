package dashboard

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const chromium = "/usr/bin/chromium"

// chromiumFlags keep headless Chromium off the network (this machine's is
// closed, and a browser waiting on it stalls) and out of the user's profile.
func chromiumFlags(profile string) []string {
	return []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + profile, "--window-size=1400,1800",
	}
}

// renderFixtureFile writes the fixture page where Chromium can open it.
// A file URL rather than a loopback server: nothing here needs HTTP, and it
// keeps any proxy settings in the environment out of the way.
func renderFixtureFile(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("install Debian chromium (apt-get install chromium)")
	}
	var buf bytes.Buffer
	if err := Render(&buf, fixturePage(t)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "dashboard.html")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return (&url.URL{Scheme: "file", Path: path}).String()
}

func runChromium(t *testing.T, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, append(chromiumFlags(t.TempDir()), args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.Bytes()
}

// TestChromiumScreenshot renders the fixture in a real browser and keeps the
// picture as testdata/dashboard.png, the artefact a reviewer looks at.
func TestChromiumScreenshot(t *testing.T) {
	page := renderFixtureFile(t)
	shot := filepath.Join(t.TempDir(), "dashboard.png")
	runChromium(t, "--hide-scrollbars", "--screenshot="+shot, page)

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
	if err := os.WriteFile(filepath.Join("testdata", "dashboard.png"), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestChromiumDOM checks what a browser actually built from the page: the
// partners and the summary figures are there as text, and the hostile
// subject line stayed text.
func TestChromiumDOM(t *testing.T) {
	page := renderFixtureFile(t)
	dom := string(runChromium(t, "--dump-dom", page))
	for _, want := range []string{
		"Ancoats Community Larder",
		"Oldham Young Carers Network",
		"Rochdale Men's Shed",
		"Levenshulme Stitchers &amp; Makers",
		"£25,000.00", "£17,500.00", "£7,500.00",
		"Check-in 2 overdue since 18 Mar 2026",
		"Replies in quarantine",
		`&lt;script&gt;alert("hi")&lt;/script&gt;`,
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered DOM lacks %q", want)
		}
	}
	if strings.Contains(dom, `<script>`) {
		t.Error("rendered DOM contains a script element")
	}
}

// colours counts distinct colours, stopping at limit; a blank or
// single-colour capture has one or two.
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
