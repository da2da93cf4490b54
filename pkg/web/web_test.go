package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/mailer"
	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/service"
	"github.com/partnership-grants/backend/pkg/web/signin"
)

func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	testenv.Main(m)
}

const programme = "community-2026"

type app struct {
	t       *testing.T
	handler http.Handler
	svc     *uses
	clock   *testenv.Clock
	ses     string // the local SES's endpoint
	pages   *App
	store   store
	pool    *testenv.Pool
}

// store is what the pages and the use cases behind them read and write:
// pkg/memstore's (newApp) or pkg/dynamo's (newDynamoApp) store.
type store interface {
	AgreementPlaces
	service.AgreementStore
	service.PaymentStore
	service.ReplyStore
	service.AutomationStore
	service.CourierStore
	service.ProgrammeReader
	service.HeldLister
	service.ReplyReader
	Apply(ctx context.Context, agreementID string, fx grants.Effects) error
	service.PartnerStore
	service.ThemeStore
	service.ConfidentialReader
	service.ReflectionStore
	service.ProgrammeStore // issue 25, item 2
	service.NoteReader     // issue 26, item 16: a deleted draft's documents
}

var _ store = (*memstore.Store)(nil)

// newApp serves the pages on the in-memory store (pkg/memstore, held to
// pkg/dynamo's contract by pkg/dynamo/storetest), as the web function does
// but with no schedules (side effects wait in the outbox); mail goes to
// aws-ses-v2-local. Tests of what the pages ask of DynamoDB itself use
// newDynamoApp (dynamodb_test.go).
func newApp(t *testing.T) *app {
	return newAppOn(t, memstore.New(), memstore.NewID)
}

func newAppOn(t *testing.T, store store, newID func() string) *app {
	clock := testenv.NewClock(time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC), time.Millisecond)
	sesClient, sesEndpoint := testenv.SESv2(t)
	sender, err := mailer.NewSender(sesClient, "grants@funder.example", "")
	if err != nil {
		t.Fatal(err)
	}
	pool := &testenv.Pool{}
	env := service.Env{Now: clock.Now, NewID: newID,
		Defaults: grants.ProgrammeSettings{ReminderDays: 7, MaxReminders: 2, TwoPersonRule: new(true)}}
	events := &bus{}
	courier := service.NewCourier(store, mailer.Letters{Sender: sender}, events, service.NoReplyAddresses, service.NoMetrics, env, service.CourierOptions{})
	svc := &uses{
		Agreements: service.NewAgreements(store, courier, service.NoSchedules, env, service.AgreementOptions{}),
		Payments:   service.NewPayments(store, courier, pool, service.NoMetrics, env),
		Replies:    service.NewReplies(store, courier, service.NoMetrics, env),
		Automation: service.NewAutomation(store, courier, service.NoSchedules, service.NoMetrics, env, service.AutomationOptions{}),
		Events:     events,
	}
	a := &App{Agreements: svc.Agreements, Payments: svc.Payments, Replies: svc.Replies, Views: service.NewViews(store, service.Env{Now: clock.Now}),
		Programme: programme, ProgrammeName: "Community Partnerships", Partners: service.NewPartners(store, env),
		Themes: service.NewThemes(store, env), Stories: service.NewStories(store, env),
		Reflections: service.NewReflections(store, env), ReplyDomain: "reply.funder.example",
		WordLetter: func(l service.Letter) (string, string, error) {
			e, err := mailer.Word(l)
			return e.Subject, e.Text, err
		}}
	// The settings page (issue 25, item 3), on either store.
	if s, ok := store.(service.SettingsStore); ok {
		a.Settings = service.NewSettings(s, env)
	}
	// The programmes page (issue 25, item 2): the app's programme is the
	// configured one.
	a.Programmes = service.NewProgrammes(store, grants.Programme{Code: programme, Name: "Community Partnerships", Currency: "GBP",
		TimeZone: grants.DefaultTimeZone, Region: grants.DefaultRegion})
	// An agreement's pages act in its programme (issue 25, item 6).
	a.Places = store
	a.Drafts = service.NewDrafts(svc.Agreements, store, removedFiles{})
	return &app{t: t, handler: New(a), svc: svc, clock: clock, ses: sesEndpoint, pages: a, store: store, pool: pool}
}

