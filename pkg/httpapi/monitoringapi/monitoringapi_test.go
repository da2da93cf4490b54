package monitoringapi

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/dev/testenv/apigw"
	"github.com/partnership-grants/backend/pkg/dynamo"
	"github.com/partnership-grants/backend/pkg/export"
	"github.com/partnership-grants/backend/pkg/export/threesixtytest"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/httpapi"
	"github.com/partnership-grants/backend/pkg/httpapi/openapi/openapitest"
	"github.com/partnership-grants/backend/pkg/reports"
	"github.com/partnership-grants/backend/pkg/service"
)

// monNow is the monitoring fixture's clock: mid-June 2026, a millisecond
// on per reading so that history has a defined order.
func monNow() func() time.Time {
	return testenv.NewClock(time.Date(2026, 6, 15, 9, 0, 0, 0, time.UTC), time.Millisecond).Now
}

var testFunder = export.Funder{
	Prefix:          "360G-testfunder",
	OrgID:           "GB-CHC-1000001",
	OrgName:         "Test Community Foundation",
	ProgrammeTitles: map[string]string{"community-2026": "Community Partnerships 2026"},
}

// heldIn is the store with the fixture's held messages in place of its own.
type heldIn struct {
	*dynamo.Store
	held fakeHeld
}

func (s heldIn) ListQuarantineOf(ctx context.Context, programme, status string) ([]grants.Quarantined, error) {
	return s.held.ListQuarantineOf(ctx, programme, status)
}

// fakeHeld holds replies for a person, by programme.
type fakeHeld map[string][]grants.Quarantined

func (h fakeHeld) ListQuarantineOf(_ context.Context, programme, _ string) ([]grants.Quarantined, error) {
	return h[programme], nil
}

type monFixture struct {
	api   httpapi.Router
	store *dynamo.Store
	db    *dynamodb.Client
	table string
	// ids by partner name
	ids map[string]string
	// refs by partner name: references are random (grants.NewReference)
	refs map[string]string
}

