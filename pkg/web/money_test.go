package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/grants"
)

// Issue 23, items 3 and 6, from the agreement page: the hold form offers
// the default words to edit, and the partner gets the officer's edited
// words, not the reason; the extra payment form adds one instalment however
// often it is sent, and says by its field what is wrong.
func TestHoldWordsAndExtraPaymentFromThePage(t *testing.T) {
	a := newApp(t)
	id := a.create("k")
	path := "/app/agreements/" + id
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/activate", url.Values{}); r.code != http.StatusSeeOther {
		t.Fatalf("activate: %d %s", r.code, r.body)
	}
	// Wednesday 6 January 2027, after the send time: the agreement began on the 4th.
	a.clock.Set(time.Date(2027, 1, 6, 10, 0, 0, 0, time.UTC))
	page := a.as("olu@funder.example", grants.RoleProgramme, "GET", path, nil)
	for _, want := range []string{"What the partner is told", "We have put instalment 2 (£2,500.00, due 4 April 2027) on hold for now.",
		"Add an extra payment", "not sent to the partner"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the agreement page lacks %q", want)
		}
	}
	words := "We are pausing instalment 2 (page test 7f3) while we agree the budget with you."
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/instalments/2/hold",
		url.Values{"reason": {"Internal: trustees querying it"}, "partnerMessage": {words}}); r.code != http.StatusSeeOther {
		t.Fatalf("hold: %d %s", r.code, r.body)
	}
	msgs, err := emulator.SESMessagesTo(context.Background(), a.ses, "amina@levykitchen.org.uk")
	if err != nil {
		t.Fatal(err)
	}
	var told []emulator.SESMessage
	for _, m := range msgs {
		if strings.Contains(m.Body.Text, "page test 7f3") {
			told = append(told, m)
		}
	}
	if len(told) != 1 || strings.Contains(told[0].Body.Text+told[0].Body.HTML, "Internal") {
		t.Fatalf("hold emails with the officer's words: %d %+v", len(told), told)
	}

	if r := a.as("ali@funder.example", grants.RoleFinance, "POST", path+"/instalments",
		url.Values{"key": {"x1"}, "amount": {"lots"}, "dueDate": {"2027-01-06"}, "reason": {"van"}, "fromLaterInstalments": {"true"}}); r.code != http.StatusBadRequest ||
		!strings.Contains(r.body, "amount") {
		t.Fatalf("bad amount: %d", r.code)
	}
	form := url.Values{"key": {"x2"}, "purpose": {"hardship"}, "amount": {"500"}, "dueDate": {"2027-01-06"}, "reason": {"Internal: the van"},
		"fromLaterInstalments": {"true"}}
	for range 2 {
		if r := a.as("ali@funder.example", grants.RoleFinance, "POST", path+"/instalments", form); r.code != http.StatusSeeOther {
			t.Fatalf("extra payment: %d %s", r.code, r.body)
		}
	}
	ag, err := a.svc.Agreement(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(ag.Instalments) != 5 || ag.Instalment(5).Amount != 50_000 || ag.Instalment(4).Amount != 200_000 || ag.Amount != 1_000_000 {
		t.Fatalf("plan: %+v", ag.Instalments)
	}
	if r := a.as("vic@funder.example", grants.RoleViewer, "POST", path+"/instalments", form); r.code != http.StatusForbidden {
		t.Errorf("a viewer adds an extra payment: %d", r.code)
	}
}
