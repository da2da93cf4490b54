package stack

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/app/accounting"
	"github.com/partnership-grants/backend/pkg/app/monitoring"
	"github.com/partnership-grants/backend/pkg/app/publish"
	"github.com/partnership-grants/backend/pkg/app/queue"
	"github.com/partnership-grants/backend/pkg/app/receiver"
	"github.com/partnership-grants/backend/pkg/app/senders"
	"github.com/partnership-grants/backend/pkg/app/userpool"
	"github.com/partnership-grants/backend/pkg/app/web"
	"github.com/partnership-grants/backend/pkg/callmeter"
	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/dev/samtemplate"
	"github.com/partnership-grants/backend/pkg/dev/sqslocal"
	schedulerstub "github.com/partnership-grants/backend/pkg/dev/stack/scheduler"
	"github.com/partnership-grants/backend/pkg/dynamo"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/mailer/agreementpdf"
	"github.com/partnership-grants/backend/pkg/metrics"
	"github.com/partnership-grants/backend/pkg/reply/receive"
	"github.com/partnership-grants/backend/pkg/service"
)

// Options are the local stack's ports and data directory. The defaults are
// the ones the README documents.
type Options struct {
	Root         string // repository root (template.yaml, node_modules)
	DataDir      string // .local: DynamoDB data, S3 objects, the token key
	APIAddr      string // 127.0.0.1:3000, as sam local start-api
	ControlAddr  string // 127.0.0.1:3001: clock control for make advance
	DynamoDBPort int    // 8000
	SESPort      int    // 8005: the mail viewer
	S3Port       int    // 4569: s3rver (raw replies, attachments)
	SMTPAddr     string // 127.0.0.1:2525: replies come in here
	// SignInAddr is the Cognito stand-in (127.0.0.1:9229): the sign-in
	// page, the token endpoint and the key set of the one local issuer.
	SignInAddr string
	// DynamoDBEndpoint is a DynamoDB Local already running (the one a test
	// binary shares between its stacks, each with its own TableName);
	// empty starts one on DynamoDBPort with its data in DataDir.
	DynamoDBEndpoint string
	// SESEndpoint is an aws-ses-v2-local already running (one a test
	// binary shares between its stacks): the stack serves on SESPort a view
	// of it that lists only the mail this stack sent. Empty starts one on
	// SESPort.
	SESEndpoint string
	// Stand-ins for the services with no local emulator; fixed ports so
	// events/env.json can point sam local at them.
	SchedulerPort, SecretsPort, EventsPort int // 8006, 8007, 8008
	TableName                              string
	// PublishGrantsData is the template's PublishGrantsData parameter: the
	// GrantsDataFunction's daily schedule writes the 360Giving file to
	// GrantsDataBucket in s3rver. Off by default, as in the template
	// (PUBLISH_GRANTS_DATA=true make run).
	PublishGrantsData bool
	// SQSPort is the local SQS (goaws, in this process): 8009. Its queues
	// live in the process, so stacks started in one process (tests) each
	// need their own CheckInQueue name.
	SQSPort      int
	CheckInQueue string
	// Metrics receives the functions' metric lines (CloudWatch EMF, as
	// they write them to stdout in AWS); nil discards them.
	Metrics io.Writer
	// ClockStart is the local clock's time at start (zero: the wall
	// clock). Tests pin it so none depends on the day or hour it runs; a
	// data directory whose clock was walked further goes on from there.
	ClockStart time.Time
	// S3Endpoint is an s3rver already running (the one a test binary
	// shares between its stacks, each with buckets of its own: MailBucket,
	// GrantsBucket); empty starts one on S3Port with its data in DataDir.
	S3Endpoint string
	// MailBucket and GrantsBucket name the stack's buckets (empty: the
	// local names, partnership-grants-local-mail and GrantsDataBucket).
	MailBucket, GrantsBucket string
	// Billing puts on each invocation line the DynamoDB request units AWS
	// would bill (pkg/dev/billing), at the price of reading what each call
	// touched again: make cost turns it on. BillingTrace, when set, is told
	// each billed call (billing.DB's Trace).
	Billing      bool
	BillingTrace func(ctx context.Context, op, sizes string, read, written float64)
	// NoDemo starts the stack without the demo programme's agreements: a
	// test that walks a year and reads only its own agreements then pays
	// for their year alone, not four more.
	NoDemo bool
	// IAMTemplate is the template whose policies the functions' calls are
	// checked against (empty: Root's template.yaml); a test gives a copy
	// with an action taken out.
	IAMTemplate string
	// IAMUsed, if set, is told each function and action its policy allowed
	// a call, once per pair: make iam's record of what the tests used.
	IAMUsed io.Writer
}

