package cost

import (
	"fmt"
	"io"
	"sort"
)

// Spec is what Lambda bills a function by (template.yaml).
type Spec struct {
	MemoryMB int
	Arm      bool
}

// Assumptions are what the walk cannot measure, stated where the bill is
// printed.
type Assumptions struct {
	// PlatformLogBytes are the lines Lambda's platform logs per invocation
	// (start and report, JSON); AccessLogBytes the API's access log line.
	PlatformLogBytes, AccessLogBytes int64
	// StaffMAU are the people who sign in in a month.
	StaffMAU int
	// Pollers are the long polls Lambda keeps on the check-in queue
	// (five, each 20 seconds), whether or not a message comes.
	Pollers int
}

// DefaultAssumptions are make cost's.
var DefaultAssumptions = Assumptions{PlatformLogBytes: 700, AccessLogBytes: 300, StaffMAU: 5, Pollers: 5}

// Fixed is what the deployment costs in a month whatever it does: from the
// template (alarms, dashboards, secrets) and what runs on a clock (the
// half-hourly sweep, the queue's pollers).
type Fixed struct {
	AlarmMetrics, CompositeAlarms, Dashboards, Secrets int
	// IdleSweep is one sweep that finds nothing (the cheapest the walk
	// measured); SweepsPerMonth how many run (every half hour).
	IdleSweep      Line
	SweepsPerMonth float64
}

// Item is one priced line.
type Item struct {
	Service, Detail string
	USD             float64
}

const hoursPerMonth = 730

// Variable prices the year's work: u over the walked year.
func Variable(u *Usage, specs map[string]Spec, p Prices, a Assumptions) []Item {
	var out []Item
	add := func(service string, usd float64, format string, args ...any) {
		out = append(out, Item{service, fmt.Sprintf(format, args...), usd})
	}
	gbs, gbsUSD, invocations := 0.0, 0.0, 0
	var logBytes int64
	for _, fn := range sortedKeys(u.Invocations) {
		s, ok := specs[fn]
		if !ok {
			s = Spec{MemoryMB: 128}
		}
		g := u.BilledMs[fn] / 1000 * float64(s.MemoryMB) / 1024
		rate := p.LambdaGBSecondX86
		if s.Arm {
			rate = p.LambdaGBSecondArm
		}
		gbs += g
		gbsUSD += g * rate
		invocations += u.Invocations[fn]
		logBytes += u.LogBytes[fn] + int64(u.Invocations[fn])*a.PlatformLogBytes
	}
	add("Lambda", gbsUSD+float64(invocations)*p.LambdaPerMillionRequests/1e6, "%d invocations, %.1f GB-s (durations measured on this machine)", invocations, gbs)
	add("DynamoDB", u.RRU*p.DynamoPerMillionRRU/1e6+u.WRU*p.DynamoPerMillionWRU/1e6,
		"%.1f RRU, %.1f WRU billed (DynamoDB Local reported %.1f read, %.1f write)", u.RRU, u.WRU, u.ReportedRCU, u.ReportedWCU)
	sent := u.CallsOf("SES", "Send") + u.CallsOf("SESv2", "Send")
	received := u.Invocations["InboundFunction"]
	add("SES", float64(sent)*p.SESPerThousandSent/1000+float64(received)*(p.SESPerThousandReceived+p.SESPerThousandReceivedChunks)/1000,
		"%d sent, %d received", sent, received)
	// SES's receipt rule writes each received message to S3 itself.
	puts := u.CallsOf("S3", "Put", "Copy", "List", "CreateMultipart", "UploadPart", "CompleteMultipart") + received
	gets := u.CallsOf("S3", "Get", "Head")
	add("S3", float64(puts)*p.S3PerThousandPuts/1000+float64(gets)*p.S3PerThousandGets/1000, "%d writes, %d reads", puts, gets)
	// Each one-time schedule made fires once (a deleted one never does).
	schedules := u.CallsOf("Scheduler", "CreateSchedule")
	add("EventBridge Scheduler", float64(schedules)*p.SchedulerPerMillion/1e6, "%d one-time schedules fired", schedules)
	// A check-in is sent to the queue (by its schedule or the sweep), then
	// received and deleted in a batch by the CheckInSender's poller.
	sqs := u.CallsOf("SQS", "Send") + 2*u.Invocations["CheckInSenderFunction"]
	add("SQS", float64(sqs)*p.SQSPerMillionRequests/1e6, "%d requests (sends, and a receive and delete per batch)", sqs)
	events := u.CallsOf("EventBridge", "PutEvents")
	add("EventBridge", float64(events)*p.EventBridgePerMillionEvents/1e6, "%d accounting events", events)
	add("API Gateway (HTTP API)", float64(u.HTTPRequests)*p.HTTPAPIPerMillionRequests/1e6, "%d requests", u.HTTPRequests)
	logBytes += int64(u.HTTPRequests) * a.AccessLogBytes
	add("CloudWatch Logs", float64(logBytes)/(1<<30)*p.LogsIngestPerGB, "%.1f MB ingested (functions, %d B platform lines each, %d B access line per request)",
		float64(logBytes)/(1<<20), a.PlatformLogBytes, a.AccessLogBytes)
	add("CloudWatch metrics", float64(u.MetricHours)*p.CustomMetricMonth/hoursPerMonth, "%d metric-hours of business metrics", u.MetricHours)
	add("X-Ray", float64(invocations)*p.XRayPerMillionTraces/1e6, "%d traces (every invocation sampled: an upper bound)", invocations)
	// A cold start reads its secrets once; at this volume most invocations are cold.
	secrets := u.CallsOf("Secrets Manager", "Get") + invocations
	add("Secrets Manager", float64(secrets)*p.SecretsPerTenThousandAPI/1e4, "up to %d reads (one per cold start)", secrets)
	cognito := 0.0
	if a.StaffMAU > p.CognitoMAUFree {
		cognito = float64(a.StaffMAU-p.CognitoMAUFree) * p.CognitoPerMAU * 12
	}
	add("Cognito", cognito, "%d staff signing in a month (free to %d)", a.StaffMAU, p.CognitoMAUFree)
	return out
}

