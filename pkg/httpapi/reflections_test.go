package httpapi

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/outbox"
	"github.com/partnership-grants/backend/pkg/service"
)

// "You said, we did" in the JSON API (issue 24, item 4), for the programme
// role only: bad input is 422 naming the field, the Idempotency-Key is
// required, a retry under it is replayed (nothing queued twice), another
// request for the round is 409 naming round; the active agreement has its
// email queued. A partner's answer is listed under the agreement's
// messages, its words withheld from finance and viewers.
func TestReflectionsRoutes(t *testing.T) {
	ctx := context.Background()
	store := memstore.New()
	env := service.Env{Now: tick(), NewID: memstore.NewID}
	api := (&Agreements{Agreements: service.NewAgreements(store, service.LeaveQueued, service.NoSchedules, env, service.AgreementOptions{})}).Routes()
	replies := service.NewReplies(store, service.LeaveQueued, service.NoMetrics, env)
	for _, routes := range []Router{(&Reflections{Reflections: service.NewReflections(store, env)}).Routes(), (&Messages{Replies: replies, Links: fakeLinker{}}).Routes()} {
		for k, r := range routes {
			api[k] = r
		}
	}
	f := &fixture{api: api, store: store}
	a := decodeAgreement(t, f.do(t, event("POST", "/agreements", nil, issueBody, RoleProgramme)))
	if r := f.do(t, event("POST", "/agreements/{id}/activate", map[string]string{"id": a.ID}, "", RoleProgramme)); r.StatusCode != 200 {
		t.Fatalf("activate: %d %s", r.StatusCode, r.Body)
	}
	prog := map[string]string{"programme": "community-2026"}
	post := func(body, key string, role Role) (int, string) {
		r := f.do(t, event("POST", "/programmes/{programme}/reflections", prog, body, role, "Idempotency-Key", key))
		return r.StatusCode, r.Body
	}

	wantField(t, "no message", f.do(t, event("POST", "/programmes/{programme}/reflections", prog, `{"round": 1, "message": ""}`, RoleProgramme, "Idempotency-Key", "k0")), "message")
	wantField(t, "round 0", f.do(t, event("POST", "/programmes/{programme}/reflections", prog, `{"round": 0, "message": "We did"}`, RoleProgramme, "Idempotency-Key", "k0")), "round")
	long, _ := json.Marshal(strings.Repeat("x", grants.MaxReflectionLength+1))
	wantField(t, "too long", f.do(t, event("POST", "/programmes/{programme}/reflections", prog, `{"round": 1, "message": `+string(long)+`}`, RoleProgramme, "Idempotency-Key", "k0")), "message")
	wantField(t, "no key", f.do(t, event("POST", "/programmes/{programme}/reflections", prog, `{"round": 1, "message": "We did"}`, RoleProgramme)), "Idempotency-Key")
	for _, role := range []Role{RoleFinance, RoleViewer} {
		if code, _ := post(`{"round": 1, "message": "We did"}`, "k1", role); code != 403 {
			t.Errorf("as %s: %d", role, code)
		}
	}
	body := `{"round": 1, "message": "You said: late payments.\nWe did: moved the pay run."}`
	code, first := post(body, "k1", RoleProgramme)
	if code != 201 || !strings.Contains(first, `"agreements":1`) {
		t.Fatalf("reflect: %d %s", code, first)
	}
	if code, again := post(body, "k1", RoleProgramme); code != 201 || again != first {
		t.Errorf("a retry: %d %s", code, again)
	}
	if code, other := post(`{"round": 1, "message": "Something else"}`, "k2", RoleProgramme); code != 409 || !strings.Contains(other, "reflection_exists") || !strings.Contains(other, `"round"`) {
		t.Errorf("another for round 1: %d %s", code, other)
	}
	if en, err := store.Outbox(ctx, a.ID, outbox.ReflectionKey(1).String()); err != nil || en == nil || en.Status != outbox.StatusPending {
		t.Errorf("queued: %+v %v", en, err)
	}
	r := f.do(t, event("GET", "/programmes/{programme}/reflections", prog, "", RoleProgramme))
	if r.StatusCode != 200 || !strings.Contains(r.Body, `"round":1`) {
		t.Errorf("list: %d %s", r.StatusCode, r.Body)
	}

	words := "Thanks, the earlier pay run helps."
	if err := replies.AcceptMessage(ctx, grants.Reply{AgreementID: a.ID, MessageID: "ses-m-1", From: "lead@partner.example", Text: words, FullText: words}, "lead@partner.example", grants.Effects{}, service.Read{}); err != nil {
		t.Fatal(err)
	}
	for _, role := range []Role{RoleProgramme, RoleFinance, RoleViewer} {
		r := f.do(t, event("GET", "/agreements/{id}/messages", map[string]string{"id": a.ID}, "", role))
		shows := strings.Contains(r.Body, words)
		if r.StatusCode != 200 || !strings.Contains(r.Body, "ses-m-1") || shows != (role == RoleProgramme) || (role != RoleProgramme) != strings.Contains(r.Body, `"feedbackWithheld":true`) {
			t.Errorf("messages as %s: %d %s", role, r.StatusCode, r.Body)
		}
	}
}

// fakeLinker links files nowhere: the test's messages have none.
type fakeLinker struct{}

func (fakeLinker) DownloadLink(_ context.Context, key, _, _ string) (string, error) {
	return "https://links.test/" + key, nil
}