// The local public bucket and the one key in it, as the template names them.
const (
	GrantsDataBucket = "partnership-grants-local-grants-data"
	GrantsDataKey    = "360giving.json"
)

// DefaultOptions are the documented defaults, under root.
func DefaultOptions(root string) Options {
	return Options{
		Root: root, DataDir: filepath.Join(root, ".local"),
		APIAddr: "127.0.0.1:3000", ControlAddr: "127.0.0.1:3001",
		DynamoDBPort: 8000, SESPort: 8005, S3Port: 4569, SMTPAddr: "127.0.0.1:2525",
		SignInAddr:    "127.0.0.1:9229",
		SchedulerPort: 8006, SecretsPort: 8007, EventsPort: 8008,
		TableName: "partnership-grants-local",
		SQSPort:   8009, CheckInQueue: "partnership-grants-local-checkins",
	}
}

// Stack is a running local stack.
type Stack struct {
	opts   Options
	Clock  *Clock
	Auth   *Auth
	Deps   *app.Deps
	Runner *Runner
	Events *EventBus
	// HTTP are the API functions' handlers by logical ID, as sam local
	// invoke calls them with an event.
	HTTP map[string]HTTPHandler
	// Receiver is the InboundFunction's handler, behind the SMTP listener.
	Receiver *receive.Receiver
	procs    []*emulator.Process
	stops    []func()
	// started are the addresses the servers took, over localSettings
	// (FunctionEnvironment).
	started map[string]string
}

// localConfig is the functions' Config in the local stack: localSettings
// with the addresses the servers took (started tests give them port 0),
// the region and s3rver's key (what Lambda's runtime gives a function), read
// by the functions' own app.Load. Nothing is set in the process's
// environment, so stacks can run side by side in one process.
func localConfig(opts Options, started map[string]string) (app.Config, error) {
	set := localSettings(opts)
	set["AWS_ACCESS_KEY_ID"] = "S3RVER" // s3rver's only key; the others accept any
	set["AWS_SECRET_ACCESS_KEY"] = "S3RVER"
	set["AWS_REGION"] = localRegion
	for k, v := range started {
		set[k] = v
	}
	return app.Load(func(name string) string { return set[name] }, localNeeds(opts)...)
}

// localNeeds are what the stack's functions need of their Config: the
// stack wires every function on one Deps (the GrantsDataFunction only with
// PublishGrantsData on, as the template's condition creates it).
func localNeeds(opts Options) []app.Need {
	needs := []app.Need{app.NeedMail, app.NeedReplyTokens, app.NeedSchedules, app.NeedAccountingBus,
		app.NeedMailBucket, app.NeedCheckInQueue, app.NeedSignIn}
	if opts.PublishGrantsData {
		needs = append(needs, app.NeedGrantsData)
	}
	return needs
}