// newMonitoringFixture builds programme community-2026, seen on 15 June 2026:
//
//	CP-2026-001 Levenshulme Community Kitchen: active, £10,000 in four;
//	            instalment 1 paid, instalment 2 held;
//	CP-2026-002 Hulme Arts and Health CIC: £7,500.01, instalment 1
//	            (£1,875.01) paid, then terminated;
//	CP-2026-003 Moss Side Youth Hub: a draft;
//	CP-2026-004 Gorton Repair Cafe: €2,000, active, instalment 1 due, the
//	            lead's address bouncing;
//
// plus one agreement in programme other-2026 that must never show, and two
// quarantined replies.
func newMonitoringFixture(t *testing.T) *monFixture {
	t.Helper()
	db, table := testenv.AppTable(t)
	store := dynamo.New(db, table)
	now := monNow()
	f := &monFixture{store: store, db: db, table: table, ids: map[string]string{}, refs: map[string]string{}}
	ctx := context.Background()
	const officer, financeOfficer = "officer@funder.example", "finance@funder.example"

	create := func(programme, partner, reg, currency string, amount int64, start string) string {
		a, err := grants.NewAgreement(grants.NewAgreementInput{
			Programme: programme,
			Partner:   grants.Partner{Name: partner, RegistrationNumber: reg, Address: "1 High Street, Manchester M1 1AA"},
			Contacts:  []grants.Contact{{Name: "Lead", Email: "lead@" + strings.ToLower(strings.Fields(partner)[0]) + ".example", Role: "lead"}},
			Amount:    amount, Currency: new(currency), StartDate: start,
			Terms: []string{"Run four open sessions"},
		}, now(), officer)
		if err != nil {
			t.Fatal(err)
		}
		a.ID = dynamo.NewID()
		if _, err := store.CreateAgreement(ctx, a, grants.Audited(grants.AuditEntry{At: now(), Actor: officer, Action: "agreement.created"}), nil); err != nil {
			t.Fatal(err)
		}
		f.ids[partner] = a.ID
		f.refs[partner] = a.Reference
		return a.ID
	}
	change := func(id string, steps ...func(a *grants.Agreement) (grants.AuditEntry, error)) {
		_, err := store.UpdateAgreement(ctx, id, 0, grants.AuditOnly(func(a *grants.Agreement) ([]grants.AuditEntry, error) {
			var out []grants.AuditEntry
			for _, step := range steps {
				e, err := step(a)
				if err != nil {
					return nil, err
				}
				out = append(out, e)
			}
			return out, nil
		}))
		if err != nil {
			t.Fatal(err)
		}
	}
	activate := func(a *grants.Agreement) (grants.AuditEntry, error) { return a.Activate(now(), officer) }
	due := func(n int) func(a *grants.Agreement) (grants.AuditEntry, error) {
		return func(a *grants.Agreement) (grants.AuditEntry, error) {
			e, _, err := a.MakeInstalmentDue(n, now())
			return e, err
		}
	}
	pay := func(n int, ref string) func(a *grants.Agreement) (grants.AuditEntry, error) {
		return func(a *grants.Agreement) (grants.AuditEntry, error) {
			_, es, err := a.RequestPayment(n, grants.PaymentRequest{PaymentReference: ref, PaidOn: "2026-06-01"}, "pay-"+ref, false, now(), grants.Actor{ID: financeOfficer, Name: financeOfficer})
			if err != nil {
				return grants.AuditEntry{}, err
			}
			return es[len(es)-1], nil
		}
	}

	kitchen := create("community-2026", "Levenshulme Community Kitchen", "1180123", "GBP", 1_000_000, "2026-01-31")
	change(kitchen, activate, due(1), pay(1, "BACS-0001"), due(2), func(a *grants.Agreement) (grants.AuditEntry, error) {
		return a.Hold(2, "Check-in 1 not yet in", now(), financeOfficer)
	})
	arts := create("community-2026", "Hulme Arts and Health CIC", "12345678", "GBP", 750_001, "2026-02-01")
	change(arts, activate, due(1), pay(1, "BACS-0002"), func(a *grants.Agreement) (grants.AuditEntry, error) {
		return a.Terminate("The partner has closed", now(), officer)
	})
	create("community-2026", "Moss Side Youth Hub", "1190456", "GBP", 500_000, "2026-07-01")
	repair := create("community-2026", "Gorton Repair Cafe", "SC012345", "EUR", 200_000, "2026-05-01")
	change(repair, activate, due(1), func(a *grants.Agreement) (grants.AuditEntry, error) {
		e, _ := a.MarkContactBounced("lead@gorton.example", "permanent", now())
		return e, nil
	})
	create("other-2026", "Elsewhere Trust", "1170001", "GBP", 123_456, "2026-01-01")

	held := fakeHeld{
		"":               {{ID: "q1", Reason: "unknown sender"}},
		"community-2026": {{ID: "q2", Reason: "no reply token", Programme: "community-2026", Reference: "CP-2026-001"}},
	}
	h := &API{Store: store, Views: service.NewViews(heldIn{store, held}, service.Env{Now: now}), Funder: testFunder}
	f.api = h.Routes()
	return f
}

func (f *monFixture) do(t *testing.T, ev events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	t.Helper()
	resp, err := f.api.Handle(context.Background(), ev)
	if err != nil {
		t.Fatalf("handler error: %v", err)
	}
	openapitest.Check(t, ev, resp)
	return resp
}

func get(route string, params map[string]string, role httpapi.Role) events.APIGatewayV2HTTPRequest {
	return apigw.Request("GET", route, params, "", role)
}

var community = map[string]string{"programme": "community-2026"}

