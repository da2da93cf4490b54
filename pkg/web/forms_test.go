package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
)

// Issue 26, item 4: an unreadable amount no longer hides the other
// problems; every one is in the error summary, linked to its field, in
// people's words; item 6: the cadence the rule needs is a field.
func TestCreateFormTellsEveryProblemAtOnce(t *testing.T) {
	a := newApp(t)
	form := filledForm("k1")
	form.Set("partner", "")
	form.Set("amount", "ten thousand")
	form.Set("contact0Email", "not-an-email")
	form.Set("instalments", "5") // 12 months in 5 is no standard cadence
	r := a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/agreements", form)
	if r.code != http.StatusBadRequest {
		t.Fatalf("bad form: %d, want 400", r.code)
	}
	for _, want := range []string{
		`id="error-summary"`, `autofocus`, `href="#amount"`, `href="#partner"`, `href="#contact0Email"`, `href="#cadence"`,
		`Contact 1&#39;s email`, `How often instalments are paid is required`, `<select id="cadence" name="cadence"`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the refused form lacks %q", want)
		}
	}
	for _, api := range []string{"contacts[0].email", "minor units", "override.reason"} {
		if strings.Contains(strings.SplitN(r.body, `<form class="create"`, 2)[0], api) {
			t.Errorf("the error summary shows the API's %q", api)
		}
	}
	// With a cadence that fits, the same form creates.
	form.Set("partner", "Levenshulme Community Kitchen")
	form.Set("amount", "10,000")
	form.Set("contact0Email", "amina@levykitchen.org.uk")
	form.Set("instalments", "2")
	form.Set("cadence", "quarterly")
	form.Set("finalReportDays", "45")
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/agreements", form); r.code != http.StatusSeeOther {
		t.Fatalf("create with a cadence: %d %s", r.code, r.body)
	}
}

// Issue 26, item 5: an amendment refused keeps every edit (terms,
// contacts, amounts) and tells each problem by its field; nothing is
// saved while part of it cannot be read.
func TestRefusedAmendKeepsItsEdits(t *testing.T) {
	a := newApp(t)
	id := a.create("k")
	ctx := context.Background()
	before, _ := a.svc.Agreement(ctx, id)
	form := url.Values{"version": {itoa(before.Version)}, "currency": {"GBP"},
		"terms": {"Co-host five community meals"}, "support": {"Evaluation mentoring"},
		"contacts": {"Amina Khan, amina@levykitchen.org.uk, lead\nJo Patel, jo@levykitchen.org.uk, finance"},
		"amount-1": {"three thousand"}, "was-amount-1": {"2,500.00"}, "amount-2": {"2,000"}, "was-amount-2": {"2,500.00"},
		"award": {"10,000.00"}, "was-award": {"10,000.00"}, "reason": {""},
		"date-3": {"31 Febtober 2027"}, "was-date-3": {dayValue(before.Instalments[2].DueDate)}}
	r := a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/agreements/"+id+"/amend", form)
	if r.code != http.StatusBadRequest {
		t.Fatalf("refused amend: %d %s", r.code, r.body)
	}
	for _, want := range []string{
		"<details open", "Co-host five community meals", "Jo Patel, jo@levykitchen.org.uk, finance", `value="three thousand"`, `value="2,000"`,
		`value="31 Febtober 2027"`, `id="err-amount-1"`, `id="err-date-3"`, `id="err-reason"`, "Instalment 1&#39;s amount", "Instalment 3&#39;s due date",
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the refused amend form lacks %q", want)
		}
	}
	if after, _ := a.svc.Agreement(ctx, id); after.Version != before.Version || after.Terms[0] != before.Terms[0] {
		t.Errorf("a refused amendment changed the agreement: version %d, terms %q", after.Version, after.Terms)
	}
	// Readable, but the amounts no longer add up: told in money.
	form.Set("amount-1", "3,500")
	form.Set("date-3", dayValue(before.Instalments[2].DueDate))
	form.Set("reason", "Kitchen costs rose")
	r = a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/agreements/"+id+"/amend", form)
	if r.code != http.StatusBadRequest || !strings.Contains(r.body, "would add up to £10,000.00") && !strings.Contains(r.body, "£") || strings.Contains(r.body, "minor units") {
		t.Errorf("amounts that do not add up: %d %s", r.code, r.body)
	}
	if !strings.Contains(r.body, `value="3,500"`) || !strings.Contains(r.body, "Jo Patel") {
		t.Error("the second refusal lost the edits")
	}
}

