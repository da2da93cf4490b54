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
	// InQuery: the handler keeps to the programme its ?programme= names,
	// so the request is placed there (see place).
	InQuery bool
	// Filters: the handler itself keeps to the programmes the caller holds
	// a role in (Actor.In), for a request that names none (see place).
	Filters bool
}

// Router dispatches on API Gateway's route key ("POST /agreements/{id}/activate").
type Router map[string]Route

// Handle is the Lambda entry point for a route family. Every response it
// gives carries the browser headers (headers.go).
// It ends with the invocation's one log line (pkg/callmeter): the route, the
// status, the AWS calls made and the capacity they consumed.
// A route acting on one agreement is placed in its programme only where
// the router is given the agreements (Placing); without them a person
// whose roles hold in some programmes only is refused there.
func (rt Router) Handle(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return Placed{Routes: rt}.Handle(ctx, ev)
}

// AgreementPlacer tells the programme an agreement belongs to (NotFound
// for none).
type AgreementPlacer interface {
	AgreementProgramme(ctx context.Context, id string) (string, error)
}

// Placed is a route family that places each request in the programme it
// acts in (issue 25, item 6), so a person acts there with the roles they
// hold there: the programme of the path ({programme}), of the query
// (?programme=), or of the agreement the path names (/agreements/{id}/…).
type Placed struct {
	Routes     Router
	Agreements AgreementPlacer
	// Sessions is the sign-outs' record every request is checked against
	// (issue 25, item 5; sessions.go): a function's handler has it
	// (Checking); a route table's own tests go without.
	Sessions Sessions
}

// Placing is rt placing agreement routes by agreements.
func (rt Router) Placing(agreements AgreementPlacer) Placed {
	return Placed{Routes: rt, Agreements: agreements}
}

// Handle serves a request as Router.Handle says.
func (p Placed) Handle(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	ctx, m := callmeter.Start(logs.WithAgreement(ctx, ev.PathParameters["id"]))
	resp, actor := p.handle(ctx, ev)
	m.Log(ctx, "route", ev.RouteKey, "status", resp.StatusCode, "apiRequestId", ev.RequestContext.RequestID, "actor", actor)
	return withBrowserHeaders(resp), nil
}

func (p Placed) handle(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, string) {
	route, ok := p.Routes[ev.RouteKey]
	if !ok {
		return problem(Problem{Type: problemBase + "no_route", Title: "Not Found", Status: http.StatusNotFound,
			Detail: "No route " + ev.RouteKey + " in this function."}), ""
	}
	actor, err := actorFrom(&ev)
	if err != nil {
		return errorResponse(ctx, err), ""
	}
	if p.Sessions != nil {
		if err := live(ctx, p.Sessions, &ev, actor); err != nil {
			return errorResponse(ctx, err), actor.ID
		}
	}
	if actor, err = p.place(ctx, &ev, actor); err != nil {
		return errorResponse(ctx, err), actor.ID
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

// place is the actor as they act where the request does. Someone whose
// roles all hold everywhere acts as they are, unread. Anyone else acts
// with the roles they hold in the request's programme; in a programme
// where they hold none, an agreement is as absent as one that does not
// exist and a programme is refused, so nothing of it leaks. A request the
// router cannot place (a list across programmes, a pay run, a held
// message) is served with the roles they hold everywhere, or, on a route
// whose handler keeps to their programmes itself (Route.Filters), as they
// are; else it is refused.
func (p Placed) place(ctx context.Context, ev *events.APIGatewayV2HTTPRequest, actor Actor) (Actor, error) {
	if actor.Everywhere() {
		return actor, nil
	}
	_, path, _ := strings.Cut(ev.RouteKey, " ")
	route := p.Routes[ev.RouteKey]
	programme, byAgreement := ev.PathParameters["programme"], false
	if programme == "" && route.InQuery {
		programme = ev.QueryStringParameters["programme"]
	}
	if id := ev.PathParameters["id"]; programme == "" && strings.HasPrefix(path, "/agreements/{id}") {
		if p.Agreements == nil {
			return actor, refusedUnplaced()
		}
		var err error
		if programme, err = p.Agreements.AgreementProgramme(ctx, id); err != nil {
			return actor, err
		}
		byAgreement = true
	}
	if programme == "" {
		if route.Filters {
			return actor, nil
		}
		if everywhere := actor.In(""); everywhere.Has(route.Roles...) {
			return everywhere, nil
		}
		return actor, refusedUnplaced()
	}
	in := actor.In(programme)
	if len(in.Groups) == 0 {
		slog.InfoContext(ctx, "refused: no role in the programme", "route", ev.RouteKey, "actor", actor.ID)
		if byAgreement {
			// Word for word the store's answer for an agreement that does not exist.
			return actor, &grants.Error{Code: grants.NotFound, Message: "Agreement " + ev.PathParameters["id"] + " does not exist.", Reason: "agreement_not_found"}
		}
		return actor, &grants.Error{Code: grants.Forbidden, Reason: "not_in_programme",
			Message: "You hold no role in programme " + programme + "."}
	}
	return in, nil
}

func refusedUnplaced() error {
	return &grants.Error{Code: grants.Forbidden, Reason: "programme_required",
		Message: "Your roles hold in some programmes only, and this request names none: name the programme (?programme=), or ask an administrator."}
}

func rolesText(roles []Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}
