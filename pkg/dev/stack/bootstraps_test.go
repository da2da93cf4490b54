package stack

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"golang.org/x/sync/errgroup"

	"github.com/partnership-grants/backend/pkg/dev/rie"
	"github.com/partnership-grants/backend/pkg/dev/samtemplate"
	"github.com/partnership-grants/backend/pkg/httpapi/openapi/openapitest"
)

// bootstrapEvents are the sample events in events/ each function is
// invoked with, in order (the approval names the payment the request made).
var bootstrapEvents = map[string][]string{
	"AgreementsFunction":    {"agreements-list.json", "agreements-get.json", "agreements-create.json"},
	"InstalmentDueFunction": {"instalment-due.json"},
	"CheckInSenderFunction": {"checkin-sender.json"},
	"SweepFunction":         {"sweep.json"},
	"SesEventsFunction":     {"ses-events-bounce.json"},
	"PaymentsFunction":      {"payments-list-due.json", "payments-request.json", "payments-approve.json", "payments-run.json"},
	"GrantsDataFunction":    {"grants-data.json"},
	"InboundFunction":       {"inbound.json", "inbound-reprocess.json"},
	"CheckInsFunction":      {"checkins-get.json", "checkins-quarantine.json"},
	"MonitoringFunction":    {"monitoring-summary.json"},
	"WebFunction":           {"web-app.json"},
}

// TestBootstrapsUnderTheEmulator: every function's real bootstrap, built as
// sam build builds it and run under AWS's Lambda Runtime Interface Emulator
// with the environment template.yaml gives that function (make invoke),
// answers each of its sample events on a seeded stack without an error: the
// API functions with a success the JSON API's document allows, the pages
// with a page or a redirect to sign in, the others with no failed records.
// So a main, or its environment in the template, that cannot start or
// serve is found here, not in AWS. Builds eleven bootstraps: make
// test-slow (INVOKE_BOOTSTRAPS=1), not make test.
func TestBootstrapsUnderTheEmulator(t *testing.T) {
	if os.Getenv("INVOKE_BOOTSTRAPS") != "1" {
		t.Skip("builds and runs every function's bootstrap: INVOKE_BOOTSTRAPS=1 (make test-slow)")
	}
	root := filepath.Join("..", "..", "..")
	tpl, err := samtemplate.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ids := tpl.Functions()
	// Every function, and every sample event but the environment file.
	for _, id := range ids {
		if len(bootstrapEvents[id]) == 0 {
			t.Errorf("%s has no sample event here", id)
		}
	}
	files, _ := filepath.Glob(filepath.Join(root, "events", "*.json"))
	for _, f := range files {
		name := filepath.Base(f)
		used := name == "env.json"
		for _, evs := range bootstrapEvents {
			used = used || slices.Contains(evs, name)
		}
		if !used {
			t.Errorf("events/%s is invoked by no function here", name)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	emu, err := rie.Path(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	fns := map[string]samtemplate.Function{}
	bootstraps := map[string]string{}
	dir := t.TempDir()
	var g errgroup.Group
	g.SetLimit(2)
	for _, id := range ids {
		fn, err := tpl.Function(id)
		if err != nil {
			t.Fatal(err)
		}
		fns[id] = fn
		out := filepath.Join(dir, id)
		bootstraps[id] = filepath.Join(out, "bootstrap")
		g.Go(func() error {
			_, err := rie.Build(ctx, root, fn, rie.GOARCH(fn), out)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}

	// Publishing on: the template creates the GrantsDataFunction only then.
	st := startStackWith(t, func(o *Options) { o.PublishGrantsData = true })
	routes, err := tpl.Routes()
	if err != nil {
		t.Fatal(err)
	}
	functionOf := map[string]string{}
	for _, r := range routes {
		functionOf[r.RouteKey()] = r.Function
	}
	paymentID := ""
	for _, id := range ids {
		env, err := st.FunctionEnvironment(id)
		if err != nil {
			t.Fatal(err)
		}
		e, err := rie.Start(ctx, emu, bootstraps[id], fns[id], env, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range bootstrapEvents[id] {
			raw, err := os.ReadFile(filepath.Join(root, "events", name))
			if err != nil {
				t.Fatal(err)
			}
			if err := PrepareInvoke(ctx, env, id, filepath.Join(root, "events", name), raw); err != nil {
				t.Fatal(err)
			}
			var ev events.APIGatewayV2HTTPRequest
			_ = json.Unmarshal(raw, &ev)
			if name == "payments-approve.json" {
				ev.PathParameters["paymentId"] = paymentID
				ev.RawPath = strings.Replace(ev.RawPath, "qrstuvwxyz234567", paymentID, 1)
				if raw, err = json.Marshal(ev); err != nil {
					t.Fatal(err)
				}
			}
			resp, err := e.Invoke(ctx, raw)
			if err != nil {
				t.Fatalf("%s %s: %v\n%s", id, name, err, e.Logs())
			}
			if resp.Error != "" {
				t.Errorf("%s %s failed: %s\n%s", id, name, resp.Error, e.Logs())
				continue
			}
			t.Logf("%s %s: %d bytes", id, name, len(resp.Body))
			if ev.RouteKey == "" {
				checkAnswer(t, id, name, resp.Body)
				continue
			}
			if functionOf[ev.RouteKey] != id {
				t.Errorf("%s is for %s, not %s", name, functionOf[ev.RouteKey], id)
			}
			var out events.APIGatewayV2HTTPResponse
			if err := json.Unmarshal(resp.Body, &out); err != nil {
				t.Errorf("%s %s: not an API Gateway answer: %v: %s", id, name, err, resp.Body)
				continue
			}
			switch {
			case id == "WebFunction":
				// A page, or (the sample's cookie is a placeholder) a
				// redirect to sign in.
				if out.StatusCode != 200 && (out.StatusCode/100 != 3 || !strings.Contains(out.Headers["Location"], "/app/signin?next=")) {
					t.Errorf("%s %s: %d %v", id, name, out.StatusCode, out.Headers)
				}
			case out.StatusCode/100 != 2:
				t.Errorf("%s %s: %d %s", id, name, out.StatusCode, out.Body)
			default:
				openapitest.Check(t, ev, out)
				if name == "payments-request.json" {
					var p struct{ Payment struct{ ID string } }
					if err := json.Unmarshal([]byte(out.Body), &p); err != nil || p.Payment.ID == "" {
						t.Fatalf("the payment request answered %s", out.Body)
					}
					paymentID = p.Payment.ID
				}
			}
		}
		e.Close()
	}
}

// checkAnswer checks what a function that is not behind the API returned.
func checkAnswer(t *testing.T, id, name string, body []byte) {
	t.Helper()
	switch id {
	case "CheckInSenderFunction":
		// The queue's partial batch answer: no message back on the queue.
		var resp events.SQSEventResponse
		if err := json.Unmarshal(body, &resp); err != nil || len(resp.BatchItemFailures) > 0 {
			t.Errorf("%s %s: %s (%v)", id, name, body, err)
		}
	case "InboundFunction":
		if strings.Contains(string(body), `"failed"`) {
			t.Errorf("%s %s: %s", id, name, body)
		}
	default:
		if s := strings.TrimSpace(string(body)); s != "null" && s != "" && s != "{}" {
			t.Logf("%s %s answered %s", id, name, s)
		}
	}
}
