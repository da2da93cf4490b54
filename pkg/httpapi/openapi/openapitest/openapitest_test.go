package openapitest

import (
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/dev/testenv/apigw"
)

const agreementJSON = `{"id":"a1","reference":"CP-2026-K7Q2M","programme":"community-2026",
 "partner":{"name":"Levenshulme Community Kitchen","registrationNumber":"1180123","address":"1 Stockport Road"},
 "contacts":[{"name":"Amina Khan","email":"amina@levykitchen.org.uk","role":"lead"}],
 "amount":1000000,"currency":"GBP","startDate":"2026-01-31","endDate":"2027-01-30","durationMonths":12,"instalmentCount":4,
 "cadence":"quarterly","timeZone":"Europe/London","checkInLeadDays":14,"finalReportDays":30,"terms":[],"support":[],"supportFollowUp":[],
 "readyToComplete":false,"status":"draft","stats":{"paid":0,"outstanding":1000000,"instalmentsDue":0,"instalmentsHeld":0,"instalmentsPaid":0,"checkInsReceived":0},
 "version":1,"createdAt":"2026-01-10T09:30:00Z","createdBy":"programme@funder.example","updatedAt":"2026-01-10T09:30:00Z","updatedBy":"programme@funder.example"}`

const createBody = `{"programme":"community-2026","partner":{"name":"Levenshulme Community Kitchen"},"amount":1000000,"startDate":"2026-01-31"}`

func created(headers map[string]string, body string) events.APIGatewayV2HTTPResponse {
	h := map[string]string{"Content-Type": "application/json"}
	for k, v := range headers {
		h[k] = v
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: 201, Headers: h, Body: body}
}

// The check passes an exchange that keeps the document, and names what is
// wrong with each that does not: a body of another shape, a value not in
// its format, a header missing, a status the operation does not list, a
// request the document refuses.
func TestCheckFindsWhatBreaksTheDocument(t *testing.T) {
	req := apigw.Request("POST", "/agreements", nil, createBody, "programme")
	good := created(map[string]string{"Location": "/agreements/a1", "ETag": `"1"`}, agreementJSON)
	if p := Problems(req, good); len(p) > 0 {
		t.Fatalf("a good exchange: %v", p)
	}
	for name, c := range map[string]struct {
		req  events.APIGatewayV2HTTPRequest
		resp events.APIGatewayV2HTTPResponse
		want string
	}{
		"amount as text": {req, created(map[string]string{"Location": "/agreements/a1", "ETag": `"1"`},
			strings.Replace(agreementJSON, `"amount":1000000`, `"amount":"1000000"`, 1)), "amount"},
		"a date not in the date format": {req, created(map[string]string{"Location": "/agreements/a1", "ETag": `"1"`},
			strings.Replace(agreementJSON, `"startDate":"2026-01-31"`, `"startDate":"31/01/2026"`, 1)), "startDate"},
		"no Location":         {req, created(map[string]string{"ETag": `"1"`}, agreementJSON), "Location"},
		"undocumented status": {req, events.APIGatewayV2HTTPResponse{StatusCode: 418, Headers: map[string]string{"Content-Type": "application/problem+json"}, Body: `{"type":"x","title":"t","status":418}`}, "418"},
		"problem without its status": {req, events.APIGatewayV2HTTPResponse{StatusCode: 422, Headers: map[string]string{"Content-Type": "application/problem+json"},
			Body: `{"type":"https://partnership-grants.github.io/problems/validation","title":"Unprocessable Entity"}`}, "status"},
		"accepted request with an unknown field": {apigw.Request("POST", "/agreements", nil, strings.Replace(createBody, `"amount"`, `"colour":"red","amount"`, 1), "programme"),
			created(map[string]string{"Location": "/agreements/a1", "ETag": `"1"`}, agreementJSON), "colour"},
	} {
		p := Problems(c.req, c.resp)
		if len(p) == 0 {
			t.Errorf("%s: passed", name)
			continue
		}
		if all := strings.Join(p, "\n"); !strings.Contains(all, c.want) {
			t.Errorf("%s: the problems do not mention %q:\n%s", name, c.want, all)
		}
	}
}
