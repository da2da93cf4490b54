package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/memstore"
)

// The agreement and finance pages show how late an instalment is in
// working days, in words by whom it waited on (on schedule, all finance's),
// and the finance page how promptly the programme pays: late now while it
// is unpaid (the row marked late by the same rule), then the on-time rate
// and the median once paid.
func TestPagesShowDaysLate(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	id := a.create("k") // instalment 1 due Monday 4 January 2027
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/agreements/"+id+"/activate", url.Values{}); r.code != http.StatusSeeOther {
		t.Fatalf("activate: %d %s", r.code, r.body)
	}
	// Monday 25 January 2027: 15 working days after the due date.
	a.clock.Set(time.Date(2027, 1, 25, 10, 0, 0, 0, time.UTC))
	if err := a.svc.InstalmentDue(ctx, id, 1); err != nil {
		t.Fatal(err)
	}
	cell := regexp.MustCompile(`<td>15 days with finance</td>`)
	fin := a.as("fay@funder.example", grants.RoleFinance, "GET", "/app/finance", nil)
	if fin.code != http.StatusOK || !cell.MatchString(fin.body) || !strings.Contains(fin.body, "Working days late") {
		t.Errorf("the finance page does not show instalment 1 15 working days late: %d", fin.code)
	}
	if !strings.Contains(fin.body, "Late now (unpaid beyond 10 working days with finance): <strong>1</strong>") || !strings.Contains(fin.body, "Nothing paid yet") ||
		strings.Count(fin.body, `<strong class="warn">late</strong>`) != 1 {
		t.Errorf("the finance page's figures:\n%s", figures(fin.body))
	}
	page := a.as("olu@funder.example", grants.RoleProgramme, "GET", "/app/agreements/"+id, nil)
	if !cell.MatchString(page.body) || !strings.Contains(page.body, "Working days late") {
		t.Error("the agreement page does not show instalment 1 15 working days late")
	}

	key := regexp.MustCompile(`name="key" value="([0-9a-f]{32})"`).FindStringSubmatch(fin.body)
	if key == nil {
		t.Fatal("no payment form on the finance page")
	}
	pay := url.Values{"key": {key[1]}, "paymentReference": {"BACS-0001"}, "paidOn": {"2027-01-25"}, "from": {"finance"}}
	if r := a.as("fay@funder.example", grants.RoleFinance, "POST", "/app/agreements/"+id+"/instalments/1/pay", pay); r.code != http.StatusSeeOther {
		t.Fatalf("pay: %d %s", r.code, r.body)
	}
	ag, _ := a.svc.Agreement(ctx, id)
	if r := a.as("ben@funder.example", grants.RoleFinance, "POST", "/app/agreements/"+id+"/instalments/1/approve",
		url.Values{"payment": {ag.Instalments[0].Payment.ID}, "from": {"finance"}, "confirm": {"yes"}}); r.code != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", r.code, r.body)
	}
	// A week on, the paid instalment is still 15 days late, and counted.
	a.clock.Set(time.Date(2027, 2, 1, 10, 0, 0, 0, time.UTC))
	fin = a.as("fay@funder.example", grants.RoleFinance, "GET", "/app/finance", nil)
	for _, want := range []string{
		"Paid on time (within 10 working days of becoming payable): <strong>0%</strong> of 1 paid.",
		"Median working days with finance: <strong>15</strong>.",
		"Late now (unpaid beyond 10 working days with finance): <strong>0</strong>.",
	} {
		if !strings.Contains(fin.body, want) {
			t.Errorf("the finance page lacks %q:\n%s", want, figures(fin.body))
		}
	}
	page = a.as("olu@funder.example", grants.RoleProgramme, "GET", "/app/agreements/"+id, nil)
	if !cell.MatchString(page.body) {
		t.Error("the agreement page does not show the paid instalment's 15 working days late")
	}
}

// Under afterCheckIn, the days an instalment waits on the partner's
// check-in are shown apart and never make it late: the finance page marks a
// row late, and counts it late now, only once finance has had it payable
// for more than the on-time setting (issue 26, item 8).
func TestFinancePageCountsOnlyFinanceDaysLate(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	if err := a.store.(*memstore.Store).PutProgrammeSettings(ctx, programme, grants.ProgrammeSettings{PaymentPolicy: grants.PolicyAfterCheckIn}); err != nil {
		t.Fatal(err)
	}
	id := a.create("k") // instalment 2 due Sunday 4 April 2027, after check-in 1
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/agreements/"+id+"/activate", url.Values{}); r.code != http.StatusSeeOther {
		t.Fatalf("activate: %d %s", r.code, r.body)
	}
	lateNow := func(n string) string {
		return "Late now (unpaid beyond 10 working days with finance): <strong>" + n + "</strong>."
	}
	marked := func(body string) int { return strings.Count(body, `<strong class="warn">late</strong>`) }

	// Friday 23 April 2027: 15 working days past the due date, all of them
	// waiting on check-in 1.
	a.clock.Set(time.Date(2027, 4, 23, 10, 0, 0, 0, time.UTC))
	if err := a.svc.InstalmentDue(ctx, id, 2); err != nil {
		t.Fatal(err)
	}
	fin := a.as("fay@funder.example", grants.RoleFinance, "GET", "/app/finance", nil)
	if !strings.Contains(fin.body, "<td>15 days waiting on the partner</td>") || marked(fin.body) != 0 || !strings.Contains(fin.body, lateNow("0")) {
		t.Errorf("waiting on the partner: marked late %d times, figures:\n%s", marked(fin.body), figures(fin.body))
	}
	if _, err := a.svc.Waive(ctx, "olu@funder.example", id, 1, "we spoke at the event", nil); err != nil {
		t.Fatal(err)
	}
	// Monday 10 May (3 May a bank holiday): 10 working days with finance,
	// within the setting; Tuesday 11 May, 11: late, marked and counted.
	for _, c := range []struct {
		day     int
		cell    string
		late    int
		lateNow string
	}{
		{10, "<td>15 days waiting on the partner, 10 days with finance</td>", 0, "0"},
		{11, "<td>15 days waiting on the partner, 11 days with finance</td>", 1, "1"},
	} {
		a.clock.Set(time.Date(2027, 5, c.day, 10, 0, 0, 0, time.UTC))
		fin = a.as("fay@funder.example", grants.RoleFinance, "GET", "/app/finance", nil)
		if !strings.Contains(fin.body, c.cell) || marked(fin.body) != c.late || !strings.Contains(fin.body, lateNow(c.lateNow)) {
			t.Errorf("%d May: want %q, marked late %d times (want %d), figures:\n%s", c.day, c.cell, marked(fin.body), c.late, figures(fin.body))
		}
	}
	page := a.as("olu@funder.example", grants.RoleProgramme, "GET", "/app/agreements/"+id, nil)
	if !strings.Contains(page.body, "<td>15 days waiting on the partner, 11 days with finance</td>") {
		t.Error("the agreement page does not show instalment 2's days by whom it waited on")
	}
}

func figures(body string) string {
	if m := regexp.MustCompile(`(?s)<p class="lateness">.*?</p>`).FindString(body); m != "" {
		return m
	}
	return body
}
