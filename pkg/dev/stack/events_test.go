package stack

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/dev/samtemplate"
	"github.com/partnership-grants/backend/pkg/httpapi/openapi/openapitest"
	"github.com/partnership-grants/backend/pkg/schedules"
)

// TestSampleEventsOnTheDemoStack: the sample events in events/, which sam
// local invoke sends, work on the stack make run starts: each API event,
// given to its function's handler as sam local invoke gives it, is
// answered without a client error, and the others name agreements and
// partners the demo seed created. (The approval names a payment made by the
// request event; its ID is random, so it is put in as a person would.)
func TestSampleEventsOnTheDemoStack(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	ctx := stackContext(st)
	root := filepath.Join("..", "..", "..")
	tpl, err := samtemplate.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	routes, err := tpl.Routes()
	if err != nil {
		t.Fatal(err)
	}
	functionOf := map[string]string{}
	for _, r := range routes {
		functionOf[r.RouteKey()] = r.Function
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(root, "events", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	// In this order: the payment is requested before it is approved.
	apiEvents := []string{"agreements-list.json", "agreements-get.json", "agreements-create.json", "checkins-get.json",
		"checkins-quarantine.json", "monitoring-summary.json", "payments-list-due.json",
		"payments-request.json", "payments-approve.json", "payments-run.json", "web-app.json"}
	files, _ := filepath.Glob(filepath.Join(root, "events", "*.json"))
	paymentID := ""
	tried := 0
	for _, name := range apiEvents {
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(read(name), &ev); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if name == "payments-approve.json" {
			ev.PathParameters["paymentId"] = paymentID
		}
		handler := st.HTTP[functionOf[ev.RouteKey]]
		if handler == nil {
			t.Fatalf("%s: no function for %s", name, ev.RouteKey)
		}
		resp, err := handler(ctx, ev)
		if err == nil && functionOf[ev.RouteKey] != "WebFunction" { // pages are not in the JSON API's document
			openapitest.Check(t, ev, resp)
		}
		if err != nil || resp.StatusCode >= 400 {
			t.Errorf("%s: %d %v %s", name, resp.StatusCode, err, resp.Body)
			continue
		}
		tried++
		if name == "payments-request.json" {
			var out struct{ Payment struct{ ID string } }
			if err := json.Unmarshal([]byte(resp.Body), &out); err != nil || out.Payment.ID == "" {
				t.Fatalf("payment request answered %s", resp.Body)
			}
			paymentID = out.Payment.ID
		}
	}
	for _, f := range files {
		var ev struct {
			RouteKey string `json:"routeKey"`
		}
		_ = json.Unmarshal(read(filepath.Base(f)), &ev)
		if ev.RouteKey != "" && !slices.Contains(apiEvents, filepath.Base(f)) {
			t.Errorf("%s is an API event this test does not try", filepath.Base(f))
		}
	}
	if tried != len(apiEvents) {
		t.Errorf("%d of %d API sample events answered", tried, len(apiEvents))
	}

	// The scheduled and queued ones name a seeded agreement.
	var due schedules.Event
	if err := json.Unmarshal(read("instalment-due.json"), &due); err != nil {
		t.Fatal(err)
	}
	var queued events.SQSEvent
	if err := json.Unmarshal(read("checkin-sender.json"), &queued); err != nil || len(queued.Records) == 0 {
		t.Fatalf("checkin-sender.json: %v", err)
	}
	var checkIn schedules.Event
	if err := json.Unmarshal([]byte(queued.Records[0].Body), &checkIn); err != nil {
		t.Fatal(err)
	}
	for _, e := range []schedules.Event{due, checkIn} {
		a, err := st.Deps.Store.GetAgreement(ctx, e.AgreementID)
		if err != nil {
			t.Errorf("sample event names agreement %q: %v", e.AgreementID, err)
		} else if e.Number < 1 || e.Number > len(a.Instalments) {
			t.Errorf("sample event names number %d of %s", e.Number, e.AgreementID)
		}
	}
	// The bounce is of a demo partner's contact.
	bounce := string(read("ses-events-bounce.json"))
	found := false
	for _, p := range demoPartners {
		found = found || strings.Contains(bounce, p.email)
	}
	if !found {
		t.Error("ses-events-bounce.json names no demo partner's contact")
	}
}
