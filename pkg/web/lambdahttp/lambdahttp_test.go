package lambdahttp

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestRequestAndResponse(t *testing.T) {
	var seen *http.Request
	var body string
	h := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r
		_ = r.ParseForm()
		b, _ := io.ReadAll(r.Body)
		body = string(b)
		http.SetCookie(w, &http.Cookie{Name: "a", Value: "1"})
		http.SetCookie(w, &http.Cookie{Name: "b", Value: "2"})
		w.Header().Add("Vary", "Cookie")
		w.Header().Add("Vary", "Accept")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, "<p>done</p>")
	}))
	for _, tc := range []struct {
		name, stage, rawPath, wantPath, wantPrefix string
	}{
		{"named stage", "dev", "/dev/app/agreements/a%2Fb", "/app/agreements/a/b", "/dev"},
		{"$default", "$default", "/app/agreements/a%2Fb", "/app/agreements/a/b", ""},
		{"custom domain without the stage", "dev", "/app/agreements/a%2Fb", "/app/agreements/a/b", ""},
	} {
		form := "paymentReference=BACS+1&note=%C2%A3"
		resp, err := h(context.Background(), events.APIGatewayV2HTTPRequest{
			RouteKey: "POST /app/{proxy+}", RawPath: tc.rawPath, RawQueryString: "x=1&x=2",
			Cookies: []string{"session=abc", "other=d"},
			Headers: map[string]string{"content-type": "application/x-www-form-urlencoded", "x-forwarded-prefix": "/evil", "origin": "https://api.example"},
			Body:    base64.StdEncoding.EncodeToString([]byte(form)), IsBase64Encoded: true,
			RequestContext: events.APIGatewayV2HTTPRequestContext{Stage: tc.stage, DomainName: "api.example",
				HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", SourceIP: "192.0.2.1"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if seen.URL.Path != tc.wantPath || seen.URL.RawPath == "" || seen.Header.Get("X-Forwarded-Prefix") != tc.wantPrefix {
			t.Errorf("%s: path %q (raw %q), prefix %q", tc.name, seen.URL.Path, seen.URL.RawPath, seen.Header.Get("X-Forwarded-Prefix"))
		}
		if c, err := seen.Cookie("session"); err != nil || c.Value != "abc" {
			t.Errorf("%s: session cookie %v %v", tc.name, c, err)
		}
		if seen.Host != "api.example" || seen.Method != "POST" || seen.URL.Query()["x"][1] != "2" ||
			seen.PostForm.Get("paymentReference") != "BACS 1" || seen.PostForm.Get("note") != "£" || body != "" {
			t.Errorf("%s: host %q method %s query %v form %v", tc.name, seen.Host, seen.Method, seen.URL.Query(), seen.PostForm)
		}
		if resp.StatusCode != 201 || resp.Body != "<p>done</p>" || resp.IsBase64Encoded || len(resp.Cookies) != 2 ||
			resp.Headers["Vary"] != "Cookie, Accept" || resp.Headers["Content-Type"] == "" {
			t.Errorf("%s: response %+v", tc.name, resp)
		}
	}
}

func TestBinaryBodiesGoBackAsBase64(t *testing.T) {
	h := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write([]byte{0x89, 'P', 'N', 'G', 0xff})
	}))
	resp, _ := h(context.Background(), events.APIGatewayV2HTTPRequest{RawPath: "/app/static/x.png",
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET"}}})
	if b, _ := base64.StdEncoding.DecodeString(resp.Body); !resp.IsBase64Encoded || len(b) != 5 || resp.StatusCode != 200 {
		t.Fatalf("%+v", resp)
	}
}
