package httpapi

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/service"
)

// newPartnerFixture serves the agreement and partner routes, as the
// AgreementsFunction does, on one in-memory store.
func newPartnerFixture(t *testing.T) *fixture {
	t.Helper()
	store := memstore.New()
	env := service.Env{Now: tick(), NewID: memstore.NewID}
	api := (&Agreements{Agreements: service.NewAgreements(store, service.LeaveQueued, service.NoSchedules, env, service.AgreementOptions{})}).Routes()
	for k, r := range (&Partners{Partners: service.NewPartners(store, env)}).Routes() {
		api[k] = r
	}
	return &fixture{api: api, store: store}
}

func agreementBody(partner string) string {
	return `{"programme": "community-2026", ` + partner + `,
	  "contacts": [{"name": "Amina Khan", "email": "amina@group.example", "role": "lead"}, {"name": "Joe", "phone": "0161 496 0000"}],
	  "amount": 1000000, "startDate": "2026-04-01"}`
}

// Every kind of partner (issue 23, item 7): a type with a number needs one
// in its register's format, a type without refuses one, and each error
// names its field.
func TestPartnerTypesOnCreate(t *testing.T) {
	f := newPartnerFixture(t)
	for _, tt := range []struct {
		name, partner string
		status        int
		field, reason string
	}{
		{"unincorporated group, no number", `"partner": {"name": "Friends of Platt Fields", "type": "unincorporated", "address": "Platt Fields Park, Manchester M14 6LA"}`, 201, "", ""},
		{"individual", `"partner": {"name": "Ada Lovelace", "type": "individual", "address": "2 Moss Lane, Manchester M15 5AA"}`, 201, "", ""},
		{"school by URN", `"partner": {"name": "Ducie Primary", "type": "statutory", "registrationNumber": "105432", "address": "Manchester M15 6AA"}`, 201, "", ""},
		{"council, no identifier", `"partner": {"name": "Manchester City Council", "type": "statutory", "address": "Town Hall, Manchester M60 2LA"}`, 201, "", ""},
		{"CIC, 7 digits padded", `"partner": {"name": "Levy CIC", "type": "cic", "registrationNumber": "9876543", "address": "Manchester M19 3AB"}`, 201, "", ""},
		{"community benefit society", `"partner": {"name": "Levy Co-op", "type": "community-benefit-society", "registrationNumber": "IP30376R", "address": "Manchester M19 3AB"}`, 201, "", ""},
		{"old client: number alone", `"partner": {"name": "Levy Kitchen", "registrationNumber": "1180123", "address": "Manchester M19 3AB"}`, 201, "", ""},
		{"charity without its number", `"partner": {"name": "Levy Kitchen", "type": "registered-charity", "address": "Manchester M19 3AB"}`, 422, "partner.registrationNumber", "is required"},
		{"Scottish charity number in the wrong format", `"partner": {"name": "Glasgow Group", "type": "scottish-charity", "registrationNumber": "1234567", "address": "Glasgow G1 1AA"}`, 422, "partner.registrationNumber", "OSCR"},
		{"company number in the wrong format", `"partner": {"name": "Levy Ltd", "type": "company", "registrationNumber": "ABC", "address": "Manchester"}`, 422, "partner.registrationNumber", "Companies House"},
		{"a group with a number", `"partner": {"name": "Friends", "type": "unincorporated", "registrationNumber": "1180123", "address": "Manchester"}`, 422, "partner.registrationNumber", "must be left out"},
		{"no type, no number", `"partner": {"name": "Friends", "address": "Manchester"}`, 422, "partner.type", "is required"},
		{"an unknown type", `"partner": {"name": "Friends", "type": "club", "address": "Manchester"}`, 422, "partner.type", "must be one of"},
		{"partner and partnerId", `"partner": {"name": "Friends", "type": "unincorporated", "address": "Manchester"}, "partnerId": "aaaaaaaaaaaaaaaa"`, 422, "partnerId", "not both"},
		{"partnerId of nobody", `"partnerId": "aaaaaaaaaaaaaaaa"`, 422, "partnerId", "is not a partner record"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := f.do(t, event("POST", "/agreements", nil, agreementBody(tt.partner), RoleProgramme))
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, resp.Body)
			}
			if tt.status == 201 {
				var a grants.Agreement
				json.Unmarshal([]byte(resp.Body), &a)
				if a.PartnerID == "" || !a.Partner.Type.Known() {
					t.Errorf("created without its partner record or type: %+v", a.Partner)
				}
				return
			}
			var p struct {
				Errors []grants.FieldError `json:"errors"`
			}
			json.Unmarshal([]byte(resp.Body), &p)
			found := false
			for _, e := range p.Errors {
				found = found || e.Field == tt.field && strings.Contains(e.Reason, tt.reason)
			}
			if !found {
				t.Errorf("no error on %s saying %q: %s", tt.field, tt.reason, resp.Body)
			}
		})
	}
}

