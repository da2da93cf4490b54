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
	"github.com/partnership-grants/backend/pkg/money"
)

// Money adds up on the overview (issue 26, item 9). Three agreements of
// £10,000 in four instalments: one paid its first instalment and was then
// terminated (£2,500 paid, £7,500 cancelled), one is active with nothing
// paid, one is a draft (nothing committed). The overview shows committed
// £12,500 − paid £2,500 = outstanding £10,000, and the £7,500 cancelled
// apart; every amount as money, none as "GBP" or minor units.
func TestOverviewMoneyAddsUp(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	ended, running := a.create("m1"), a.create("m2")
	a.create("m3") // a draft
	for _, id := range []string{ended, running} {
		if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/agreements/"+id+"/activate", url.Values{}); r.code != http.StatusSeeOther {
			t.Fatalf("activate: %d %s", r.code, r.body)
		}
	}
	// Tuesday 5 January 2027: instalment 1 fell due on the 4th.
	a.clock.Set(time.Date(2027, 1, 5, 10, 0, 0, 0, time.UTC))
	if err := a.svc.InstalmentDue(ctx, ended, 1); err != nil {
		t.Fatal(err)
	}
	fin := a.as("fay@funder.example", grants.RoleFinance, "GET", "/app/finance", nil)
	key := regexp.MustCompile(`name="key" value="([0-9a-f]{32})"`).FindStringSubmatch(fin.body)
	if key == nil {
		t.Fatal("no payment form on the finance page")
	}
	pay := url.Values{"key": {key[1]}, "paymentReference": {"BACS-0001"}, "paidOn": {"2027-01-05"}, "from": {"finance"}}
	if r := a.as("fay@funder.example", grants.RoleFinance, "POST", "/app/agreements/"+ended+"/instalments/1/pay", pay); r.code != http.StatusSeeOther {
		t.Fatalf("pay: %d %s", r.code, r.body)
	}
	ag, _ := a.svc.Agreement(ctx, ended)
	if r := a.as("ben@funder.example", grants.RoleFinance, "POST", "/app/agreements/"+ended+"/instalments/1/approve",
		url.Values{"payment": {ag.Instalments[0].Payment.ID}, "from": {"finance"}, "confirm": {"yes"}}); r.code != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", r.code, r.body)
	}
	end := url.Values{"reason": {"The kitchen closed"}, "message": {"We are sorry to see the kitchen close."}, "confirm": {"yes"}}
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/agreements/"+ended+"/terminate", end); r.code != http.StatusSeeOther {
		t.Fatalf("terminate: %d %s", r.code, r.body)
	}

	page := a.as("vic@funder.example", grants.RoleViewer, "GET", "/app", nil)
	if page.code != http.StatusOK {
		t.Fatalf("overview: %d", page.code)
	}
	start := strings.Index(page.body, `<section aria-labelledby="money">`)
	if start < 0 {
		t.Fatalf("the overview has no money section:\n%s", page.body)
	}
	section := page.body[start:]
	section = section[:strings.Index(section, "</section>")]
	figures := map[string]int64{}
	for _, m := range regexp.MustCompile(`data-figure="(\w+)">([^<]*)<`).FindAllStringSubmatch(section, -1) {
		minor, err := money.ParseMajor(m[2], "GBP")
		if err != nil || !strings.HasPrefix(m[2], "£") {
			t.Fatalf("%s is shown as %q, not money", m[1], m[2])
		}
		figures[m[1]] = minor
	}
	want := map[string]int64{"committed": 1_250_000, "paid": 250_000, "outstanding": 1_000_000, "cancelled": 750_000}
	for fig, minor := range want {
		if figures[fig] != minor {
			t.Errorf("%s = %d, want %d (figures %v)", fig, figures[fig], minor, figures)
		}
	}
	if figures["committed"]-figures["paid"] != figures["outstanding"] {
		t.Errorf("committed − paid != outstanding: %v", figures)
	}
	for _, words := range []string{"£12,500.00 committed − £2,500.00 paid = £10,000.00 outstanding.",
		"£7,500.00 of what was awarded will never be paid: agreements closed early or terminated cancelled it, so it is not committed."} {
		if !strings.Contains(collapse(section), words) {
			t.Errorf("the overview does not say %q:\n%s", words, collapse(section))
		}
	}
	if m := regexp.MustCompile(`\b\d+(\.\d+)? [A-Z]{3}\b|\b\d{5,}\b`).FindString(section); m != "" {
		t.Errorf("the money section writes %q, not money:\n%s", m, section)
	}
}

// collapse is text with its runs of white space as one space.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }
