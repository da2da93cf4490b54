package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/service"
)

// Stories serves stories shared with consent (issue 24, item 5). The
// AgreementsFunction serves it with /agreements. An agreement's stories,
// marked and asked or not, are the programme role's: a passage not yet
// consented is part of a reply. The consented stories of a programme are
// meant to be shared: every reader may list them.
type Stories struct {
	Stories *service.Stories
}

// Routes is the route table; the keys match template.yaml.
func (h *Stories) Routes() Router {
	programme := []Role{RoleProgramme}
	return Router{
		"GET /agreements/{id}/stories":              {Roles: programme, Handler: h.list},
		"POST /agreements/{id}/stories":             {Roles: programme, Handler: h.mark},
		"POST /agreements/{id}/stories/{n}/consent": {Roles: programme, Handler: h.consent},
		"GET /programmes/{programme}/stories":       {Roles: Readers, Handler: h.shared},
	}
}

func (h *Stories) list(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	l, err := h.Stories.List(ctx, r.Param("id"))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusOK, l)
}

// mark is POST /agreements/{id}/stories: 201 with the story, whose consent
// is asked by email at the send time. With an Idempotency-Key a retry gets
// the first answer; without one, the same passage marked again is the
// story marked before.
func (h *Stories) mark(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	var in service.StoryInput
	if err := decode(r, &in); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	id := r.Param("id")
	respond := func(s grants.Story) (events.APIGatewayV2HTTPResponse, error) {
		resp, err := JSONResponse(http.StatusCreated, s)
		if err == nil {
			resp.Headers["Location"] = r.Location("/agreements/" + id + "/stories")
		}
		return resp, err
	}
	if r.Header("Idempotency-Key") == "" {
		s, _, err := h.Stories.Mark(ctx, r.Actor.Name, id, in, nil)
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		return respond(s)
	}
	canonical, _ := json.Marshal(struct {
		Agreement string
		Body      service.StoryInput
	}{id, in})
	return withIdempotency(r, "stories.mark", canonical, respond,
		func(once *idempotency.Once[grants.Story]) (grants.Story, *idempotency.Response, error) {
			return h.Stories.Mark(ctx, r.Actor.Name, id, in, once)
		})
}

// consent is POST /agreements/{id}/stories/{n}/consent: a consent the
// partner gave another way, recorded with the officer's note.
func (h *Stories) consent(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	n, err := strconv.Atoi(r.Param("n"))
	if err != nil || n < 1 || n > grants.MaxStories {
		return events.APIGatewayV2HTTPResponse{}, Invalid("n", "must be the story's number, 1 to 99")
	}
	var in service.StoryConsentInput
	if err := decode(r, &in); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	s, err := h.Stories.RecordConsent(ctx, r.Actor.Name, r.Param("id"), n, in)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusOK, s)
}

func (h *Stories) shared(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	p, err := themesProgramme(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	s, err := h.Stories.Shared(ctx, p)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusOK, s)
}
