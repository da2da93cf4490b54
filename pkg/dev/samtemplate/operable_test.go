package samtemplate

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The template's promises to the person on call (issue 16): every alarm
// notifies someone, every asynchronous failure ends on a queue with an
// alarm, every function and the API log to a group that expires its logs,
// and the dashboard graphs the metrics the functions write. Each check
// returns what breaks its promise; TestOperableChecksCanFail proves each
// can fail by breaking the real template in memory.

func TestTemplateIsOperable(t *testing.T) {
	tpl := loadGeneric(t)
	// The checks find what they check: a misread template would pass them all.
	want := []string{"CheckInSenderFunction", "GrantsDataFunction", "InboundFunction", "InstalmentDueFunction", "SesEventsFunction", "SweepFunction"}
	if got := sortedKeys(asyncInvoked(tpl)); !slices.Equal(got, want) {
		t.Errorf("functions found invoked asynchronously: %v, want %v", got, want)
	}
	if got := sqsSources(tpl); len(got) != 1 || got[0] != (sqsSource{"CheckInSenderFunction", "CheckInQueue"}) {
		t.Errorf("SQS sources found: %v", got)
	}
	if n := len(ofType(tpl, "AWS::CloudWatch::Alarm")); n < 18 {
		t.Errorf("only %d alarms found", n)
	}
	for name, check := range operableChecks {
		for _, p := range check(tpl) {
			t.Errorf("%s: %s", name, p)
		}
	}
}

func TestOperableChecksCanFail(t *testing.T) {
	for _, tc := range []struct {
		check, want string
		breakIt     func(tpl map[string]any)
	}{
		{"alarms", "InboundDLQAlarm", func(tpl map[string]any) { delete(props(tpl, "InboundDLQAlarm"), "OKActions") }},
		// Errors alarms take their actions from a YAML merge (<<: *ErrorsAlarm).
		{"alarms", "SweepErrorsAlarm", func(tpl map[string]any) { delete(props(tpl, "SweepErrorsAlarm"), "AlarmActions") }},
		{"alarms", "ScheduleDLQAlarm", func(tpl map[string]any) {
			props(tpl, "ScheduleDLQAlarm")["AlarmActions"] = []any{map[string]any{"Ref": "SesEventsTopic"}}
		}},
		{"async", "SweepFunction", func(tpl map[string]any) { delete(props(tpl, "SweepFunction"), "EventInvokeConfig") }},
		{"async", "SesEventsFunction", func(tpl map[string]any) { delete(props(tpl, "SesEventsFunction"), "EventInvokeConfig") }},
		// Invoked by an SES receipt rule.
		{"async", "InboundFunction", func(tpl map[string]any) { delete(props(tpl, "InboundFunction"), "EventInvokeConfig") }},
		// Invoked by the one-time schedules the code creates with SchedulerRole.
		{"async", "InstalmentDueFunction", func(tpl map[string]any) { delete(props(tpl, "InstalmentDueFunction"), "EventInvokeConfig") }},
		{"async", "CheckInQueue", func(tpl map[string]any) { delete(props(tpl, "CheckInQueue"), "RedrivePolicy") }},
		{"failure queues", "SesEventsDLQ", func(tpl map[string]any) { delete(resources(tpl), "SesEventsDLQAlarm") }},
		{"failure queues", "CheckInDLQ", func(tpl map[string]any) { delete(resources(tpl), "CheckInDLQAlarm") }},
		{"failure queues", "ScheduleDLQ", func(tpl map[string]any) { props(tpl, "ScheduleDLQAlarm")["Threshold"] = 5 }},
		{"logs", "AgreementsFunction", func(tpl map[string]any) { delete(props(tpl, "AgreementsFunction"), "LoggingConfig") }},
		{"logs", "WebLogGroup", func(tpl map[string]any) { delete(props(tpl, "WebLogGroup"), "RetentionInDays") }},
		{"logs", "SystemLogLevel", func(tpl map[string]any) {
			tpl["Globals"].(map[string]any)["Function"].(map[string]any)["LoggingConfig"].(map[string]any)["SystemLogLevel"] = "WARN"
		}},
		{"api access logs", "HttpApi", func(tpl map[string]any) { delete(props(tpl, "HttpApi"), "AccessLogSettings") }},
		{"api access logs", "ApiAccessLogGroup", func(tpl map[string]any) { delete(props(tpl, "ApiAccessLogGroup"), "RetentionInDays") }},
		{"api access logs", "Authorization", func(tpl map[string]any) {
			s := props(tpl, "HttpApi")["AccessLogSettings"].(map[string]any)
			s["Format"] = strings.TrimSuffix(s["Format"].(string), "}") + `,"auth":"$request.header.Authorization"}`
		}},
		{"dashboard", "DaysLate", func(tpl map[string]any) {
			p := props(tpl, "MonitoringDashboard")
			p["DashboardBody"] = map[string]any{"Fn::Sub": strings.ReplaceAll(p["DashboardBody"].(map[string]any)["Fn::Sub"].(string), `\"DaysLate\"`, `\"DaysLat\"`)}
		}},
		// Issue 27, item 7: the HTTP functions' failures reach a person
		// through the API's 5xx alarm, in the default deployment.
		{"api errors", "AgreementsFunction", func(tpl map[string]any) { delete(resources(tpl), "ApiServerErrorsAlarm") }},
		{"api errors", "WebFunction", func(tpl map[string]any) {
			resources(tpl)["ApiServerErrorsAlarm"].(map[string]any)["Condition"] = "DetailedMonitoringOn"
		}},
		{"api errors", "PaymentsFunction", func(tpl map[string]any) { props(tpl, "ApiServerErrorsAlarm")["Threshold"] = 5 }},
		// An alarm only DetailedMonitoring creates covers nothing by default.
		{"failure queues", "InboundDLQ", func(tpl map[string]any) {
			resources(tpl)["InboundDLQAlarm"].(map[string]any)["Condition"] = "DetailedMonitoringOn"
		}},
	} {
		t.Run(tc.check+"/"+tc.want, func(t *testing.T) {
			tpl := loadGeneric(t)
			tc.breakIt(tpl)
			problems := operableChecks[tc.check](tpl)
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, tc.want) }) {
				t.Fatalf("broken template passed the %s check (want a problem naming %s): %q", tc.check, tc.want, problems)
			}
		})
	}
}

var operableChecks = map[string]func(tpl map[string]any) []string{
	"alarms":          alarmsNotify,
	"async":           asyncFailuresKept,
	"failure queues":  failureQueuesAlarmed,
	"logs":            functionsLogWithRetention,
	"api access logs": apiAccessLogged,
	"dashboard":       dashboardGraphsMetrics,
	"api errors":      apiErrorsAlarmed,
}

// Every alarm tells a person, when it fires and when it clears: its
// actions are topics with an email subscription.
func alarmsNotify(tpl map[string]any) []string {
	var problems []string
	for _, id := range ofType(tpl, "AWS::CloudWatch::Alarm") {
		p := props(tpl, id)
		for _, key := range []string{"AlarmActions", "OKActions"} {
			actions, _ := p[key].([]any)
			if len(actions) == 0 {
				problems = append(problems, fmt.Sprintf("%s has no %s", id, key))
			}
			for _, a := range actions {
				if topic := ref(a); !emailTopic(tpl, topic) {
					problems = append(problems, fmt.Sprintf("%s: %s %v is not a topic with an email subscription", id, key, a))
				}
			}
		}
	}
	return problems
}

func emailTopic(tpl map[string]any, id string) bool {
	if typeOf(tpl, id) != "AWS::SNS::Topic" {
		return false
	}
	subs, _ := props(tpl, id)["Subscription"].([]any)
	for _, s := range subs {
		if m, _ := s.(map[string]any); m["Protocol"] == "email" && m["Endpoint"] != nil {
			return true
		}
	}
	return false
}

// asyncEventTypes are the SAM event sources that invoke a function
// asynchronously (Lambda retries, then drops, unless told where to put it).
var asyncEventTypes = []string{"S3", "SNS", "Schedule", "ScheduleV2", "EventBridgeRule", "CloudWatchEvent", "CloudWatchLogs", "IoTRule"}

// asyncServices are the principals that invoke functions asynchronously.
var asyncServices = []string{"s3.amazonaws.com", "sns.amazonaws.com", "ses.amazonaws.com", "events.amazonaws.com", "scheduler.amazonaws.com"}

// Every function invoked asynchronously has an on-failure destination on
// a queue; every function fed by an SQS queue has that queue redrive to a
// dead-letter queue (Lambda has no OnFailure destination for SQS sources).
func asyncFailuresKept(tpl map[string]any) []string {
	var problems []string
	async := asyncInvoked(tpl)
	for _, fn := range sortedKeys(async) {
		dest := onFailureQueue(tpl, fn)
		if dest == "" {
			problems = append(problems, fmt.Sprintf("%s is invoked asynchronously (%s) but has no EventInvokeConfig.DestinationConfig.OnFailure on an SQS queue", fn, async[fn]))
		}
	}
	for _, src := range sqsSources(tpl) {
		rp, _ := props(tpl, src.queue)["RedrivePolicy"].(map[string]any)
		if dlq := getAtt(rp["deadLetterTargetArn"], "Arn"); typeOf(tpl, dlq) != "AWS::SQS::Queue" {
			problems = append(problems, fmt.Sprintf("%s reads %s, whose RedrivePolicy names no dead-letter queue", src.function, src.queue))
		}
	}
	return problems
}

// Every queue where failures wait has an alarm on its depth.
func failureQueuesAlarmed(tpl map[string]any) []string {
	queues := map[string]string{}
	for fn := range asyncInvoked(tpl) {
		if q := onFailureQueue(tpl, fn); q != "" {
			queues[q] = fn + "'s on-failure destination"
		}
	}
	for _, id := range ofType(tpl, "AWS::SQS::Queue") {
		rp, _ := props(tpl, id)["RedrivePolicy"].(map[string]any)
		if dlq := getAtt(rp["deadLetterTargetArn"], "Arn"); dlq != "" {
			queues[dlq] = id + "'s dead-letter queue"
		}
	}
	for _, fn := range ofType(tpl, "AWS::Serverless::Function") {
		events, _ := props(tpl, fn)["Events"].(map[string]any)
		for name, ev := range events {
			p, _ := ev.(map[string]any)["Properties"].(map[string]any)
			dlc, _ := p["DeadLetterConfig"].(map[string]any)
			if q := getAtt(dlc["Arn"], "Arn"); q != "" {
				queues[q] = fn + " " + name + "'s scheduler dead-letter queue"
			}
		}
	}
	var problems []string
	for _, q := range sortedKeys(queues) {
		if !depthAlarmed(tpl, q) {
			problems = append(problems, fmt.Sprintf("%s (%s) has no alarm on ApproximateNumberOfMessagesVisible > 0", q, queues[q]))
		}
	}
	return problems
}

func depthAlarmed(tpl map[string]any, queue string) bool {
	for _, id := range ofType(tpl, "AWS::CloudWatch::Alarm") {
		if optional(tpl, id) {
			continue
		}
		p := props(tpl, id)
		dims, _ := p["Dimensions"].([]any)
		for _, d := range dims {
			m, _ := d.(map[string]any)
			if m["Name"] == "QueueName" && getAtt(m["Value"], "QueueName") == queue &&
				p["Namespace"] == "AWS/SQS" && p["MetricName"] == "ApproximateNumberOfMessagesVisible" &&
				p["ComparisonOperator"] == "GreaterThanThreshold" && fmt.Sprint(p["Threshold"]) == "0" {
				return true
			}
		}
	}
	return false
}

// Every function logs to a group of its own that expires its logs, in JSON,
// with the platform's REPORT lines (INFO) kept.
func functionsLogWithRetention(tpl map[string]any) []string {
	var problems []string
	globals, _ := dig(tpl, "Globals", "Function", "LoggingConfig").(map[string]any)
	if lvl := globals["SystemLogLevel"]; lvl != "INFO" && lvl != "DEBUG" {
		problems = append(problems, fmt.Sprintf("Globals SystemLogLevel %v drops the REPORT lines (INFO)", lvl))
	}
	if globals["LogFormat"] != "JSON" {
		problems = append(problems, "Globals LoggingConfig.LogFormat is not JSON")
	}
	for _, fn := range ofType(tpl, "AWS::Serverless::Function") {
		lc, _ := props(tpl, fn)["LoggingConfig"].(map[string]any)
		group := ref(lc["LogGroup"])
		if group == "" {
			group = ref(globals["LogGroup"])
		}
		if problem := retainedGroup(tpl, group); problem != "" {
			problems = append(problems, fmt.Sprintf("%s: LoggingConfig.LogGroup %s", fn, problem))
		}
	}
	return problems
}

func retainedGroup(tpl map[string]any, id string) string {
	if id == "" {
		return "is not a !Ref to a log group"
	}
	if typeOf(tpl, id) != "AWS::Logs::LogGroup" {
		return id + " is not an AWS::Logs::LogGroup"
	}
	if props(tpl, id)["RetentionInDays"] == nil {
		return id + " has no RetentionInDays (it would keep logs forever)"
	}
	return ""
}

// The API logs every request to a group that expires, and logs nothing a
// caller sent: no header (the bearer token), no query string, no claims.
func apiAccessLogged(tpl map[string]any) []string {
	var problems []string
	for _, api := range append(ofType(tpl, "AWS::Serverless::HttpApi"), ofType(tpl, "AWS::Serverless::Api")...) {
		s, _ := props(tpl, api)["AccessLogSettings"].(map[string]any)
		if s == nil {
			problems = append(problems, api+" has no AccessLogSettings")
			continue
		}
		if problem := retainedGroup(tpl, getAtt(s["DestinationArn"], "Arn")); problem != "" {
			problems = append(problems, fmt.Sprintf("%s: access log destination %s", api, problem))
		}
		format, _ := s["Format"].(string)
		if !strings.Contains(format, "$context.requestId") {
			problems = append(problems, api+": the access log format has no $context.requestId")
		}
		for _, secret := range []string{"header", "querystring", "authorizer", "Authorization"} {
			if strings.Contains(strings.ToLower(format), strings.ToLower(secret)) {
				problems = append(problems, fmt.Sprintf("%s: the access log format logs %s", api, secret))
			}
		}
	}
	return problems
}

// businessMetrics are the metrics the functions write as embedded-metric-
// format lines (one dimension, Programme), as the dashboard names them.
// subValues are the ${x} that Fn::Sub replaces by a value (${!x} is a
// literal ${x}), made into placeholders the same in the body and namespace.
var subValues = regexp.MustCompile(`\$\{([^!}][^}]*)\}`)

var businessMetrics = []string{"CheckInsSent", "RemindersSent", "RepliesReceived", "RepliesQuarantined",
	"PaymentsRequested", "PaymentsApproved", "Bounces", "DaysLate"}

// The dashboard's body is valid JSON once CloudFormation substitutes it,
// and searches every business metric in the namespace the functions are
// told to write to.
func dashboardGraphsMetrics(tpl map[string]any) []string {
	var problems []string
	ns, _ := dig(tpl, "Globals", "Function", "Environment", "Variables", "METRICS_NAMESPACE").(map[string]any)["Fn::Sub"].(string)
	if ns == "" {
		return []string{"Globals set no METRICS_NAMESPACE (a !Sub)"}
	}
	dashboards := ofType(tpl, "AWS::CloudWatch::Dashboard")
	if len(dashboards) == 0 {
		return []string{"no AWS::CloudWatch::Dashboard"}
	}
	for _, id := range dashboards {
		body, _ := props(tpl, id)["DashboardBody"].(map[string]any)["Fn::Sub"].(string)
		resolved := subValues.ReplaceAllString(body, "@@$1@@")
		var doc struct {
			Widgets []struct {
				Properties struct {
					Metrics [][]any `json:"metrics"`
				} `json:"properties"`
			} `json:"widgets"`
		}
		if err := json.Unmarshal([]byte(resolved), &doc); err != nil {
			problems = append(problems, fmt.Sprintf("%s: DashboardBody is not JSON: %v", id, err))
			continue
		}
		searched := map[string]bool{}
		namespace := subValues.ReplaceAllString(ns, "@@$1@@")
		search := regexp.MustCompile(`^SEARCH\('\{"?` + regexp.QuoteMeta(namespace) + `"?,Programme\} MetricName="(\w+)"'`)
		for _, w := range doc.Widgets {
			for _, m := range w.Properties.Metrics {
				if len(m) == 1 {
					e, _ := m[0].(map[string]any)["expression"].(string)
					if g := search.FindStringSubmatch(e); g != nil {
						searched[g[1]] = true
					}
				}
			}
		}
		for _, metric := range businessMetrics {
			if !searched[metric] {
				problems = append(problems, fmt.Sprintf("%s: no SEARCH over {%s,Programme} for %s", id, ns, metric))
			}
		}
	}
	return problems
}

