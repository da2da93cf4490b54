package httpapi

import (
	"context"
	"net/http"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/grants"
)

// Support is followed up through PATCH /agreements/{id}/support/{n}: a
// status and dated notes, recorded in the history; bad input is a problem
// naming its field. An agreement stored with support as plain strings (as
// before) still reads, each item offered.
func TestUpdateSupportItem(t *testing.T) {
	f := newFixture(t)
	a := decodeAgreement(t, f.do(t, event("POST", "/agreements", nil, issueBody, RoleProgramme)))
	if len(a.Support) != 1 || !reflect.DeepEqual(a.Support[0], grants.SupportItem{Item: "Evaluation mentoring", Status: grants.SupportOffered}) {
		t.Fatalf("created support %+v", a.Support)
	}
	f.counter.reset()
	route, params := "/agreements/{id}/support/{n}", map[string]string{"id": a.ID, "n": "1"}
	f.wantRefused(t, f.do(t, event("PATCH", route, params, `{"status": "done"}`, RoleProgramme)), http.StatusUnprocessableEntity, "status")
	f.wantRefused(t, f.do(t, event("PATCH", route, params, `{}`, RoleProgramme)), http.StatusUnprocessableEntity, "status")
	problemOf(t, "support item 2", f.do(t, event("PATCH", route, map[string]string{"id": a.ID, "n": "2"}, `{"status": "delivered"}`, RoleProgramme)), http.StatusNotFound)
	problemOf(t, "finance updating support", f.do(t, event("PATCH", route, params, `{"status": "delivered"}`, RoleFinance)), http.StatusForbidden)

	resp := f.do(t, event("PATCH", route, params, `{"status": "delivered", "note": "Three sessions with the evaluation lead"}`, RoleProgramme))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("update support: %d %s", resp.StatusCode, resp.Body)
	}
	got := decodeAgreement(t, resp).Support[0]
	if got.Status != grants.SupportDelivered || len(got.Notes) != 1 || got.Notes[0].Text != "Three sessions with the evaluation lead" ||
		got.Notes[0].By != "programme@funder.example" || got.UpdatedOn.String() != "2026-01-10" {
		t.Errorf("support after update %+v", got)
	}
	stored, err := f.store.GetAgreement(context.Background(), a.ID)
	if err != nil || stored.Stats.SupportDelivered != 1 {
		t.Fatalf("stored stats %+v, %v", stored.Stats, err)
	}

	// The old shape: support as a list of strings.
	db, table := f.db, f.table
	if _, err := db.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{TableName: aws.String(table),
		Key:                       map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "AGR#" + a.ID}, "SK": &types.AttributeValueMemberS{Value: "A"}},
		UpdateExpression:          aws.String("SET support = :s"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":s": &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: "Board development"}}}},
	}); err != nil {
		t.Fatal(err)
	}
	old := decodeAgreement(t, f.do(t, event("GET", "/agreements/{id}", map[string]string{"id": a.ID}, "", RoleViewer)))
	if len(old.Support) != 1 || !reflect.DeepEqual(old.Support[0], grants.SupportItem{Item: "Board development", Status: grants.SupportOffered}) {
		t.Errorf("support stored as strings reads as %+v", old.Support)
	}
}
