// Package metrics writes business metrics as CloudWatch embedded metric
// format (EMF) lines: one JSON object per event on the function's stdout,
// from which CloudWatch Logs extracts the metric, by programme, with no
// PutMetricData call (and so no client, permission or latency). See
// "Specification: Embedded metric format" in the CloudWatch guide.
// (pkg/callmeter measures one invocation's AWS calls; pkg/reports is what
// staff read.)
package metrics

import (
	"context"
	"encoding/json"
	"io"
	"sync"
	"time"

	"github.com/partnership-grants/backend/pkg/logs"
)

// DefaultNamespace is the namespace without METRICS_NAMESPACE (the
// template sets PartnershipGrants/<Stage>).
const DefaultNamespace = "PartnershipGrants"

// Namespace is the metrics' CloudWatch namespace: the one configured
// (METRICS_NAMESPACE), else DefaultNamespace.
func Namespace(configured string) string {
	if configured != "" {
		return configured
	}
	return DefaultNamespace
}

// EMF writes each metric event as one EMF line to W.
type EMF struct {
	mu        sync.Mutex
	w         io.Writer
	namespace string
}

// New writes metrics of namespace to w.
func New(w io.Writer, namespace string) *EMF { return &EMF{w: w, namespace: namespace} }

// Count records n of the event name (Unit Count) in programme.
func (e *EMF) Count(ctx context.Context, programme, name string, n int) {
	e.write(ctx, programme, name, "Count", n)
}

// Observe records one value v of name (Unit None) in programme, e.g. how
// many days late one instalment was paid.
func (e *EMF) Observe(ctx context.Context, programme, name string, v int) {
	e.write(ctx, programme, name, "None", v)
}

type metric struct {
	Name string
	Unit string
}

type directive struct {
	Namespace  string
	Dimensions [][]string
	Metrics    []metric
}

type metadata struct {
	Timestamp         int64
	CloudWatchMetrics []directive
}

func (e *EMF) write(ctx context.Context, programme, name, unit string, v int) {
	if programme == "" {
		programme = "unknown" // a dimension's value may not be empty
	}
	// Wall-clock time, not the product's clock: CloudWatch drops metrics
	// timestamped more than two weeks back or two hours ahead.
	line := map[string]any{
		"_aws": metadata{Timestamp: time.Now().UnixMilli(), CloudWatchMetrics: []directive{{
			Namespace: e.namespace, Dimensions: [][]string{{"Programme"}}, Metrics: []metric{{Name: name, Unit: unit}}}}},
		"Programme": programme,
		name:        v,
	}
	// The IDs as plain members, for Logs Insights (not dimensions: one
	// series per agreement would cost a metric each).
	if id := logs.RequestID(ctx); id != "" {
		line[logs.RequestIDKey] = id
	}
	if id := logs.AgreementID(ctx); id != "" {
		line[logs.AgreementKey] = id
	}
	b, err := json.Marshal(line)
	if err != nil {
		return // cannot happen: strings and numbers only
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	_, _ = e.w.Write(append(b, '\n'))
}
