package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/grants"
)

// Finance A ticks two due instalments on the finance page and requests them
// as one pay run (a resubmitted form is the same run); A is not offered the
// run's approval and is refused it; finance B approves it (twice, which pays
// nothing twice); the run downloads as CSV.
func TestTwoPeoplePayARunOnce(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	var ids []string
	for _, key := range []string{"k1", "k2"} {
		id := a.create(key)
		if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/agreements/"+id+"/activate", url.Values{}); r.code != http.StatusSeeOther {
			t.Fatalf("activate: %d %s", r.code, r.body)
		}
		if err := a.svc.InstalmentDue(ctx, id, 1); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	page := a.as("fay@funder.example", grants.RoleFinance, "GET", "/app/finance", nil)
	form := regexp.MustCompile(`(?s)<form method="post" action="/app/payment-runs">.*?</form>`).FindString(page.body)
	key := regexp.MustCompile(`name="key" value="([0-9a-f]{32})"`).FindStringSubmatch(form)
	if key == nil || !strings.Contains(form, `name="item" value="`+ids[0]+`-1"`) || !strings.Contains(form, `name="item" value="`+ids[1]+`-1"`) {
		t.Fatalf("the finance page offers no pay run of the due instalments:\n%s", form)
	}
	run := url.Values{"key": {key[1]}, "paidOn": {"2026-12-01"}, "item": {ids[0] + "-1", ids[1] + "-1"},
		"ref-" + ids[0] + "-1": {"RUN-0001"}, "ref-" + ids[1] + "-1": {"RUN-0002"},
		"override-" + ids[0] + "-1": {"First instalment"}, "override-" + ids[1] + "-1": {"First instalment"}}
	// Asked first: the run's count, total and each reason for paying early
	// (issue 26, item 7); nothing is requested by the question.
	if r := a.as("fay@funder.example", grants.RoleFinance, "POST", "/app/payment-runs", run); r.code != http.StatusOK ||
		!strings.Contains(r.body, "Total: £5,000.00") || !strings.Contains(r.body, "(2 instalments)") || strings.Count(r.body, ": First instalment</li>") != 2 {
		t.Fatalf("request run, unconfirmed: %d %s", r.code, r.body)
	}
	if ag, _ := a.svc.Agreement(ctx, ids[0]); ag.Instalments[0].Payment != nil {
		t.Fatal("asking requested a payment")
	}
	run.Set("confirm", "yes")
	var runPath string
	for range 2 {
		r := a.as("fay@funder.example", grants.RoleFinance, "POST", "/app/payment-runs", run)
		if r.code != http.StatusSeeOther || !strings.HasPrefix(r.location, "/app/payment-runs/") || runPath != "" && r.location != runPath {
			t.Fatalf("request run: %d to %q (first %q) %s", r.code, r.location, runPath, r.body)
		}
		runPath = r.location
	}
	runPath = strings.TrimSuffix(runPath, "?done=run-requested")
	for _, id := range ids {
		hist, _ := a.svc.History(ctx, grants.Actor{Name: "olu@funder.example", Groups: []grants.Role{grants.RoleProgramme}}, id, "", 100)
		requested := 0
		for _, h := range hist.Items {
			if h.Action == "payment.requested" {
				requested++
			}
		}
		if requested != 1 {
			t.Errorf("a resubmitted run form requested %d payments of %s", requested, id)
		}
	}
	shown := a.as("fay@funder.example", grants.RoleFinance, "GET", runPath, nil)
	if strings.Count(shown.body, "Requested: awaiting approval") != 2 || strings.Contains(shown.body, "/approve") {
		t.Errorf("the run's page to its requester: %d\n%s", shown.code, shown.body)
	}
	if fin := a.as("fay@funder.example", grants.RoleFinance, "GET", "/app/finance", nil); !strings.Contains(fin.body, "you requested it") || strings.Contains(fin.body, "/approve") {
		t.Error("the finance page offers the requester the approval of their own run")
	}
	fin := a.as("ben@funder.example", grants.RoleFinance, "GET", "/app/finance", nil)
	if !strings.Contains(fin.body, `action="`+runPath+`/approve"`) || !strings.Contains(fin.body, `href="`+runPath+`/csv"`) {
		t.Error("the finance page does not offer a second member of finance the run's approval and CSV")
	}
	if r := a.as("fay@funder.example", grants.RoleFinance, "POST", runPath+"/approve", url.Values{}); r.code != http.StatusForbidden || !strings.Contains(r.body, `role="alert"`) {
		t.Errorf("approving one's own run: %d, want 403 with why", r.code)
	}
	if r := a.as("ben@funder.example", grants.RoleFinance, "POST", runPath+"/approve", url.Values{}); r.code != http.StatusOK ||
		!strings.Contains(r.body, "Total: £5,000.00") || !strings.Contains(r.body, "(2 instalments)") || !strings.Contains(r.body, "Each partner is sent a remittance email") {
		t.Fatalf("approve, unconfirmed: %d %s", r.code, r.body)
	}
	if shown := a.as("ben@funder.example", grants.RoleFinance, "GET", runPath, nil); !strings.Contains(shown.body, "2 instalments, £5,000.00 in all") {
		t.Errorf("the run's page does not show its count and total:\n%s", shown.body)
	}
	// Ben approves the first instalment on its own, from the finance
	// list: the run's page, open or opened again, shows it paid (issue
	// 26, item 15), the other still awaiting the run's approval.
	single := regexp.MustCompile(`(?s)action="/app/agreements/` + ids[0] + `/instalments/1/approve">.*?name="payment" value="([^"]+)"`).FindStringSubmatch(fin.body)
	if single == nil {
		t.Fatal("the finance list does not offer the run's first payment's approval")
	}
	if r := a.as("ben@funder.example", grants.RoleFinance, "POST", "/app/agreements/"+ids[0]+"/instalments/1/approve", url.Values{"payment": {single[1]}, "from": {"finance"}, "confirm": {"yes"}}); r.code != http.StatusSeeOther {
		t.Fatalf("approve one payment of the run: %d %s", r.code, r.body)
	}
	now := a.as("fay@funder.example", grants.RoleFinance, "GET", runPath, nil)
	if strings.Count(now.body, "Requested: awaiting approval") != 1 || strings.Count(now.body, ">Paid") != 1 || !strings.Contains(now.body, "Approved on its own by ben@funder.example.") {
		t.Errorf("the run's page after one of its payments was approved on its own:\n%s", now.body)
	}
	for range 2 {
		if r := a.as("ben@funder.example", grants.RoleFinance, "POST", runPath+"/approve", url.Values{"confirm": {"yes"}}); r.code != http.StatusSeeOther || r.location != runPath+"?done=run-approved" {
			t.Fatalf("approve: %d to %q %s", r.code, r.location, r.body)
		}
	}
	msgs, err := emulator.SESMessages(ctx, a.ses)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		ag, _ := a.svc.Agreement(ctx, id)
		if ag.Instalments[0].Status != grants.InstalmentPaid || ag.Instalments[0].Payment.ApprovedBy != "ben@funder.example" {
			t.Errorf("%s instalment 1 is %s after the run's approval", ag.Reference, ag.Instalments[0].Status)
		}
		events, remittances := 0, 0
		for _, e := range a.svc.Events.paid {
			if e.AgreementID == id {
				events++
			}
		}
		for _, m := range msgs {
			if strings.HasPrefix(m.Subject, "Payment sent") && strings.HasSuffix(m.Subject, ag.Reference) {
				remittances++
			}
		}
		if events != 1 || remittances != 1 {
			t.Errorf("%s: %d events and %d remittances, want one each", ag.Reference, events, remittances)
		}
	}
	if paid := a.as("ben@funder.example", grants.RoleFinance, "GET", runPath, nil); strings.Count(paid.body, ">Paid") != 2 {
		t.Errorf("the approved run's page:\n%s", paid.body)
	}
	download := a.as("ben@funder.example", grants.RoleFinance, "GET", runPath+"/csv", nil)
	rows, err := csv.NewReader(strings.NewReader(download.body)).ReadAll()
	if download.code != http.StatusOK || err != nil || len(rows) != 3 || rows[1][9] != "RUN-0001" || rows[1][10] != "paid" {
		t.Errorf("csv: %d %v %q", download.code, err, rows)
	}
}

// A run form with no instalment ticked, or a reference missing, is shown
// again with why, and requests nothing.
func TestPayRunFormShowsWhy(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	id := a.create("k")
	a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/agreements/"+id+"/activate", url.Values{})
	if err := a.svc.InstalmentDue(ctx, id, 1); err != nil {
		t.Fatal(err)
	}
	if r := a.as("fay@funder.example", grants.RoleFinance, "POST", "/app/payment-runs", url.Values{"key": {"k"}, "paidOn": {"2026-12-01"}}); r.code != http.StatusBadRequest || !strings.Contains(r.body, "Tick the instalments") {
		t.Errorf("nothing ticked: %d", r.code)
	}
	r := a.as("fay@funder.example", grants.RoleFinance, "POST", "/app/payment-runs", url.Values{"key": {"k"}, "paidOn": {"2026-12-01"}, "item": {id + "-1"}})
	if r.code != http.StatusUnprocessableEntity && r.code != http.StatusBadRequest || !strings.Contains(r.body, "ticked row 1") {
		t.Errorf("no reference: %d %s", r.code, r.body)
	}
	if ag, _ := a.svc.Agreement(ctx, id); ag.Instalments[0].Payment != nil {
		t.Error("a refused run form requested a payment")
	}
}
