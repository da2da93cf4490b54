package stack

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
)

// DemoProgramme is the programme the local stack seeds: four fictional
// partnerships, shaped like the pilot in the seed documents.
const DemoProgramme = "community-partnerships-pilot"

type demoPartner struct {
	// id is the agreement's, fixed so that the sample events in events/
	// (sam local invoke -e …) name agreements make run has created.
	id                                    string
	name, number, address, contact, email string
	terms, support                        []string
}

var demoPartners = []demoPartner{
	{"demoancoatsyouth", "Ancoats Youth Kitchen", "1189001", "12 Radium Street, Manchester M4 6AD", "Priya Shah", "priya@ancoats-youth-kitchen.example",
		[]string{"Co-design two family cooking events with the venue's learning team", "Share what young people say about the venue's programme each quarter"},
		[]string{"Evaluation mentoring", "Free venue hire for two events"}},
	{"demomosssideelde", "Moss Side Elders Forum", "1170442", "4 Princess Road, Manchester M15 5AS", "Delroy Campbell", "delroy@mosssideelders.example",
		[]string{"Bring a group of elders to four performances and host a conversation after each", "Advise on access for older audiences"},
		[]string{"Transport costs for each visit", "Training in collecting audience stories"}},
	{"democheethamhill", "Cheetham Hill Refugee Welcome", "SC051234", "88 Cheetham Hill Road, Manchester M8 8PP", "Mariam Osei", "mariam@chrw.example",
		[]string{"Run a welcome tour of the venue each month for new arrivals", "Co-programme one event in the festival"},
		[]string{"Interpreting budget", "Governance support from the venue's trustees"}},
	{"demowythenshawes", "Wythenshawe Community Radio CIC", "09876543", "Civic Centre, Wythenshawe, Manchester M22 5RX", "Tom Bailey", "tom@wythenshawe-radio.example",
		[]string{"Produce a monthly radio show on the partnership", "Train two young presenters"},
		[]string{"Digital skills workshops", "Mentoring from the venue's communications team"}},
}

// Seed creates and activates the demo programme's agreements through the
// Agreements function, unless the programme already has agreements.
// creatingAs is that function's handler giving the agreement it creates
// the ID given, as the demo's IDs are fixed.
func Seed(ctx context.Context, agreements HTTPHandler, creatingAs func(id string) HTTPHandler, claims map[string]string, startDates []string) error {
	list := events.APIGatewayV2HTTPRequest{
		RouteKey:              "GET /agreements",
		QueryStringParameters: map[string]string{"programme": DemoProgramme, "limit": "1"},
		RequestContext:        requestContext(claims),
	}
	resp, err := agreements(ctx, list)
	if err != nil || resp.StatusCode != 200 {
		return fmt.Errorf("list demo agreements: %v %s", err, resp.Body)
	}
	var page struct{ Items []json.RawMessage }
	if err := json.Unmarshal([]byte(resp.Body), &page); err != nil {
		return err
	}
	if len(page.Items) > 0 {
		return nil
	}
	for i, p := range demoPartners {
		body, _ := json.Marshal(map[string]any{
			"programme": DemoProgramme,
			"partner":   map[string]string{"name": p.name, "registrationNumber": p.number, "address": p.address},
			"contacts":  []map[string]string{{"name": p.contact, "email": p.email, "role": "lead"}},
			"amount":    1000000,
			"currency":  "GBP",
			"startDate": startDates[i%len(startDates)],
			"terms":     p.terms,
			"support":   p.support,
		})
		create := events.APIGatewayV2HTTPRequest{
			RouteKey: "POST /agreements", Body: string(body), RequestContext: requestContext(claims),
			Headers: map[string]string{"content-type": "application/json", "idempotency-key": "seed-" + p.number},
		}
		resp, err := creatingAs(p.id)(ctx, create)
		if err != nil || resp.StatusCode != 201 {
			return fmt.Errorf("seed %s: %v %s", p.name, err, resp.Body)
		}
		var a struct{ ID string }
		if err := json.Unmarshal([]byte(resp.Body), &a); err != nil {
			return err
		}
		activate := events.APIGatewayV2HTTPRequest{
			RouteKey: "POST /agreements/{id}/activate", PathParameters: map[string]string{"id": a.ID}, RequestContext: requestContext(claims),
		}
		if resp, err := agreements(ctx, activate); err != nil || resp.StatusCode != 200 {
			return fmt.Errorf("activate %s: %v %s", p.name, err, resp.Body)
		}
	}
	return nil
}

func requestContext(claims map[string]string) events.APIGatewayV2HTTPRequestContext {
	return events.APIGatewayV2HTTPRequestContext{
		RequestID: "seed",
		Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims},
		},
	}
}