// Issue 26, item 3: a held message is filed by the reference staff see;
// the page suggests the agreement whose contact writes from the sender's
// domain; a refusal keeps what was typed.
func TestHeldMessageFiledByReference(t *testing.T) {
	a := newApp(t)
	id := a.create("k")
	ctx := context.Background()
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/agreements/"+id+"/activate", url.Values{}); r.code != http.StatusSeeOther {
		t.Fatalf("activate: %d", r.code)
	}
	ag, _ := a.svc.Agreement(ctx, id)
	held := grants.Reply{MessageID: "ses-held-1", From: "volunteer@levykitchen.org.uk", Subject: "Our news", Text: "The volunteers loved it.", ReceivedAt: a.clock.Now()}
	if err := a.svc.Replies.HoldMessage(ctx, held, grants.Quarantined{Reason: grants.QuarantineNoToken, Programme: programme}, nil, grants.Effects{At: a.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	page := a.as("olu@funder.example", grants.RoleProgramme, "GET", "/app/quarantine", nil)
	if !strings.Contains(page.body, "It may be about:") || !strings.Contains(page.body, ag.Reference) || !strings.Contains(page.body, "writes from @levykitchen.org.uk") {
		t.Fatalf("no suggestion of %s on the held messages page:\n%s", ag.Reference, page.body)
	}
	// A wrong reference: refused by its field, what was typed kept.
	r := a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/quarantine/ses-held-1/accept",
		url.Values{"agreement": {"CP-2026-ZZZZZ"}, "checkIn": {"one"}, "note": {"A volunteer there"}})
	if r.code != http.StatusBadRequest {
		t.Fatalf("a wrong reference: %d %s", r.code, r.body)
	}
	for _, want := range []string{`value="CP-2026-ZZZZZ"`, `value="one"`, `value="A volunteer there"`, `id="err-checkIn"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the refused held form lacks %q", want)
		}
	}
	r = a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/quarantine/ses-held-1/accept",
		url.Values{"agreement": {"CP-2026-ZZZZZ"}, "checkIn": {"1"}, "note": {"A volunteer there"}})
	if r.code != http.StatusBadRequest || !strings.Contains(r.body, "is not the reference of any agreement") || !strings.Contains(r.body, `value="A volunteer there"`) {
		t.Fatalf("an unknown reference: %d %s", r.code, r.body)
	}
	// The reference as staff see it, in lower case: filed.
	r = a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/quarantine/ses-held-1/accept",
		url.Values{"agreement": {strings.ToLower(ag.Reference)}, "checkIn": {"1"}, "note": {"A volunteer there"}})
	if r.code != http.StatusSeeOther {
		t.Fatalf("filed by reference: %d %s", r.code, r.body)
	}
	replies, err := a.svc.Replies.Conversations(ctx, grants.Actor{Name: "olu", Groups: []grants.Role{grants.RoleProgramme}}, ag)
	if err != nil || len(replies) != 1 || replies[0].Text != "The volunteers loved it." {
		t.Errorf("the filed message on the agreement: %+v %v", replies, err)
	}
}

// Issue 26, item 4: dates are asked in one format. Every date a form asks
// for is an <input type="date"> holding YYYY-MM-DD (the browser shows it
// in its reader's way): the create form's start date, a conversation's
// date, the amend form's due dates, a payment's date, a note's date.
func TestEveryDateFieldIsADateInput(t *testing.T) {
	a := newApp(t)
	id := a.create("k")
	path := "/app/agreements/" + id
	if r := a.as("olu@funder.example", grants.RoleProgramme, "POST", path+"/activate", url.Values{}); r.code != http.StatusSeeOther {
		t.Fatalf("activate: %d %s", r.code, r.body)
	}
	// Instalment 1 due: finance is offered its payment, with its date.
	if err := a.svc.Automation.InstalmentDue(context.Background(), id, 1); err != nil {
		t.Fatal(err)
	}
	input := regexp.MustCompile(`<input\b[^>]*>`)
	attr := func(tag, name string) (string, bool) {
		m := regexp.MustCompile(`\s` + name + `="([^"]*)"`).FindStringSubmatch(tag)
		if m == nil {
			return "", false
		}
		return m[1], true
	}
	dateName := regexp.MustCompile(`^(startDate|happenedOn|paidOn|dueDate|on|(checkin-)?date-\d+)$`)
	isoDay := regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	seen := map[string]bool{}
	for _, page := range []struct {
		who  string
		role grants.Role
		path string
	}{
		{"olu@funder.example", grants.RoleProgramme, "/app/agreements/new"},
		{"olu@funder.example", grants.RoleProgramme, path},
		{"alice@funder.example", grants.RoleFinance, "/app/finance"},
	} {
		r := a.as(page.who, page.role, "GET", page.path, nil)
		if r.code != http.StatusOK {
			t.Fatalf("%s: %d", page.path, r.code)
		}
		for _, tag := range input.FindAllString(r.body, -1) {
			name, _ := attr(tag, "name")
			if !dateName.MatchString(name) {
				continue
			}
			seen[regexp.MustCompile(`\d+$`).ReplaceAllString(name, "N")] = true
			if typ, _ := attr(tag, "type"); typ != "date" {
				t.Errorf("%s: the date field %q is type=%q, want date: %s", page.path, name, typ, tag)
			}
			if v, _ := attr(tag, "value"); v != "" && !isoDay.MatchString(v) {
				t.Errorf("%s: the date field %q holds %q, not YYYY-MM-DD", page.path, name, v)
			}
		}
	}
	for _, name := range []string{"startDate", "happenedOn", "paidOn", "date-N", "checkin-date-N", "on"} {
		if !seen[name] {
			t.Errorf("no %q field was found to check", name)
		}
	}
}
