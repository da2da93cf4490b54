// Package web wires the WebFunction: the staff's pages behind sign-in, on
// the same use cases as the JSON API (agreements with their schedules,
// payments with the accounting bus, check-ins and the quarantine with the
// mail bucket). pkg/app's doc says why wiring is split by function.
package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/app/accounting"
	"github.com/partnership-grants/backend/pkg/app/senders"
	"github.com/partnership-grants/backend/pkg/meter"
	"github.com/partnership-grants/backend/pkg/service"
	"github.com/partnership-grants/backend/pkg/web/lambdahttp"
	"github.com/partnership-grants/backend/pkg/web/signin"
)

// Handler is the WebFunction's Lambda handler: the pages behind sign-in,
// with the invocation's one log line (pkg/meter).
func Handler(ctx context.Context, d *app.Deps) (func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error), error) {
	cfg, err := SignInConfig(ctx, d)
	if err != nil {
		return nil, err
	}
	svc, err := senders.Automation(ctx, d)
	if err != nil {
		return nil, err
	}
	svc.Schedules, svc.Events = d.Schedules(), accounting.Bus(d)
	h := lambdahttp.Handler(signin.New(cfg).Handler(placeholder{svc: svc}))
	return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		ctx, m := meter.Start(ctx)
		resp, err := h(ctx, ev)
		m.Log(ctx, "route", ev.RouteKey, "status", resp.StatusCode, "requestId", ev.RequestContext.RequestID)
		return resp, err
	}, nil
}

// SignInConfig is the web app client as the environment names it: the
// pool's issuer (SIGNIN_ISSUER), its managed login domain (SIGNIN_URL), and
// the Secrets Manager secret WEB_CLIENT_SECRET names, which holds the
// client's ID and secret as {"clientId": …, "clientSecret": …}. The client
// comes through a secret with a fixed name, not the template's !Ref,
// because the client's callback URLs name the API, whose routes name this
// function (see template.yaml).
func SignInConfig(ctx context.Context, d *app.Deps) (signin.Config, error) {
	cfg := signin.Config{Issuer: os.Getenv("SIGNIN_ISSUER"), SignInURL: os.Getenv("SIGNIN_URL")}
	id := os.Getenv("WEB_CLIENT_SECRET")
	if cfg.Issuer == "" || cfg.SignInURL == "" || id == "" {
		return cfg, fmt.Errorf("SIGNIN_ISSUER, SIGNIN_URL and WEB_CLIENT_SECRET must be set")
	}
	raw, err := senders.Secret(ctx, d, id)
	if err != nil {
		return cfg, fmt.Errorf("read the web client: %w", err)
	}
	var c struct{ ClientID, ClientSecret string }
	if err := json.Unmarshal([]byte(raw), &c); err != nil || c.ClientID == "" || c.ClientSecret == "" {
		return cfg, fmt.Errorf("secret %s is not {\"clientId\": …, \"clientSecret\": …}", id)
	}
	cfg.ClientID, cfg.ClientSecret = c.ClientID, c.ClientSecret
	return cfg, nil
}

// placeholder stands in for pkg/web's pages until they land: it greets the
// signed-in actor and offers sign-out.
type placeholder struct{ svc *service.Service }

func (p placeholder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a, _ := signin.ActorFrom(r.Context())
	if r.URL.Path != "/app" || p.svc == nil {
		http.NotFound(w, r)
		return
	}
	groups := make([]string, len(a.Groups))
	for i, g := range a.Groups {
		groups[i] = string(g)
	}
	w.Header().Set("Content-Security-Policy", "default-src 'none'; form-action 'self' "+os.Getenv("SIGNIN_URL")+"; frame-ancestors 'none'; base-uri 'none'")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partnership grants</title></head>
<body><main><h1>Partnership grants</h1><p>Signed in as <span id="actor">%s</span> (%s).</p>
<form method="post" action="%s"><button type="submit">Sign out</button></form></main></body></html>`,
		html.EscapeString(a.ID), html.EscapeString(strings.Join(groups, ", ")), html.EscapeString(signin.Prefix(r)+signin.SignOutPath))
}
