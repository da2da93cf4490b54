// Package stack runs the product on one machine without Docker or an
// AWS account: AWS's DynamoDB Local, aws-ses-v2-local, s3rver, a Scheduler
// stand-in, and an HTTP gateway that delivers requests to the functions'
// handlers exactly as API Gateway's HTTP API (payload 2.0) with a JWT
// authorizer does. It is tooling, never part of a deployed function.
package stack

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/partnership-grants/backend/pkg/dev/samtemplate"
)

// HTTPHandler is a function's Lambda handler for HTTP API events.
type HTTPHandler func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

// Gateway serves the template's HttpApi routes on a local port.
type Gateway struct {
	routes   []samtemplate.Route
	handlers map[string]HTTPHandler
	auth     *Auth
	clock    func() time.Time
	seq      atomic.Int64
}

// NewGateway checks that every route in the template has a handler.
func NewGateway(routes []samtemplate.Route, handlers map[string]HTTPHandler, auth *Auth, clock func() time.Time) (*Gateway, error) {
	for _, r := range routes {
		if handlers[r.Function] == nil {
			return nil, fmt.Errorf("route %s: no local handler for %s", r.RouteKey(), r.Function)
		}
	}
	return &Gateway{routes: routes, handlers: handlers, auth: auth, clock: clock}, nil
}

// match finds the route for a request. As API Gateway does, a literal
// segment beats a {param}, so /agreements/x/history never matches
// /agreements/{id}, and a greedy {proxy+} (one or more segments, last in its
// route) loses to any route that matches without one.
func (g *Gateway) match(method, path string) (samtemplate.Route, map[string]string, bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	var best samtemplate.Route
	var bestParams map[string]string
	bestScore, found := 0, false
	for _, r := range g.routes {
		if r.Method != method && r.Method != "ANY" {
			continue
		}
		params, score, ok := matchSegments(strings.Split(strings.Trim(r.Path, "/"), "/"), segs)
		if ok && (!found || score > bestScore) {
			best, bestParams, bestScore, found = r, params, score, true
		}
	}
	return best, bestParams, found
}

// matchSegments matches a route's segments to a path's: two points a
// literal, one less for a greedy match.
func matchSegments(rsegs, segs []string) (map[string]string, int, bool) {
	params := map[string]string{}
	score := 0
	for i, rs := range rsegs {
		if name, ok := strings.CutSuffix(rs, "+}"); ok && strings.HasPrefix(name, "{") {
			if i != len(rsegs)-1 || i >= len(segs) {
				return nil, 0, false
			}
			params[name[1:]] = strings.Join(segs[i:], "/")
			return params, score - 1, true
		}
		if i >= len(segs) {
			return nil, 0, false
		}
		switch {
		case strings.HasPrefix(rs, "{") && strings.HasSuffix(rs, "}"):
			params[strings.Trim(rs, "{}")] = segs[i]
		case rs == segs[i]:
			score += 2
		default:
			return nil, 0, false
		}
	}
	return params, score, len(rsegs) == len(segs)
}

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	route, params, ok := g.match(r.Method, r.URL.Path)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	now := g.clock()
	var claims map[string]string
	if !route.NoAuth {
		// Tokens are checked against the wall clock: make advance moves the
		// product's clock, not the people's tokens' lifetimes.
		var err error
		if claims, err = g.authorize(r, time.Now()); err != nil {
			// API Gateway's own answer to a bad token, before any function runs.
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Unauthorized"})
			return
		}
	}
	ev, err := g.event(r, route, params, claims, now)
	if err != nil {
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"message": "Request Entity Too Large"})
		return
	}
	ctx := invocation(r.Context(), route.Function)
	resp, err := g.handlers[route.Function](ctx, ev)
	if err != nil {
		slog.ErrorContext(ctx, "function error", "function", route.Function, "error", err.Error())
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "Internal Server Error"})
		return
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	for _, c := range resp.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		body, _ = base64.StdEncoding.DecodeString(resp.Body)
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(body)
}

func (g *Gateway) authorize(r *http.Request, now time.Time) (map[string]string, error) {
	// As API Gateway's JWT authorizer: the Authorization header only.
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return nil, fmt.Errorf("no bearer token")
	}
	return g.auth.Verify(strings.TrimSpace(token), now)
}

// event builds the payload 2.0 event API Gateway would deliver.
func (g *Gateway) event(r *http.Request, route samtemplate.Route, params, claims map[string]string, now time.Time) (events.APIGatewayV2HTTPRequest, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 10<<20+1))
	if err != nil || len(body) > 10<<20 {
		return events.APIGatewayV2HTTPRequest{}, fmt.Errorf("body too large")
	}
	headers := map[string]string{}
	var cookies []string
	for k, v := range r.Header {
		if strings.EqualFold(k, "Cookie") {
			// Payload 2.0 delivers cookies apart from the headers.
			for _, line := range v {
				for _, c := range strings.Split(line, ";") {
					if c = strings.TrimSpace(c); c != "" {
						cookies = append(cookies, c)
					}
				}
			}
			continue
		}
		headers[strings.ToLower(k)] = strings.Join(v, ",")
	}
	headers["host"] = r.Host
	var query map[string]string
	if len(r.URL.Query()) > 0 {
		query = map[string]string{}
		for k, v := range r.URL.Query() {
			query[k] = strings.Join(v, ",")
		}
	}
	if len(params) == 0 {
		params = nil
	}
	ev := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              route.RouteKey(),
		RawPath:               r.URL.Path,
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: query,
		PathParameters:        params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:   route.RouteKey(),
			AccountID:  "000000000000",
			Stage:      "$default",
			RequestID:  fmt.Sprintf("local-%d-%d", now.UnixMilli(), g.seq.Add(1)),
			DomainName: r.Host,
			Time:       now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:  now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: r.Method, Path: r.URL.Path, Protocol: r.Proto, SourceIP: strings.Split(r.RemoteAddr, ":")[0], UserAgent: r.UserAgent(),
			},
		},
	}
	if claims != nil {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims},
		}
	}
	if len(body) > 0 {
		ct := strings.ToLower(r.Header.Get("Content-Type"))
		if strings.HasPrefix(ct, "application/json") || strings.HasPrefix(ct, "text/") || ct == "" {
			ev.Body = string(body)
		} else {
			ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
		}
	}
	return ev, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// invocation is ctx as the Lambda runtime hands it to a handler of the
// function with logical ID fn: with the invocation's own request ID, which
// every log line it writes carries, and the function, whose policy its
// calls are checked against (localIAM).
func invocation(ctx context.Context, fn string) context.Context {
	ctx = asFunction(ctx, fn)
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	id := fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
	return lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: id})
}
