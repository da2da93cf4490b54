package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/grants"
)

// Unpaid instalment amounts vary through PATCH /agreements/{id}, with a
// reason, keeping the award or changing it explicitly; the history holds
// each change before and after; refusals name their field and write nothing.
func TestAmendAmountsKeepsWhatChanged(t *testing.T) {
	f := newFixture(t)
	a := decodeAgreement(t, f.do(t, event("POST", "/agreements", nil, issueBody, RoleProgramme)))
	id := map[string]string{"id": a.ID}
	if r := f.do(t, event("POST", "/agreements/{id}/activate", id, "", RoleProgramme)); r.StatusCode != 200 {
		t.Fatalf("activate: %d %s", r.StatusCode, r.Body)
	}
	// Instalment 1 is paid.
	if _, err := f.store.UpdateAgreement(context.Background(), a.ID, 0, func(a *grants.Agreement) (grants.Effects, error) {
		e, _, err := a.MakeInstalmentDue(1, a.UpdatedAt)
		if err != nil {
			return grants.Effects{}, err
		}
		_, more, err := a.RequestPayment(1, grants.PaymentRequest{PaymentReference: "BACS-1", PaidOn: "2026-01-10"}, "p1", false, a.UpdatedAt, grants.Actor{ID: "finance@funder.example", Name: "finance@funder.example"})
		return grants.Effects{Audit: append([]grants.AuditEntry{e}, more...)}, err
	}); err != nil {
		t.Fatal(err)
	}
	f.writes()
	patch := func(body, version string) events.APIGatewayV2HTTPResponse {
		return f.do(t, event("PATCH", "/agreements/{id}", id, body, RoleProgramme, "If-Match", version))
	}
	v := `"3"`
	f.wantRefused(t, patch(`{"instalments": [{"number": 3, "amount": 300000}, {"number": 4, "amount": 200000}]}`, v), http.StatusUnprocessableEntity, "reason")
	f.wantRefused(t, patch(`{"reason": "r", "instalments": [{"number": 1, "amount": 200000}, {"number": 2, "amount": 300000}]}`, v), http.StatusUnprocessableEntity, "instalments[0].amount")
	f.wantRefused(t, patch(`{"reason": "r", "instalments": [{"number": 2, "amount": 0}, {"number": 3, "amount": 500000}]}`, v), http.StatusUnprocessableEntity, "instalments[0].amount")
	f.wantRefused(t, patch(`{"reason": "r", "instalments": [{"number": 3, "amount": 300000}]}`, v), http.StatusUnprocessableEntity, "instalments")
	f.wantRefused(t, patch(`{"reason": "r", "award": 100000000001}`, v), http.StatusUnprocessableEntity, "award")
	f.wantRefused(t, patch(`{"reason": "r", "award": 1200000, "instalments": [{"number": 3, "amount": 300000}]}`, v), http.StatusUnprocessableEntity, "award")

	resp := patch(`{"reason": "A sixth meal agreed", "award": 1100000, "instalments": [{"number": 3, "amount": 300000}, {"number": 4, "amount": 300000, "dueDate": "2026-11-02"}]}`, v)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("amend amounts: %d %s", resp.StatusCode, resp.Body)
	}
	got := decodeAgreement(t, resp)
	if got.Amount != 1100000 || got.Instalments[2].Amount != 300000 || got.Instalments[3].Amount != 300000 ||
		got.Stats.Paid != 250000 || got.Stats.Outstanding != 850000 {
		t.Errorf("after the amendment: award %d, instalments %+v, stats %+v", got.Amount, got.Instalments, got.Stats)
	}
	h := f.do(t, event("GET", "/agreements/{id}/history", id, "", RoleViewer))
	var page struct{ Items []grants.AuditEntry }
	if err := json.Unmarshal([]byte(h.Body), &page); err != nil {
		t.Fatal(err)
	}
	last := page.Items[len(page.Items)-1]
	want := []grants.Change{
		{Field: "instalments[4].dueDate", Before: []string{"2026-10-31"}, After: []string{"2026-11-02"}},
		{Field: "instalments[3].amount", Before: []string{"250000"}, After: []string{"300000"}},
		{Field: "instalments[4].amount", Before: []string{"250000"}, After: []string{"300000"}},
		{Field: "award", Before: []string{"1000000"}, After: []string{"1100000"}},
	}
	if last.Action != "agreement.amended" || !reflect.DeepEqual(last.Changes, want) {
		t.Errorf("history's last entry %+v\nwant changes %+v", last, want)
	}
	stored, err := f.store.GetAgreement(context.Background(), a.ID)
	if err != nil || stored.Stats.Outstanding != 850000 || stored.Instalments[2].Amount != 300000 {
		t.Errorf("stored: %+v %v", stored, err)
	}
}