// Each route, each role: who may read what.
func TestMonitoringAccessByRole(t *testing.T) {
	f := newMonitoringFixture(t)
	routes := []struct {
		route  string
		params map[string]string
		ok     []httpapi.Role
	}{
		{"/programmes/{programme}/summary", community, httpapi.Readers},
		{"/agreements/{id}/timeline", map[string]string{"id": f.ids["Levenshulme Community Kitchen"]}, httpapi.Readers},
		{"/programmes/{programme}/export.csv", community, []httpapi.Role{httpapi.RoleProgramme, httpapi.RoleFinance}},
		{"/programmes/{programme}/export/360giving.json", community, []httpapi.Role{httpapi.RoleProgramme, httpapi.RoleFinance, httpapi.RoleViewer}},
		{"/programmes/{programme}/feedback", community, []httpapi.Role{httpapi.RoleProgramme}},
	}
	for _, rt := range routes {
		for _, role := range []httpapi.Role{"", "stranger", httpapi.RoleViewer, httpapi.RoleFinance, httpapi.RoleProgramme} {
			want := http.StatusForbidden
			if role == "" {
				want = http.StatusUnauthorized
			} else if (httpapi.Actor{Groups: []httpapi.Role{role}}).Has(rt.ok...) {
				want = http.StatusOK
			}
			resp := f.do(t, get(rt.route, rt.params, role))
			if resp.StatusCode != want {
				t.Errorf("GET %s as %q: %d, want %d (%s)", rt.route, role, resp.StatusCode, want, resp.Body)
			}
			if want != http.StatusOK && resp.Headers["Content-Type"] != "application/problem+json" {
				t.Errorf("GET %s as %q: refused with %s", rt.route, role, resp.Headers["Content-Type"])
			}
		}
	}
}

func TestMonitoringSummary(t *testing.T) {
	f := newMonitoringFixture(t)
	resp := f.do(t, get("/programmes/{programme}/summary", community, httpapi.RoleViewer))
	if resp.StatusCode != 200 || resp.Headers["Content-Type"] != "application/json" {
		t.Fatalf("%d %s %s", resp.StatusCode, resp.Headers["Content-Type"], resp.Body)
	}
	var s reports.Summary
	if err := json.Unmarshal([]byte(resp.Body), &s); err != nil {
		t.Fatal(err)
	}
	if want := (reports.StatusCounts{Total: 4, Draft: 1, Active: 2, Terminated: 1}); s.Status != want {
		t.Errorf("status %+v, want %+v", s.Status, want)
	}
	tot := func(minor int64, major string) reports.Total { return reports.Total{Minor: minor, Major: major} }
	want := map[string]reports.CurrencyTotals{
		// Kitchen's award plus what the terminated partner was paid; the
		// rest of the terminated award is cancelled apart; the draft
		// commits nothing. Committed − paid = outstanding.
		"GBP": {Currency: "GBP", Committed: tot(1_187_501, "11875.01"), Paid: tot(437_501, "4375.01"), Outstanding: tot(750_000, "7500.00"), Cancelled: tot(562_500, "5625.00")},
		"EUR": {Currency: "EUR", Committed: tot(200_000, "2000.00"), Paid: tot(0, "0.00"), Outstanding: tot(200_000, "2000.00"), Cancelled: tot(0, "0.00")},
	}
	if len(s.Currencies) != 2 || s.Currencies["GBP"] != want["GBP"] || s.Currencies["EUR"] != want["EUR"] {
		t.Errorf("currencies %+v\nwant %+v", s.Currencies, want)
	}
	if s.InstalmentsDue != 1 || s.InstalmentsHeld != 1 || s.Quarantined != 2 || s.AsOf.String() != "2026-06-15" {
		t.Errorf("due %d held %d quarantined %d as of %s", s.InstalmentsDue, s.InstalmentsHeld, s.Quarantined, s.AsOf)
	}
	if len(s.Bouncing) != 1 || s.Bouncing[0].Partner != "Gorton Repair Cafe" || s.Bouncing[0].Reference != f.refs["Gorton Repair Cafe"] {
		t.Errorf("bouncing %+v", s.Bouncing)
	}

	// A programme with no agreements has a summary of zeros, not a 404.
	empty := f.do(t, get("/programmes/{programme}/summary", map[string]string{"programme": "not-started"}, httpapi.RoleViewer))
	if empty.StatusCode != 200 || !strings.Contains(empty.Body, `"total":0`) {
		t.Errorf("empty programme: %d %s", empty.StatusCode, empty.Body)
	}
	bad := f.do(t, get("/programmes/{programme}/summary", map[string]string{"programme": "no/such thing"}, httpapi.RoleViewer))
	if bad.StatusCode != 422 {
		t.Errorf("bad programme code: %d %s", bad.StatusCode, bad.Body)
	}
}

