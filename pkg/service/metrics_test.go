package service_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/partnership-grants/backend/pkg/metrics"
)

// emitted is the EMF lines the service wrote in a test, as CloudWatch would
// read them from the function's stdout.
type emitted struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (m *emitted) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.buf.Write(p)
}

// countMetrics makes e's service write its metrics to lines a test reads.
func (e *env) countMetrics() *emitted {
	m := &emitted{}
	e.x.Metrics = metrics.New(m, "PartnershipGrants/test")
	return m
}

// values are the values of metric name in the lines so far, in order.
func (m *emitted) values(t testing.TB, name string) []int {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []int
	for _, l := range strings.Split(strings.TrimSpace(m.buf.String()), "\n") {
		if l == "" {
			continue
		}
		var line map[string]any
		if err := json.Unmarshal([]byte(l), &line); err != nil {
			t.Fatalf("not a JSON line: %s", l)
		}
		if v, ok := line[name].(float64); ok {
			if line["Programme"] != "community-2026" {
				t.Errorf("metric for programme %v: %s", line["Programme"], l)
			}
			out = append(out, int(v))
		}
	}
	return out
}

// sum is the total of metric name so far.
func (m *emitted) sum(t testing.TB, name string) int {
	t.Helper()
	n := 0
	for _, v := range m.values(t, name) {
		n += v
	}
	return n
}
