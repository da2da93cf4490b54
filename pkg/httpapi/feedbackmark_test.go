package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/dev/testenv/replyworld"
	"github.com/partnership-grants/backend/pkg/grants"
)

// Issue 24: POST /agreements/{id}/check-ins/{n}/feedback marks which part
// of a reply is feedback, as the programme role only; bad input is a
// problem naming the field; once marked, finance and viewers read the rest
// of a heading-less reply and not the passage.
func TestMarkFeedbackRouteAsEachRole(t *testing.T) {
	t.Parallel()
	e := newCIEnv(t)
	a, rcpt := e.ActiveAgreement(t)
	id := e.Receive(t, privateReply(e.Partner, rcpt, "whole-3",
		"Forty guests came to the garden day.\nPRIVATE-MARKED your forms take us\nhours every quarter.\nPhotos attached."), e.Partner, rcpt, replyworld.Pass)
	mark := func(role Role, body string) (int, string) {
		resp := e.do(t, event("POST", "/agreements/{id}/check-ins/{n}/feedback", checkInParams(a.ID, "1"), body, role))
		return resp.StatusCode, resp.Body
	}
	body := `{"messageId": "` + id + `", "passage": "PRIVATE-MARKED your forms take us hours every quarter."}`
	for _, role := range []Role{RoleFinance, RoleViewer} {
		resp := e.do(t, event("POST", "/agreements/{id}/check-ins/{n}/feedback", checkInParams(a.ID, "1"), body, role))
		problemOf(t, string(role)+" marks", resp, http.StatusForbidden)
	}
	for _, c := range []struct{ what, body, field string }{
		{"an unknown message", `{"messageId": "nope", "passage": ""}`, "messageId"},
		{"no message", `{"passage": ""}`, "messageId"},
		{"no passage", `{"messageId": "` + id + `"}`, "passage"},
		{"a passage not in the reply", `{"messageId": "` + id + `", "passage": "we love the forms"}`, "passage"},
	} {
		wantField(t, c.what, e.do(t, event("POST", "/agreements/{id}/check-ins/{n}/feedback", checkInParams(a.ID, "1"), c.body, RoleProgramme)), c.field)
	}
	problemOf(t, "check-in 9", e.do(t, event("POST", "/agreements/{id}/check-ins/{n}/feedback", checkInParams(a.ID, "9"), body, RoleProgramme)), http.StatusNotFound)

	// Before the mark: finance reads nothing of it.
	read := func(role Role) (grants.Reply, string) {
		resp := e.do(t, event("GET", "/agreements/{id}/check-ins/{n}", checkInParams(a.ID, "1"), "", role))
		got := decodeInto[ciCheckIn](t, resp)
		if len(got.Replies) != 1 {
			t.Fatalf("%s reads %s", role, resp.Body)
		}
		return got.Replies[0], resp.Body
	}
	if r, _ := read(RoleFinance); r.Text != "" || !r.FeedbackWithheld {
		t.Fatalf("before the mark finance reads %+v", r)
	}

	status, resp := mark(RoleProgramme, body)
	if status != http.StatusOK || !strings.Contains(resp, `"feedback":"PRIVATE-MARKED your forms take us\nhours every quarter."`) || !strings.Contains(resp, `"feedbackMark":{`) {
		t.Fatalf("the programme marks: %d %s", status, resp)
	}
	if again, resp2 := mark(RoleProgramme, body); again != http.StatusOK || resp2 != resp {
		t.Errorf("marking again: %d %s, want the same answer %s", again, resp2, resp)
	}
	for _, role := range []Role{RoleFinance, RoleViewer} {
		r, raw := read(role)
		if strings.Contains(raw, "PRIVATE-") || strings.Contains(raw, `"feedback"`) || strings.Contains(raw, "feedbackMark") {
			t.Errorf("%s reads the feedback: %s", role, raw)
		}
		if r.Text != "Forty guests came to the garden day.\n\nPhotos attached." || !r.FeedbackWithheld {
			t.Errorf("%s reads %+v", role, r)
		}
	}
	if r, _ := read(RoleProgramme); r.Feedback != "PRIVATE-MARKED your forms take us\nhours every quarter." || r.FeedbackMark == nil {
		t.Errorf("the programme reads %+v", r)
	}

	// No feedback in it after all: finance reads it whole.
	if status, resp := mark(RoleProgramme, `{"messageId": "`+id+`", "passage": ""}`); status != http.StatusOK {
		t.Fatalf("%d %s", status, resp)
	}
	if r, _ := read(RoleFinance); !strings.Contains(r.Text, "PRIVATE-MARKED") || r.FeedbackWithheld {
		t.Errorf("marked as no feedback, finance reads %+v", r)
	}
}
