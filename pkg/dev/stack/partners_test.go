package stack

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dynamo"
	"github.com/partnership-grants/backend/pkg/export/threesixtytest"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

// Issue 23, items 7 and 8, on the local stack through the gateway's
// template routes (IAM enforced):
//   - every kind of partner: a group with no number and an individual are
//     funded; a charity without its number, a number in the wrong format
//     and a group with a number are refused by field; the programme's
//     360Giving file is valid for all of them;
//   - a partner across agreements: its record is listed and read with its
//     agreements, a renewal starts from it by partnerId, it is amended
//     under If-Match with its history kept, contacts by phone alone are
//     kept; an agreement stored before partner records reads, lists and
//     gets its record by the back-fill.
func TestPartnersOnTheStack(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	now := time.Now()
	tok, err := st.Auth.Issue("olu", "programme", now)
	if err != nil {
		t.Fatal(err)
	}
	officer := client{t, st.opts.APIAddr, tok}
	start := grants.Today(st.Clock.Now(), time.UTC).AddDays(7)
	const prog = "partners"
	body := func(partner string, n int) string {
		return fmt.Sprintf(`{"programme": %q, %s,
			"contacts": [{"name": "Kim Lee", "email": "kim-%d-%d@group.example", "role": "lead"}, {"name": "Sam", "phone": "0161 496 0000"}],
			"amount": 1000000, "startDate": %q, "terms": ["Four open days"]}`, prog, partner, now.UnixNano(), n, start)
	}

	// Bad input, by field.
	for _, c := range []struct{ partner, field, says string }{
		{`"partner": {"name": "Levy Kitchen", "type": "registered-charity", "address": "Manchester M19 3AB"}`, "partner.registrationNumber", "is required"},
		{`"partner": {"name": "Levy Kitchen", "type": "scottish-charity", "registrationNumber": "1180123", "address": "Glasgow G1 1AA"}`, "partner.registrationNumber", "OSCR"},
		{`"partner": {"name": "Friends", "type": "unincorporated", "registrationNumber": "1180123", "address": "Manchester"}`, "partner.registrationNumber", "must be left out"},
		{`"partner": {"name": "Friends", "type": "society", "address": "Manchester"}`, "partner.type", "must be one of"},
	} {
		status, b := officer.do("POST", "/agreements", body(c.partner, 0))
		if status != 422 || !strings.Contains(string(b), `"field":"`+c.field+`"`) || !strings.Contains(string(b), c.says) {
			t.Errorf("%s: %d %s", c.partner, status, b)
		}
	}

	// A group with no number and an individual, funded and published.
	var group, artist grants.Agreement
	officer.must(201, "POST", "/agreements", body(`"partner": {"name": "Friends of Platt Fields", "type": "unincorporated", "address": "Platt Fields Park, Manchester M14 6LA"}`, 1), &group)
	officer.must(201, "POST", "/agreements", body(`"partner": {"name": "Ada Lovelace", "type": "individual", "address": "2 Moss Lane, Manchester M15 5AA"}`, 2), &artist)
	if group.PartnerID == "" || group.Contacts[1].Email != "" || group.Contacts[1].Phone != "0161 496 0000" {
		t.Fatalf("the group's agreement: partner %q, contacts %+v", group.PartnerID, group.Contacts)
	}
	for _, id := range []string{group.ID, artist.ID} {
		officer.must(200, "POST", "/agreements/"+id+"/activate", "", nil)
	}
	status, file := officer.do("GET", "/programmes/"+prog+"/export/360giving.json", "", "Accept-Encoding", "identity")
	if status != 200 {
		t.Fatalf("360Giving: %d %s", status, file)
	}
	if err := threesixtytest.Validate(file); err != nil {
		t.Errorf("the 360Giving file is not valid: %v", err)
	}
	if s := string(file); !strings.Contains(s, "-partner-"+group.PartnerID) || !strings.Contains(s, `"recipientIndividual"`) || strings.Contains(s, "Ada Lovelace") || strings.Contains(s, "Moss Lane") {
		t.Errorf("the 360Giving file's partners: %s", s)
	}

	// The group's record across agreements: a renewal from it, its page.
	var renewal grants.Agreement
	officer.must(201, "POST", "/agreements", strings.Replace(body(`"partnerId": "`+group.PartnerID+`"`, 3), start.String(), start.AddMonths(12).String(), 1), &renewal)
	var page grants.PartnerView
	officer.must(200, "GET", "/partners/"+group.PartnerID, "", &page)
	if len(page.Agreements) != 2 || page.Agreements[0].ID != group.ID || page.Agreements[1].ID != renewal.ID || page.Agreements[0].Status != grants.AgreementActive {
		t.Errorf("the partner's agreements: %+v", page.Agreements)
	}
	var list struct{ Items []grants.PartnerRecord }
	officer.must(200, "GET", "/partners?q=friends%20of%20platt", "", &list)
	if len(list.Items) != 1 || list.Items[0].ID != group.PartnerID {
		t.Errorf("the partners named Friends of Platt…: %+v", list.Items)
	}
	officer.must(200, "PATCH", "/partners/"+group.PartnerID, `{"type": "cio", "registrationNumber": "1190001"}`, &page, "If-Match", `"1"`)
	if page.Type != grants.PartnerCIO || page.Version != 2 || len(page.History) != 2 || page.History[1].Action != "partner.amended" {
		t.Errorf("amended: %+v", page.PartnerRecord)
	}
	if status, _ := officer.do("PATCH", "/partners/"+group.PartnerID, `{"name": "x"}`, "If-Match", `"1"`); status != 412 {
		t.Errorf("PATCH at an old version: %d", status)
	}

	// An agreement stored before partner records: it reads and lists with
	// no partnerId; the back-fill makes its record and links it.
	ctx := context.Background()
	old, err := grants.NewAgreement(grants.NewAgreementInput{Programme: prog, Partner: grants.Partner{Name: "Levy Kitchen", RegistrationNumber: "1180123", Address: "Manchester M19 3AB"},
		Contacts: []grants.Contact{{Name: "Min", Email: fmt.Sprintf("min-%d@levy.example", now.UnixNano())}}, Amount: 500000, StartDate: start.String()}, st.Clock.Now(), "olu")
	if err != nil {
		t.Fatal(err)
	}
	old.ID = dynamo.NewID()
	if _, err := st.Deps.Store.CreateAgreement(ctx, old, grants.Effects{At: st.Clock.Now(), Audit: []grants.AuditEntry{{At: st.Clock.Now(), Actor: "olu", Action: "agreement.created"}}}, nil); err != nil {
		t.Fatal(err)
	}
	var got grants.Agreement
	officer.must(200, "GET", "/agreements/"+old.ID, "", &got)
	if got.PartnerID != "" || got.Partner.Type != grants.PartnerRegisteredCharity {
		t.Errorf("an old agreement reads as %q, %s", got.PartnerID, got.Partner.Type)
	}
	n, err := service.NewPartners(st.Deps.Store, st.Deps.Env()).LinkProgramme(ctx, "olu", prog)
	if err != nil || n != 1 {
		t.Fatalf("back-fill: %d, %v", n, err)
	}
	officer.must(200, "GET", "/agreements/"+old.ID, "", &got)
	var levy grants.PartnerView
	officer.must(200, "GET", "/partners/"+got.PartnerID, "", &levy)
	if got.PartnerID != grants.PartnerKeyID(got.Partner) || len(levy.Agreements) != 1 || levy.Agreements[0].ID != old.ID {
		t.Errorf("after the back-fill: %q, %+v", got.PartnerID, levy.Agreements)
	}
	b, _ := json.Marshal(levy)
	if !strings.Contains(string(b), `"type":"registered-charity"`) {
		t.Errorf("the old partner's record: %s", b)
	}
}
