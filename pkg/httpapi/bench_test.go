package httpapi

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/dynamo"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

func benchAPI(b *testing.B) Router {
	db, table := testenv.AppTable(b)
	store := dynamo.New(db, table)
	h := &Agreements{Agreements: service.NewAgreements(store, service.LeaveQueued, service.NoSchedules,
		service.Env{Now: time.Now, NewID: dynamo.NewID}, service.AgreementOptions{})}
	return h.Routes()
}

// BenchmarkCreateAgreement is POST /agreements through the handler against
// DynamoDB Local: validation, plans, one GetItem and one TransactWriteItems.
func BenchmarkCreateAgreement(b *testing.B) {
	api := benchAPI(b)
	ev := event("POST", "/agreements", nil, issueBody, RoleProgramme)
	b.ReportAllocs()
	for b.Loop() {
		resp, err := api.Handle(context.Background(), ev)
		if err != nil || resp.StatusCode != 201 {
			b.Fatalf("%v %d %s", err, resp.StatusCode, resp.Body)
		}
	}
}

// BenchmarkGetAgreement is GET /agreements/{id}: one Query.
func BenchmarkGetAgreement(b *testing.B) {
	api := benchAPI(b)
	resp, _ := api.Handle(context.Background(), event("POST", "/agreements", nil, issueBody, RoleProgramme))
	var a grants.Agreement
	if err := json.Unmarshal([]byte(resp.Body), &a); err != nil {
		b.Fatal(err)
	}
	ev := event("GET", "/agreements/{id}", map[string]string{"id": a.ID}, "", RoleViewer)
	b.ReportAllocs()
	for b.Loop() {
		resp, err := api.Handle(context.Background(), ev)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("%v %d", err, resp.StatusCode)
		}
	}
}
