package stack

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

// Issue 25, done when: an administrator creates a second programme,
// changes its send time and questions, and invites a finance officer for
// it only. The officer pays in it, on the API and the pages, and finds
// nothing of the first programme anywhere; disabling them ends their next
// request. Bad input is refused by its field.
func TestAdministratorRunsASecondProgramme(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	api := "http://" + st.opts.APIAddr
	read := reader(t)
	now := time.Now()
	issue := func(user, group string) client {
		tok, err := st.Auth.Issue(user, group, now)
		if err != nil {
			t.Fatal(err)
		}
		return client{t, st.opts.APIAddr, tok}
	}
	admin, officer, bob := issue("ada", "admin"), issue("olu", "programme"), issue("bob", "finance")
	const code = "arts-2027"

	// The programme, its bad inputs refused by field.
	for body, field := range map[string]string{
		`{"code": "arts-2027", "name": "Arts", "timeZone": "Mars/Olympus"}`: "timeZone",
		`{"code": "` + DemoProgramme + `", "name": "Again"}`:                "code",
	} {
		if status, b := admin.do("POST", "/programmes", body); status/100 != 4 || !strings.Contains(string(b), `"`+field+`"`) {
			t.Errorf("create %s: %d %s, want refused naming %s", body, status, b, field)
		}
	}
	admin.must(201, "POST", "/programmes", `{"code": "`+code+`", "name": "Arts Partnerships", "currency": "GBP", "timeZone": "Europe/London", "region": "england-and-wales"}`, nil)

	// Its send time and questions; bad values by field.
	settings := "/programmes/" + code + "/settings"
	var view service.SettingsView
	admin.must(200, "GET", settings, "", &view)
	ifMatch := fmt.Sprintf(`"%d"`, view.Version)
	for body, field := range map[string]string{`{"sendTime": "25:00"}`: "sendTime", `{"reminderDays": 0}`: "reminderDays"} {
		if status, b := admin.do("PATCH", settings, body, "If-Match", ifMatch); status != http.StatusUnprocessableEntity || !strings.Contains(string(b), `"`+field+`"`) {
			t.Errorf("PATCH %s: %d %s, want 422 naming %s", body, status, b, field)
		}
	}
	admin.must(200, "PATCH", settings, `{"sendTime": "10:30", "checkInQuestions": [{"text": "What did the arts sessions change for you?"}]}`, &view, "If-Match", ifMatch)
	if view.Settings.SendTime != "10:30" || len(view.Settings.CheckInQuestions) != 1 {
		t.Fatalf("the changed settings: %+v", view.Settings)
	}

	// A finance officer for this programme only.
	const email = "arts.finance@funder.local"
	admin.must(201, "POST", "/programmes/"+code+"/staff", `{"email": "`+email+`", "name": "Arts Finance", "role": "finance"}`, nil)
	tok, err := st.Auth.IssueGroups(email, []string{string(grants.RoleFinance.In(code))}, IDToken, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	artsFinance := client{t, st.opts.APIAddr, tok}

	// An agreement in it, instalment 1 due; the officer requests its
	// payment, another member of finance approves.
	today := grants.Today(st.Clock.Now(), time.UTC)
	var a grants.Agreement
	officer.must(201, "POST", "/agreements", fmt.Sprintf(`{"programme": %q,
		"partner": {"name": "Levenshulme Arts Collective", "registrationNumber": "1190999", "address": "1 Stockport Road, Manchester M19 3AB"},
		"contacts": [{"name": "Ade Ola", "email": "ade@levenshulme-arts.example", "role": "lead"}],
		"amount": 800000, "startDate": %q, "terms": ["Run four open studios"], "support": ["Studio space"]}`, code, today.AddDays(-7)),
		&a, "Idempotency-Key", "arts-create")
	officer.must(200, "POST", "/agreements/"+a.ID+"/activate", "", &a)
	var req struct{ Payment grants.Payment }
	artsFinance.must(201, "POST", "/agreements/"+a.ID+"/instalments/1/payments",
		`{"paymentReference": "BACS-ARTS-1", "paidOn": "`+today.String()+`"}`, &req, "Idempotency-Key", "arts-pay-1")
	bob.must(200, "POST", "/agreements/"+a.ID+"/instalments/1/payments/"+req.Payment.ID+"/approve", "", nil)
	artsFinance.must(200, "GET", "/agreements/"+a.ID, "", &a)
	if in := a.Instalment(1); in.Status != grants.InstalmentPaid {
		t.Fatalf("instalment 1 after approval: %s", in.Status)
	}

	// Nothing of the first programme: its agreements are absent, its lists
	// refused, the programmes listed are this one alone.
	if status, _ := artsFinance.do("GET", "/agreements/demoancoatsyouth", ""); status != http.StatusNotFound {
		t.Errorf("the officer reads the demo programme's agreement: %d", status)
	}
	if status, _ := artsFinance.do("GET", "/instalments?status=due&programme="+DemoProgramme, ""); status != http.StatusForbidden {
		t.Errorf("the officer lists the demo programme's instalments: %d", status)
	}
	var listed struct{ Programmes []grants.Programme }
	artsFinance.must(200, "GET", "/programmes", "", &listed)
	if len(listed.Programmes) != 1 || listed.Programmes[0].Code != code {
		t.Errorf("the officer's programmes: %+v", listed.Programmes)
	}

	// On the pages: signed in, the finance page is this programme's.
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	if resp, page := pickOnSignInPage(t, st, browser, email); resp.StatusCode != 200 || !strings.Contains(page, "Arts Partnerships") {
		t.Fatalf("the officer's first page: %d %s", resp.StatusCode, page)
	}
	resp, page := read(browser.Get(api + "/app/finance"))
	if resp.StatusCode != 200 || !strings.Contains(page, "Arts Partnerships") {
		t.Errorf("the officer's finance page: %d %s", resp.StatusCode, page)
	}
	for _, demo := range []string{"Ancoats Youth Kitchen", "Moss Side Elders Forum", "Community Partnerships"} {
		if strings.Contains(page, demo) {
			t.Errorf("the officer's finance page shows %q", demo)
		}
	}
	if resp, _ := read(browser.Get(api + "/app/agreements/demoancoatsyouth")); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the officer's page of the demo programme's agreement: %d", resp.StatusCode)
	}

	// Disabled: their next request ends.
	admin.must(204, "POST", "/staff/"+url.PathEscape(email)+"/disable", "", nil)
	if status, b := artsFinance.do("GET", "/programmes", ""); status != http.StatusUnauthorized || !strings.Contains(string(b), "session_ended") {
		t.Errorf("the officer's request after being disabled: %d %s", status, b)
	}
	if resp, _ := read(noRedirects(browser).Get(api + "/app/finance")); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the officer's page after being disabled: %d, want sent to sign in", resp.StatusCode)
	}
}
