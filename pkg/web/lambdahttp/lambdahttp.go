// Package lambdahttp serves an http.Handler behind API Gateway's HTTP API:
// a payload 2.0 event becomes an *http.Request and the handler's response
// becomes the event's answer.
//
// The stage is taken off the path, so a handler sees /app/... whatever the
// stage; the request then carries X-Forwarded-Prefix: /<stage> for the
// links and redirects it writes (none for $default). A client's own
// X-Forwarded-Prefix is dropped, and the host is API Gateway's domain name.
package lambdahttp

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// Handler is h as a Lambda handler of HTTP API events.
func Handler(h http.Handler) func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		r, err := Request(ctx, ev)
		if err != nil {
			return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusBadRequest, Body: "Bad Request",
				Headers: map[string]string{"Content-Type": "text/plain; charset=utf-8"}}, nil
		}
		w := &recorder{header: http.Header{}}
		h.ServeHTTP(w, r)
		return w.response(), nil
	}
}

// Request is the request an event describes.
func Request(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (*http.Request, error) {
	p, prefix := ev.RawPath, ""
	if st := ev.RequestContext.Stage; st != "" && st != "$default" {
		if rest, ok := strings.CutPrefix(p, "/"+st); ok && (rest == "" || rest[0] == '/') {
			p, prefix = rest, "/"+st
		}
	}
	if p == "" {
		p = "/"
	}
	u := &url.URL{Path: p, RawQuery: ev.RawQueryString}
	if dec, err := url.PathUnescape(p); err == nil && dec != p {
		u.Path, u.RawPath = dec, p
	}
	body := []byte(ev.Body)
	if ev.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(ev.Body); err != nil {
			return nil, err
		}
	}
	method := ev.RequestContext.HTTP.Method
	if method == "" {
		method, _, _ = strings.Cut(ev.RouteKey, " ")
	}
	r, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	r.URL, r.RequestURI = u, u.RequestURI()
	for k, v := range ev.Headers {
		r.Header.Set(k, v)
	}
	// Payload 2.0 sends cookies apart from the headers.
	r.Header.Del("Cookie")
	if len(ev.Cookies) > 0 {
		r.Header.Set("Cookie", strings.Join(ev.Cookies, "; "))
	}
	r.Header.Del("X-Forwarded-Prefix")
	if prefix != "" {
		r.Header.Set("X-Forwarded-Prefix", prefix)
	}
	r.Host = ev.RequestContext.DomainName
	if r.Host == "" {
		r.Host = ev.Headers["host"]
	}
	r.ContentLength = int64(len(body))
	r.RemoteAddr = ev.RequestContext.HTTP.SourceIP
	return r, nil
}

// recorder keeps what the handler writes.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *recorder) Header() http.Header { return w.header }

func (w *recorder) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *recorder) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(b)
}

func (w *recorder) response() events.APIGatewayV2HTTPResponse {
	w.WriteHeader(http.StatusOK)
	resp := events.APIGatewayV2HTTPResponse{StatusCode: w.status, Headers: map[string]string{}}
	for k, v := range w.header {
		if k == "Set-Cookie" {
			resp.Cookies = append(resp.Cookies, v...)
			continue
		}
		resp.Headers[k] = strings.Join(v, ", ")
	}
	if _, ok := resp.Headers["Content-Type"]; !ok && w.body.Len() > 0 {
		resp.Headers["Content-Type"] = http.DetectContentType(w.body.Bytes())
	}
	if utf8.Valid(w.body.Bytes()) {
		resp.Body = w.body.String()
	} else {
		resp.Body, resp.IsBase64Encoded = base64.StdEncoding.EncodeToString(w.body.Bytes()), true
	}
	return resp
}
