// Package web wires the WebFunction: the staff's pages behind sign-in, on
// the same use cases as the JSON API (agreements with their schedules,
// payments with the accounting bus and the user pool, check-ins and the
// quarantine with the mail bucket), and sign-outs kept in the table.
// pkg/app's doc says why wiring is split by function.
package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/app/accounting"
	"github.com/partnership-grants/backend/pkg/app/senders"
	"github.com/partnership-grants/backend/pkg/app/userpool"
	"github.com/partnership-grants/backend/pkg/callmeter"
	"github.com/partnership-grants/backend/pkg/mailer"
	"github.com/partnership-grants/backend/pkg/service"
	pages "github.com/partnership-grants/backend/pkg/web"
	"github.com/partnership-grants/backend/pkg/web/lambdahttp"
	"github.com/partnership-grants/backend/pkg/web/signin"
)

// Handler is the WebFunction's Lambda handler: the pages behind sign-in,
// with the invocation's one log line (pkg/callmeter).
func Handler(ctx context.Context, d *app.Deps) (func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error), error) {
	cfg, err := SignInConfig(ctx, d)
	if err != nil {
		return nil, err
	}
	pool, err := userpool.Directory(d)
	if err != nil {
		return nil, err
	}
	courier, err := senders.Courier(d, accounting.Bus(d), service.NoReplyAddresses)
	if err != nil {
		return nil, err
	}
	staff, err := userpool.Staff(d)
	if err != nil {
		return nil, err
	}
	uses := UseCases{
		Agreements: d.Agreements(courier, d.Schedules()),
		Payments:   service.NewPayments(d.Store, courier, pool, d.Metrics, d.Env()),
		Replies:    service.NewReplies(d.Store, courier, d.Metrics, d.Env()),
		Enquiries:  senders.Enquiries(d, courier),
		Staff:      staff,
	}
	h := lambdahttp.Handler(signin.New(cfg, d.Store).Handler(pages.New(App(d, uses, cfg.SignInURL))))
	return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		ctx, m := callmeter.Start(ctx)
		resp, err := h(ctx, ev)
		m.Log(ctx, "route", ev.RouteKey, "status", resp.StatusCode, "apiRequestId", ev.RequestContext.RequestID)
		return resp, err
	}, nil
}

// SignInConfig is the web app client as the Config names it: the
// pool's issuer (SIGNIN_ISSUER), its managed login domain (SIGNIN_URL), and
// the Secrets Manager secret WEB_CLIENT_SECRET names, which holds the
// client's ID and secret as {"clientId": …, "clientSecret": …}. The client
// comes through a secret with a fixed name, not the template's !Ref,
// because the client's callback URLs name the API, whose routes name this
// function (see template.yaml).
func SignInConfig(ctx context.Context, d *app.Deps) (signin.Config, error) {
	cfg := signin.Config{Issuer: d.Config.SignInIssuer, SignInURL: d.Config.SignInURL}
	id := d.Config.WebClientSecret
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

// UseCases are the capabilities the pages call: the staff do all of it.
type UseCases struct {
	Agreements *service.Agreements
	Payments   *service.Payments
	Replies    *service.Replies
	// Enquiries (issue 24, item 6).
	Enquiries *service.Enquiries
	// Staff (issue 25, item 4): the administrator's staff page.
	Staff *service.Staff
}

// App is what the pages are built on: the use cases, the programme's
// views, the mail bucket's download links, the funder for the 360Giving
// file, and the sign-in domain that sign-out leads to (the pages' CSP lets
// forms lead there).
func App(d *app.Deps, uses UseCases, signInURL string) *pages.App {
	signOutTo := signInURL
	if u, err := url.Parse(signInURL); err == nil && u.Host != "" {
		signOutTo = u.Scheme + "://" + u.Host
	}
	return &pages.App{
		Agreements: uses.Agreements, Payments: uses.Payments, Replies: uses.Replies,
		Views:     service.NewViews(d.Store, d.Env()),
		Links:     senders.Links(d),
		Funder:    d.Config.Funder(),
		Programme: d.Config.ProgrammeCode, ProgrammeName: d.Config.ProgrammeName,
		SignOutTo: signOutTo,
		Partners:  service.NewPartners(d.Store, d.Env()),
		Themes:    service.NewThemes(d.Store, d.Env()),
		// Issue 24, item 4.
		Reflections: service.NewReflections(d.Store, d.Env()),
		WordLetter:  wordLetter,
		ReplyDomain: d.Config.ReplyDomain,
		// Issue 24, item 6.
		Enquiries: uses.Enquiries, EnquiryAddress: d.Config.EnquiryAddress,
		Stories: service.NewStories(d.Store, d.Env()),
		// Issue 25, item 3.
		Settings: service.NewSettings(d.Store, d.Env()),
		// Issue 25, item 6: an agreement's pages act in its programme.
		Places: d.Store,
		// Issue 25, item 2.
		Programmes: d.Programmes(),
		// Issue 25, item 4.
		Staff: uses.Staff,
		// Issue 26, item 16.
		Record: senders.Record(d), DocumentsOrigin: senders.Links(d).Origin(),
		Drafts: service.NewDrafts(uses.Agreements, d.Store, senders.Links(d)),
	}
}

// wordLetter words a letter as the courier's mailer does, for the "you
// said, we did" page's preview (its subject and text).
func wordLetter(l service.Letter) (subject, text string, err error) {
	e, err := mailer.Word(l)
	return e.Subject, e.Text, err
}