func TestMonitoringTimeline(t *testing.T) {
	f := newMonitoringFixture(t)
	resp := f.do(t, get("/agreements/{id}/timeline", map[string]string{"id": f.ids["Levenshulme Community Kitchen"]}, httpapi.RoleFinance))
	if resp.StatusCode != 200 || resp.Headers["Content-Type"] != "application/json" {
		t.Fatalf("%d %s", resp.StatusCode, resp.Body)
	}
	var tl struct {
		Reference string
		Events    []reports.Event
	}
	if err := json.Unmarshal([]byte(resp.Body), &tl); err != nil {
		t.Fatal(err)
	}
	if tl.Reference != f.refs["Levenshulme Community Kitchen"] {
		t.Errorf("reference %s", tl.Reference)
	}
	kinds := map[string]int{}
	var statuses []string
	for i, e := range tl.Events {
		kinds[e.Kind]++
		statuses = append(statuses, e.Status)
		if i > 0 && e.Date.Before(tl.Events[i-1].Date) {
			t.Errorf("event %d (%s %s) comes before event %d (%s)", i, e.Date, e.Title, i-1, tl.Events[i-1].Date)
		}
	}
	if kinds[reports.KindInstalment] != 4 || kinds[reports.KindCheckIn] != 4 {
		t.Errorf("kinds %v", kinds)
	}
	got := strings.Join(statuses, " ")
	for _, s := range []string{"paid", "held", "agreement.created", "agreement.activated", "payment.approved", "instalment.held"} {
		if !strings.Contains(got, s) {
			t.Errorf("timeline lacks %s: %s", s, got)
		}
	}
	for _, id := range []string{"nosuchagreement1", "not-an-id"} {
		if r := f.do(t, get("/agreements/{id}/timeline", map[string]string{"id": id}, httpapi.RoleViewer)); r.StatusCode != 404 || r.Headers["Content-Type"] != "application/problem+json" {
			t.Errorf("timeline of %s: %d %s", id, r.StatusCode, r.Body)
		}
	}
}

