// Package app wires the functions: it parses each function's configuration
// (Config, from the variables the template sets, which main passes in), and
// builds the adapters on SDK clients. The Lambda composition roots (functions/*/main.go) and the
// development stack both build their handlers here and in its subpackages,
// so they run the same code.
//
// Why subpackages: Go links, and initialises at cold start, every package a
// binary imports, whether or not it is called; an SDK service package costs
// a few hundred kilobytes and up to half a millisecond of init, the MIME
// parser's character sets about 1 MB. So each subpackage wires one group of
// functions and imports only what they call (see docs/design.md, "Bootstrap sizes"):
//
//	app             Agreements (DynamoDB, Scheduler) and what every function shares
//	app/monitoring  Monitoring: the summary, timelines and the exports
//	app/senders     the functions that send email: SES, Secrets Manager, S3
//	app/receiver    Inbound: the reply receiver, with the MIME parser
//	app/accounting  the accounting bus (EventBridge), for Payments and the Sweep only
//	app/publish     GrantsData: the public 360Giving file, written to S3
package app

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"time"
	// The Lambda image (provided.al2023) has no zoneinfo, and every function
	// reads dates in the programme's zone (TIME_ZONE): carry the database.
	_ "time/tzdata"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"

	"github.com/partnership-grants/backend/pkg/dynamo"
	"github.com/partnership-grants/backend/pkg/httpapi"
	"github.com/partnership-grants/backend/pkg/logs"
	"github.com/partnership-grants/backend/pkg/metrics"
	"github.com/partnership-grants/backend/pkg/objects/links"
	"github.com/partnership-grants/backend/pkg/service"
)

// Clock tells the time. In AWS it is time.Now; the local stack moves it on.
type Clock func() time.Time

// Deps are the clients and settings handlers are built from.
type Deps struct {
	AWS    aws.Config
	Config Config
	Clock  Clock
	// DB is the client itself, for tooling: the local stack creates its
	// table with it. Handlers reach DynamoDB through Store.
	DB    *dynamodb.Client
	Store *dynamo.Store
	// Metrics counts the use cases' business events: EMF lines on stdout,
	// in the Config's MetricsNamespace.
	Metrics service.Metrics

	secretsMu sync.Mutex
	secrets   map[string]string // by secret ID; see Secret
}

// Secret returns the string of the secret with this ID, calling read for it
// only the first time: a function whose wiring needs one secret in two
// places (Inbound signs reply addresses in its outbox and verifies them in
// its receiver) reads it once per cold start, as does the local stack,
// which wires every function on one Deps. read is passed in so that this
// package links no Secrets Manager client (see the package doc). A failed
// read is not remembered.
func (d *Deps) Secret(ctx context.Context, id string, read func(context.Context, string) (string, error)) (string, error) {
	d.secretsMu.Lock()
	defer d.secretsMu.Unlock()
	if v, ok := d.secrets[id]; ok {
		return v, nil
	}
	v, err := read(ctx, id)
	if err != nil {
		return "", err
	}
	if d.secrets == nil {
		d.secrets = map[string]string{}
	}
	d.secrets[id] = v
	return v, nil
}

// NewDeps builds the shared clients once per process, from c (see Load).
// Endpoints are c's, which Load reads from the SDK's own
// AWS_ENDPOINT_URL_* variables, so the same code runs against AWS and
// against the local emulators. apiOptions are added to every client (the
// local stack's IAM check); the functions pass none.
func NewDeps(c Config, clock Clock, apiOptions ...func(*middleware.Stack) error) (*Deps, error) {
	cfg, err := awsConfig(c)
	if err != nil {
		return nil, err
	}
	meterCalls(&cfg)
	cfg.APIOptions = append(cfg.APIOptions, apiOptions...)
	if clock == nil {
		clock = time.Now
	}
	db := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = c.Endpoint("DynamoDB") })
	ops := newDynamoOps(db)
	return &Deps{AWS: cfg, Config: c, Clock: clock, DB: db,
		Store: dynamo.New(ops, c.TableName), Metrics: metrics.New(os.Stdout, c.MetricsNamespace)}, nil
}

// ExitOnError logs a non-nil err and exits: a function that cannot build its
// handler at init should fail its cold start, not every invocation. (Not a
// generic Must: instantiating one with *Deps counts as putting Deps in an
// interface, and with html/template linked (see clients.go) the linker then
// keeps every method reachable from Deps: 6 MB more in each bootstrap.)
func ExitOnError(err error) {
	if err != nil {
		slog.Error("start", "error", err.Error())
		os.Exit(1)
	}
}

// JSONLogs makes slog write one JSON object per line, as Lambda's JSON log
// format expects, with the invocation's request ID and the agreement's ID
// (pkg/logs), at c's LogLevel.
func JSONLogs(c Config) { logs.Setup(c.LogLevel) }