// localSettings are the functions' variables as the local stack gives them
// (localConfig): what template.yaml sets from its parameters and resources,
// and the emulators' addresses. events/env.json holds the same for sam local
// (TestEnvJSONIsTheLocalStacks).
func localSettings(opts Options) map[string]string {
	sqsURL := fmt.Sprintf("http://127.0.0.1:%d", opts.SQSPort)
	set := map[string]string{
		"AWS_ENDPOINT_URL_DYNAMODB":        fmt.Sprintf("http://127.0.0.1:%d", opts.DynamoDBPort),
		"AWS_ENDPOINT_URL_SES":             fmt.Sprintf("http://127.0.0.1:%d", opts.SESPort),
		"AWS_ENDPOINT_URL_S3":              fmt.Sprintf("http://127.0.0.1:%d", opts.S3Port),
		"AWS_ENDPOINT_URL_SCHEDULER":       fmt.Sprintf("http://127.0.0.1:%d", opts.SchedulerPort),
		"AWS_ENDPOINT_URL_SECRETS_MANAGER": fmt.Sprintf("http://127.0.0.1:%d", opts.SecretsPort),
		"AWS_ENDPOINT_URL_EVENTBRIDGE":     fmt.Sprintf("http://127.0.0.1:%d", opts.EventsPort),
		"AWS_ENDPOINT_URL_SQS":             sqsURL,
		// The user pool's administration API is the sign-in stand-in's.
		"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": "http://" + opts.SignInAddr,
		// What the template gives the WebFunction (and USER_POOL_ID the
		// PaymentsFunction).
		"SIGNIN_ISSUER":     issuer(opts.SignInAddr),
		"SIGNIN_URL":        "http://" + opts.SignInAddr,
		"APP_URL":           "http://" + opts.APIAddr + "/app",
		"WEB_CLIENT_SECRET": webClientSecret,
		"USER_POOL_ID":      localPoolID,
		// What the template gives the functions that schedule check-ins
		// (the queue is their schedules' target) and the sweep.
		"CHECKIN_QUEUE_ARN": sqslocal.QueueARN(localRegion, opts.CheckInQueue),
		"CHECKIN_QUEUE_URL": sqsURL + "/" + sqslocal.AccountID + "/" + opts.CheckInQueue,
		"TABLE_NAME":        opts.TableName,
		"TIME_ZONE":         grants.DefaultTimeZone,
		// What template.yaml sets from its parameters and resources.
		"METRICS_NAMESPACE":           "PartnershipGrants/local",
		"SENDER_EMAIL":                "The Local Funder <partnerships@funder.local>",
		"REPLY_DOMAIN":                "reply.funder.local",
		"REPLY_TOKEN_SECRET":          replyTokenSecret,
		"PROGRAMME_NAME":              "Community Partnerships Pilot",
		"PROGRAMME_CODE":              DemoProgramme,
		"FUNDER_360G_PREFIX":          "360G-funderlocal",
		"FUNDER_ORG_ID":               "GB-CHC-0000000",
		"FUNDER_NAME":                 "The Local Funder",
		"OFFICER_EMAILS":              "programme.officer@funder.local",
		"OFFICER_NAME":                "Olu Adeyemi",
		"FINANCE_EMAILS":              "finance@funder.local",
		"REMINDER_DAYS":               "7",
		"MAX_REMINDERS":               "2",
		"SEND_TIME":                   "09:00",
		"BANK_HOLIDAY_REGION":         "england-and-wales",
		"QUIET_PERIOD":                "12-24/01-01",
		"EXTRA_BANK_HOLIDAYS":         "",
		"CHECKIN_LEAD_DAYS":           "14",
		"FINAL_REPORT_DAYS":           "30",
		"ON_TIME_WORKING_DAYS":        "10",
		"PAYMENT_POLICY":              "onSchedule", // the demo programme pays on trust
		"SES_CONFIGURATION_SET":       "",           // the SES emulator has none
		"SCHEDULE_GROUP":              localGroup,
		"SCHEDULER_ROLE_ARN":          schedulerArn,
		"SCHEDULE_DLQ_ARN":            dlqArn,
		"INSTALMENT_DUE_FUNCTION_ARN": functionArn + "InstalmentDueFunction",
		"SES_SEND_RATE":               "14",
		"CHECKIN_SENDERS":             strconv.Itoa(checkInSenders),
		"EVENT_BUS_NAME":              "partnership-grants-local-accounting",
		"TWO_PERSON_RULE":             "true",
		"MAIL_BUCKET":                 cmp.Or(opts.MailBucket, "partnership-grants-local-mail"),
		"RAW_PREFIX":                  "raw/",
		"S3_USE_PATH_STYLE":           "true",
		"GRANTS_DATA_BUCKET":          "",
		"GRANTS_DATA_KEY":             GrantsDataKey,
		// The sandbox's quota: locally, inbound mail may cause 50 automatic emails a day.
		"SES_DAILY_QUOTA":            "200",
		"INBOUND_MAIL_QUOTA_PERCENT": "25",
		// Enquiries (issue 24, item 6): organisations write here.
		"ENQUIRY_ADDRESS":     "enquiries@reply.funder.local",
		"ENQUIRY_ANSWER_DAYS": "5",
	}
	// Instalment 1 does not wait for the partner's acceptance (issue 23, item 4).
	set["FIRST_INSTALMENT_AWAITS_ACCEPTANCE"] = "false"
	if opts.PublishGrantsData {
		set["GRANTS_DATA_BUCKET"] = cmp.Or(opts.GrantsBucket, GrantsDataBucket)
	}
	return set
}

