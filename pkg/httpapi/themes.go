package httpapi

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

// Themes serves a programme's themes and actions (issue 24, item 3: "you
// said, we did"), for the programme role only, as the feedback they come
// from. The AgreementsFunction serves it with /agreements. Both writes are
// idempotent by what they say: a tag or an action sent twice is kept once.
type Themes struct {
	Themes *service.Themes
}

// Routes is the route table; the keys match template.yaml.
func (h *Themes) Routes() Router {
	programme := []Role{RoleProgramme}
	return Router{
		"GET /programmes/{programme}/themes":          {Roles: programme, Handler: h.list},
		"POST /programmes/{programme}/themes":         {Roles: programme, Handler: h.tag},
		"POST /programmes/{programme}/themes/actions": {Roles: programme, Handler: h.act},
	}
}

func themesProgramme(r *Request) (string, error) {
	p := r.Param("programme")
	if !grants.ValidProgramme(p) {
		return "", Invalid("programme", "must be a programme code: 1 to 64 letters, digits, '-' or '_'")
	}
	return p, nil
}

func (h *Themes) list(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	p, err := themesProgramme(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	l, err := h.Themes.List(ctx, p)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusOK, l)
}

func (h *Themes) tag(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	p, err := themesProgramme(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var in service.ThemeTagInput
	if err := decode(r, &in); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	t, err := h.Themes.Tag(ctx, r.Actor.Name, p, in)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusCreated, t)
}

func (h *Themes) act(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	p, err := themesProgramme(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var in service.ThemeActionInput
	if err := decode(r, &in); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	a, err := h.Themes.Act(ctx, r.Actor.Name, p, in)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusCreated, a)
}