// The table is every capability's store.
var (
	_ service.AgreementStore  = (*dynamo.Store)(nil)
	_ service.PaymentStore    = (*dynamo.Store)(nil)
	_ service.ReplyStore      = (*dynamo.Store)(nil)
	_ service.AutomationStore = (*dynamo.Store)(nil)
	_ service.CourierStore    = (*dynamo.Store)(nil)
	_ service.ProgrammeReader = (*dynamo.Store)(nil)
	_ service.PartnerStore    = (*dynamo.Store)(nil)
	// Issue 24, item 3.
	_ service.ThemeStore = (*dynamo.Store)(nil)
	// Issue 24, item 4.
	_ service.ReflectionStore = (*dynamo.Store)(nil)
	// Issue 24, item 6.
	_ service.EnquiryStore = (*dynamo.Store)(nil)
	// Issue 24, item 5.
	_ service.StoryStore = (*dynamo.Store)(nil)
	// Issue 25, item 3.
	_ service.SettingsStore = (*dynamo.Store)(nil)
	// Issue 25, item 2.
	_ service.ProgrammeStore = (*dynamo.Store)(nil)
	// Issue 26, item 16.
	_ service.NoteStore = (*dynamo.Store)(nil)
)

// Env is the plain settings every capability of the use cases reads: the
// clock, new IDs, the deployment's time zone and programme defaults.
func (d *Deps) Env() service.Env {
	return service.Env{Now: d.Clock, NewID: dynamo.NewID, Location: d.Config.Location, Defaults: d.ProgrammeDefaults()}
}

// Agreements is the agreements' use cases on this deployment's store and
// settings, handing what a change queues to delivery and keeping schedules
// in step with schedules.
func (d *Deps) Agreements(delivery service.Delivery, schedules service.Schedules) *service.Agreements {
	return service.NewAgreements(d.Store, delivery, schedules, d.Env(), service.AgreementOptions{OwnDomains: d.Config.OwnDomains()})
}

// AgreementsAPI is the AgreementsFunction's handler. Activation and
// termination bring the agreement's schedules in step; the function sends
// no mail, so what a change queues waits for the functions that do.
func (d *Deps) AgreementsAPI() httpapi.Placed { return d.AgreementsAPIWithIDs(dynamo.NewID) }

// AgreementsAPIWithIDs is AgreementsAPI giving new agreements newID's IDs:
// the local stack's demo seed fixes its agreements' IDs so that the sample
// events in events/ name them.
func (d *Deps) AgreementsAPIWithIDs(newID func() string) httpapi.Placed {
	env := d.Env()
	env.NewID = newID
	agreements := service.NewAgreements(d.Store, service.LeaveQueued, d.Schedules(), env, service.AgreementOptions{OwnDomains: d.Config.OwnDomains()})
	// A deleted draft's documents leave the mail bucket with it, as from
	// the web page.
	routes := (&httpapi.Agreements{Agreements: agreements, Drafts: service.NewDrafts(agreements, d.Store, d.Links())}).Routes()
	// The partner records' routes (issue 23) are the same function's.
	for k, r := range (&httpapi.Partners{Partners: service.NewPartners(d.Store, env)}).Routes() {
		routes[k] = r
	}
	// And the themes' (issue 24, item 3).
	for k, r := range (&httpapi.Themes{Themes: service.NewThemes(d.Store, env)}).Routes() {
		routes[k] = r
	}
	// And "you said, we did" (issue 24, item 4), queued for the sweep.
	for k, r := range (&httpapi.Reflections{Reflections: service.NewReflections(d.Store, env)}).Routes() {
		routes[k] = r
	}
	// And a draft agreement started from an enquiry (issue 24, item 6).
	for k, r := range (&httpapi.EnquiryDrafts{Drafts: service.NewEnquiryDrafts(d.Store, agreements, env)}).Routes() {
		routes[k] = r
	}
	// And the stories' (issue 24, item 5).
	for k, r := range (&httpapi.Stories{Stories: service.NewStories(d.Store, env)}).Routes() {
		routes[k] = r
	}
	// And the programme's settings (issue 25, item 3).
	for k, r := range (&httpapi.Settings{Settings: service.NewSettings(d.Store, env)}).Routes() {
		routes[k] = r
	}
	// And the programmes (issue 25, item 2).
	for k, r := range (&httpapi.Programmes{Programmes: d.Programmes()}).Routes() {
		routes[k] = r
	}
	return routes.Placing(d.Store)
}

// Links hands out short-lived links to the mail bucket's objects, and
// removes them, without the S3 client (pkg/objects/links says why).
func (d *Deps) Links() *links.Bucket {
	return links.New(d.AWS, d.Config.MailBucket, aws.ToString(d.Endpoint("S3")), d.Config.S3UsePathStyle)
}
