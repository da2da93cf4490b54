package httpapi

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/grants"
)

// Issue item 8: a field given twice, or twice in different cases, or in
// another case than the document's, is a 400 naming the field, at every
// object level; encoding/json alone would take the last value silently.
func TestDecodeReadsKeysStrictly(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		reason string // the problem's Reason; "" for a body that decodes
		field  string
	}{
		{"the issue's example", `{"amount": 300000, "amount": 999}`, "duplicate_field", "amount"},
		{"differing only in case", `{"amount": 300000, "AMOUNT": 999}`, "duplicate_field", "AMOUNT"},
		{"differing by the Kelvin sign, which folds to k", `{"skip": 1, "s\u212Aip": 2}`, "duplicate_field", "s\u212Aip"},
		{"a field in another case", `{"Amount": 300000}`, "unknown_field", "Amount"},
		{"a field spelt with the Kelvin sign", `{"s\u212Aip": 1}`, "unknown_field", "s\u212Aip"},
		{"twice in a nested object", `{"partner": {"name": "A", "name": "B"}}`, "duplicate_field", "partner.name"},
		{"twice in an object in an array", `{"contacts": [{"email": "a@example.org"}, {"email": "a@example.org", "Email": "b@example.org"}]}`, "duplicate_field", "contacts[1].Email"},
		{"in another case in an array", `{"contacts": [{"EMAIL": "a@example.org"}]}`, "unknown_field", "contacts[0].EMAIL"},
		{"twice in a raw value", `{"amount": {"x": 1, "x": 2}}`, "duplicate_field", "amount.x"},
		{"the same name in sibling objects", `{"partner": {"name": "A"}, "contacts": [{"name": "B"}, {"name": "C"}]}`, "", ""},
		{"a plain body", `{"programme": "p", "amount": 1, "award": 2, "terms": ["a", "a"]}`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body struct {
				createBody
				Award  *int64  `json:"award"`
				Skip   *int    `json:"skip"`
				Hidden *string `json:"-"`
			}
			err := decode(&Request{APIGatewayV2HTTPRequest: &events.APIGatewayV2HTTPRequest{Body: tt.body}}, &body)
			var e *grants.Error
			switch {
			case tt.reason == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.reason == "":
			case !errors.As(err, &e) || e.Reason != tt.reason || codeStatus[e.Code] != http.StatusBadRequest:
				t.Fatalf("got %v, want a 400 %s", err, tt.reason)
			case len(e.Fields) != 1 || e.Fields[0].Field != tt.field:
				t.Fatalf("fields %+v, want %s", e.Fields, tt.field)
			}
		})
	}
}

// The issue's example through the handler: the duplicate award is refused
// and nothing is stored, rather than an agreement of the last value.
func TestCreateRefusesAFieldGivenTwice(t *testing.T) {
	f := newFixture(t)
	body := strings.Replace(issueBody, `"amount": 1000000`, `"amount": 300000, "amount": 999`, 1)
	if body == issueBody {
		t.Fatal("the example body has no amount to repeat")
	}
	f.writes()
	f.wantRefused(t, f.do(t, event("POST", "/agreements", nil, body, RoleProgramme)), http.StatusBadRequest, "amount")
	if page, err := f.store.ListAgreements(t.Context(), "community-2026", "", "", 10); err != nil || len(page.Items) != 0 {
		t.Errorf("stored %d agreements (%v)", len(page.Items), err)
	}
}
