package httpapi

import (
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// asUser is ev sent by user with the groups claim exactly as API Gateway's
// HTTP API JWT authorizer hands an array claim to a function: the values
// inside brackets, separated by spaces ("[programme finance]").
func asUser(ev events.APIGatewayV2HTTPRequest, user, groups string) events.APIGatewayV2HTTPRequest {
	ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
			Claims: map[string]string{"iss": "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_test", "sub": "sub-" + user, "token_use": "id", "email": user, "cognito:groups": groups},
		},
	}
	return ev
}

// A role is granted by a whole group name only: a group whose name contains
// a comma, or a role name, grants nothing by that part.
func TestGroupsClaimGrantsWholeGroupNamesOnly(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct {
		groups string
		status int
	}{
		{"[programme]", http.StatusCreated},
		{"[viewer programme]", http.StatusCreated},
		{"[finance programme viewer]", http.StatusCreated},
		{"programme", http.StatusCreated}, // a claim that was a single string, not an array
		{"[partners,programme]", http.StatusForbidden},
		{"[viewer partners,programme]", http.StatusForbidden},
		{"[programme,finance]", http.StatusForbidden},
		{`["programme"]`, http.StatusForbidden},
		{"[programme-leads]", http.StatusForbidden},
		{"[Programme]", http.StatusForbidden},
		{"[]", http.StatusForbidden},
		{"", http.StatusForbidden},
	} {
		resp := f.do(t, asUser(event("POST", "/agreements", nil, issueBody, RoleProgramme), "olu@funder.example", tt.groups))
		if resp.StatusCode != tt.status {
			t.Errorf("groups %q: %d, want %d", tt.groups, resp.StatusCode, tt.status)
		}
		if tt.status == http.StatusForbidden && resp.Headers["Content-Type"] != "application/problem+json" {
			t.Errorf("groups %q: Content-Type %q, want application/problem+json", tt.groups, resp.Headers["Content-Type"])
		}
	}
}