// uses are the capabilities as the web function wires them (with no
// schedules), and the automation that makes instalments due.
type uses struct {
	*service.Agreements
	*service.Payments
	*service.Replies
	*service.Automation
	Events *bus
}

// bus stands in for the accounting bus (EventBridge): it keeps what it was sent.
// It is safe for concurrent use: a pay run's approval publishes from several goroutines.
type bus struct {
	mu   sync.Mutex
	paid []service.InstalmentPaidEvent
}

func (b *bus) InstalmentPaid(_ context.Context, e service.InstalmentPaidEvent) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.paid = append(b.paid, e)
	return "event-" + strconv.Itoa(len(b.paid)), nil
}

type response struct {
	code     int
	header   http.Header
	body     string
	location string
}

// as sends a request signed in as user with role.
func (a *app) as(user string, role grants.Role, method, path string, form url.Values, headers ...string) response {
	a.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	path, _, _ = strings.Cut(path, "#") // a browser keeps a redirect's fragment to itself
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	req = req.WithContext(signin.WithActor(context.Background(), grants.Actor{ID: "pool#sub-" + user, Name: user, Groups: []grants.Role{role}}))
	rec := httptest.NewRecorder()
	a.handler.ServeHTTP(rec, req)
	return response{code: rec.Code, header: rec.Header(), body: rec.Body.String(), location: rec.Header().Get("Location")}
}

func filledForm(key string) url.Values {
	return url.Values{
		"key": {key}, "partner": {"Levenshulme Community Kitchen"}, "registration": {"1180123"}, "address": {"1 Stockport Road, Manchester M19 3AB"},
		"contact0Name": {"Amina Khan"}, "contact0Email": {"amina@levykitchen.org.uk"}, "contact0Role": {"lead"},
		"amount": {"10,000"}, "currency": {"GBP"}, "startDate": {"2027-01-04"}, "durationMonths": {"12"}, "instalments": {"4"}, "checkInLead": {"14"},
		"terms": {"Co-host four community meals\nShare what we learn"}, "support": {"Evaluation mentoring"},
	}
}

var agreementPath = regexp.MustCompile(`^/app/agreements/([a-z2-7]{16})\?done=created$`)

// create makes an agreement through the form and returns its ID.
func (a *app) create(key string) string {
	a.t.Helper()
	r := a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/agreements", filledForm(key))
	m := agreementPath.FindStringSubmatch(r.location)
	if r.code != http.StatusSeeOther || m == nil {
		a.t.Fatalf("create: %d to %q: %s", r.code, r.location, r.body)
	}
	return m[1]
}

// A programme officer creates an agreement with the form: each mistake is
// shown next to its field with what was typed kept, and a resubmitted form
// creates one agreement, not two.
func TestCreateFormShowsErrorsByTheirFieldsAndCreatesOnce(t *testing.T) {
	a := newApp(t)
	form := filledForm("k1")
	form.Set("partner", "")
	form.Set("amount", "ten thousand")
	form.Set("contact0Email", "not-an-email")
	r := a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/agreements", form)
	if r.code != http.StatusBadRequest {
		t.Fatalf("bad form: %d, want 400", r.code)
	}
	for _, want := range []string{
		`id="err-amount"`, `Award must be an amount such as 10000 or 10,000.00`,
		`value="ten thousand"`, `value="1 Stockport Road, Manchester M19 3AB"`, `aria-invalid="true"`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the form shown again lacks %q", want)
		}
	}
	// The domain's own checks, once the form's are passed.
	form.Set("amount", "10000")
	r = a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/agreements", form)
	for _, want := range []string{`id="err-partner.name"`, `id="err-contacts[0].email"`, `value="not-an-email"`} {
		if r.code != http.StatusBadRequest || !strings.Contains(r.body, want) {
			t.Errorf("domain errors: %d, lacking %q", r.code, want)
		}
	}

	id := a.create("k2")
	if again := a.create("k2"); again != id {
		t.Errorf("the same form sent twice made agreements %s and %s", id, again)
	}
	list, err := a.svc.Agreements.Agreements(context.Background(), programme, "", "", 10)
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("agreements after creating once and resubmitting: %d, %v", len(list.Items), err)
	}
	page := a.as("olu@funder.example", grants.RoleProgramme, "GET", "/app/agreements/"+id+"?done=created", nil)
	for _, want := range []string{"Levenshulme Community Kitchen", "£10,000.00", "£2,500.00", "Co-host four community meals", "Activate", "The agreement was created as a draft."} {
		if !strings.Contains(page.body, want) {
			t.Errorf("agreement page lacks %q", want)
		}
	}
}

