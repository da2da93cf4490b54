package stack

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"
)

// captured is what the functions write to stdout in AWS, for a test to
// read: their log lines, through the production handler (pkg/logs), and
// their metric lines (pkg/metrics).
type captured struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (c *captured) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.Write(p)
}

// capture writes here what the functions of st log, through their own
// handler at debug (the most any deployment logs), until the test ends
// (testLogs).
func (c *captured) capture(t *testing.T, st *Stack) {
	testLogs.open(c, st)
	t.Cleanup(func() { testLogs.close(c) })
}

// lines are the lines so far, each a JSON object (any other line fails t).
func (c *captured) lines(t *testing.T) ([]string, []map[string]any) {
	t.Helper()
	c.mu.Lock()
	raw := strings.Split(strings.TrimSpace(c.buf.String()), "\n")
	c.mu.Unlock()
	var parsed []map[string]any
	for _, l := range raw {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("a line that is not JSON: %s", l)
		}
		parsed = append(parsed, m)
	}
	return raw, parsed
}

// private fails t for each of secrets (addresses, names, words) that any
// line carries, in any case.
func (c *captured) private(t *testing.T, secrets ...string) {
	t.Helper()
	raw, _ := c.lines(t)
	for _, s := range secrets {
		for _, l := range raw {
			if strings.Contains(strings.ToLower(l), strings.ToLower(s)) {
				t.Errorf("the log carries %q: %s", s, l)
				break
			}
		}
	}
}

// carries fails t unless the functions logged, each invocation's lines with
// its Lambda request ID, and lines about the agreement with its ID.
func (c *captured) carries(t *testing.T, agreementID string) {
	t.Helper()
	_, lines := c.lines(t)
	withRequest, aboutIt, invocations := 0, 0, 0
	for _, l := range lines {
		if l["_aws"] != nil {
			continue // a metric
		}
		if l["timestamp"] == nil || l["level"] == nil || l["message"] == nil {
			t.Errorf("a line without Lambda's keys: %v", l)
		}
		if l["requestId"] != nil && l["requestId"] != "" {
			withRequest++
		}
		if l["agreementId"] == agreementID {
			aboutIt++
		}
		if l["message"] == "invocation" {
			invocations++
			if l["requestId"] == nil || l["requestId"] == "" {
				t.Errorf("an invocation's line without its request ID: %v", l)
			}
		}
	}
	if invocations == 0 || aboutIt == 0 {
		t.Errorf("%d lines: %d invocations, %d with a request ID, %d about agreement %s; want some of each", len(lines), invocations, withRequest, aboutIt, agreementID)
	}
	t.Logf("%d lines: %d invocations, %d with a request ID, %d about the agreement", len(lines), invocations, withRequest, aboutIt)
}

// metric is each value of metric name in programme, from the EMF lines.
func (c *captured) metric(t *testing.T, programme, name string) []float64 {
	t.Helper()
	_, lines := c.lines(t)
	var out []float64
	for _, l := range lines {
		if v, ok := l[name].(float64); ok && l["_aws"] != nil && l["Programme"] == programme {
			out = append(out, v)
		}
	}
	return out
}

func (c *captured) sum(t *testing.T, programme, name string) int {
	t.Helper()
	n := 0.0
	for _, v := range c.metric(t, programme, name) {
		n += v
	}
	return int(n)
}

func (c *captured) count(t *testing.T, programme, name string) int {
	t.Helper()
	return len(c.metric(t, programme, name))
}
