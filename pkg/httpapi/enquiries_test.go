package httpapi

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/dev/testenv/replyworld"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/service"
)

// The enquiries' routes (issue 24, item 6), each answer checked against
// the OpenAPI document: an enquiry received by the real receiver is listed
// and read (its files linked), answered (an empty answer refused naming
// `text`), closed (an empty outcome refused naming `outcome`), and a draft
// agreement started from it (no award refused naming `amount`; a second
// start answers 200 with the first draft). Finance and viewers are refused.
func TestEnquiriesRoutes(t *testing.T) {
	w := replyworld.NewInMemory(t, tick())
	api := (&Enquiries{Enquiries: w.Enquiries, Links: w.Links}).Routes()
	envA := service.Env{Now: w.Now, NewID: memstore.NewID}
	drafts := service.NewEnquiryDrafts(w.Store, service.NewAgreements(w.Store.(*memstore.Store), service.LeaveQueued, service.NoSchedules, envA, service.AgreementOptions{}), envA)
	for k, r := range (&EnquiryDrafts{Drafts: drafts}).Routes() {
		api[k] = r
	}
	f := &fixture{api: api}
	raw := fmt.Appendf(nil, "From: Amina Patel <%s>\r\nTo: %s\r\nSubject: Could we work with you?\r\nMessage-ID: <route-enquiry@garden.example>\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/mixed; boundary=\"zz\"\r\n\r\n--zz\r\nContent-Type: text/plain\r\n\r\nHello, we run a lunch club.\r\n\r\nAmina Patel\r\nHulme Community Garden Trust\r\n"+
		"--zz\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"leaflet.pdf\"\r\n\r\n%%PDF-1.4\r\n--zz--\r\n", w.Stranger, replyworld.EnquiryAddress)
	w.Receive(t, raw, w.Stranger, replyworld.EnquiryAddress, replyworld.Pass)
	id := grants.EnquiryID("<route-enquiry@garden.example>")
	one := map[string]string{"id": id}

	list := event("GET", "/enquiries", nil, "", RoleProgramme)
	list.QueryStringParameters = map[string]string{"programme": "riverside"}
	var got struct{ Items []grants.Enquiry }
	decodeOK(t, f.do(t, list), &got)
	if len(got.Items) != 1 || got.Items[0].Email != w.Stranger {
		t.Fatalf("the list: %+v", got)
	}
	var e grants.Enquiry
	decodeOK(t, f.do(t, event("GET", "/enquiries/{id}", one, "", RoleProgramme)), &e)
	if len(e.Messages) != 1 || len(e.Messages[0].Attachments) != 1 || e.Messages[0].Attachments[0].URL == "" {
		t.Fatalf("the enquiry: %+v", e)
	}
	if r := f.do(t, event("GET", "/enquiries/{id}", map[string]string{"id": "nosuch"}, "", RoleProgramme)); r.StatusCode != 404 {
		t.Errorf("no such enquiry: %d", r.StatusCode)
	}
	bad := event("GET", "/enquiries", nil, "", RoleProgramme)
	bad.QueryStringParameters = map[string]string{"programme": "bad code!"}
	wantField(t, "a bad programme", f.do(t, bad), "programme")
	wantField(t, "an empty answer", f.do(t, event("POST", "/enquiries/{id}/reply", one, `{"text": " "}`, RoleProgramme)), "text")
	decodeOK(t, f.do(t, event("POST", "/enquiries/{id}/reply", one, `{"text": "Yes, do apply."}`, RoleProgramme)), &e)
	if len(e.Messages) != 2 || e.Status != grants.EnquiryAnswered {
		t.Errorf("answered: %+v", e)
	}
	wantField(t, "no outcome", f.do(t, event("POST", "/enquiries/{id}/close", one, `{"outcome": ""}`, RoleProgramme)), "outcome")
	decodeOK(t, f.do(t, event("POST", "/enquiries/{id}/close", one, `{"outcome": "Invited to apply"}`, RoleProgramme)), &e)
	if e.Status != grants.EnquiryClosed {
		t.Errorf("closed: %+v", e)
	}
	wantField(t, "no award", f.do(t, event("POST", "/enquiries/{id}/agreement", one, `{"startDate": "2026-06-01", "partner": {"type": "unincorporated", "address": "1 Hulme Walk"}}`, RoleProgramme)), "amount")
	body := `{"amount": 1000000, "startDate": "2026-06-01", "partner": {"type": "unincorporated", "address": "1 Hulme Walk"}}`
	r := f.do(t, event("POST", "/enquiries/{id}/agreement", one, body, RoleProgramme))
	var a grants.Agreement
	if err := json.Unmarshal([]byte(r.Body), &a); err != nil || r.StatusCode != 201 || a.Partner.Name != "Hulme Community Garden Trust" || a.Contacts[0].Email != w.Stranger {
		t.Fatalf("the draft: %d %s", r.StatusCode, r.Body)
	}
	if r := f.do(t, event("POST", "/enquiries/{id}/agreement", one, body, RoleProgramme)); r.StatusCode != 200 {
		t.Errorf("started again: %d", r.StatusCode)
	}
	for _, role := range []Role{RoleFinance, RoleViewer} {
		for _, ev := range []events.APIGatewayV2HTTPRequest{list, event("GET", "/enquiries/{id}", one, "", role), event("POST", "/enquiries/{id}/reply", one, `{"text": "x"}`, role)} {
			ev.RequestContext = event("GET", "/", nil, "", role).RequestContext
			if r := f.do(t, ev); r.StatusCode != 403 {
				t.Errorf("%s as %s: %d", ev.RouteKey, role, r.StatusCode)
			}
		}
	}
}

func decodeOK(t *testing.T, r events.APIGatewayV2HTTPResponse, into any) {
	t.Helper()
	if r.StatusCode != 200 {
		t.Fatalf("%d %s", r.StatusCode, r.Body)
	}
	if err := json.Unmarshal([]byte(r.Body), into); err != nil {
		t.Fatal(err)
	}
}