// A role sees only the actions it may take, and the server refuses the
// rest anyway; a state-changing request from another site is refused.
func TestRolesSeeTheirActionsAndTheServerRefusesTheRest(t *testing.T) {
	a := newApp(t)
	id := a.create("k")
	path := "/app/agreements/" + id
	viewer := a.as("vic@funder.example", grants.RoleViewer, "GET", path, nil)
	if viewer.code != http.StatusOK || strings.Contains(viewer.body, "<form method=\"post\"") && strings.Contains(viewer.body, "/activate") {
		t.Errorf("a viewer's agreement page (%d) offers actions", viewer.code)
	}
	if strings.Contains(viewer.body, "New agreement") || strings.Contains(viewer.body, "Held messages") {
		t.Error("a viewer's navigation offers programme pages")
	}
	for _, role := range []grants.Role{grants.RoleViewer, grants.RoleFinance} {
		if r := a.as("x@funder.example", role, "POST", path+"/activate", url.Values{}); r.code != http.StatusForbidden {
			t.Errorf("%s activating: %d, want 403", role, r.code)
		}
	}
	if r := a.as("vic@funder.example", grants.RoleViewer, "GET", "/app/quarantine", nil); r.code != http.StatusForbidden {
		t.Errorf("viewer on the held messages: %d, want 403", r.code)
	}
	forged := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/activate", url.Values{}, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	if forged.code != http.StatusForbidden {
		t.Errorf("cross-site POST: %d, want 403", forged.code)
	}
	ag, _ := a.svc.Agreement(context.Background(), id)
	if ag.Status != grants.AgreementDraft {
		t.Fatalf("after refused requests the agreement is %s", ag.Status)
	}
	same := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/activate", url.Values{}, "Sec-Fetch-Site", "same-origin")
	if same.code != http.StatusSeeOther {
		t.Errorf("activate from the app's own page: %d %s", same.code, same.body)
	}
}

