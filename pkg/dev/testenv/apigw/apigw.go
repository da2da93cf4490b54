// Package apigw builds the events API Gateway (HTTP API, payload 2.0) hands
// a route's function, for handler tests.
package apigw

import (
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// Issuer is the user pool the requests' ID tokens come from.
const Issuer = "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_test"

// Request is method and route with params and body, as a user in the group
// role would send it with an ID token (subject sub-<role>, email
// <role>@funder.example); role "" sends no claims,
// as an unauthenticated request would arrive. headers are name, value pairs.
func Request[R ~string](method, route string, params map[string]string, body string, role R, headers ...string) events.APIGatewayV2HTTPRequest {
	ev := events.APIGatewayV2HTTPRequest{
		Version:        "2.0",
		RouteKey:       method + " " + route,
		Headers:        map[string]string{"content-type": "application/json"},
		PathParameters: params,
		Body:           body,
	}
	for i := 0; i+1 < len(headers); i += 2 {
		ev.Headers[strings.ToLower(headers[i])] = headers[i+1]
	}
	if role != "" {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
				Claims: map[string]string{"iss": Issuer, "sub": "sub-" + string(role), "token_use": "id", "email": string(role) + "@funder.example", "cognito:groups": "[" + string(role) + "]"},
			},
		}
	}
	return ev
}
