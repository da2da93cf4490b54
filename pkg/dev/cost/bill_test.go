package cost

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// round prices: every rate 1 per unit, so each line is its count.
var unit = Prices{LambdaGBSecondArm: 1, LambdaGBSecondX86: 2, LambdaPerMillionRequests: 1e6,
	DynamoPerMillionRRU: 1e6, DynamoPerMillionWRU: 2e6, SESPerThousandSent: 1000, SESPerThousandReceived: 1000, SESPerThousandReceivedChunks: 1000,
	S3PerThousandPuts: 1000, S3PerThousandGets: 1000, SchedulerPerMillion: 1e6, SQSPerMillionRequests: 1e6, EventBridgePerMillionEvents: 1e6,
	HTTPAPIPerMillionRequests: 1e6, LogsIngestPerGB: 1 << 30, CustomMetricMonth: hoursPerMonth, AlarmMetricMonth: 1, CompositeAlarmMonth: 5,
	DashboardMonth: 3, XRayPerMillionTraces: 1e6, SecretMonth: 1, SecretsPerTenThousandAPI: 1e4, CognitoMAUFree: 10, CognitoPerMAU: 1}

func TestVariableArithmetic(t *testing.T) {
	u := NewUsage()
	// Two API calls of a 1,024 MB arm function (1,000.2 ms billed as 1,001)
	// and one SendCheckIn of a 512 MB x86 one.
	u.Add("AgreementsFunction", Line{Route: "POST /agreements", DurationMs: 1000.2, BilledReadUnits: 1.5, BilledWriteUnits: 12,
		AWSCalls: map[string]int{"DynamoDB.TransactWriteItems": 1, "Scheduler.CreateSchedule": 4}})
	u.Add("AgreementsFunction", Line{Route: "GET /agreements/{id}", DurationMs: 999, BilledReadUnits: 0.5})
	u.Add("CheckInSenderFunction", Line{Event: "SendCheckIn", DurationMs: 2000, AWSCalls: map[string]int{"SES.SendEmail": 3, "SQS.SendMessageBatch": 1, "EventBridge.PutEvents": 2, "S3.GetObject": 1}})
	u.Add("InboundFunction", Line{Event: "Inbound", DurationMs: 1, AWSCalls: map[string]int{"S3.GetObject": 1, "S3.PutObject": 1}})
	u.LogBytes["AgreementsFunction"] = 100
	u.MetricHours = 7
	specs := map[string]Spec{"AgreementsFunction": {1024, true}, "CheckInSenderFunction": {512, false}, "InboundFunction": {1024, true}}
	a := Assumptions{PlatformLogBytes: 10, AccessLogBytes: 1, StaffMAU: 12}
	got := map[string]float64{}
	for _, it := range Variable(u, specs, unit, a) {
		got[it.Service] = it.USD
	}
	want := map[string]float64{
		// (1.001 + 0.999 + 0.001) GB-s at 1, 1 GB-s (2 s at 0.5 GB) at 2; 4 requests.
		"Lambda":   2.001 + 2 + 4,
		"DynamoDB": 2*1 + 12*2,
		// 3 sent; 1 received, with its one chunk.
		"SES": 3 + 1 + 1,
		// The inbound PutObject and SES's own write of the message; two GetObjects.
		"S3":                    2 + 2,
		"EventBridge Scheduler": 4,
		// One send, and a receive and a delete for the one SendCheckIn.
		"SQS":                    1 + 2,
		"EventBridge":            2,
		"API Gateway (HTTP API)": 2,
		// 100 B logged, 10 B per invocation (4), 1 B per request (2).
		"CloudWatch Logs":    100 + 40 + 2,
		"CloudWatch metrics": 7,
		"X-Ray":              4,
		"Secrets Manager":    4,
		"Cognito":            2 * 12,
	}
	for service, w := range want {
		if math.Abs(got[service]-w) > 1e-9 {
			t.Errorf("%s: %v, want %v", service, got[service], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("services priced: %v", got)
	}
}

func TestMonthlyArithmetic(t *testing.T) {
	f := Fixed{AlarmMetrics: 11, CompositeAlarms: 1, Dashboards: 1, Secrets: 2, SweepsPerMonth: 10,
		IdleSweep: Line{Event: "SweepFunction", DurationMs: 1000, BilledReadUnits: 1}}
	specs := map[string]Spec{"SweepFunction": {1024, true}}
	got := map[string]float64{}
	for _, it := range Monthly(f, specs, unit, Assumptions{PlatformLogBytes: 0, Pollers: 1}) {
		got[it.Service] = it.USD
	}
	// Each sweep: 1 GB-s, 1 request, 1 RRU, 1 trace, 1 firing.
	want := map[string]float64{"CloudWatch alarms": 11, "CloudWatch composite alarms": 5, "CloudWatch dashboards": 3, "Secrets Manager": 2,
		"Sweep every half hour": 10 * 5, "SQS pollers": 3 * 60 * hoursPerMonth}
	for service, w := range want {
		if math.Abs(got[service]-w) > 1e-9 {
			t.Errorf("%s: %v, want %v", service, got[service], w)
		}
	}
}

func TestPrintPerAgreementYear(t *testing.T) {
	var b strings.Builder
	Print(&b, 4, []Item{{"DynamoDB", "", 24}}, []Item{{"CloudWatch alarms", "", 1}})
	// (24 + 12 x 1) a year over 4 agreements; a month is 3.
	for _, want := range []string{"All in: $3.00 a month, $36.00 a year; $9.00 per agreement-year (fixed part 33%)", "DynamoDB                         $24.00        $2.00        $6.00"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the bill lacks %q:\n%s", want, b.String())
		}
	}
}

// The repository's template in its default deployment: the alarms that
// reach a person, no dashboard, the two secrets.
func TestResourcesOfTheTemplate(t *testing.T) {
	path := filepath.Join("..", "..", "..", "template.yaml")
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	off, err := Resources(path, map[string]bool{"PublishingGrantsData": false, "DetailedMonitoringOn": false, "DetailedGrantsData": false})
	if err != nil {
		t.Fatal(err)
	}
	on, err := Resources(path, map[string]bool{"PublishingGrantsData": false, "DetailedMonitoringOn": true, "DetailedGrantsData": false})
	if err != nil {
		t.Fatal(err)
	}
	if off.Dashboards != 0 || on.Dashboards != 1 || on.AlarmMetrics-off.AlarmMetrics != 10 || off.Secrets != 2 {
		t.Errorf("default %+v, detailed %+v", off, on)
	}
}

// An invocation line as pkg/logs writes it (callmeter's "invocation").
func TestParseLine(t *testing.T) {
	l, ok := ParseLine([]byte(`{"timestamp":"2027-03-01T10:00:00Z","level":"INFO","message":"invocation","requestId":"r1","route":"POST /agreements","status":201,` +
		`"awsCalls":{"DynamoDB.TransactWriteItems":1},"readUnits":1,"writeUnits":3,"durationMs":12,"billedReadUnits":1.5,"billedWriteUnits":20}`))
	if !ok || l.Route != "POST /agreements" || l.BilledWriteUnits != 20 || l.WriteUnits != 3 || l.AWSCalls["DynamoDB.TransactWriteItems"] != 1 || l.DurationMs != 12 {
		t.Errorf("parsed %+v, %t", l, ok)
	}
	if _, ok := ParseLine([]byte(`{"level":"INFO","message":"sweep done","requestId":"r2"}`)); ok {
		t.Error("a line that is not an invocation line was read as one")
	}
}
