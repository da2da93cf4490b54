package httpapi

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

// Partners serves the /partners route family (issue 23: a partner known
// across its agreements). The AgreementsFunction serves it with /agreements.
type Partners struct {
	Partners *service.Partners
}

// Routes is the route table; the keys match template.yaml.
func (h *Partners) Routes() Router {
	return Router{
		"GET /partners":               {Roles: Readers, Handler: h.list},
		"POST /partners":              {Roles: []Role{RoleProgramme}, Handler: h.create},
		"GET /partners/{partnerId}":   {Roles: Readers, Handler: h.get},
		"PATCH /partners/{partnerId}": {Roles: []Role{RoleProgramme}, Handler: h.amend},
	}
}

// partnerAmendBody: each field given is changed; left out, kept.
type partnerAmendBody struct {
	Name               *string             `json:"name"`
	Type               *grants.PartnerType `json:"type"`
	RegistrationNumber *string             `json:"registrationNumber"`
	Address            *string             `json:"address"`
}

func (h *Partners) list(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	limit, err := pageLimit(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	page, err := h.Partners.List(ctx, r.Query("q"), r.Query("cursor"), limit)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusOK, listResponse[grants.PartnerRecord]{Items: page.Items, NextCursor: page.NextCursor})
}

func (h *Partners) create(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	var body partnerBody
	if err := decode(r, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	rec, err := h.Partners.Create(ctx, r.Actor.Name, grants.Partner(body))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	resp, err := JSONResponse(http.StatusCreated, grants.PartnerView{PartnerRecord: *rec, Agreements: []grants.PartnerAgreement{}, History: []grants.AuditEntry{}})
	if err == nil {
		resp.Headers["Location"] = r.Location("/partners/" + rec.ID)
		resp.Headers["ETag"] = etag(rec.Version)
	}
	return resp, err
}

func (h *Partners) get(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	v, err := h.Partners.Partner(ctx, r.Param("partnerId"))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	resp, err := JSONResponse(http.StatusOK, v)
	if err == nil {
		resp.Headers["ETag"] = etag(v.Version)
	}
	return resp, err
}

func (h *Partners) amend(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	version, err := ifMatch(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var body partnerAmendBody
	if err := decode(r, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if _, err := h.Partners.Amend(ctx, r.Actor.Name, r.Param("partnerId"), version, grants.PartnerAmendment(body)); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return h.get(ctx, r)
}
