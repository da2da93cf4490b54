package monitoringapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/httpapi"
)

// Every response tells a browser not to sniff types, not to be framed and
// not to pass the address on, and allows nothing to run or load.
func TestBrowserHeaders(t *testing.T) {
	f := newMonitoringFixture(t)
	csv := f.do(t, get("/programmes/{programme}/export.csv", community, httpapi.RoleFinance))
	summary := f.do(t, get("/programmes/{programme}/summary", community, httpapi.RoleViewer))
	refused := f.do(t, get("/programmes/{programme}/export.csv", community, httpapi.RoleViewer))
	if refused.StatusCode != http.StatusForbidden || refused.Headers["Content-Type"] != "application/problem+json" {
		t.Fatalf("refused: %d %s", refused.StatusCode, refused.Headers["Content-Type"])
	}
	for name, resp := range map[string]map[string]string{"csv": csv.Headers, "summary": summary.Headers, "problem": refused.Headers} {
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
