// Package openapitest holds the JSON API to its OpenAPI document: Check
// validates a request API Gateway delivered and the response a function
// gave against pkg/httpapi/openapi/openapi.yaml, and Handler wraps a
// function's handler so that every call a test makes is checked. Only tests
// import it, so the validator stays out of the functions.
package openapitest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/partnership-grants/backend/pkg/httpapi/openapi"
)

// Validator is the document, loaded and checked, with a router that finds
// each request's operation. It is built once per test binary: loading
// resolves every $ref, which is slow next to one check. (kin-openapi, not
// libopenapi-validator: the latter cost four minutes of CPU to compile on a
// fresh machine, nearly half of what a cold make test spent building.)
type Validator struct {
	Doc    *openapi3.T
	router routers.Router
}

var compiled = sync.OnceValues(func() (*Validator, error) {
	doc, err := openapi3.NewLoader().LoadFromData(openapi.Document)
	if err != nil {
		return nil, fmt.Errorf("parse openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	// The router matches on the servers' paths; the tests call the API at
	// its root.
	routable := *doc
	routable.Servers = nil
	router, err := legacy.NewRouter(&routable)
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml's routes: %w", err)
	}
	return &Validator{Doc: doc, router: router}, nil
})

// Load is the document's validator.
func Load() (*Validator, error) { return compiled() }

// Handler is a function's HTTP API handler (httpapi.Router.Handle).
type Handler func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

// Checked calls h and checks each request and response against the
// document, failing t on a mismatch. It has Handle, as httpapi.Router does,
// so a test's fixture can hold either.
type Checked struct {
	T testing.TB
	H Handler
}

// Handle serves ev with the handler and checks the exchange.
func (c Checked) Handle(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	resp, err := c.H(ctx, ev)
	if err == nil {
		Check(c.T, ev, resp)
	}
	return resp, err
}

// Check fails t when resp, the answer to ev, breaks the document. The
// response is always checked: its status must be one the operation lists,
// its body and headers must match. The request is checked when the API
// accepted it (2xx): what the API takes, the document must allow. A refused
// request may break the document; that is why it was refused.
func Check(t testing.TB, ev events.APIGatewayV2HTTPRequest, resp events.APIGatewayV2HTTPResponse) {
	t.Helper()
	if problems := Problems(ev, resp); len(problems) > 0 {
		t.Errorf("%s (%d) breaks pkg/httpapi/openapi/openapi.yaml:\n  %s\n  response body: %.600s",
			ev.RouteKey, resp.StatusCode, strings.Join(problems, "\n  "), resp.Body)
	}
}

// Problems lists how the exchange breaks the document; none when it keeps it.
func Problems(ev events.APIGatewayV2HTTPRequest, resp events.APIGatewayV2HTTPResponse) []string {
	if _, err := Request(ev); err != nil {
		return []string{err.Error()}
	}
	hr, err := Response(resp)
	if err != nil {
		return []string{err.Error()}
	}
	return problems(func() *http.Request { req, _ := Request(ev); return req }, hr)
}

// CheckHTTP is Check for an exchange over HTTP (the local stack's gateway):
// req as the client sent it, with its body, and the response received.
func CheckHTTP(t testing.TB, req *http.Request, reqBody []byte, status int, header http.Header, body []byte) {
	t.Helper()
	again := func() *http.Request {
		r := req.Clone(context.Background())
		r.Body = io.NopCloser(bytes.NewReader(reqBody))
		return r
	}
	resp := &http.Response{StatusCode: status, Header: header.Clone(), Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body))}
	if p := problems(again, resp); len(p) > 0 {
		t.Errorf("%s %s (%d) breaks pkg/httpapi/openapi/openapi.yaml:\n  %s\n  response body: %.600s",
			req.Method, req.URL.Path, status, strings.Join(p, "\n  "), body)
	}
}

// problems checks the response, and the request when it was accepted (2xx).
// request gives a fresh copy each time: a check reads the body.
func problems(request func() *http.Request, resp *http.Response) []string {
	v, err := compiled()
	if err != nil {
		return []string{err.Error()}
	}
	req := request()
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		return []string{fmt.Sprintf("request: %s %s: %v", req.Method, req.URL.Path, err)}
	}
	opts := &openapi3filter.Options{
		MultiError:            true,
		IncludeResponseStatus: true,
		// The API Gateway's JWT authorizer checked the caller.
		AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	var out []string
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			out = append(out, describe("request", err)...)
		}
	}
	in.Request = request()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return append(out, "response body: "+err.Error())
	}
	rin := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header, Options: opts}
	rin.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), rin); err != nil {
		out = append(out, describe(fmt.Sprintf("response %d", resp.StatusCode), err)...)
	}
	return out
}

// describe is one line per problem; MultiError gathers them all.
func describe(what string, err error) []string {
	var out []string
	if me, ok := err.(openapi3.MultiError); ok {
		for _, e := range me {
			out = append(out, describe(what, e)...)
		}
		return out
	}
	return []string{what + ": " + err.Error()}
}

// Request rebuilds the HTTP request a client sent, from the event API
// Gateway made of it: the route's path with its parameters, the query, the
// headers and body. A request that passed the JWT authorizer carried a
// bearer token, which the event no longer holds: a stand-in is put back.
func Request(ev events.APIGatewayV2HTTPRequest) (*http.Request, error) {
	method, route, ok := strings.Cut(ev.RouteKey, " ")
	if !ok {
		return nil, fmt.Errorf("route key %q is not METHOD /path", ev.RouteKey)
	}
	path := route
	for name, value := range ev.PathParameters {
		path = strings.ReplaceAll(path, "{"+name+"}", url.PathEscape(value))
		path = strings.ReplaceAll(path, "{"+name+"+}", value)
	}
	q := url.Values{}
	for k, v := range ev.QueryStringParameters {
		q.Set(k, v)
	}
	body := []byte(ev.Body)
	if ev.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(ev.Body)
		if err != nil {
			return nil, fmt.Errorf("request body: %w", err)
		}
		body = b
	}
	u := &url.URL{Scheme: "http", Host: "127.0.0.1:3000", Path: path, RawQuery: q.Encode()}
	req, err := http.NewRequest(method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range ev.Headers {
		req.Header.Set(k, v)
	}
	if len(body) == 0 {
		// A client sends no Content-Type without a body; the test helpers
		// set one on every event.
		req.Header.Del("Content-Type")
	}
	if ev.RequestContext.Authorizer != nil && ev.RequestContext.Authorizer.JWT != nil {
		req.Header.Set("Authorization", "Bearer token-checked-by-api-gateway")
	}
	return req, nil
}

// Response is the HTTP response API Gateway makes of a function's answer,
// its body decoded (base64, then gzip) so it can be read against a schema.
func Response(resp events.APIGatewayV2HTTPResponse) (*http.Response, error) {
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			return nil, fmt.Errorf("response body: %w", err)
		}
		body = b
	}
	h := http.Header{}
	for k, v := range resp.Headers {
		h.Set(k, v)
	}
	if h.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("gzip body: %w", err)
		}
		if body, err = io.ReadAll(zr); err != nil {
			return nil, fmt.Errorf("gzip body: %w", err)
		}
		h.Del("Content-Encoding")
	}
	return &http.Response{StatusCode: resp.StatusCode, Header: h, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body))}, nil
}