// Finance A requests a payment, finance B approves it: A cannot approve
// their own request, and a resubmitted payment form pays once.
func TestTwoPeoplePayAnInstalmentOnce(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	id := a.create("k")
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/agreements/"+id+"/activate", url.Values{}); r.code != http.StatusSeeOther {
		t.Fatalf("activate: %d %s", r.code, r.body)
	}
	if err := a.svc.InstalmentDue(ctx, id, 1); err != nil {
		t.Fatal(err)
	}
	path := "/app/agreements/" + id
	page := a.as("fay@funder.example", grants.RoleFinance, "GET", path, nil)
	key := regexp.MustCompile(`name="key" value="([0-9a-f]{32})"`).FindStringSubmatch(page.body)
	if key == nil || !strings.Contains(page.body, "Request payment") {
		t.Fatalf("finance's agreement page offers no payment form")
	}
	pay := url.Values{"key": {key[1]}, "paymentReference": {"BACS-0001"}, "paidOn": {"2026-12-01"}, "overrideReason": {"First instalment"}}
	for range 2 {
		if r := a.as("fay@funder.example", grants.RoleFinance, "POST", path+"/instalments/1/pay", pay); r.code != http.StatusSeeOther {
			t.Fatalf("pay: %d %s", r.code, r.body)
		}
	}
	hist, _ := a.svc.History(ctx, grants.Actor{Name: "olu@funder.example", Groups: []grants.Role{grants.RoleProgramme}}, id, "", 100)
	requested := 0
	for _, h := range hist.Items {
		if strings.Contains(h.Action, "payment.requested") {
			requested++
		}
	}
	if requested != 1 {
		t.Errorf("a resubmitted payment form requested %d payments", requested)
	}
	own := a.as("fay@funder.example", grants.RoleFinance, "GET", path, nil)
	if !strings.Contains(own.body, "You requested this payment") || strings.Contains(own.body, "/approve") {
		t.Error("the requester is offered the approval of their own request")
	}
	if fin := a.as("fay@funder.example", grants.RoleFinance, "GET", "/app/finance", nil); !strings.Contains(fin.body, "you requested it") || strings.Contains(fin.body, "/approve") {
		t.Error("the finance page offers the requester the approval of their own request")
	}
	if fin := a.as("ben@funder.example", grants.RoleFinance, "GET", "/app/finance", nil); !strings.Contains(fin.body, "Approve payment BACS-0001") {
		t.Error("the finance page does not offer a second member of finance the approval")
	}
	other := a.as("ben@funder.example", grants.RoleFinance, "GET", path, nil)
	pid := regexp.MustCompile(`name="payment" value="([^"]+)"`).FindStringSubmatch(other.body)
	if pid == nil {
		t.Fatal("a second member of finance is not offered the approval")
	}
	if r := a.as("fay@funder.example", grants.RoleFinance, "POST", path+"/instalments/1/approve", url.Values{"payment": {pid[1]}}); r.code != http.StatusForbidden || !strings.Contains(r.body, "role=\"alert\"") {
		t.Errorf("approving one's own request: %d, want 403 with why", r.code)
	}
	// Taken out of finance since signing in: the session still names
	// finance, the user pool does not, and the page says why.
	a.pool.Remove("pool#sub-cat@funder.example", grants.RoleFinance)
	if r := a.as("cat@funder.example", grants.RoleFinance, "POST", path+"/instalments/1/approve", url.Values{"payment": {pid[1]}, "confirm": {"yes"}}); r.code != http.StatusForbidden || !strings.Contains(r.body, "You are no longer in finance") {
		t.Errorf("approving after removal from finance: %d, want 403 with why", r.code)
	}
	if r := a.as("ben@funder.example", grants.RoleFinance, "POST", path+"/instalments/1/approve", url.Values{"payment": {pid[1]}, "from": {"finance"}}); r.code != http.StatusOK ||
		!strings.Contains(r.body, "Total: £2,500.00") || !strings.Contains(r.body, "The partner is sent a remittance email") {
		t.Fatalf("approve, unconfirmed: %d %s", r.code, r.body)
	}
	if r := a.as("ben@funder.example", grants.RoleFinance, "POST", path+"/instalments/1/approve", url.Values{"payment": {pid[1]}, "from": {"finance"}, "confirm": {"yes"}}); r.code != http.StatusSeeOther || r.location != "/app/finance?done=approved#list-Due%20for%20payment" {
		t.Fatalf("approve: %d %s", r.code, r.body)
	}
	ag, _ := a.svc.Agreement(ctx, id)
	if ag.Instalments[0].Status != grants.InstalmentPaid {
		t.Errorf("instalment 1 is %s after approval", ag.Instalments[0].Status)
	}
	fin := a.as("ben@funder.example", grants.RoleFinance, "GET", "/app/finance", nil)
	if fin.code != http.StatusOK || strings.Contains(fin.body, "BACS-0001") {
		t.Errorf("finance page: %d", fin.code)
	}
}

// Every page is sent with a strict policy: no script, styles only from the
// app's stylesheet, no framing; and its markup has no inline style.
func TestPagesCarryStrictHeaders(t *testing.T) {
	a := newApp(t)
	id := a.create("k")
	for _, path := range []string{"/app", "/app/agreements", "/app/agreements/new", "/app/agreements/" + id, "/app/finance", "/app/quarantine", "/app/nowhere"} {
		r := a.as("olu@funder.example", grants.RoleProgramme, "GET", path, nil)
		csp := r.header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: Content-Security-Policy %q", path, csp)
		}
		if r.header.Get("X-Frame-Options") != "DENY" || r.header.Get("Cache-Control") != "private, no-store" {
			t.Errorf("%s: headers %v", path, r.header)
		}
		if strings.Contains(r.body, "style=") || strings.Contains(r.body, "<script") {
			t.Errorf("%s has inline style or script", path)
		}
		if len(r.body) > 100<<10 {
			t.Errorf("%s weighs %d bytes", path, len(r.body))
		}
	}
	css := a.as("olu@funder.example", grants.RoleProgramme, "GET", "/app/static/style.css", nil)
	if css.code != http.StatusOK || !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") {
		t.Errorf("stylesheet: %d %s", css.code, css.header.Get("Content-Type"))
	}
}

