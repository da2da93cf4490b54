package httpapi

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

// Programmes serves the programmes (issue 25, item 2): an administrator
// creates and archives them; each caller lists those they hold a role in.
// The AgreementsFunction serves it with the settings.
type Programmes struct {
	Programmes *service.Programmes
}

// ProgrammeList is the answer of GET /programmes.
type ProgrammeList struct {
	Programmes []grants.Programme `json:"programmes"`
}

// Routes is the route table; the keys match template.yaml.
func (h *Programmes) Routes() Router {
	return Router{
		"POST /programmes":                     {Roles: service.ProgrammeAdmins, Handler: h.create},
		"GET /programmes":                      {Roles: service.ProgrammeReaders, Handler: h.list, Filters: true}, // those the caller sees
		"GET /programmes/{programme}":          {Roles: service.ProgrammeReaders, Handler: h.get},
		"POST /programmes/{programme}/archive": {Roles: service.ProgrammeAdmins, Handler: h.archive},
	}
}

func (h *Programmes) create(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	var in grants.NewProgrammeInput
	if err := decode(r, &in); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	p, err := h.Programmes.Create(ctx, r.Actor, in)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	resp, err := JSONResponse(http.StatusCreated, p)
	if err == nil {
		resp.Headers["Location"] = r.Location("/programmes/" + p.Code)
	}
	return resp, err
}

func (h *Programmes) list(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	var archived bool
	switch r.Query("archived") {
	case "", "false":
	case "true":
		archived = true
	default:
		return events.APIGatewayV2HTTPResponse{}, Invalid("archived", "must be true or false")
	}
	ps, err := h.Programmes.List(ctx, r.Actor, archived)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusOK, ProgrammeList{Programmes: ps})
}

func (h *Programmes) archive(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	code, err := themesProgramme(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	p, err := h.Programmes.Archive(ctx, r.Actor, code)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusOK, p)
}

func (h *Programmes) get(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	code, err := themesProgramme(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	p, err := h.Programmes.Get(ctx, r.Actor, code)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusOK, p)
}