// asyncInvoked maps each function invoked asynchronously to what invokes it.
func asyncInvoked(tpl map[string]any) map[string]string {
	async := map[string]string{}
	for _, fn := range ofType(tpl, "AWS::Serverless::Function") {
		events, _ := props(tpl, fn)["Events"].(map[string]any)
		for name, ev := range events {
			if typ, _ := ev.(map[string]any)["Type"].(string); slices.Contains(asyncEventTypes, typ) {
				async[fn] = fmt.Sprintf("its %s event %s", typ, name)
			}
		}
	}
	for _, id := range ofType(tpl, "AWS::SES::ReceiptRule") {
		actions, _ := dig(tpl, "Resources", id, "Properties", "Rule", "Actions").([]any)
		for _, a := range actions {
			la, _ := a.(map[string]any)["LambdaAction"].(map[string]any)
			if fn := getAtt(la["FunctionArn"], "Arn"); fn != "" && la["InvocationType"] != "RequestResponse" {
				async[fn] = "SES receipt rule " + id
			}
		}
	}
	for _, id := range ofType(tpl, "AWS::Lambda::Permission") {
		p := props(tpl, id)
		if principal, _ := p["Principal"].(string); slices.Contains(asyncServices, principal) {
			fn := ref(p["FunctionName"])
			if fn == "" {
				fn = getAtt(p["FunctionName"], "Arn")
			}
			async[fn] = principal + " (" + id + ")"
		}
	}
	// Roles that EventBridge Scheduler assumes: the functions they may
	// invoke are targets of schedules the code creates at run time.
	for _, id := range ofType(tpl, "AWS::IAM::Role") {
		p := props(tpl, id)
		if !strings.Contains(fmt.Sprint(p["AssumeRolePolicyDocument"]), "scheduler.amazonaws.com") {
			continue
		}
		policies, _ := p["Policies"].([]any)
		for _, pol := range policies {
			stmts, _ := dig(pol, "PolicyDocument", "Statement").([]any)
			for _, s := range stmts {
				st, _ := s.(map[string]any)
				if !strings.Contains(fmt.Sprint(st["Action"]), "lambda:InvokeFunction") {
					continue
				}
				targets, ok := st["Resource"].([]any)
				if !ok {
					targets = []any{st["Resource"]}
				}
				for _, r := range targets {
					if fn := getAtt(r, "Arn"); fn != "" {
						async[fn] = "schedules created with " + id
					}
				}
			}
		}
	}
	return async
}

// onFailureQueue is the SQS queue a function's failed asynchronous
// invocations go to, or "".
func onFailureQueue(tpl map[string]any, fn string) string {
	of, _ := dig(tpl, "Resources", fn, "Properties", "EventInvokeConfig", "DestinationConfig", "OnFailure").(map[string]any)
	if q := getAtt(of["Destination"], "Arn"); of["Type"] == "SQS" && typeOf(tpl, q) == "AWS::SQS::Queue" {
		return q
	}
	return ""
}

type sqsSource struct{ function, queue string }

// sqsSources are the functions fed by SQS queues of the template.
func sqsSources(tpl map[string]any) []sqsSource {
	var out []sqsSource
	for _, fn := range ofType(tpl, "AWS::Serverless::Function") {
		events, _ := props(tpl, fn)["Events"].(map[string]any)
		for _, ev := range events {
			if m := ev.(map[string]any); m["Type"] == "SQS" {
				out = append(out, sqsSource{fn, getAtt(dig(m, "Properties", "Queue"), "Arn")})
			}
		}
	}
	for _, id := range ofType(tpl, "AWS::Lambda::EventSourceMapping") {
		p := props(tpl, id)
		if q := getAtt(p["EventSourceArn"], "Arn"); typeOf(tpl, q) == "AWS::SQS::Queue" {
			out = append(out, sqsSource{ref(p["FunctionName"]), q})
		}
	}
	return out
}

// loadGeneric reads template.yaml as plain maps, lists and scalars, with
// YAML merges (<<: *anchor) applied and short tags turned into their long
// form (!Ref x becomes {"Ref": x}, !GetAtt a.b {"Fn::GetAtt": [a, b]}).
func loadGeneric(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	tpl, ok := generic(&doc).(map[string]any)
	if !ok {
		t.Fatal("template.yaml is not a mapping")
	}
	return tpl
}

