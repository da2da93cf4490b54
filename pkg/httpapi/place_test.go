package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/service"
)

// Issue 25, item 6: someone whose roles hold in one programme acts there
// with them, and finds nothing of another programme: its agreements are
// as absent as ones that do not exist, its lists are refused, and a
// router not told where agreements live refuses them rather than trust.
func TestRolesHeldInOneProgrammeHoldThereOnly(t *testing.T) {
	store := memstore.New()
	h := &Agreements{Agreements: service.NewAgreements(store, service.LeaveQueued, service.NoSchedules,
		service.Env{Now: func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }, NewID: memstore.NewID}, service.AgreementOptions{})}
	placed := h.Routes().Placing(store)
	do := func(api interface {
		Handle(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)
	}, ev events.APIGatewayV2HTTPRequest, groups string, want int) events.APIGatewayV2HTTPResponse {
		t.Helper()
		resp, err := api.Handle(context.Background(), asUser(ev, "someone@funder.example", groups))
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != want {
			t.Fatalf("%s as %s: %d, want %d: %s", ev.RouteKey, groups, resp.StatusCode, want, resp.Body)
		}
		return resp
	}
	create := event("POST", "/agreements", nil, issueBody, RoleProgramme) // programme community-2026
	do(placed, create, "[programme:other-2026]", http.StatusForbidden)
	do(placed, create, "[viewer:community-2026]", http.StatusForbidden)
	id := decodeAgreement(t, do(placed, create, "[programme:community-2026]", http.StatusCreated)).ID

	get := event("GET", "/agreements/{id}", map[string]string{"id": id}, "", RoleViewer)
	do(placed, get, "[viewer:community-2026]", http.StatusOK)
	do(placed, get, "[viewer finance:other-2026]", http.StatusOK) // viewer everywhere
	gone := do(placed, get, "[programme:other-2026 finance:other-2026]", http.StatusNotFound)
	absent := do(placed, event("GET", "/agreements/{id}", map[string]string{"id": id + "x"}, "", RoleViewer), "[viewer:community-2026]", http.StatusNotFound)
	var p, q Problem
	if json.Unmarshal([]byte(gone.Body), &p) != nil || json.Unmarshal([]byte(absent.Body), &q) != nil ||
		strings.ReplaceAll(q.Detail, id+"x", id) != p.Detail || p.Type != q.Type {
		t.Errorf("refusal says %q (%s): it must read as for an agreement that does not exist: %q (%s)", p.Detail, p.Type, q.Detail, q.Type)
	}
	// The roles held there are the ones that count there.
	activate := event("POST", "/agreements/{id}/activate", map[string]string{"id": id}, "", RoleProgramme)
	do(placed, activate, "[viewer:community-2026 programme:other-2026]", http.StatusForbidden)
	// Unplaced, a router refuses rather than trust the roles of another programme.
	do(h.Routes(), get, "[viewer:community-2026]", http.StatusForbidden)

	list := event("GET", "/agreements", nil, "", RoleViewer)
	list.QueryStringParameters = map[string]string{"programme": "community-2026"}
	do(placed, list, "[finance:community-2026]", http.StatusOK)
	do(placed, list, "[finance:other-2026]", http.StatusForbidden)
	// A group naming no programme gives nothing.
	do(placed, list, "[finance:]", http.StatusForbidden)
}