// Monthly prices the fixed part of a month.
func Monthly(f Fixed, specs map[string]Spec, p Prices, a Assumptions) []Item {
	var out []Item
	add := func(service string, usd float64, format string, args ...any) {
		out = append(out, Item{service, fmt.Sprintf(format, args...), usd})
	}
	add("CloudWatch alarms", float64(f.AlarmMetrics)*p.AlarmMetricMonth, "%d alarm metrics", f.AlarmMetrics)
	if f.CompositeAlarms > 0 {
		add("CloudWatch composite alarms", float64(f.CompositeAlarms)*p.CompositeAlarmMonth, "%d composite alarms", f.CompositeAlarms)
	}
	add("CloudWatch dashboards", float64(f.Dashboards)*p.DashboardMonth, "%d dashboards", f.Dashboards)
	add("Secrets Manager", float64(f.Secrets)*p.SecretMonth, "%d secrets", f.Secrets)
	// The sweep every half hour, most of them finding nothing.
	sweep := NewUsage()
	sweep.Add("SweepFunction", f.IdleSweep)
	one := Variable(sweep, specs, p, Assumptions{PlatformLogBytes: a.PlatformLogBytes})
	perSweep := 0.0
	for _, it := range one {
		if it.Service != "Secrets Manager" {
			perSweep += it.USD
		}
	}
	perSweep += p.SchedulerPerMillion / 1e6
	add("Sweep every half hour", f.SweepsPerMonth*perSweep, "%.0f runs finding nothing, %.2f RRU each", f.SweepsPerMonth, f.IdleSweep.BilledReadUnits)
	polls := float64(a.Pollers) * 3 * 60 * hoursPerMonth
	add("SQS pollers", polls*p.SQSPerMillionRequests/1e6, "%d long polls of 20 s on the check-in queue: %.0f requests", a.Pollers, polls)
	return out
}

// Sum adds up items.
func Sum(items []Item) float64 {
	t := 0.0
	for _, it := range items {
		t += it.USD
	}
	return t
}

// Print writes the bill: the year's work per service, the fixed month, and
// the totals per month and per agreement-year.
func Print(w io.Writer, agreements int, variable, fixed []Item) {
	year := Sum(variable)
	month := Sum(fixed)
	fmt.Fprintf(w, "\nThe year's work, by service                per year    per month   per agreement-year\n")
	for _, it := range variable {
		fmt.Fprintf(w, "  %-24s %14s %12s %12s     %s\n", it.Service, usd(it.USD), usd(it.USD/12), usd(it.USD/float64(agreements)), it.Detail)
	}
	fmt.Fprintf(w, "  %-24s %14s %12s %12s\n", "total", usd(year), usd(year/12), usd(year/float64(agreements)))
	fmt.Fprintf(w, "\nFixed, every month                          per month\n")
	for _, it := range fixed {
		fmt.Fprintf(w, "  %-30s %12s     %s\n", it.Service, usd(it.USD), it.Detail)
	}
	fmt.Fprintf(w, "  %-30s %12s\n", "total", usd(month))
	total := year + 12*month
	fmt.Fprintf(w, "\nAll in: %s a month, %s a year; %s per agreement-year (fixed part %.0f%%).\n",
		usd(total/12), usd(total), usd(total/float64(agreements)), 100*12*month/total)
}

func usd(v float64) string {
	if v != 0 && v < 0.01 {
		return fmt.Sprintf("$%.5f", v)
	}
	return fmt.Sprintf("$%.2f", v)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
