package httpapi

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dynamo"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/outbox"
	"github.com/partnership-grants/backend/pkg/service"
)

// TestCompleteEarlyAfterTheEndDate closes an agreement with everything
// left: refused without a reason (422 naming it), before the end date
// (409), for finance (403); from the end date it completes, cancels the
// unpaid instalments, closes the check-ins and enqueues the partner's
// thank-you once.
func TestCompleteEarlyAfterTheEndDate(t *testing.T) {
	f := newFixture(t)
	var at atomic.Int64
	at.Store(time.Date(2026, 1, 10, 9, 30, 0, 0, time.UTC).UnixMilli())
	clock := func() time.Time { return time.UnixMilli(at.Add(1)).UTC() }
	f.api = (&Agreements{Agreements: service.NewAgreements(f.store, service.LeaveQueued, service.NoSchedules,
		service.Env{Now: clock, NewID: dynamo.NewID}, service.AgreementOptions{})}).Routes()

	a := decodeAgreement(t, f.do(t, event("POST", "/agreements", nil, issueBody, RoleProgramme)))
	id := map[string]string{"id": a.ID}
	if r := f.do(t, event("POST", "/agreements/{id}/activate", id, "", RoleProgramme)); r.StatusCode != 200 {
		t.Fatalf("activate: %d %s", r.StatusCode, r.Body)
	}
	r := f.do(t, event("POST", "/agreements/{id}/complete", id, `{}`, RoleProgramme))
	if r.StatusCode != 422 || r.Headers["Content-Type"] != "application/problem+json" || !strings.Contains(r.Body, `"field":"reason"`) {
		t.Fatalf("complete without reason: %d %v %s", r.StatusCode, r.Headers, r.Body)
	}
	if r := f.do(t, event("POST", "/agreements/{id}/complete", id, `{"reason": "Wound down"}`, RoleProgramme)); r.StatusCode != 409 || !strings.Contains(r.Body, "not_ended") {
		t.Fatalf("complete before the end date: %d %s", r.StatusCode, r.Body)
	}
	if r := f.do(t, event("POST", "/agreements/{id}/complete", id, `{"reason": "Wound down"}`, RoleFinance)); r.StatusCode != 403 {
		t.Fatalf("complete as finance: %d %s", r.StatusCode, r.Body)
	}
	at.Store(time.Date(2027, 2, 5, 10, 0, 0, 0, time.UTC).UnixMilli())
	r = f.do(t, event("POST", "/agreements/{id}/complete", id, `{"reason": "The partner wound down the project"}`, RoleProgramme))
	if r.StatusCode != 200 {
		t.Fatalf("complete: %d %s", r.StatusCode, r.Body)
	}
	got := decodeAgreement(t, r)
	if got.Status != grants.AgreementCompleted || got.Closure == nil || !got.Closure.Early || len(got.Closure.InstalmentsCancelled) != 4 || got.Closure.Unpaid != 1000000 {
		t.Fatalf("completed %s closure %+v", got.Status, got.Closure)
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(r.Body), &raw); err != nil || raw["readyToComplete"] != false {
		t.Errorf("readyToComplete %v (%v)", raw["readyToComplete"], err)
	}
	for _, c := range got.CheckIns {
		if c.Status != grants.CheckInWaived {
			t.Errorf("check-in %d is %s", c.Number, c.Status)
		}
	}
	e, err := f.store.Outbox(context.Background(), a.ID, outbox.ThankYouKey().String())
	if err != nil || e == nil || e.Status != "pending" {
		t.Fatalf("thank-you not enqueued: %+v %v", e, err)
	}
	if r := f.do(t, event("POST", "/agreements/{id}/complete", id, `{"reason": "again"}`, RoleProgramme)); r.StatusCode != 409 {
		t.Fatalf("complete twice: %d %s", r.StatusCode, r.Body)
	}
}
