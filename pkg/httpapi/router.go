package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/callmeter"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/logs"
)

// Request is what a route handler gets: the API Gateway event and the caller.
type Request struct {
	*events.APIGatewayV2HTTPRequest
	Actor Actor
}

// Param is a path parameter.
func (r *Request) Param(name string) string { return r.PathParameters[name] }

// Query is a query-string parameter.
func (r *Request) Query(name string) string { return r.QueryStringParameters[name] }

// Header reads a header case-insensitively (HTTP API lower-cases them, but
// sam local and tests may not).
func (r *Request) Header(name string) string {
	if v, ok := r.Headers[strings.ToLower(name)]; ok {
		return v
	}
	for k, v := range r.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// Location is the address of a resource at path (a route's path, e.g.
// "/agreements/ID") as a client reaches it: the HTTP API serves a named stage
// under its name (template.yaml's StageName), so the path starts with it;
// "$default", the stage served at the root, adds nothing. It is an absolute
// path, resolved against the address the request was sent to.
func (r *Request) Location(path string) string {
	if stage := r.RequestContext.Stage; stage != "" && stage != "$default" {
		return "/" + url.PathEscape(stage) + path
	}
	return path
}

// HandlerFunc serves one route.
type HandlerFunc func(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error)

// Route is one route of a function's family and the roles allowed to call it.
type Route struct {
	Roles   []Role
	Handler HandlerFunc
}

// Router dispatches on API Gateway's route key ("POST /agreements/{id}/activate").
type Router map[string]Route

// Handle is the Lambda entry point for a route family. Every response it
// gives carries the browser headers (headers.go).
// It ends with the invocation's one log line (pkg/callmeter): the route, the
// status, the AWS calls made and the capacity they consumed.
//
// It does not check the caller's session against their sign-outs: a
// function's handler is Router.Checking's (sessions.go); this one serves
// the route tables' own tests.
func (rt Router) Handle(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return rt.serve(ctx, ev, nil)
}

func (rt Router) serve(ctx context.Context, ev events.APIGatewayV2HTTPRequest, sessions Sessions) (events.APIGatewayV2HTTPResponse, error) {
	ctx, m := callmeter.Start(logs.WithAgreement(ctx, ev.PathParameters["id"]))
	resp, actor := rt.handle(ctx, ev, sessions)
	m.Log(ctx, "route", ev.RouteKey, "status", resp.StatusCode, "apiRequestId", ev.RequestContext.RequestID, "actor", actor)
	return withBrowserHeaders(resp), nil
}

func (rt Router) handle(ctx context.Context, ev events.APIGatewayV2HTTPRequest, sessions Sessions) (events.APIGatewayV2HTTPResponse, string) {
	route, ok := rt[ev.RouteKey]
	if !ok {
		return problem(Problem{Type: problemBase + "no_route", Title: "Not Found", Status: http.StatusNotFound,
			Detail: "No route " + ev.RouteKey + " in this function."}), ""
	}
	actor, err := actorFrom(&ev)
	if err != nil {
		return errorResponse(ctx, err), ""
	}
	if sessions != nil {
		if err := live(ctx, sessions, &ev, actor); err != nil {
			return errorResponse(ctx, err), actor.ID
		}
	}
	if !actor.Has(route.Roles...) {
		slog.InfoContext(ctx, "forbidden", "route", ev.RouteKey, "apiRequestId", ev.RequestContext.RequestID, "actor", actor.ID, "groups", actor.Groups)
		return errorResponse(ctx, &grants.Error{Code: grants.Forbidden,
			Message: "Your role may not do this; it needs one of: " + rolesText(route.Roles) + ".", Reason: "forbidden"}), actor.ID
	}
	resp, err := route.Handler(ctx, &Request{APIGatewayV2HTTPRequest: &ev, Actor: actor})
	if err != nil {
		resp = errorResponse(ctx, err)
	}
	return resp, actor.ID
}

func rolesText(roles []Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}
