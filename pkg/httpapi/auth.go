package httpapi

import (
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/grants"
)

// The staff roles and the signed-in caller are the domain's (pkg/grants);
// the names here keep the route tables short.
type (
	Role  = grants.Role
	Actor = grants.Actor
)

const (
	RoleProgramme = grants.RoleProgramme
	RoleFinance   = grants.RoleFinance
	RoleViewer    = grants.RoleViewer
	// RoleAdmin (issue 25) edits a programme's settings; no money route
	// lists it.
	RoleAdmin = grants.RoleAdmin
)

// Readers may read agreements and the programme's state.
var Readers = grants.Readers

// actorFrom reads the caller from the claims API Gateway's JWT authorizer
// passed on. API Gateway has already verified the token: a request without
// claims never reached us in AWS, so their absence is a 401, not trust.
//
// The API takes ID tokens only. The authorizer also passes a Cognito access
// token of the same client (it matches client_id where there is no aud),
// which names the person by username alone and carries no email: taking
// both kinds would let one person appear as two. An ID token carries what
// the API needs (who, shown by email, and the groups), as the web app's
// session does, with no resource server or scopes to keep.
func actorFrom(req *events.APIGatewayV2HTTPRequest) (Actor, error) {
	if req.RequestContext.Authorizer == nil || req.RequestContext.Authorizer.JWT == nil {
		return Actor{}, &grants.Error{Code: grants.Unauthorized, Message: "A bearer token is required.", Reason: "unauthenticated"}
	}
	claims := req.RequestContext.Authorizer.JWT.Claims
	if claims["token_use"] != "id" {
		return Actor{}, &grants.Error{Code: grants.Unauthorized, Message: "Send an ID token as the bearer token; access tokens are not accepted.", Reason: "id_token_required"}
	}
	if claims["sub"] == "" {
		return Actor{}, &grants.Error{Code: grants.Unauthorized, Message: "The token does not identify a user.", Reason: "unauthenticated"}
	}
	return grants.StaffActor(claims["iss"], claims["sub"], claims["email"], claims["cognito:username"], parseGroups(claims["cognito:groups"])), nil
}

// parseGroups reads the groups claim as API Gateway's HTTP API JWT
// authorizer passes an array claim to a function: its values inside
// brackets, separated by single spaces ("[programme finance]"); a claim that
// was a single string arrives as that string. Cognito group names hold no
// white space, so the split is exact; a name is a role only when it is the
// role's whole name ("partners,programme" is not "programme").
func parseGroups(v string) []Role {
	if inner, ok := strings.CutPrefix(v, "["); ok {
		if inner, ok = strings.CutSuffix(inner, "]"); ok {
			v = inner
		}
	}
	var roles []Role
	for g := range strings.FieldsSeq(v) {
		roles = append(roles, Role(g))
	}
	return roles
}
