package httpapi

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// An Idempotency-Key belongs to its caller: another user sending the same
// key and body makes their own request and never sees the first user's
// response; each user's own retry still gets theirs back.
func TestIdempotencyKeysAreScopedToTheCaller(t *testing.T) {
	f := newFixture(t)
	send := func(user string) (int, string, string) {
		ev := asUser(event("POST", "/agreements", nil, issueBody, RoleProgramme, "Idempotency-Key", "shared-key-1"), user, "[programme]")
		resp := f.do(t, ev)
		return resp.StatusCode, resp.Headers["Idempotent-Replayed"], resp.Body
	}
	code, _, first := send("amina@funder.example")
	if code != http.StatusCreated {
		t.Fatalf("first user: %d %s", code, first)
	}
	code, replayed, second := send("bea@funder.example")
	if code != http.StatusCreated || replayed != "" || second == first {
		t.Fatalf("second user with the same key and body: %d replayed=%q; got the first user's response: %v", code, replayed, second == first)
	}
	if a, b := decodeAgreement(t, events.APIGatewayV2HTTPResponse{Body: first}), decodeAgreement(t, events.APIGatewayV2HTTPResponse{Body: second}); a.ID == b.ID || b.CreatedBy != "bea@funder.example" {
		t.Errorf("second user's agreement %s by %s, first %s", b.ID, b.CreatedBy, a.ID)
	}
	for user, want := range map[string]string{"amina@funder.example": first, "bea@funder.example": second} {
		code, replayed, body := send(user)
		if code != http.StatusCreated || replayed != "true" || body != want {
			t.Errorf("%s's retry: %d replayed=%q, own response: %v", user, code, replayed, body == want)
		}
	}
	page, err := f.store.ListAgreements(context.Background(), "community-2026", "", "", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 2 {
		t.Errorf("%d agreements, want one per user", len(page.Items))
	}
}