func TestMonitoringCSV(t *testing.T) {
	f := newMonitoringFixture(t)
	resp := f.do(t, get("/programmes/{programme}/export.csv", community, httpapi.RoleFinance))
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, resp.Body)
	}
	if ct := resp.Headers["Content-Type"]; ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := resp.Headers["Content-Disposition"]; cd != `attachment; filename="community-2026-instalments.csv"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	rows, err := csv.NewReader(strings.NewReader(resp.Body)).ReadAll()
	if err != nil {
		t.Fatalf("not RFC 4180 CSV: %v", err)
	}
	if strings.Join(rows[0], ",") != strings.Join(export.CSVHeader, ",") {
		t.Fatalf("header %v", rows[0])
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	perAgreement := map[string]int64{}
	perCurrency := map[string]int64{}
	for _, row := range rows[1:] {
		if row[col["programme"]] != "community-2026" {
			t.Errorf("row of another programme: %v", row)
		}
		minor, err := strconv.ParseInt(row[col["amount_minor"]], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		perAgreement[row[col["partner_name"]]] += minor
		perCurrency[row[col["currency"]]] += minor
	}
	if len(rows) != 1+16 {
		t.Errorf("%d instalment rows, want 16 (four agreements of four)", len(rows)-1)
	}
	want := map[string]int64{"Levenshulme Community Kitchen": 1_000_000, "Hulme Arts and Health CIC": 750_001, "Moss Side Youth Hub": 500_000, "Gorton Repair Cafe": 200_000}
	for name, award := range want {
		if perAgreement[name] != award {
			t.Errorf("%s: rows sum to %d, award is %d", name, perAgreement[name], award)
		}
	}
	if perCurrency["GBP"] != 2_250_001 || perCurrency["EUR"] != 200_000 || len(perCurrency) != 2 {
		t.Errorf("sums by currency %v", perCurrency)
	}

	empty := f.do(t, get("/programmes/{programme}/export.csv", map[string]string{"programme": "not-started"}, httpapi.RoleProgramme))
	if empty.StatusCode != 200 || strings.Count(empty.Body, "\r\n") != 1 {
		t.Errorf("empty programme: %d %q", empty.StatusCode, empty.Body)
	}
}

func TestMonitoringThreeSixtyGiving(t *testing.T) {
	f := newMonitoringFixture(t)
	resp := f.do(t, get("/programmes/{programme}/export/360giving.json", community, httpapi.RoleViewer))
	if resp.StatusCode != 200 || resp.Headers["Content-Type"] != "application/json" {
		t.Fatalf("%d %s %s", resp.StatusCode, resp.Headers["Content-Type"], resp.Body)
	}
	if err := threesixtytest.Validate([]byte(resp.Body)); err != nil {
		t.Fatalf("360Giving package fails the schema:\n%v", err)
	}
	var pkg struct {
		Grants []struct {
			ID                    string
			AmountAwarded         json.Number
			Currency              string
			RecipientOrganization []struct{ ID string }
			GrantProgramme        []struct{ Title string }
			BeneficiaryLocation   []struct{ Name, CountryCode string }
			PlannedInstalments    []struct {
				Instalment int
				Amount     json.Number
			}
		}
	}
	if err := json.Unmarshal([]byte(resp.Body), &pkg); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range pkg.Grants {
		line := fmt.Sprintf("%s %s %s %s %s;", g.ID, g.AmountAwarded, g.Currency, g.RecipientOrganization[0].ID, g.GrantProgramme[0].Title)
		for _, l := range g.BeneficiaryLocation {
			line += fmt.Sprintf(" in %s %s;", l.Name, l.CountryCode)
		}
		for _, p := range g.PlannedInstalments {
			line += fmt.Sprintf(" %d: %s", p.Instalment, p.Amount)
		}
		got = append(got, line)
	}
	// The draft is not published; the terminated grant is published at what
	// was paid, with nothing planned; the held instalment is still planned.
	want := []string{
		"360G-testfunder-" + f.refs["Levenshulme Community Kitchen"] + " 10000.00 GBP GB-CHC-1180123 Community Partnerships 2026; in M1 GB; 2: 2500.00 3: 2500.00 4: 2500.00",
		"360G-testfunder-" + f.refs["Hulme Arts and Health CIC"] + " 1875.01 GBP GB-COH-12345678 Community Partnerships 2026; in M1 GB;",
		"360G-testfunder-" + f.refs["Gorton Repair Cafe"] + " 2000.00 EUR GB-SC-SC012345 Community Partnerships 2026; in M1 GB; 1: 500.00 2: 500.00 3: 500.00 4: 500.00",
	}
	slices.Sort(got)
	slices.Sort(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("grants:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	for _, p := range []string{"not-started", "other-2026"} {
		r := f.do(t, get("/programmes/{programme}/export/360giving.json", map[string]string{"programme": p}, httpapi.RoleViewer))
		var prob httpapi.Problem
		if err := json.Unmarshal([]byte(r.Body), &prob); err != nil || r.StatusCode != 404 || !strings.HasSuffix(prob.Type, "/nothing_to_publish") {
			t.Errorf("nothing to publish in %s: %d %s", p, r.StatusCode, r.Body)
		}
	}
}

// An export a browser asks for with gzip arrives compressed and whole;
// a small one, or one for a client that does not accept gzip, as it is.
func TestBodyGzip(t *testing.T) {
	big := []byte(strings.Repeat("Levenshulme Community Kitchen,", gzipOver/16))
	ev := get("/programmes/{programme}/export.csv", community, httpapi.RoleFinance)
	r := &httpapi.Request{APIGatewayV2HTTPRequest: &ev}
	ev.Headers["accept-encoding"] = "gzip, deflate, br"
	z := body(r, 200, big, map[string]string{"Content-Type": "text/csv"})
	if z.Headers["Content-Encoding"] != "gzip" || !z.IsBase64Encoded || gunzip(t, z.Body) != string(big) {
		t.Fatalf("gzip: %v base64=%v", z.Headers, z.IsBase64Encoded)
	}
	if small := body(r, 200, big[:100], map[string]string{}); small.IsBase64Encoded || small.Body != string(big[:100]) {
		t.Errorf("a small body was compressed: %v", small.Headers)
	}
	ev.Headers["accept-encoding"] = "gzip;q=0"
	if plain := body(r, 200, big, map[string]string{}); plain.IsBase64Encoded || plain.Headers["Cache-Control"] != "private, no-store" {
		t.Errorf("a client refusing gzip got %v", plain.Headers)
	}
}

func gunzip(t *testing.T, b64 string) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAcceptsGzip(t *testing.T) {
	for h, want := range map[string]bool{
		"": false, "gzip": true, "GZIP": true, "deflate, gzip;q=0.5": true, "gzip;q=0": false, "gzip; q=0.000": false,
		"br": false, "x-gzip": false, "identity": false,
	} {
		if got := acceptsGzip(h); got != want {
			t.Errorf("acceptsGzip(%q) = %v", h, got)
		}
	}
}

// An item stored with a value no reader can decode (here a date past year
// 9999, as an unbounded start date once made) makes that one agreement
// unreadable; the programme's list, summary, exports and the
// instalment list go on without it.
func TestOneUnreadableAgreementNeverBreaksTheProgramme(t *testing.T) {
	f := newMonitoringFixture(t)
	bad := f.ids["Moss Side Youth Hub"]
	for sk, attr := range map[string]string{"A": "endDate", "A#I#01": "dueDate"} {
		_, err := f.db.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
			TableName:                 &f.table,
			Key:                       map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "AGR#" + bad}, "SK": &types.AttributeValueMemberS{Value: sk}},
			UpdateExpression:          aws.String("SET #d = :d"),
			ConditionExpression:       aws.String("attribute_exists(PK)"),
			ExpressionAttributeNames:  map[string]string{"#d": attr},
			ExpressionAttributeValues: map[string]types.AttributeValue{":d": &types.AttributeValueMemberS{Value: "10000-01-31"}},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	env := service.Env{Now: monNow()}
	// Reads only: nothing is delivered, and no finance act is asked of the
	// (absent) user pool.
	agreements := (&httpapi.Agreements{Agreements: service.NewAgreements(f.store, service.LeaveQueued, service.NoSchedules, env, service.AgreementOptions{})}).Routes()
	payments := (&httpapi.Payments{Payments: service.NewPayments(f.store, service.LeaveQueued, nil, service.NoMetrics, env)}).Routes()
	for _, c := range []struct {
		api   httpapi.Router
		route string
		want  string // what the answer still shows
		gone  string // what it must not
	}{
		{f.api, "/programmes/{programme}/summary", `"total":3`, ""},
		{f.api, "/programmes/{programme}/export.csv", "Levenshulme Community Kitchen", "Moss Side Youth Hub"},
		{f.api, "/programmes/{programme}/export/360giving.json", "Levenshulme Community Kitchen", "Moss Side Youth Hub"},
		{agreements, "/agreements", "Levenshulme Community Kitchen", "Moss Side Youth Hub"},
		// Its other instalments are readable items of their own.
		{payments, "/instalments", "Levenshulme Community Kitchen", `"Moss Side Youth Hub","number":1`},
	} {
		ev := apigw.Request("GET", c.route, community, "", httpapi.RoleProgramme)
		ev.QueryStringParameters = map[string]string{"programme": "community-2026", "status": "scheduled"}
		if c.route != "/instalments" {
			ev.QueryStringParameters = community
		}
		resp, err := c.api.Handle(context.Background(), ev)
		openapitest.Check(t, ev, resp)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s with one unreadable agreement: %d %v %.300s", c.route, resp.StatusCode, err, resp.Body)
			continue
		}
		body := resp.Body
		if resp.IsBase64Encoded {
			b, _ := base64.StdEncoding.DecodeString(body)
			body = string(b)
		}
		if !strings.Contains(body, c.want) || c.gone != "" && strings.Contains(body, c.gone) {
			t.Errorf("GET %s: the readable agreements must show and the unreadable one must not: %.500s", c.route, body)
		}
	}
	// The agreement itself is unreadable: a problem, not a crash.
	resp := f.do(t, get("/agreements/{id}/timeline", map[string]string{"id": bad}, httpapi.RoleProgramme))
	if resp.StatusCode != http.StatusInternalServerError || resp.Headers["Content-Type"] != "application/problem+json" {
		t.Errorf("timeline of the unreadable agreement: %d %s", resp.StatusCode, resp.Body)
	}
}