func generic(n *yaml.Node) any {
	switch n.Kind {
	case yaml.DocumentNode:
		return generic(n.Content[0])
	case yaml.AliasNode:
		return generic(n.Alias)
	}
	var v any
	// A CloudFormation short tag (!Ref); YAML's own tags start with !!.
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		plain := *n
		plain.Tag = map[yaml.Kind]string{yaml.ScalarNode: "!!str", yaml.MappingNode: "!!map", yaml.SequenceNode: "!!seq"}[n.Kind]
		v = generic(&plain)
		switch n.Tag {
		case "!Ref":
			return map[string]any{"Ref": v}
		case "!GetAtt":
			if s, ok := v.(string); ok {
				resource, attr, _ := strings.Cut(s, ".")
				v = []any{resource, attr}
			}
		}
		return map[string]any{"Fn::" + strings.TrimPrefix(n.Tag, "!"): v}
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		var own [][2]*yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if k.Value != "<<" {
				own = append(own, [2]*yaml.Node{k, val})
				continue
			}
			merged := []*yaml.Node{val}
			if val.Kind == yaml.SequenceNode {
				merged = val.Content
			}
			for _, src := range merged {
				if sm, ok := generic(src).(map[string]any); ok {
					for mk, mv := range sm {
						if _, set := m[mk]; !set {
							m[mk] = mv
						}
					}
				}
			}
		}
		for _, kv := range own {
			m[kv[0].Value] = generic(kv[1])
		}
		return m
	case yaml.SequenceNode:
		l := make([]any, len(n.Content))
		for i, c := range n.Content {
			l[i] = generic(c)
		}
		return l
	}
	if err := n.Decode(&v); err != nil {
		return n.Value
	}
	return v
}

func resources(tpl map[string]any) map[string]any {
	r, _ := tpl["Resources"].(map[string]any)
	return r
}

func typeOf(tpl map[string]any, id string) string {
	t, _ := dig(tpl, "Resources", id, "Type").(string)
	return t
}

// props is a resource's Properties (an empty map when it has none).
func props(tpl map[string]any, id string) map[string]any {
	p, _ := dig(tpl, "Resources", id, "Properties").(map[string]any)
	if p == nil {
		return map[string]any{}
	}
	return p
}

func ofType(tpl map[string]any, typ string) []string {
	var ids []string
	for id := range resources(tpl) {
		if typeOf(tpl, id) == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

func dig(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// ref is the logical ID v refers to with !Ref, or "".
func ref(v any) string {
	m, _ := v.(map[string]any)
	s, _ := m["Ref"].(string)
	return s
}

// getAtt is the logical ID v reads attr of with !GetAtt, or "".
func getAtt(v any, attr string) string {
	m, _ := v.(map[string]any)
	l, _ := m["Fn::GetAtt"].([]any)
	if len(l) == 2 && l[1] == attr {
		s, _ := l[0].(string)
		return s
	}
	return ""
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// optional is a resource only DetailedMonitoring creates: it covers no
// failure in the default deployment.
func optional(tpl map[string]any, id string) bool {
	cond, _ := dig(tpl, "Resources", id, "Condition").(string)
	return cond != "" && strings.Contains(fmt.Sprint(dig(tpl, "Conditions", cond)), "DetailedMonitoring")
}

// Every function the API invokes has its failures alarmed in the default
// deployment: by the API's 5xx (an alarm on AWS/ApiGateway 5xx of its API,
// > 0), or by an errors alarm of its own.
func apiErrorsAlarmed(tpl map[string]any) []string {
	var problems []string
	for _, fn := range ofType(tpl, "AWS::Serverless::Function") {
		events, _ := props(tpl, fn)["Events"].(map[string]any)
		apis := map[string]bool{}
		for _, ev := range events {
			if m := ev.(map[string]any); m["Type"] == "HttpApi" {
				apis[ref(dig(m, "Properties", "ApiId"))] = true
			}
		}
		if len(apis) == 0 {
			continue
		}
		for api := range apis {
			if !errorsAlarmed(tpl, "AWS/ApiGateway", "5xx", "ApiId", api) && !errorsAlarmed(tpl, "AWS/Lambda", "Errors", "FunctionName", fn) {
				problems = append(problems, fmt.Sprintf("%s (on %s) has no alarm on the API's 5xx or its own errors in the default deployment", fn, api))
			}
		}
	}
	return problems
}

func errorsAlarmed(tpl map[string]any, namespace, metric, dimension, target string) bool {
	for _, id := range ofType(tpl, "AWS::CloudWatch::Alarm") {
		p := props(tpl, id)
		if optional(tpl, id) || p["Namespace"] != namespace || p["MetricName"] != metric ||
			p["ComparisonOperator"] != "GreaterThanThreshold" || fmt.Sprint(p["Threshold"]) != "0" {
			continue
		}
		dims, _ := p["Dimensions"].([]any)
		for _, d := range dims {
			if m, _ := d.(map[string]any); m["Name"] == dimension && ref(m["Value"]) == target {
				return true
			}
		}
	}
	return false
}