// An officer records a call as a check-in's response with the form on the
// agreement page: the page then shows it where an emailed reply would be, and
// a form missing who took part is shown again with why.
func TestConversationRecordedFromTheAgreementPage(t *testing.T) {
	a := newApp(t)
	id := a.create("k")
	path := "/app/agreements/" + id
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/activate", url.Values{}); r.code != http.StatusSeeOther {
		t.Fatalf("activate: %d %s", r.code, r.body)
	}
	page := a.as("olu@funder.example", grants.RoleProgramme, "GET", path, nil)
	if !strings.Contains(page.body, `action="`+path+`/check-ins/1/responses"`) || !strings.Contains(page.body, `<option value="visit">Visit</option>`) {
		t.Fatal("the agreement page offers no form to record a conversation")
	}
	if viewer := a.as("vic@funder.example", grants.RoleViewer, "GET", path, nil); strings.Contains(viewer.body, "/responses") {
		t.Error("a viewer is offered the conversation form")
	}
	form := url.Values{"channel": {"visit"}, "happenedOn": {"2026-12-01"}, "participants": {""}, "summary": {"Visited the kitchen"}}
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/check-ins/1/responses", form); r.code != http.StatusBadRequest || !strings.Contains(r.body, `role="alert"`) {
		t.Errorf("a conversation with nobody in it: %d", r.code)
	}
	form.Set("participants", "Amina Khan\nOlu Adeyemi")
	form.Set("partnerWords", "Come and eat with us again!")
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/check-ins/1/responses", form); r.code != http.StatusSeeOther || r.location != path+"?done=recorded#checkin-1" {
		t.Fatalf("record: %d %s %s", r.code, r.location, r.body)
	}
	page = a.as("olu@funder.example", grants.RoleProgramme, "GET", path+"?done=recorded", nil)
	for _, want := range []string{"Visit on", "with Amina Khan, Olu Adeyemi, recorded by olu@funder.example", "Visited the kitchen",
		"Come and eat with us again!", "Answered in a conversation (visit)", "The conversation was recorded"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the agreement page lacks %q", want)
		}
	}
	// The partner's words, with no question headings, are feedback as a
	// whole: not a viewer's to read (issue 24).
	if page = a.as("vic@funder.example", grants.RoleViewer, "GET", path, nil); strings.Contains(page.body, "Come and eat with us again!") ||
		!strings.Contains(page.body, "Visited the kitchen") {
		t.Error("a viewer reads the partner's words of a conversation, or not the officer's summary")
	}
}

// An officer marks a support item delivered with a note, from the agreement
// page; the page shows its status, the dated note, and the overview counts it.
func TestSupportFollowedUpFromTheAgreementPage(t *testing.T) {
	a := newApp(t)
	id := a.create("k")
	path := "/app/agreements/" + id
	page := a.as("olu@funder.example", grants.RoleProgramme, "GET", path, nil)
	if !strings.Contains(page.body, `action="`+path+`/support/1"`) {
		t.Fatal("the agreement page offers no form to update support")
	}
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/support/1", url.Values{"status": {"finished"}}); r.code != http.StatusBadRequest {
		t.Errorf("an unknown status: %d", r.code)
	}
	if r := a.as("fay@funder.example", grants.RoleFinance, "POST", path+"/support/1", url.Values{"status": {"delivered"}}); r.code != http.StatusForbidden {
		t.Errorf("finance updating support: %d", r.code)
	}
	r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/support/1", url.Values{"status": {"delivered"}, "note": {"Two mentoring sessions held"}})
	if r.code != http.StatusSeeOther || r.location != path+"?done=support#terms" {
		t.Fatalf("update support: %d %s %s", r.code, r.location, r.body)
	}
	page = a.as("vic@funder.example", grants.RoleViewer, "GET", path, nil)
	for _, want := range []string{"Evaluation mentoring: <span class=\"support support-delivered\">delivered</span>", "Two mentoring sessions held", "(updated "} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the agreement page lacks %q", want)
		}
	}
	if strings.Contains(page.body, "/support/1\"") {
		t.Error("a viewer is offered the support form")
	}
	if ov := a.as("vic@funder.example", grants.RoleViewer, "GET", "/app", nil); !strings.Contains(ov.body, "<dt>Support delivered</dt><dd>1</dd>") {
		t.Error("the overview does not count the support delivered")
	}
}

