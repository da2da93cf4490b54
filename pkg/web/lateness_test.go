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
)

// The agreement and finance pages show how late an instalment is in
// working days, and the finance page how promptly the programme pays: late
// now while it is unpaid, then the on-time rate and the median once paid.
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
	cell := regexp.MustCompile(`<td class="num">15</td>`)
	fin := a.as("fay@funder.example", grants.RoleFinance, "GET", "/app/finance", nil)
	if fin.code != http.StatusOK || !cell.MatchString(fin.body) || !strings.Contains(fin.body, "Working days late") {
		t.Errorf("the finance page does not show instalment 1 15 working days late: %d", fin.code)
	}
	if !strings.Contains(fin.body, "Late now (unpaid beyond 10 working days): <strong>1</strong>") || !strings.Contains(fin.body, "Nothing paid yet") {
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
		"Paid on time (within 10 working days): <strong>0%</strong> of 1 paid.",
		"Median days late: <strong>15</strong>.",
		"Late now (unpaid beyond 10 working days): <strong>0</strong>.",
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

func figures(body string) string {
	if m := regexp.MustCompile(`(?s)<p class="lateness">.*?</p>`).FindString(body); m != "" {
		return m
	}
	return body
}
