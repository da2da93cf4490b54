package httpapi

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

// Enquiries serves organisations' enquiries (issue 24, item 6) to the
// programme role only: an enquiry is a stranger's personal data (their
// name, address and words), which finance and viewers have no need of.
// The CheckInsFunction serves them, with the attachment links and the
// mail it sends; starting a draft agreement is EnquiryDrafts', the
// AgreementsFunction's, which creates agreements.
type Enquiries struct {
	Enquiries *service.Enquiries
	Links     Linker
}

// Routes is the route table; the keys match template.yaml.
func (h *Enquiries) Routes() Router {
	programme := []Role{RoleProgramme}
	return Router{
		"GET /enquiries":             {Roles: programme, Handler: h.list, InQuery: true},
		"GET /enquiries/{id}":        {Roles: programme, Handler: h.get},
		"POST /enquiries/{id}/reply": {Roles: programme, Handler: h.reply},
		"POST /enquiries/{id}/close": {Roles: programme, Handler: h.close},
		// A held message sent to the enquiry address, accepted as an enquiry.
		"POST /quarantine/{id}/enquiry": {Roles: programme, Handler: h.acceptHeld},
	}
}

type enquiryList struct {
	Programme string           `json:"programme"`
	Items     []grants.Enquiry `json:"items"`
}

func (h *Enquiries) list(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	p := r.Query("programme")
	if p == "" {
		p = h.Enquiries.Programme()
	}
	items, err := h.Enquiries.List(ctx, p)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusOK, enquiryList{Programme: p, Items: items})
}

func (h *Enquiries) get(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	e, err := h.Enquiries.Get(ctx, r.Param("id"))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return h.linked(ctx, http.StatusOK, e)
}

// linked answers with e, each attachment given a short-lived link.
func (h *Enquiries) linked(ctx context.Context, status int, e *grants.Enquiry) (events.APIGatewayV2HTTPResponse, error) {
	if err := LinkEnquiry(ctx, h.Links, e); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(status, e)
}

// LinkEnquiry gives each of an enquiry's attachments a short-lived link.
func LinkEnquiry(ctx context.Context, links Linker, e *grants.Enquiry) error {
	for i := range e.Messages {
		for j := range e.Messages[i].Attachments {
			att := &e.Messages[i].Attachments[j]
			url, err := links.DownloadLink(ctx, att.Key, att.Name, att.ContentType)
			if err != nil {
				return err
			}
			att.URL = url
		}
	}
	return nil
}

func (h *Enquiries) reply(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	var in struct {
		Text string `json:"text"`
	}
	if err := decode(r, &in); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	e, err := h.Enquiries.Reply(ctx, r.Actor.Name, r.Param("id"), in.Text)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return h.linked(ctx, http.StatusOK, e)
}

func (h *Enquiries) close(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	var in struct {
		Outcome string `json:"outcome"`
	}
	if err := decode(r, &in); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	e, err := h.Enquiries.Close(ctx, r.Actor.Name, r.Param("id"), in.Outcome)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return h.linked(ctx, http.StatusOK, e)
}

func (h *Enquiries) acceptHeld(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	var in struct {
		Note string `json:"note"`
	}
	if r.Body != "" {
		if err := decode(r, &in); err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
	}
	e, err := h.Enquiries.AcceptHeld(ctx, r.Actor.Name, r.Param("id"), in.Note)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return h.linked(ctx, http.StatusOK, e)
}

// EnquiryDrafts serves POST /enquiries/{id}/agreement: a draft agreement
// started from an enquiry, its partner and lead contact filled in from it
// (201, the agreement; 200 with the one it started before).
type EnquiryDrafts struct {
	Drafts *service.EnquiryDrafts
}

// Routes is the route table; the keys match template.yaml.
func (h *EnquiryDrafts) Routes() Router {
	return Router{"POST /enquiries/{id}/agreement": {Roles: []Role{RoleProgramme}, Handler: h.start}}
}

func (h *EnquiryDrafts) start(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	var in service.EnquiryAgreementInput
	if err := decode(r, &in); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	a, created, err := h.Drafts.Start(ctx, r.Actor.Name, r.Param("id"), in)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return JSONResponse(status, a)
}