// An officer names who looks after an agreement on the create and amend
// forms, and on terminating writes the words the partner's email says: the
// partner is told at once, through the outbox.
func TestOfficerAndTerminationThroughTheForms(t *testing.T) {
	a := newApp(t)
	form := filledForm("owner-1")
	form.Set("ownerName", "Olu Adeyemi")
	form.Set("ownerEmail", "not-an-email")
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/agreements", form); r.code != http.StatusBadRequest || !strings.Contains(r.body, `id="err-owner.email"`) {
		t.Fatalf("a bad officer email: %d", r.code)
	}
	form.Set("ownerEmail", "olu@funder.example")
	r := a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/agreements", form)
	m := agreementPath.FindStringSubmatch(r.location)
	if m == nil {
		t.Fatalf("create with an officer: %d %s", r.code, r.body)
	}
	id := m[1]
	ctx := context.Background()
	ag, err := a.svc.Agreement(ctx, id)
	if err != nil || ag.Owner != (grants.Officer{Name: "Olu Adeyemi", Email: "olu@funder.example"}) {
		t.Fatalf("owner %+v, %v", ag.Owner, err)
	}
	amend := url.Values{"version": {strconv.Itoa(ag.Version)}, "terms": {"Co-host four community meals"}, "support": {""},
		"contacts": {"Amina Khan, amina@levykitchen.org.uk, lead"}, "ownerName": {"Bea Lund"}, "ownerEmail": {"bea@funder.example"}}
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/agreements/"+id+"/amend", amend); r.code != http.StatusSeeOther {
		t.Fatalf("amend: %d %s", r.code, r.body)
	}
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/agreements/"+id+"/activate", url.Values{}); r.code != http.StatusSeeOther {
		t.Fatalf("activate: %d", r.code)
	}
	page := a.as("olu@funder.example", grants.RoleProgramme, "GET", "/app/agreements/"+id, nil)
	for _, want := range []string{`name="message"`, `value="Bea Lund"`, `value="bea@funder.example"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("agreement page lacks %q", want)
		}
	}
	end := url.Values{"reason": {"The kitchen closed"}, "message": {"We are sorry to see the kitchen close."}, "confirm": {"yes"}}
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/agreements/"+id+"/terminate", end); r.code != http.StatusSeeOther {
		t.Fatalf("terminate: %d %s", r.code, r.body)
	}
	ag, _ = a.svc.Agreement(ctx, id)
	h, err := a.svc.History(ctx, grants.Actor{Name: "olu@funder.example", Groups: []grants.Role{grants.RoleProgramme}}, id, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	told := map[string]string{}
	for _, e := range h.Items {
		if strings.HasPrefix(e.Subject, "terminated") {
			told[e.Subject] = e.Action
		}
	}
	if ag.Owner.Name != "Bea Lund" || ag.TerminationMessage != "We are sorry to see the kitchen close." || told["terminated"] != "email.sent" || told["terminated-finance"] == "" {
		t.Errorf("owner %+v, message %q, told %v", ag.Owner, ag.TerminationMessage, told)
	}
}

// An officer varies unpaid amounts from the amend form (a reason needed),
// and the history says in words what changed, before and after; a reply
// asking for help is flagged on the page, followed up there, and counted on
// the overview.
func TestAmendmentHistoryAndHelpFromTheAgreementPage(t *testing.T) {
	a := newApp(t)
	id := a.create("k")
	path := "/app/agreements/" + id
	page := a.as("olu@funder.example", grants.RoleProgramme, "GET", path, nil)
	if !strings.Contains(page.body, `name="amount-3"`) || !strings.Contains(page.body, `name="award"`) {
		t.Fatal("the amend form offers no amounts")
	}
	form := url.Values{"version": {"1"}, "terms": {"Co-host six community meals"}, "support": {"Evaluation mentoring"},
		"contacts": {"Amina Khan, amina@levykitchen.org.uk, lead"}, "currency": {"GBP"},
		"amount-3": {"3,000.00"}, "was-amount-3": {"2500.00"}, "amount-4": {"2000"}, "was-amount-4": {"2500.00"},
		"award": {"10000.00"}, "was-award": {"10000.00"}}
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/amend", form); r.code != http.StatusBadRequest || !strings.Contains(r.body, "reason") {
		t.Errorf("amounts with no reason: %d", r.code)
	}
	form.Set("reason", "Two meals moved to the spring")
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/amend", form); r.code != http.StatusSeeOther {
		t.Fatalf("amend: %d %s", r.code, r.body)
	}
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/activate", url.Values{}); r.code != http.StatusSeeOther {
		t.Fatalf("activate: %d %s", r.code, r.body)
	}
	words := url.Values{"channel": {"call"}, "happenedOn": {"2026-12-01"}, "participants": {"Amina Khan"}, "summary": {"Called Amina"},
		// Issue 24: the help asked for is in the words everyone reads, not
		// in the feedback, which only the programme role reads (a phrase
		// found only there is not shown to others: feedbackmark_test.go).
		"partnerWords": {"Progress: We are struggling to find volunteers.\nFeedback for us: none."}}
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/check-ins/1/responses", words); r.code != http.StatusSeeOther {
		t.Fatalf("record: %d %s", r.code, r.body)
	}
	page = a.as("vic@funder.example", grants.RoleViewer, "GET", path, nil)
	for _, want := range []string{
		"Terms: “Co-host four community meals”, “Share what we learn” became “Co-host six community meals”",
		"Instalment 3 amount: £2,500.00 became £3,000.00", "Instalment 4 amount: £2,500.00 became £2,000.00",
		"reason: Two meals moved to the spring", "Asks for help — follow up", "struggling",
	} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the agreement page lacks %q", want)
		}
	}
	if strings.Contains(page.body, "/followed-up") {
		t.Error("a viewer is offered the follow-up form")
	}
	if ov := a.as("vic@funder.example", grants.RoleViewer, "GET", "/app", nil); !strings.Contains(ov.body, "<dt>Replies asking for help</dt><dd>1 (<a href=\"/app/attention#help\">1 to follow up</a>)</dd>") {
		t.Error("the overview does not count the reply asking for help")
	}
	page = a.as("olu@funder.example", grants.RoleProgramme, "GET", path, nil)
	action := regexp.MustCompile(`action="(` + regexp.QuoteMeta(path) + `/replies/[^"]+/followed-up)"`).FindStringSubmatch(page.body)
	if action == nil {
		t.Fatal("no follow-up form for the officer")
	}
	r := a.as("olu@funder.example", grants.RoleProgramme, "POST", action[1], url.Values{"note": {"Put them in touch with the volunteer centre"}})
	// The browser lands back at the reply (issue 26, item 14), told what happened.
	reply := "reply-" + strings.TrimSuffix(action[1][len(path+"/replies/"):], "/followed-up")
	if r.code != http.StatusSeeOther || r.location != path+"?done=followed-up#"+reply {
		t.Fatalf("follow up: %d %s %s", r.code, r.location, r.body)
	}
	if done := a.as("olu@funder.example", grants.RoleProgramme, "GET", r.location, nil); !strings.Contains(done.body, "The help asked for is marked followed up.") || !strings.Contains(done.body, `id="`+reply+`"`) {
		t.Error("no confirmation after following up, or no reply to land at")
	}
	page = a.as("vic@funder.example", grants.RoleViewer, "GET", path, nil)
	if !strings.Contains(page.body, "followed up by olu@funder.example") || strings.Contains(page.body, "Asks for help — follow up") {
		t.Error("the page does not show the help followed up")
	}
}

// removedFiles stands in for the documents' bucket when a draft is deleted.
type removedFiles struct{}

func (removedFiles) Remove(context.Context, string) error { return nil }
