// Package cost turns what a walked year did on the local stack into what
// it would cost in AWS: Usage adds up the functions' invocation lines
// (pkg/callmeter, with the DynamoDB units pkg/dev/billing computes), the
// bytes they log and the hours their business metrics have data; Bill
// prices that and the template's fixed resources from a dated price table
// (Prices). make cost walks the year (cmd/cost) and prints the bill.
package cost

import (
	"encoding/json"
	"math"
	"strings"
)

// Usage is what a walk did.
type Usage struct {
	// By function logical ID.
	Invocations map[string]int
	// BilledMs is each function's billed duration: each invocation's
	// rounded up to the millisecond.
	BilledMs map[string]float64
	// LogBytes is what each function logged (its own lines; the platform's
	// are added per invocation when billed).
	LogBytes map[string]int64
	// The DynamoDB request units billed (the model's) and what DynamoDB
	// Local reported.
	RRU, WRU, ReportedRCU, ReportedWCU float64
	// Calls are the AWS calls made, by "Service.Operation".
	Calls map[string]int
	// HTTPRequests are the API's requests (invocations from a route).
	HTTPRequests int
	// MetricHours are the (metric, dimensions, hour) with data: CloudWatch
	// meters a custom metric by the hours it receives data.
	MetricHours int
}

// NewUsage is an empty Usage.
func NewUsage() *Usage {
	return &Usage{Invocations: map[string]int{}, BilledMs: map[string]float64{}, LogBytes: map[string]int64{}, Calls: map[string]int{}}
}

// Line is one invocation line as the functions log it.
type Line struct {
	Message          string         `json:"message"`
	Event            string         `json:"event"`
	Route            string         `json:"route"`
	RequestID        string         `json:"requestId"`
	AWSCalls         map[string]int `json:"awsCalls"`
	ReadUnits        float64        `json:"readUnits"`
	WriteUnits       float64        `json:"writeUnits"`
	BilledReadUnits  float64        `json:"billedReadUnits"`
	BilledWriteUnits float64        `json:"billedWriteUnits"`
	DurationMs       float64        `json:"durationMs"`
}

// ParseLine reads one log line; ok is false for a line that is not an
// invocation line.
func ParseLine(b []byte) (Line, bool) {
	var l Line
	if err := json.Unmarshal(b, &l); err != nil || l.Message != "invocation" {
		return Line{}, false
	}
	return l, true
}

// Add counts one invocation of function fn.
func (u *Usage) Add(fn string, l Line) {
	u.Invocations[fn]++
	u.BilledMs[fn] += math.Max(1, math.Ceil(l.DurationMs))
	u.RRU += l.BilledReadUnits
	u.WRU += l.BilledWriteUnits
	u.ReportedRCU += l.ReadUnits
	u.ReportedWCU += l.WriteUnits
	for k, v := range l.AWSCalls {
		u.Calls[k] += v
	}
	if l.Route != "" {
		u.HTTPRequests++
	}
}

// CallsOf adds up the calls of service whose operation starts with one of
// prefixes ("SES", "Send").
func (u *Usage) CallsOf(service string, prefixes ...string) int {
	n := 0
	for k, v := range u.Calls {
		svc, op, _ := strings.Cut(k, ".")
		if svc != service {
			continue
		}
		for _, p := range prefixes {
			if strings.HasPrefix(op, p) {
				n += v
				break
			}
		}
	}
	return n
}
