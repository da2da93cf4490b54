package httpapi

import (
	"strings"
	"testing"
)

// DELETE /agreements/{id}: a draft answers 204 and is gone (404 after, and
// on a repeat); an active agreement answers 409 not_a_draft as
// problem+json.
func TestDeleteDraftRoute(t *testing.T) {
	f := newFixture(t)
	a := decodeAgreement(t, f.do(t, event("POST", "/agreements", nil, issueBody, RoleProgramme)))
	id := map[string]string{"id": a.ID}
	if r := f.do(t, event("DELETE", "/agreements/{id}", id, "", RoleProgramme)); r.StatusCode != 204 {
		t.Fatalf("delete: %d %s", r.StatusCode, r.Body)
	}
	if r := f.do(t, event("GET", "/agreements/{id}", id, "", RoleViewer)); r.StatusCode != 404 {
		t.Errorf("read after delete: %d %s", r.StatusCode, r.Body)
	}
	if r := f.do(t, event("DELETE", "/agreements/{id}", id, "", RoleProgramme)); r.StatusCode != 404 {
		t.Errorf("delete again: %d %s", r.StatusCode, r.Body)
	}

	b := decodeAgreement(t, f.do(t, event("POST", "/agreements", nil, issueBody, RoleProgramme)))
	id = map[string]string{"id": b.ID}
	if r := f.do(t, event("DELETE", "/agreements/{id}", id, "", RoleViewer)); r.StatusCode != 403 {
		t.Errorf("delete by a viewer: %d %s", r.StatusCode, r.Body)
	}
	if r := f.do(t, event("POST", "/agreements/{id}/activate", id, "", RoleProgramme)); r.StatusCode != 200 {
		t.Fatalf("activate: %d %s", r.StatusCode, r.Body)
	}
	r := f.do(t, event("DELETE", "/agreements/{id}", id, "", RoleProgramme))
	if r.StatusCode != 409 || r.Headers["Content-Type"] != "application/problem+json" || !strings.Contains(r.Body, "not_a_draft") {
		t.Errorf("delete an active agreement: %d %v %s", r.StatusCode, r.Headers, r.Body)
	}
}