// A partner across agreements (issue 23, item 8): the record made with the
// first agreement is listed and searched; a second agreement starts from
// it by partnerId; its page lists both; it is amended under If-Match with
// its history kept, and the agreements keep the partner they were made with.
func TestPartnerAcrossAgreements(t *testing.T) {
	f := newPartnerFixture(t)
	first := f.do(t, event("POST", "/agreements", nil, agreementBody(`"partner": {"name": "Friends of Platt Fields", "type": "unincorporated", "address": "Platt Fields Park, Manchester M14 6LA"}`), RoleProgramme))
	if first.StatusCode != 201 {
		t.Fatal(first.Body)
	}
	var a1 grants.Agreement
	json.Unmarshal([]byte(first.Body), &a1)
	if a1.Contacts[1].Email != "" || a1.Contacts[1].Phone != "0161 496 0000" {
		t.Errorf("contact by phone alone: %+v", a1.Contacts[1])
	}

	list := f.do(t, event("GET", "/partners", nil, "", RoleViewer, "x", "")) // no q
	var page struct{ Items []grants.PartnerRecord }
	json.Unmarshal([]byte(list.Body), &page)
	if list.StatusCode != 200 || len(page.Items) != 1 || page.Items[0].ID != a1.PartnerID {
		t.Fatalf("partners: %d %s", list.StatusCode, list.Body)
	}
	ev := event("GET", "/partners", nil, "", RoleViewer)
	ev.QueryStringParameters = map[string]string{"q": "friends of"}
	if r := f.do(t, ev); !strings.Contains(r.Body, a1.PartnerID) {
		t.Errorf("search by a name's start: %s", r.Body)
	}

	second := f.do(t, event("POST", "/agreements", nil, strings.Replace(agreementBody(`"partnerId": "`+a1.PartnerID+`"`), "2026-04-01", "2027-04-01", 1), RoleProgramme))
	var a2 grants.Agreement
	json.Unmarshal([]byte(second.Body), &a2)
	if second.StatusCode != 201 || a2.PartnerID != a1.PartnerID || a2.Partner != a1.Partner {
		t.Fatalf("renewal from the record: %d %s", second.StatusCode, second.Body)
	}

	params := map[string]string{"partnerId": a1.PartnerID}
	got := f.do(t, event("GET", "/partners/{partnerId}", params, "", RoleFinance))
	var v grants.PartnerView
	json.Unmarshal([]byte(got.Body), &v)
	if got.StatusCode != 200 || len(v.Agreements) != 2 || v.Agreements[0].ID != a1.ID || v.Agreements[1].ID != a2.ID || got.Headers["ETag"] != `"1"` {
		t.Fatalf("partner's page: %d %s", got.StatusCode, got.Body)
	}

	patch := `{"type": "cio", "registrationNumber": "1190001", "name": "Friends of Platt Fields CIO"}`
	if r := f.do(t, event("PATCH", "/partners/{partnerId}", params, patch, RoleProgramme)); r.StatusCode != 428 {
		t.Errorf("PATCH without If-Match: %d", r.StatusCode)
	}
	if r := f.do(t, event("PATCH", "/partners/{partnerId}", params, `{"registrationNumber": "12"}`, RoleProgramme, "If-Match", `"1"`)); r.StatusCode != 422 || !strings.Contains(r.Body, `"registrationNumber"`) {
		t.Errorf("a number for a group: %d %s", r.StatusCode, r.Body)
	}
	if r := f.do(t, event("PATCH", "/partners/{partnerId}", params, patch, RoleViewer, "If-Match", `"1"`)); r.StatusCode != 403 {
		t.Errorf("a viewer amends: %d", r.StatusCode)
	}
	r := f.do(t, event("PATCH", "/partners/{partnerId}", params, patch, RoleProgramme, "If-Match", `"1"`))
	json.Unmarshal([]byte(r.Body), &v)
	if r.StatusCode != 200 || v.Type != grants.PartnerCIO || v.Version != 2 || len(v.History) != 2 || v.Agreements[0].Partner.Name != "Friends of Platt Fields" {
		t.Fatalf("amend: %d %s", r.StatusCode, r.Body)
	}
	if r := f.do(t, event("PATCH", "/partners/{partnerId}", params, patch, RoleProgramme, "If-Match", `"1"`)); r.StatusCode != 412 {
		t.Errorf("PATCH at an old version: %d", r.StatusCode)
	}
	if r := f.do(t, event("GET", "/partners/{partnerId}", map[string]string{"partnerId": "aaaaaaaaaaaaaaaa"}, "", RoleViewer)); r.StatusCode != 404 {
		t.Errorf("a missing partner: %d", r.StatusCode)
	}

	// A registered partner has one record: a new agreement naming its
	// number joins it, and adding it again is a Conflict.
	reg := `"partner": {"name": "Levy Kitchen", "type": "registered-charity", "registrationNumber": "1180123", "address": "Manchester M19 3AB"}`
	var b1, b2 grants.Agreement
	json.Unmarshal([]byte(f.do(t, event("POST", "/agreements", nil, agreementBody(reg), RoleProgramme)).Body), &b1)
	json.Unmarshal([]byte(f.do(t, event("POST", "/agreements", nil, agreementBody(reg), RoleProgramme)).Body), &b2)
	if b1.PartnerID == "" || b1.PartnerID != b2.PartnerID {
		t.Errorf("one charity, two records: %q %q", b1.PartnerID, b2.PartnerID)
	}
	if r := f.do(t, event("POST", "/partners", nil, `{"name": "Levy Kitchen", "type": "registered-charity", "registrationNumber": "1180123", "address": "Manchester"}`, RoleProgramme)); r.StatusCode != 409 {
		t.Errorf("adding a registered partner twice: %d %s", r.StatusCode, r.Body)
	}
	if r := f.do(t, event("POST", "/partners", nil, `{"name": "Ada", "type": "individual", "address": "Manchester"}`, RoleProgramme)); r.StatusCode != 201 || r.Headers["Location"] == "" {
		t.Errorf("adding a partner: %d %s", r.StatusCode, r.Body)
	}
}