// Start brings the stack up: emulators, table, seed data, gateway.
func Start(ctx context.Context, opts Options) (*Stack, error) {
	st := &Stack{opts: opts}
	ok := false
	defer func() {
		if !ok {
			st.Stop()
		}
	}()
	if err := emulator.EnsureNodeModules(ctx, opts.Root); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(opts.DataDir, "dynamodb"), 0o755); err != nil {
		return nil, err
	}
	var err error
	if st.Clock, err = NewClock(opts.ClockStart, filepath.Join(opts.DataDir, "clock")); err != nil {
		return nil, err
	}
	// The node emulators start while DynamoDB Local's JVM does.
	sesc, s3c := startProc(func() (*emulator.Process, string, error) { return startSES(ctx, opts) }),
		startProc(func() (*emulator.Process, string, error) {
			if opts.S3Endpoint != "" {
				return nil, opts.S3Endpoint, nil
			}
			return emulator.StartS3(ctx, opts.S3Port, filepath.Join(opts.DataDir, "s3"))
		})
	ddbURL := opts.DynamoDBEndpoint
	var ddbErr error
	if ddbURL == "" {
		var ddb *emulator.Process
		ddb, ddbURL, ddbErr = emulator.StartDynamoDB(ctx, emulator.Options{Port: opts.DynamoDBPort, DataDir: filepath.Join(opts.DataDir, "dynamodb")})
		st.keep(ddb)
	}
	sesProc, sesURL, sesErr := sesc.wait()
	s3Proc, s3URL, s3Err := s3c.wait()
	st.keep(sesProc)
	st.keep(s3Proc)
	if err := errors.Join(ddbErr, sesErr, s3Err); err != nil {
		return nil, err
	}
	sched := schedulerstub.New()
	sched.Clock = st.Clock.Now
	sched.MaxAttemptsCap = 3
	sched.EnsureGroup(localGroup)
	schedURL, err := servePort(ctx, opts.SchedulerPort, sched)
	if err != nil {
		return nil, err
	}
	tokenKey, err := localSecret(opts.DataDir, "reply-token-key")
	if err != nil {
		return nil, err
	}
	if st.Auth, err = LoadAuth(opts.DataDir, opts.SignInAddr); err != nil {
		return nil, err
	}
	signIn, webClientDoc, err := signInProvider(st.Auth, opts.APIAddr)
	if err != nil {
		return nil, err
	}
	if err := serve(ctx, opts.SignInAddr, signIn); err != nil {
		return nil, err
	}
	secretsURL, err := servePort(ctx, opts.SecretsPort, NewSecrets(map[string]string{
		replyTokenSecret: tokenKey, webClientSecret: webClientDoc}))
	if err != nil {
		return nil, err
	}
	st.Events = &EventBus{}
	busURL, err := servePort(ctx, opts.EventsPort, st.Events)
	if err != nil {
		return nil, err
	}
	sqsURL, stopSQS, err := sqslocal.Start(localRegion, fmt.Sprintf("127.0.0.1:%d", opts.SQSPort))
	if err != nil {
		return nil, err
	}
	st.stops = append(st.stops, stopSQS)
	// The addresses the servers took (tests give them port 0).
	st.started = map[string]string{
		"SIGNIN_ISSUER":                    st.Auth.Issuer,
		"AWS_ENDPOINT_URL_EVENTBRIDGE":     busURL,
		"AWS_ENDPOINT_URL_S3":              s3URL,
		"AWS_ENDPOINT_URL_DYNAMODB":        ddbURL,
		"AWS_ENDPOINT_URL_SES":             sesURL,
		"AWS_ENDPOINT_URL_SCHEDULER":       schedURL,
		"AWS_ENDPOINT_URL_SECRETS_MANAGER": secretsURL,
		"AWS_ENDPOINT_URL_SQS":             sqsURL,
		"CHECKIN_QUEUE_URL":                sqsURL + "/" + sqslocal.AccountID + "/" + opts.CheckInQueue,
	}
	cfg, err := localConfig(opts, st.started)
	if err != nil {
		return nil, err
	}
	enforcer, err := localIAM(opts)
	if err != nil {
		return nil, err
	}
	writes := &tableWrites{}
	if st.Deps, err = app.NewDeps(cfg, st.Clock.Now, enforcer.Middleware, writes.Middleware); err != nil {
		return nil, err
	}
	if opts.Billing {
		st.bill()
	}
	if opts.Metrics == nil {
		opts.Metrics = io.Discard
	}
	st.Deps.Metrics = metrics.New(opts.Metrics, cfg.MetricsNamespace)
	tpl, err := samtemplate.Load(filepath.Join(opts.Root, "template.yaml"))
	if err != nil {
		return nil, err
	}
	if err := tpl.CreateTable(ctx, st.Deps.DB, opts.TableName); err != nil {
		return nil, err
	}
	// A table kept from an older version gets the indexes this one reads,
	// and its items their keys, as docs/scale.md's "Upgrading an existing table"
	// says a deployment does (a fresh or upgraded table rekeys nothing).
	added, err := tpl.AddMissingIndexes(ctx, st.Deps.DB, opts.TableName)
	if err != nil {
		return nil, err
	}
	rep, err := dynamo.Rekey(ctx, st.Deps.DB, opts.TableName)
	if err != nil {
		return nil, err
	}
	if len(added) > 0 || rep.Rekeyed > 0 {
		slog.InfoContext(ctx, "local table upgraded", "indexesAdded", added, "itemsRekeyed", rep.Rekeyed)
	}
	// Each function's wiring runs as its init would, with its role: what it
	// reads there (a secret) is checked too. The local stack wires every
	// function on one Deps, which reads a secret once: the first function
	// to ask is the one checked.
	pool, err := userpool.Directory(st.Deps)
	if err != nil {
		return nil, err
	}
	payments, err := senders.PaymentsAPI(asFunction(ctx, "PaymentsFunction"), st.Deps, accounting.Bus(st.Deps), pool)
	if err != nil {
		return nil, err
	}
	checkIns, err := senders.CheckInsAPI(asFunction(ctx, "CheckInsFunction"), st.Deps)
	if err != nil {
		return nil, err
	}
	webApp, err := web.Handler(asFunction(ctx, "WebFunction"), st.Deps)
	if err != nil {
		return nil, err
	}
	agreements, err := userpool.AgreementsAPI(st.Deps)
	if err != nil {
		return nil, err
	}
	// As each function's main wires it: every request checked against the
	// sessions' record (issue 25, item 5).
	handlers := map[string]HTTPHandler{
		"AgreementsFunction": agreements.Handle,
		"PaymentsFunction":   payments.Checking(st.Deps.Store).Handle,
		"CheckInsFunction":   checkIns.Checking(st.Deps.Store).Handle,
		"MonitoringFunction": monitoring.API(st.Deps).Checking(st.Deps.Store).Handle,
		"WebFunction":        webApp,
	}
	if err := st.startInbound(ctx); err != nil {
		return nil, err
	}
	routes, err := tpl.Routes()
	if err != nil {
		return nil, err
	}
	st.HTTP = handlers
	gw, err := NewGateway(routes, handlers, st.Auth, st.Clock.Now)
	if err != nil {
		return nil, err
	}
	// As the sweep's function wires it: the one scheduled function that
	// publishes on the accounting bus, repairs schedules and queues check-ins.
	checkInsQueue := queue.CheckIns(st.Deps)
	x, err := senders.Sweep(asFunction(ctx, "SweepFunction"), st.Deps, st.Deps.Schedules(), accounting.Bus(st.Deps), checkInsQueue, agreementpdf.Render)
	if err != nil {
		return nil, err
	}
	grantsFile, err := st.grantsFile(ctx)
	if err != nil {
		return nil, err
	}
	checkInQueue, err := st.checkInSource(ctx, x)
	if err != nil {
		return nil, err
	}
	st.Runner = &Runner{sched: sched, x: x, queue: checkInsQueue, grantsFile: grantsFile, clock: st.Clock, checkIns: checkInQueue, loc: st.Deps.Config.Location, written: writes}
	schedClient := scheduler.NewFromConfig(st.Deps.AWS, func(o *scheduler.Options) { o.BaseEndpoint = aws.String(schedURL) })
	if err := createDailySweep(ctx, schedClient, grants.DefaultTimeZone); err != nil {
		return nil, err
	}
	if grantsFile != nil {
		if err := createDaily(ctx, schedClient, grantsDataName, grantsDataCron, grants.DefaultTimeZone, "GrantsDataFunction"); err != nil {
			return nil, err
		}
	}
	seedClaims := map[string]string{"iss": st.Auth.Issuer, "sub": "local-seed", "token_use": "id", "email": "seed@funder.local", "cognito:groups": "[programme]",
		"iat": strconv.FormatInt(time.Now().Unix(), 10)}
	today := grants.Today(st.Clock.Now(), time.UTC)
	starts := []string{today.AddMonths(-2).String(), today.AddMonths(-1).String(), today.AddDays(7).String(), today.AddMonths(1).String()}
	creatingAs := func(id string) HTTPHandler { return st.Deps.AgreementsAPIWithIDs(func() string { return id }).Handle }
	if !opts.NoDemo {
		if err := Seed(ctx, handlers["AgreementsFunction"], creatingAs, seedClaims, starts); err != nil {
			return nil, err
		}
	}
	if err := serve(ctx, opts.APIAddr, gw); err != nil {
		return nil, err
	}
	if err := serve(ctx, opts.ControlAddr, st.controlHandler()); err != nil {
		return nil, err
	}
	go st.Runner.loop(ctx)
	slog.Info("local stack ready",
		"api", "http://"+opts.APIAddr, "webApp", "http://"+opts.APIAddr+"/app", "signIn", "http://"+opts.SignInAddr,
		"sesViewer", sesURL, "dynamodb", ddbURL,
		"token", "make token ROLE=programme")
	ok = true
	return st, nil
}

