package httpapi

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/grants"
)

// A change of an agreement without If-Match is 428 Precondition Required,
// naming the header; with a version that is no longer current it is 412;
// with the current one it goes through.
func TestAmendNeedsIfMatch(t *testing.T) {
	f := newFixture(t)
	a := decodeAgreement(t, f.do(t, event("POST", "/agreements", nil, issueBody, RoleProgramme)))
	id := map[string]string{"id": a.ID}
	body := `{"terms": ["Co-host six community meals"]}`

	p := problemOf(t, "no If-Match", f.do(t, event("PATCH", "/agreements/{id}", id, body, RoleProgramme)), http.StatusPreconditionRequired)
	if len(p.Errors) != 1 || p.Errors[0].Field != "If-Match" || p.Type != problemBase+"precondition_required" {
		t.Errorf("428 problem: %+v", p)
	}
	if r := f.do(t, event("PATCH", "/agreements/{id}", id, body, RoleProgramme, "If-Match", `"1"`)); r.StatusCode != 200 || r.Headers["ETag"] != `"2"` {
		t.Fatalf("current If-Match: %d %v %s", r.StatusCode, r.Headers, r.Body)
	}
	problemOf(t, "stale If-Match", f.do(t, event("PATCH", "/agreements/{id}", id, body, RoleProgramme, "If-Match", `"1"`)), http.StatusPreconditionFailed)
	wantField(t, "unreadable If-Match", f.do(t, event("PATCH", "/agreements/{id}", id, body, RoleProgramme, "If-Match", "yesterday")), "If-Match")
}

// onStage is ev as API Gateway delivers it through the named stage.
func onStage(ev events.APIGatewayV2HTTPRequest, stage string) events.APIGatewayV2HTTPRequest {
	ev.RequestContext.Stage = stage
	return ev
}

// Location resolves against the address the client called: under a named
// stage (template.yaml's StageName) it starts with the stage; the $default
// stage, served at the root, adds nothing. A retry under the same key gets
// the same Location and ETag as the first answer.
func TestCreatedLocationIncludesTheStage(t *testing.T) {
	f := newFixture(t)
	create := func(stage, key string) events.APIGatewayV2HTTPResponse {
		var headers []string
		if key != "" {
			headers = []string{"Idempotency-Key", key}
		}
		r := f.do(t, onStage(event("POST", "/agreements", nil, issueBody, RoleProgramme, headers...), stage))
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("create on %q: %d %s", stage, r.StatusCode, r.Body)
		}
		return r
	}
	for stage, prefix := range map[string]string{"prod": "/prod", "$default": "", "": ""} {
		r := create(stage, "")
		if want := prefix + "/agreements/" + decodeAgreement(t, r).ID; r.Headers["Location"] != want {
			t.Errorf("stage %q: Location %q, want %q", stage, r.Headers["Location"], want)
		}
	}
	first := create("dev", "levy-stage-1")
	again := create("dev", "levy-stage-1")
	if again.Headers["Idempotent-Replayed"] != "true" || again.Body != first.Body {
		t.Fatalf("not a replay: %v %s", again.Headers, again.Body)
	}
	for _, h := range []string{"Location", "ETag"} {
		if again.Headers[h] == "" || again.Headers[h] != first.Headers[h] {
			t.Errorf("replayed %s %q, first %q", h, again.Headers[h], first.Headers[h])
		}
	}
	if want := "/dev/agreements/" + decodeAgreement(t, first).ID; first.Headers["Location"] != want {
		t.Errorf("Location %q, want %q", first.Headers["Location"], want)
	}
}

func TestPayRunLocationIncludesTheStage(t *testing.T) {
	e := newPayEnv(t)
	a := e.newAgreement(t, "community-2026", 1)
	r := e.do(t, onStage(runEvent(runBody(runItem(a.ID, 1, "RUN-1")), alice, "run-stage-1"), "prod"))
	run := decodeRun(t, r, http.StatusCreated)
	if want := "/prod/payment-runs/" + run.ID; r.Headers["Location"] != want {
		t.Errorf("Location %q, want %q", r.Headers["Location"], want)
	}
	if again := e.do(t, onStage(runEvent(runBody(runItem(a.ID, 1, "RUN-1")), alice, "run-stage-1"), "prod")); again.Headers["Location"] != r.Headers["Location"] {
		t.Errorf("replayed Location %q, first %q", again.Headers["Location"], r.Headers["Location"])
	}
}

// A 409 that only means other requests were writing the same records at
// that moment tells the client when to retry; a 409 that is the state of
// things (paid already, terminated) does not, as retrying cannot help.
func TestBusyConflictCarriesRetryAfter(t *testing.T) {
	busy := errorResponse(t.Context(), &grants.Error{Code: grants.Conflict, Message: "The agreement is being changed by someone else; try again.", Reason: grants.ReasonBusy})
	if busy.StatusCode != http.StatusConflict || busy.Headers["Retry-After"] != "1" {
		t.Errorf("busy: %d %v", busy.StatusCode, busy.Headers)
	}
	var p Problem
	if err := json.Unmarshal([]byte(busy.Body), &p); err != nil || p.Type != problemBase+"busy" || busy.Headers["Content-Type"] != "application/problem+json" {
		t.Errorf("busy problem: %v %+v %v", err, p, busy.Headers)
	}
	settled := errorResponse(t.Context(), &grants.Error{Code: grants.Conflict, Message: "This message was already accepted.", Reason: "already_resolved"})
	if _, ok := settled.Headers["Retry-After"]; ok || settled.StatusCode != http.StatusConflict {
		t.Errorf("settled conflict: %d %v", settled.StatusCode, settled.Headers)
	}
}
