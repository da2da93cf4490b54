package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/partnership-grants/backend/pkg/export"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
)

// runsShown is how many of the latest pay runs the finance page lists.
const runsShown = 10

// payable reports whether finance may put a due row in a run: due, and no
// payment waiting for approval (the run would report it requested elsewhere).
func payable(row grants.InstalmentRow) bool {
	return row.Status == grants.InstalmentDue && !row.Payment.AwaitingApproval()
}

func anyPayable(rows []grants.InstalmentRow) bool {
	for _, r := range rows {
		if payable(r) {
			return true
		}
	}
	return false
}

// runItemID names a row in the run form: "<agreement ID>-<instalment>"
// (agreement IDs are base32, without '-').
func runItemID(row grants.InstalmentRow) string { return row.AgreementID + "-" + itoa(row.Number) }

// when is an instant as the pages show it, in the programme's default zone.
func when(t time.Time) string { return instant(t, "Europe/London") }

var runStatuses = map[grants.PayRunStatus]string{
	grants.PayRunRequesting:       "Being recorded (request it again to finish)",
	grants.PayRunAwaitingApproval: "Awaiting approval",
	grants.PayRunApproved:         "Approved",
}

func runStatus(s grants.PayRunStatus) string { return runStatuses[s] }

var outcomeTexts = map[grants.PayRunOutcome]string{
	grants.OutcomePending:            "Not yet requested",
	grants.OutcomeRequested:          "Requested: awaiting approval",
	grants.OutcomeAlreadyPaid:        "Not requested: already paid",
	grants.OutcomeHeld:               "Not requested: on hold",
	grants.OutcomeRequestedElsewhere: "Not requested: a payment is already awaiting approval",
	grants.OutcomeNotDue:             "Not requested: not due yet",
	grants.OutcomeCancelled:          "Not requested: cancelled",
	grants.OutcomeNotActive:          "Not requested: the agreement is not active",
	grants.OutcomeCheckInMissing:     "Not requested: the previous check-in is not in",
	grants.OutcomeNotFound:           "Not requested: no such agreement or instalment",
	grants.OutcomeInvalid:            "Not requested",
	grants.OutcomeRefused:            "Not requested",
	grants.OutcomePaid:               "Paid",
	grants.OutcomeNotPaid:            "Not paid",
}

func outcomeText(o grants.PayRunOutcome) string { return outcomeTexts[o] }

