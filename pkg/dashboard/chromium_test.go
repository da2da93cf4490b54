package dashboard

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/dev/testenv/chromium"
)

// renderFixtureFile writes the fixture page where Chromium can open it.
// A file URL rather than a loopback server: nothing here needs HTTP.
func renderFixtureFile(t *testing.T) string {
	t.Helper()
	chromium.Need(t)
	var buf bytes.Buffer
	if _, err := Render(&buf, fixturePage(t)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "dashboard.html")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return (&url.URL{Scheme: "file", Path: path}).String()
}

// TestChromiumScreenshot renders the fixture in a real browser and keeps the
// picture (testdata/dashboard.png, the artefact a reviewer looks at, is
// refreshed by make screenshots).
func TestChromiumScreenshot(t *testing.T) {
	chromium.Keep(t, "dashboard.png", chromium.Screenshot(t, renderFixtureFile(t)))
}

// TestChromiumDOM checks what a browser actually built from the page: the
// partners and the summary figures are there as text, and the hostile
// subject line stayed text.
func TestChromiumDOM(t *testing.T) {
	page := renderFixtureFile(t)
	dom := string(chromium.Run(t, "--dump-dom", page))
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
