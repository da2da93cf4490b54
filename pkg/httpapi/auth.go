package httpapi

import (
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/grants"
)

// Role is a Cognito group that grants a set of actions.
type Role string

const (
	RoleProgramme Role = "programme"
	RoleFinance   Role = "finance"
	RoleViewer    Role = "viewer"
)

// Readers may read agreements and the programme's state.
var Readers = []Role{RoleProgramme, RoleFinance, RoleViewer}

// Actor is the authenticated caller, as the JWT authorizer verified them.
type Actor struct {
	ID     string
	Groups []Role
}

// Has reports whether the actor is in any of the roles.
func (a Actor) Has(roles ...Role) bool {
	for _, g := range a.Groups {
		for _, r := range roles {
			if g == r {
				return true
			}
		}
	}
	return false
}

// actorFrom reads the caller from the claims API Gateway's JWT authorizer
// passed on. API Gateway has already verified the token: a request without
// claims never reached us in AWS, so their absence is a 401, not trust.
func actorFrom(req *events.APIGatewayV2HTTPRequest) (Actor, error) {
	if req.RequestContext.Authorizer == nil || req.RequestContext.Authorizer.JWT == nil {
		return Actor{}, &grants.Error{Code: grants.Unauthorized, Message: "A bearer token is required.", Reason: "unauthenticated"}
	}
	claims := req.RequestContext.Authorizer.JWT.Claims
	id := firstNonEmpty(claims["email"], claims["username"], claims["cognito:username"], claims["sub"])
	if id == "" {
		return Actor{}, &grants.Error{Code: grants.Unauthorized, Message: "The token does not identify a user.", Reason: "unauthenticated"}
	}
	return Actor{ID: id, Groups: parseGroups(claims["cognito:groups"])}, nil
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

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