// serve listens on addr until ctx ends.
func serve(ctx context.Context, addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another make run still going?)", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("server stopped", "addr", addr, "error", err.Error())
		}
	}()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	return nil
}

func (st *Stack) controlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /advance", st.advanceHandler)
	mux.HandleFunc("GET /events", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"events": st.Events.Events()})
	})
	// What make reprocess-replies STAGE=local calls: the InboundFunction's
	// {"reprocess": {}}, in one run (no Lambda deadline here).
	mux.HandleFunc("POST /reprocess-replies", func(w http.ResponseWriter, r *http.Request) {
		rep, err := st.Receiver.Reprocess(asFunction(r.Context(), "InboundFunction"), receive.ReprocessRequest{})
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]any{"error": err.Error(), "report": rep})
			return
		}
		writeJSON(w, http.StatusOK, rep)
	})
	mux.HandleFunc("GET /clock", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"now": st.Clock.Now().Format(time.RFC3339)})
	})
	return mux
}

// createBucket creates a bucket in s3rver, as the template's resources do
// in AWS; one already there is kept.
func (st *Stack) createBucket(ctx context.Context, name string) error {
	_, err := senders.S3(st.Deps).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
	var owned *s3types.BucketAlreadyOwnedByYou
	var exists *s3types.BucketAlreadyExists
	if err != nil && !errors.As(err, &owned) && !errors.As(err, &exists) {
		return fmt.Errorf("create bucket %s: %w", name, err)
	}
	return nil
}

