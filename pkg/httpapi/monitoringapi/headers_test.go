package monitoringapi

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/httpapi"
)

// Every response, the page above all, tells a browser not to sniff types,
// not to be framed and not to pass the address on; the page's policy lets
// in its own stylesheet, by hash, and nothing else: no script, no other
// style, no frame, no form, no external anything. The page has no style
// attributes, which a hash cannot allow.
func TestBrowserHeaders(t *testing.T) {
	f := newMonitoringFixture(t)
	page := f.do(t, get("/dashboard", nil, httpapi.RoleViewer))
	if page.StatusCode != http.StatusOK {
		t.Fatalf("dashboard: %d %s", page.StatusCode, page.Body)
	}
	styles := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindAllStringSubmatch(page.Body, -1)
	if len(styles) != 1 {
		t.Fatalf("the page has %d style elements, want 1", len(styles))
	}
	sum := sha256.Sum256([]byte(styles[0][1]))
	csp := page.Headers["Content-Security-Policy"]
	for _, want := range []string{"default-src 'none'", "style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'",
		"frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("page Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	for _, bad := range []string{"unsafe-inline", "unsafe-hashes", "script-src", "*", "http"} {
		if strings.Contains(csp, bad) {
			t.Errorf("page Content-Security-Policy %q allows %q", csp, bad)
		}
	}
	if strings.Contains(page.Body, " style=") {
		t.Error("the page has style attributes, which the policy (rightly) blocks")
	}

	csv := f.do(t, get("/programmes/{programme}/export.csv", community, httpapi.RoleFinance))
	summary := f.do(t, get("/programmes/{programme}/summary", community, httpapi.RoleViewer))
	refused := f.do(t, get("/programmes/{programme}/export.csv", community, httpapi.RoleViewer))
	if refused.StatusCode != http.StatusForbidden || refused.Headers["Content-Type"] != "application/problem+json" {
		t.Fatalf("refused: %d %s", refused.StatusCode, refused.Headers["Content-Type"])
	}
	for name, resp := range map[string]map[string]string{"page": page.Headers, "csv": csv.Headers, "summary": summary.Headers, "problem": refused.Headers} {
		for h, want := range map[string]string{
			"X-Content-Type-Options": "nosniff",
			"X-Frame-Options":        "DENY",
			"Referrer-Policy":        "no-referrer",
		} {
			if resp[h] != want {
				t.Errorf("%s: %s %q, want %q", name, h, resp[h], want)
			}
		}
		if csp := resp["Content-Security-Policy"]; !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s: Content-Security-Policy %q", name, csp)
		}
	}
}
