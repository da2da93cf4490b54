package httpapi

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/service"
)

// The stories' routes (issue 24, item 5): marking a passage is the
// programme role's, refused naming `passage` with none and `checkIn` for a
// check-in with no reply; 201 with an Idempotency-Key, the retry replayed;
// a consent recorded with a note; the agreement's stories for the
// programme role only and never in the agreement's JSON; the consented
// list for every reader.
func TestStoriesRoutes(t *testing.T) {
	store := memstore.New()
	env := service.Env{Now: tick(), NewID: memstore.NewID}
	api := (&Agreements{Agreements: service.NewAgreements(store, service.LeaveQueued, service.NoSchedules, env, service.AgreementOptions{})}).Routes()
	for k, r := range (&Stories{Stories: service.NewStories(store, env)}).Routes() {
		api[k] = r
	}
	f := &fixture{api: api, store: store}
	a := decodeAgreement(t, f.do(t, event("POST", "/agreements", nil, issueBody, RoleProgramme)))
	if r := f.do(t, event("POST", "/agreements/{id}/activate", map[string]string{"id": a.ID}, "", RoleProgramme)); r.StatusCode != 200 {
		t.Fatalf("activate: %d %s", r.StatusCode, r.Body)
	}
	id := map[string]string{"id": a.ID}
	wantField(t, "no passage", f.do(t, event("POST", "/agreements/{id}/stories", id, `{"checkIn": 1, "passage": ""}`, RoleProgramme)), "passage")
	wantField(t, "no reply", f.do(t, event("POST", "/agreements/{id}/stories", id, `{"checkIn": 1, "passage": "We ran four meals."}`, RoleProgramme)), "checkIn")
	if err := store.Apply(context.Background(), a.ID, grants.Effects{Replies: []grants.Reply{{AgreementID: a.ID, CheckIn: 1, MessageID: "ses-1",
		From: "x@partner.example", Text: "We ran four meals. Feedback for us: PRIVATE the form is long."}}}); err != nil {
		t.Fatal(err)
	}
	wantField(t, "words not in the reply", f.do(t, event("POST", "/agreements/{id}/stories", id, `{"checkIn": 1, "passage": "We ran five meals."}`, RoleProgramme)), "passage")
	if r := f.do(t, event("POST", "/agreements/{id}/stories", id, `{"checkIn": 1, "passage": "We ran four meals."}`, RoleFinance)); r.StatusCode != 403 {
		t.Errorf("finance marking: %d", r.StatusCode)
	}
	first := f.do(t, event("POST", "/agreements/{id}/stories", id, `{"checkIn": 1, "passage": "the form is long"}`, RoleProgramme, "Idempotency-Key", "story-1"))
	again := f.do(t, event("POST", "/agreements/{id}/stories", id, `{"checkIn": 1, "passage": "the form is long"}`, RoleProgramme, "Idempotency-Key", "story-1"))
	if first.StatusCode != 201 || again.StatusCode != 201 || again.Body != first.Body || again.Headers["Idempotent-Replayed"] != "true" {
		t.Fatalf("mark: %d %s; again %d %v", first.StatusCode, first.Body, again.StatusCode, again.Headers)
	}
	if r := f.do(t, event("GET", "/agreements/{id}", id, "", RoleFinance)); strings.Contains(r.Body, "PRIVATE") || strings.Contains(r.Body, "the form is long") {
		t.Errorf("the agreement's JSON carries the story: %s", r.Body)
	}
	for _, role := range []Role{RoleFinance, RoleViewer} {
		if r := f.do(t, event("GET", "/agreements/{id}/stories", id, "", role)); r.StatusCode != 403 {
			t.Errorf("the agreement's stories as %s: %d", role, r.StatusCode)
		}
	}
	n := map[string]string{"id": a.ID, "n": "1"}
	wantField(t, "a consent with no note", f.do(t, event("POST", "/agreements/{id}/stories/{n}/consent", n, `{"name": "organisation"}`, RoleProgramme)), "note")
	wantField(t, "a bad name", f.do(t, event("POST", "/agreements/{id}/stories/{n}/consent", n, `{"note": "on the phone", "name": "full"}`, RoleProgramme)), "name")
	if r := f.do(t, event("POST", "/agreements/{id}/stories/{n}/consent", map[string]string{"id": a.ID, "n": "9"}, `{"note": "on the phone"}`, RoleProgramme)); r.StatusCode != 404 {
		t.Errorf("consent to a story that is not: %d", r.StatusCode)
	}
	prog := map[string]string{"programme": "community-2026"}
	var shared service.SharedStories
	if r := f.do(t, event("GET", "/programmes/{programme}/stories", prog, "", RoleViewer)); r.StatusCode != 200 || json.Unmarshal([]byte(r.Body), &shared) != nil || len(shared.Stories) != 0 {
		t.Fatalf("before consent: %d %s", r.StatusCode, r.Body)
	}
	if r := f.do(t, event("POST", "/agreements/{id}/stories/{n}/consent", n, `{"note": "Said yes on the phone", "name": "organisation", "where": ["website"]}`, RoleProgramme)); r.StatusCode != 200 {
		t.Fatalf("consent: %d %s", r.StatusCode, r.Body)
	}
	for _, role := range []Role{RoleProgramme, RoleFinance, RoleViewer} {
		r := f.do(t, event("GET", "/programmes/{programme}/stories", prog, "", role))
		if r.StatusCode != 200 || json.Unmarshal([]byte(r.Body), &shared) != nil || len(shared.Stories) != 1 || shared.Stories[0].Consent.How != "officer" ||
			shared.Stories[0].Consent.Note != "Said yes on the phone" || shared.Stories[0].Passage != "the form is long" {
			t.Errorf("as %s: %d %s", role, r.StatusCode, r.Body)
		}
	}
}
