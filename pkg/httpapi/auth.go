package httpapi

import (
	"encoding/json"
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

// parseGroups reads the groups claim in each form API Gateway has been seen
// to pass an array claim: "[a b]", a JSON array, or "a,b".
func parseGroups(v string) []Role {
	v = strings.TrimSpace(v)
	var list []string
	if strings.HasPrefix(v, "[\"") && json.Unmarshal([]byte(v), &list) == nil {
		// JSON array
	} else {
		v = strings.Trim(v, "[]")
		list = strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' })
	}
	roles := make([]Role, 0, len(list))
	for _, g := range list {
		roles = append(roles, Role(strings.TrimSpace(g)))
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
