package httpapi

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/grants"
)

const carol = "carol@funder.example" // finance: a second approver

func runItem(id string, n int, ref string) string {
	return fmt.Sprintf(`{"agreementId": %q, "instalment": %d, "paymentReference": %q}`, id, n, ref)
}

func runBody(items ...string) string {
	return `{"paidOn": "2026-02-01", "items": [` + strings.Join(items, ", ") + `]}`
}

func runEvent(body, user, key string) events.APIGatewayV2HTTPRequest {
	var headers []string
	if key != "" {
		headers = []string{"Idempotency-Key", key}
	}
	return as(event("POST", "/payment-runs", nil, body, RoleFinance, headers...), user)
}

func approveRunEvent(id, user string) events.APIGatewayV2HTTPRequest {
	return as(event("POST", "/payment-runs/{id}/approve", map[string]string{"id": id}, "", RoleFinance), user)
}

func decodeRun(t testing.TB, resp events.APIGatewayV2HTTPResponse, want int) grants.PayRun {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("status %d, want %d: %s", resp.StatusCode, want, resp.Body)
	}
	var r grants.PayRun
	if err := json.Unmarshal([]byte(resp.Body), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func outcomes(r grants.PayRun) []grants.PayRunOutcome {
	out := make([]grants.PayRunOutcome, len(r.Items))
	for i, it := range r.Items {
		out[i] = it.Outcome
	}
	return out
}

// runRemittances counts the remittance emails sent about one agreement,
// by their subjects.
func (e *payEnv) runRemittances(t testing.TB, a *grants.Agreement) []string {
	t.Helper()
	msgs, err := emulator.SESMessages(context.Background(), e.sesEndpoint)
	if err != nil {
		t.Fatal(err)
	}
	var subjects []string
	for _, m := range msgs {
		if slices.Contains(m.Destination.To, e.partner) && strings.HasPrefix(m.Subject, "Payment sent") && strings.HasSuffix(m.Subject, a.Reference) {
			subjects = append(subjects, m.Subject)
		}
	}
	return subjects
}

// runWorld is one agreement per outcome a run can report.
type runWorld struct {
	two, one, held, paid, pending, notDue *grants.Agreement
}

func (e *payEnv) runWorld(t *testing.T, programme string) runWorld {
	t.Helper()
	w := runWorld{
		two:     e.newAgreement(t, programme, 1, 2), // two instalments due: one remittance for both
		one:     e.newAgreement(t, programme, 1),
		held:    e.newAgreement(t, programme, 1),
		paid:    e.newAgreement(t, programme, 1),
		pending: e.newAgreement(t, programme, 1),
		notDue:  e.newAgreement(t, programme),
	}
	e.receiveCheckIn(t, w.two.ID, 1)
	// A partner name a spreadsheet would run as a formula.
	w.one = e.mutate(t, w.one.ID, func(a *grants.Agreement) ([]grants.AuditEntry, error) {
		a.Partner.Name = `=HYPERLINK("http://evil.example","Click")`
		return nil, nil
	})
	if r := e.do(t, holdEvent("hold", w.held.ID, 1, `{"reason": "Waiting for the bank details check"}`)); r.StatusCode != 200 {
		t.Fatalf("hold: %d %s", r.StatusCode, r.Body)
	}
	var paid payResp
	if r := e.do(t, payEvent(w.paid.ID, 1, payBody, alice, "single-"+w.paid.ID)); r.StatusCode != 201 || json.Unmarshal([]byte(r.Body), &paid) != nil {
		t.Fatalf("request single: %d %s", r.StatusCode, r.Body)
	}
	if r := e.do(t, approveEvent(w.paid.ID, 1, paid.Payment.ID, bob)); r.StatusCode != 200 {
		t.Fatalf("approve single: %d %s", r.StatusCode, r.Body)
	}
	if r := e.do(t, payEvent(w.pending.ID, 1, payBody, alice, "single-"+w.pending.ID)); r.StatusCode != 201 {
		t.Fatalf("request single: %d %s", r.StatusCode, r.Body)
	}
	return w
}

func (w runWorld) body() string {
	return runBody(
		runItem(w.two.ID, 1, "RUN-1"),
		runItem(w.two.ID, 2, "RUN-2"),
		runItem(w.one.ID, 1, "=RUN-3"),
		runItem(w.held.ID, 1, "RUN-4"),
		runItem(w.paid.ID, 1, "RUN-5"),
		runItem(w.pending.ID, 1, "RUN-6"),
		runItem(w.notDue.ID, 2, "RUN-7"),
		runItem("nosuchagreement0", 1, "RUN-8"),
	)
}

var worldOutcomes = []grants.PayRunOutcome{
	grants.OutcomeRequested, grants.OutcomeRequested, grants.OutcomeRequested, grants.OutcomeHeld,
	grants.OutcomeAlreadyPaid, grants.OutcomeRequestedElsewhere, grants.OutcomeNotDue, grants.OutcomeNotFound,
}

// A run with every kind of outcome: requested where the single-payment
// rules allow, and why not elsewhere; replayed byte for byte; refused to its
// requester; approved by two people at once, paying each instalment once,
// with one remittance per partner and one event per instalment; and
// downloaded as CSV.
func TestPayRunPaysEachInstalmentOnce(t *testing.T) {
	e := newPayEnv(t)
	w := e.runWorld(t, "runs-"+e.suffix)
	body := w.body()

	first := e.do(t, runEvent(body, alice, "run-1"))
	run := decodeRun(t, first, http.StatusCreated)
	if !slices.Equal(outcomes(run), worldOutcomes) {
		t.Fatalf("outcomes %v, want %v", outcomes(run), worldOutcomes)
	}
	if run.Status != grants.PayRunAwaitingApproval || first.Headers["Location"] != "/payment-runs/"+run.ID {
		t.Errorf("run %s at %q", run.Status, first.Headers["Location"])
	}
	if it := run.Items[0]; it.PaymentID == "" || it.Amount != 250000 || it.Currency != "GBP" || it.Reference != w.two.Reference {
		t.Errorf("requested item %+v", it)
	}

	// A retry gets the first answer; the same key with another body is refused.
	again := e.do(t, runEvent(body, alice, "run-1"))
	if again.StatusCode != 201 || again.Body != first.Body || again.Headers["Idempotent-Replayed"] != "true" {
		t.Errorf("replay: %d %s", again.StatusCode, again.Body)
	}
	if r := e.do(t, runEvent(runBody(runItem(w.one.ID, 1, "OTHER")), alice, "run-1")); r.StatusCode != 422 && r.StatusCode != 400 {
		t.Errorf("same key, other body: %d %s", r.StatusCode, r.Body)
	}
	if n := countActions(e.history(t, w.two.ID), "payment.requested"); n != 2 {
		t.Errorf("%d payments requested of the agreement with two items, want 2", n)
	}

	// The requester cannot approve their own run.
	if r := e.do(t, approveRunEvent(run.ID, alice)); r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "same_approver") {
		t.Errorf("requester approves: %d %s", r.StatusCode, r.Body)
	}

	// Two people approve at once, each twice.
	var wg sync.WaitGroup
	results := make([]events.APIGatewayV2HTTPResponse, 4)
	for i, user := range []string{bob, carol, bob, carol} {
		wg.Go(func() { results[i] = e.do(t, approveRunEvent(run.ID, user)) })
	}
	wg.Wait()
	for _, r := range results {
		approved := decodeRun(t, r, http.StatusOK)
		if approved.Status != grants.PayRunApproved {
			t.Errorf("after approval the run is %s", approved.Status)
		}
	}
	approved := decodeRun(t, e.do(t, approveRunEvent(run.ID, bob)), http.StatusOK)
	want := slices.Clone(worldOutcomes)
	want[0], want[1], want[2] = grants.OutcomePaid, grants.OutcomePaid, grants.OutcomePaid
	if !slices.Equal(outcomes(approved), want) {
		t.Errorf("approved outcomes %v, want %v", outcomes(approved), want)
	}

	for _, c := range []struct {
		a          *grants.Agreement
		paid       []int
		remittance string
	}{
		{w.two, []int{1, 2}, "(instalments 1 and 2 of 4)"},
		{w.one, []int{1}, "(instalment 1 of 4)"},
		{w.paid, []int{1}, "(instalment 1 of 4)"}, // its single payment's, before the run
		{w.held, nil, ""},
		{w.pending, nil, ""},
	} {
		a := e.agreement(t, c.a.ID)
		for _, n := range c.paid {
			if a.Instalment(n).Status != grants.InstalmentPaid {
				t.Errorf("%s instalment %d is %s", a.Reference, n, a.Instalment(n).Status)
			}
		}
		if got := countActions(e.history(t, a.ID), "payment.approved"); got != len(c.paid) {
			t.Errorf("%s: %d payments approved, want %d", a.Reference, got, len(c.paid))
		}
		if got := len(e.events.forAgreement(a.ID)); got != len(c.paid) {
			t.Errorf("%s: %d InstalmentPaid events, want %d", a.Reference, got, len(c.paid))
		}
		subjects := e.runRemittances(t, a)
		if c.remittance == "" && len(subjects) != 0 || c.remittance != "" && (len(subjects) != 1 || !strings.Contains(subjects[0], c.remittance)) {
			t.Errorf("%s: remittances %q, want one %q", a.Reference, subjects, c.remittance)
		}
	}
	if a := e.agreement(t, w.pending.ID); a.Instalment(1).Status != grants.InstalmentDue || !a.Instalment(1).Payment.AwaitingApproval() {
		t.Error("the payment requested elsewhere was touched by the run")
	}

	// The run as read, and as downloaded.
	got := decodeRun(t, e.do(t, event("GET", "/payment-runs/{id}", map[string]string{"id": run.ID}, "", RoleViewer)), http.StatusOK)
	if got.ApprovedBy != bob && got.ApprovedBy != carol || !slices.Equal(outcomes(got), want) {
		t.Errorf("GET run: approved by %q, %v", got.ApprovedBy, outcomes(got))
	}
	list := decodeInto[listResponse[grants.PayRunLine]](t, e.do(t, event("GET", "/payment-runs", nil, "", RoleViewer)))
	if len(list.Items) == 0 || !slices.ContainsFunc(list.Items, func(l grants.PayRunLine) bool { return l.ID == run.ID && l.Requested == 3 && l.Items == 8 }) {
		t.Errorf("runs listed: %+v", list.Items)
	}
	resp := e.do(t, event("GET", "/payment-runs/{id}/csv", map[string]string{"id": run.ID}, "", RoleFinance))
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Headers["Content-Type"], "text/csv") {
		t.Fatalf("csv: %d %v", resp.StatusCode, resp.Headers)
	}
	rows, err := csv.NewReader(strings.NewReader(resp.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 9 || strings.Join(rows[0], ",") != "run_id,partner_name,reference,agreement_id,instalment_number,amount,amount_minor,currency,paid_on,payment_reference,outcome,reason" {
		t.Fatalf("csv rows %d, header %v", len(rows), rows[0])
	}
	if r := rows[2]; r[1] != "Levenshulme Community Kitchen" || r[2] != w.two.Reference || r[4] != "2" || r[5] != "2500.00" || r[6] != "250000" ||
		r[7] != "GBP" || r[8] != "2026-02-01" || r[9] != "RUN-2" || r[10] != "paid" {
		t.Errorf("csv row for instalment 2: %q", r)
	}
	if r := rows[3]; r[1] != `'=HYPERLINK("http://evil.example","Click")` || r[9] != "'=RUN-3" {
		t.Errorf("csv cells a spreadsheet would run: %q", r)
	}
	if r := rows[4]; r[10] != "held" || r[11] != "instalment_not_due" {
		t.Errorf("csv row of the held instalment: %q", r)
	}
	if r := rows[8]; r[10] != "not_found" || r[5] != "" {
		t.Errorf("csv row of an unknown agreement: %q", r)
	}
}

// The same run sent four times at once is one run: each instalment is
// requested once, and every caller gets the same answer.
func TestConcurrentPayRunRequestsAreOneRun(t *testing.T) {
	e := newPayEnv(t)
	a, b := e.newAgreement(t, "runs-"+e.suffix, 1), e.newAgreement(t, "runs-"+e.suffix, 1)
	body := runBody(runItem(a.ID, 1, "R-A"), runItem(b.ID, 1, "R-B"))
	var wg sync.WaitGroup
	results := make([]events.APIGatewayV2HTTPResponse, 4)
	for i := range results {
		wg.Go(func() { results[i] = e.do(t, runEvent(body, alice, "same-run")) })
	}
	wg.Wait()
	for _, r := range results {
		run := decodeRun(t, r, http.StatusCreated)
		if !slices.Equal(outcomes(run), []grants.PayRunOutcome{grants.OutcomeRequested, grants.OutcomeRequested}) {
			t.Errorf("outcomes %v", outcomes(run))
		}
		if r.Body != results[0].Body {
			t.Errorf("answers differ:\n%s\n%s", r.Body, results[0].Body)
		}
	}
	for _, ag := range []*grants.Agreement{a, b} {
		if n := countActions(e.history(t, ag.ID), "payment.requested"); n != 1 {
			t.Errorf("%s: %d payments requested", ag.Reference, n)
		}
	}
}

// A run that fails halfway (here: its last write) is finished by a retry
// under the same key, which finds its own requests; approval waits for it.
// An approval that fails halfway is finished by approving again. Either
// way each instalment is paid once, with one remittance and one event.
func TestPayRunRetriedAfterAFailureHalfway(t *testing.T) {
	e := newDynamoPayEnv(t) // plants DynamoDB faults
	programme := "runs-" + e.suffix
	// A clean run first, to count the calls a run and its approval make.
	a, b := e.newAgreement(t, programme, 1), e.newAgreement(t, programme, 1)
	e.arm("dynamodb", 0, faultNone)
	decodeRun(t, e.do(t, runEvent(runBody(runItem(a.ID, 1, "R-A"), runItem(b.ID, 1, "R-B")), alice, "clean")), 201)
	requestCalls, _ := e.disarm()
	clean := decodeRun(t, e.do(t, runEvent(runBody(runItem(a.ID, 1, "R-A"), runItem(b.ID, 1, "R-B")), alice, "clean")), 201)
	e.arm("dynamodb", 0, faultNone)
	decodeRun(t, e.do(t, approveRunEvent(clean.ID, bob)), 200)
	approveCalls, _ := e.disarm()
	dbCalls := func(calls []string) int {
		n := 0
		for _, c := range calls {
			if strings.HasPrefix(c, "dynamodb:") {
				n++
			}
		}
		return n
	}

	c, d := e.newAgreement(t, programme, 1), e.newAgreement(t, programme, 1)
	body := runBody(runItem(c.ID, 1, "R-C"), runItem(d.ID, 1, "R-D"))
	e.arm("dynamodb", dbCalls(requestCalls), faultServer) // the run's last write: its outcomes and answer
	if r := e.do(t, runEvent(body, alice, "crashy")); r.StatusCode != 500 {
		t.Fatalf("run with its last write failing: %d %s", r.StatusCode, r.Body)
	}
	if _, fired := e.disarm(); fired != "dynamodb:TransactWriteItems" {
		t.Fatalf("the fault fired on %q", fired)
	}
	run := decodeRun(t, e.do(t, runEvent(body, alice, "crashy")), 201)
	if !slices.Equal(outcomes(run), []grants.PayRunOutcome{grants.OutcomeRequested, grants.OutcomeRequested}) {
		t.Fatalf("retried run: %v", outcomes(run))
	}
	e.arm("dynamodb", dbCalls(approveCalls), faultServer) // the approval's last write: the run's record
	if r := e.do(t, approveRunEvent(run.ID, bob)); r.StatusCode != 500 {
		t.Fatalf("approval with its last write failing: %d %s", r.StatusCode, r.Body)
	}
	e.disarm()
	if approved := decodeRun(t, e.do(t, approveRunEvent(run.ID, carol)), 200); !slices.Equal(outcomes(approved), []grants.PayRunOutcome{grants.OutcomePaid, grants.OutcomePaid}) {
		t.Errorf("approval retried: %v", outcomes(approved))
	}
	for _, ag := range []*grants.Agreement{c, d} {
		h := e.history(t, ag.ID)
		if countActions(h, "payment.requested") != 1 || countActions(h, "payment.approved") != 1 {
			t.Errorf("%s: %d requested, %d approved", ag.Reference, countActions(h, "payment.requested"), countActions(h, "payment.approved"))
		}
		if n := len(e.events.forAgreement(ag.ID)); n != 1 {
			t.Errorf("%s: %d events", ag.Reference, n)
		}
		if s := e.runRemittances(t, ag); len(s) != 1 {
			t.Errorf("%s: remittances %q", ag.Reference, s)
		}
	}
}

// A run's body is checked field by field, each field named by its place.
func TestPayRunRejectsClientMistakes(t *testing.T) {
	e := newPayEnv(t)
	a := e.newAgreement(t, "runs-"+e.suffix, 1)
	many := make([]string, grants.MaxPayRunItems+1)
	for i := range many {
		many[i] = runItem(a.ID, 1, "R")
	}
	for _, c := range []struct {
		name, body, key, field string
	}{
		{"no key", runBody(runItem(a.ID, 1, "R")), "", "Idempotency-Key"},
		{"instalment 0", runBody(runItem(a.ID, 1, "R"), runItem(a.ID, 0, "R")), "k", "items[1].instalment"},
		{"instalment as text", runBody(`{"agreementId": "x", "instalment": "1", "paymentReference": "R"}`), "k", "items[0].instalment"},
		{"no reference", runBody(runItem(a.ID, 1, "")), "k", "items[0].paymentReference"},
		{"no agreement", runBody(runItem("", 1, "R")), "k", "items[0].agreementId"},
		{"twice", runBody(runItem(a.ID, 1, "R"), runItem(a.ID, 1, "S")), "k", "items[1].instalment"},
		{"no items", runBody(), "k", "items"},
		{"too many", runBody(many...), "k", "items"},
		{"future", `{"paidOn": "2027-01-01", "items": [` + runItem(a.ID, 1, "R") + `]}`, "k", "paidOn"},
		{"bad date", `{"paidOn": "1 Feb", "items": [` + runItem(a.ID, 1, "R") + `]}`, "k", "paidOn"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantField(t, c.name, e.do(t, runEvent(c.body, alice, c.key)), c.field)
		})
	}
	unknown := problemOf(t, "unknown field", e.do(t, runEvent(runBody(`{"agreementId": "x", "instalment": 1, "paymentReference": "R", "amount": 5}`), alice, "k")), http.StatusBadRequest)
	if len(unknown.Errors) != 1 || unknown.Errors[0].Field != "items[0].amount" {
		t.Errorf("unknown field: %+v", unknown)
	}
	if r := e.do(t, event("POST", "/payment-runs", nil, runBody(runItem(a.ID, 1, "R")), RoleProgramme, "Idempotency-Key", "k")); r.StatusCode != http.StatusForbidden {
		t.Errorf("programme requests a run: %d", r.StatusCode)
	}
	if r := e.do(t, approveRunEvent("nosuchrun", bob)); r.StatusCode != http.StatusNotFound {
		t.Errorf("approve an unknown run: %d", r.StatusCode)
	}
	if n := countActions(e.history(t, a.ID), "payment.requested"); n != 0 {
		t.Errorf("a refused run requested %d payments", n)
	}
}
