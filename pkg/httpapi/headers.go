package httpapi

import "github.com/aws/aws-lambda-go/events"

// browserHeaders are on every response, so they are there in AWS as
// locally: a browser must not guess a type other than the one given, show a
// response inside another site's frame, or pass the address (which may name
// a programme or agreement) on to a link's destination. A JSON, CSV or
// problem body loads nothing, so its policy allows nothing; a page sets its
// own Content-Security-Policy (the web app's pages do).
var browserHeaders = map[string]string{
	"X-Content-Type-Options":  "nosniff",
	"X-Frame-Options":         "DENY",
	"Referrer-Policy":         "no-referrer",
	"Content-Security-Policy": "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
}

// withBrowserHeaders adds the browser headers the handler did not set.
func withBrowserHeaders(resp events.APIGatewayV2HTTPResponse) events.APIGatewayV2HTTPResponse {
	if resp.Headers == nil {
		resp.Headers = map[string]string{}
	}
	for k, v := range browserHeaders {
		if _, ok := resp.Headers[k]; !ok {
			resp.Headers[k] = v
		}
	}
	return resp
}