// grantsFile is the public 360Giving file, as the GrantsDataFunction wires
// it, with its bucket created only when publishing is on (as the template's
// condition creates them both), so with it off nothing public exists.
func (st *Stack) grantsFile(ctx context.Context) (*service.GrantsFile, error) {
	f, err := publish.GrantsFile(st.Deps)
	if err != nil || f == nil {
		return nil, err
	}
	return f, st.createBucket(ctx, st.Deps.Config.GrantsDataBucket)
}

// startInbound creates the mail bucket and listens for replies over SMTP.
func (st *Stack) startInbound(ctx context.Context) error {
	bucket := senders.Bucket(st.Deps)
	if err := st.createBucket(ctx, bucket.Name); err != nil {
		return err
	}
	rc, err := receiver.New(asFunction(ctx, "InboundFunction"), st.Deps)
	if err != nil {
		return err
	}
	st.Receiver = rc
	in := &Inbound{
		Store: func(ctx context.Context, key string, raw []byte) error {
			return bucket.Put(ctx, key, "message/rfc822", raw)
		},
		Invoke: func(ctx context.Context, ev events.SimpleEmailEvent) error {
			return callmeter.Run(invocation(ctx, "InboundFunction"), "Inbound", func(ctx context.Context) error { return rc.Handle(ctx, ev) })
		},
		Prefix:  rc.RawPrefix,
		Clock:   st.Clock.Now,
		MaxSize: 40 << 20,
	}
	return in.Serve(ctx, st.opts.SMTPAddr)
}

// servePort serves h on a loopback port (a free one for 0) and returns its URL.
func servePort(ctx context.Context, port int, h http.Handler) (string, error) {
	if port == 0 {
		var err error
		if port, err = emulator.FreePort(); err != nil {
			return "", err
		}
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	return "http://" + addr, serve(ctx, addr, h)
}

// localSecret reads a hex secret from dir, creating it on first use.
func localSecret(dir, name string) (string, error) {
	path := filepath.Join(dir, name)
	if b, err := os.ReadFile(path); err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	v := hex.EncodeToString(key)
	return v, os.WriteFile(path, []byte(v), 0o600)
}

// Stop stops every emulator the stack started.
func (st *Stack) Stop() {
	for _, stop := range st.stops {
		stop()
	}
	st.stops = nil
	for i := len(st.procs) - 1; i >= 0; i-- {
		_ = st.procs[i].Stop()
	}
	st.procs = nil
}