// showFinance renders the finance page: its lists, then the pay runs.
func (a *App) showFinance(w http.ResponseWriter, r *http.Request, v *view, code int) {
	lists, ok := a.financeLists(w, r, v)
	if !ok {
		return
	}
	// A pay run spans programmes: it is shown to those whose roles do.
	var runs []grants.PayRunLine
	if v.Everywhere {
		var err error
		if runs, err = a.Payments.RecentPayRuns(r.Context(), runsShown); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	lateness, err := a.Views.Lateness(r.Context(), v.Programme)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v.Title, v.Section = "Finance", "finance"
	a.render(w, r, code, layout(v, templ.Join(financePage(v, lists, today(a), lateness), payRunsSection(v, lists[0].Rows, runs, today(a), runFormOf(r)))))
}

// requestRun requests the ticked due instalments as one pay run. The form
// carries its own Idempotency-Key, which names the run: a double click or a
// resubmitted page is the same run, never a second one.
func (a *App) requestRun(w http.ResponseWriter, r *http.Request) {
	if a.askRequestRun(w, r) { // asks.go
		return
	}
	v, ok := a.page(w, r, "Finance", "finance", financeOnly...)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("key") == "" {
		a.fail(w, r, &grants.Error{Code: grants.Malformed, Message: "The form could not be read."})
		return
	}
	f := r.PostForm
	req, names, err := runRequest(f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if len(req.Items) == 0 {
		v.Error = "Tick the instalments to pay in the run."
		a.showFinance(w, r, v, http.StatusBadRequest)
		return
	}
	payload, _ := json.Marshal(req)
	once := &idempotency.Once[*grants.PayRun]{
		Request: idempotency.Request{Scope: "web payrun", Caller: v.Actor.ID, Key: f.Get("key"), Payload: payload},
		// The stored answer is where the browser goes: the run.
		Render: func(run *grants.PayRun) (idempotency.Response, error) {
			return idempotency.Response{StatusCode: http.StatusSeeOther, Body: []byte(run.ID)}, nil
		},
	}
	run, replay, err := a.Payments.RequestPayRun(r.Context(), v.Actor, req, once)
	switch {
	case errors.Is(err, idempotency.ErrPayloadMismatch):
		err = &grants.Error{Code: grants.Conflict, Message: "This pay run form was sent before with other values; nothing more was requested. Reload the page to start another run."}
	case err != nil && status(err) != http.StatusInternalServerError:
		err = namedRows(err, names)
	}
	if err != nil {
		if status(err) == http.StatusInternalServerError {
			a.fail(w, r, err)
			return
		}
		v.refused(err, "The pay run was not requested", nil)
		a.showFinance(w, r, v, status(err))
		return
	}
	id := ""
	if replay != nil {
		id = string(replay.Body)
	} else {
		id = run.ID
	}
	done(w, r, "/app/payment-runs/"+id, "run-requested")
}

// runRequest is the pay-run form as the use case takes it, and the name
// of each ticked row.
func runRequest(f url.Values) (grants.PayRunRequest, []string, error) {
	req := grants.PayRunRequest{PaidOn: strings.TrimSpace(f.Get("paidOn"))}
	if d, ok := parseDay(req.PaidOn); ok {
		req.PaidOn = d // as the pages show dates, or as a date picker sends them
	}
	var names []string
	for _, id := range f["item"] {
		cut := strings.LastIndex(id, "-")
		n, err := strconv.Atoi(id[cut+1:])
		if cut < 0 || err != nil {
			return req, nil, &grants.Error{Code: grants.Malformed, Message: "The form could not be read."}
		}
		req.Items = append(req.Items, grants.PayRunItemRequest{AgreementID: id[:cut], Instalment: n,
			PaymentReference: f.Get("ref-" + id), OverrideReason: f.Get("override-" + id)})
		names = append(names, fmt.Sprintf("ticked row %d", len(names)+1))
	}
	return req, names, nil
}

// namedRows words an error's item fields ("items[1].paymentReference") by
// the form's rows, as a person ticked them.
func namedRows(err error, names []string) error {
	var e *grants.Error
	if !errors.As(err, &e) {
		return err
	}
	c := *e
	c.Fields = nil
	for _, f := range e.Fields {
		var i int
		var rest string
		if n, _ := fmt.Sscanf(f.Field, "items[%d]", &i); n == 1 && i >= 0 && i < len(names) {
			_, rest, _ = strings.Cut(f.Field, "].")
			f.Field = fieldLabel(rest) + " (" + names[i] + ")"
		}
		c.Fields = append(c.Fields, f)
	}
	return &c
}

// approveRun approves a pay run (never by its requester: the service refuses).
func (a *App) approveRun(w http.ResponseWriter, r *http.Request) {
	if a.askApproveRun(w, r) { // asks.go
		return
	}
	a.post(w, r, "finance", financeOnly, "/app/payment-runs/"+r.PathValue("id"), "run-approved", a.showRun, func(v *view) error {
		_, err := a.Payments.ApprovePayRun(r.Context(), v.Actor, r.PathValue("id"))
		return err
	})
}

func (a *App) payRun(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "Pay run", "finance", grants.RoleFinance, grants.RoleProgramme, grants.RoleViewer)
	if !ok {
		return
	}
	a.showRun(w, r, v, http.StatusOK)
}

func (a *App) showRun(w http.ResponseWriter, r *http.Request, v *view, code int) {
	run, err := a.Payments.PayRunNow(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v.Title = "Pay run of " + day(run.PaidOn)
	a.render(w, r, code, layout(v, payRunPage(v, run)))
}

// runCSV downloads a run for the finance system (export.PayRunCSV).
func (a *App) runCSV(w http.ResponseWriter, r *http.Request) {
	if _, ok := a.page(w, r, "", "finance", grants.RoleFinance, grants.RoleProgramme, grants.RoleViewer); !ok {
		return
	}
	run, err := a.Payments.PayRunNow(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var b strings.Builder
	if err := export.PayRunCSV(&b, run); err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="payment-run-`+run.ID+`.csv"`)
	_, _ = w.Write([]byte(b.String()))
}

// runForm is a refused pay-run form as it was sent, so its ticks,
// references and reasons are shown again (issue 26, item 5); nil when the
// page is not answering one.
type runForm url.Values

func runFormOf(r *http.Request) runForm {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/payment-runs") || r.PostForm == nil {
		return nil
	}
	return runForm(r.PostForm)
}

func (f runForm) ticked(id string) bool { return slices.Contains(url.Values(f)["item"], id) }

func (f runForm) value(name, def string) string {
	if f == nil {
		return def
	}
	return url.Values(f).Get(name)
}

// dueTotal is the count and total of the rows a run may pay.
func dueTotal(rows []grants.InstalmentRow) (int, string) {
	sums, n := map[string]int64{}, 0
	for _, row := range rows {
		if payable(row) {
			sums[row.Currency] += row.Amount
			n++
		}
	}
	return n, totals(sums)
}
