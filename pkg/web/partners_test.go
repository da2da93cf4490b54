package web

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
)

var partnerPath = regexp.MustCompile(`^/app/partners/([a-z2-7]{16})\?done=`)

// Issue 23 in the pages: a group with no number is created by its kind;
// a type that needs a number says so by its field; a contact by phone
// alone is shown as getting no emails; the partner's page lists its
// agreements, a renewal picked from the form joins them, and an amendment
// is kept in its history.
func TestPartnerPages(t *testing.T) {
	a := newApp(t)
	const officer = "olu@funder.example"
	form := filledForm("p1")
	form.Set("partner", "Friends of Platt Fields")
	form.Set("partnerType", "registered-charity")
	form.Set("registration", "")
	form.Set("contact1Name", "Joe")
	form.Set("contact1Phone", "0161 496 0000")
	r := a.as(officer, grants.RoleProgramme, "POST", "/app/agreements", form)
	if r.code != http.StatusBadRequest || !strings.Contains(r.body, `id="err-partner.registrationNumber"`) || !strings.Contains(r.body, "is required for registered charity") {
		t.Fatalf("a charity without its number: %d", r.code)
	}
	form.Set("partnerType", "unincorporated")
	r = a.as(officer, grants.RoleProgramme, "POST", "/app/agreements", form)
	m := agreementPath.FindStringSubmatch(r.location)
	if r.code != http.StatusSeeOther || m == nil {
		t.Fatalf("a group: %d %s", r.code, r.body)
	}
	first := m[1]
	page := a.as(officer, grants.RoleProgramme, "GET", "/app/agreements/"+first, nil)
	for _, want := range []string{"Unincorporated community group", "phone 0161 496 0000", "No email address: gets no emails", "partner’s page"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("agreement page lacks %q", want)
		}
	}
	ag, _ := a.svc.Agreements.Agreement(context.Background(), first)
	if got := contactLines(ag.Contacts); !strings.Contains(got, "Joe, , primary, phone: 0161 496 0000") {
		t.Errorf("the amend form's contacts: %q", got)
	}
	if back, err := parseContacts(contactLines(ag.Contacts)); err != nil || len(back) != 2 || back[1].Phone != "0161 496 0000" || back[1].Email != "" || back[1].Role != "primary" {
		t.Errorf("contacts read back from the amend form: %+v %v", back, err)
	}

	// The new-agreement form offers the partner; a renewal starts from it.
	newForm := a.as(officer, grants.RoleProgramme, "GET", "/app/agreements/new?partnerId="+ag.PartnerID, nil)
	if !strings.Contains(newForm.body, `<option value="`+ag.PartnerID+`" selected>Friends of Platt Fields (Unincorporated community group)</option>`) {
		t.Errorf("the form does not offer the partner: %s", newForm.body)
	}
	renewal := filledForm("p2")
	renewal.Set("partnerId", ag.PartnerID)
	renewal.Set("startDate", "2028-01-04")
	for _, k := range []string{"partner", "registration", "address"} {
		renewal.Del(k)
	}
	r = a.as(officer, grants.RoleProgramme, "POST", "/app/agreements", renewal)
	if r.code != http.StatusSeeOther {
		t.Fatalf("a renewal from the partner: %d %s", r.code, r.body)
	}

	p := a.as("viewer@funder.example", grants.RoleViewer, "GET", "/app/partners/"+ag.PartnerID, nil)
	if p.code != 200 || strings.Count(p.body, `href="/app/agreements/`) != 2 || strings.Contains(p.body, "Amend the partner") {
		t.Errorf("partner page for a viewer: %d %s", p.code, p.body)
	}
	// Each agreement's award as money (issue 26, item 9), not "10000.00 GBP".
	if strings.Count(p.body, "<td>£10,000.00</td>") != 2 || strings.Contains(p.body, "GBP") {
		t.Errorf("the partner's agreements do not show their awards as money: %s", p.body)
	}
	list := a.as("viewer@funder.example", grants.RoleViewer, "GET", "/app/partners?q=friends", nil)
	if !strings.Contains(list.body, "Friends of Platt Fields") {
		t.Errorf("partners list: %s", list.body)
	}

	// Amended: a wrong number by its field, then a CIO with its number.
	amend := map[string][]string{"name": {"Friends of Platt Fields CIO"}, "type": {"cio"}, "registration": {"12"}, "address": {ag.Partner.Address}, "version": {"1"}}
	r = a.as(officer, grants.RoleProgramme, "POST", "/app/partners/"+ag.PartnerID, amend)
	if r.code != http.StatusUnprocessableEntity && r.code != http.StatusBadRequest || !strings.Contains(r.body, `id="err-registrationNumber"`) || !strings.Contains(r.body, `value="12"`) {
		t.Errorf("a wrong number: %d", r.code)
	}
	amend["registration"] = []string{"1190001"}
	r = a.as(officer, grants.RoleProgramme, "POST", "/app/partners/"+ag.PartnerID, amend)
	if r.code != http.StatusSeeOther || !partnerPath.MatchString(r.location) {
		t.Fatalf("amend: %d %s", r.code, r.body)
	}
	p = a.as(officer, grants.RoleProgramme, "GET", r.location, nil)
	for _, want := range []string{"Friends of Platt Fields CIO", "Charitable incorporated organisation", `name &#34;Friends of Platt Fields&#34; → &#34;Friends of Platt Fields CIO&#34;`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("amended partner page lacks %q", want)
		}
	}
}
