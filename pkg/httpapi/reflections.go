package httpapi

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/service"
)

// Reflections serves a programme's "you said, we did" (issue 24, item 4),
// for the programme role: the AgreementsFunction serves it with the themes
// it is written from. A reflection is sent once a round: the
// Idempotency-Key is required, a retry under it gets the first answer,
// and another request for the round is refused.
type Reflections struct {
	Reflections *service.Reflections
}

// Routes is the route table; the keys match template.yaml.
func (h *Reflections) Routes() Router {
	programme := []Role{RoleProgramme}
	return Router{
		"GET /programmes/{programme}/reflections":  {Roles: programme, Handler: h.list},
		"POST /programmes/{programme}/reflections": {Roles: programme, Handler: h.reflect},
	}
}

type reflectionList struct {
	Programme   string              `json:"programme"`
	Reflections []grants.Reflection `json:"reflections"`
}

func (h *Reflections) list(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	p, err := themesProgramme(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	l, err := h.Reflections.List(ctx, p)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusOK, reflectionList{Programme: p, Reflections: l})
}

func (h *Reflections) reflect(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	p, err := themesProgramme(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if r.Header("Idempotency-Key") == "" {
		return events.APIGatewayV2HTTPResponse{}, &grants.Error{Code: grants.Invalid, Message: "Send an Idempotency-Key header (a new random value per message, reused on retries).",
			Fields: []grants.FieldError{{Field: "Idempotency-Key", Reason: "is required"}}, Reason: "idempotency_key_required"}
	}
	var in service.ReflectionInput
	if err := decode(r, &in); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	canonical, _ := json.Marshal(in)
	return withIdempotency(r, "reflections.create "+p, canonical, func(x *grants.Reflection) (events.APIGatewayV2HTTPResponse, error) {
		resp, err := JSONResponse(http.StatusCreated, x)
		if err == nil {
			resp.Headers["Location"] = r.Location("/programmes/" + p + "/reflections")
		}
		return resp, err
	}, func(once *idempotency.Once[*grants.Reflection]) (*grants.Reflection, *idempotency.Response, error) {
		return h.Reflections.Reflect(ctx, r.Actor.Name, p, in, once)
	})
}

// Messages serves the partner's messages on an agreement (answers to the
// programme's messages, not to check-ins), with the check-ins' routes (the
// CheckInsFunction). Every role reads that they came; their words, which
// answer feedback reflected back, are the programme role's only.
type Messages struct {
	Replies *service.Replies
	Links   Linker
}

// Routes is the route table; the keys match template.yaml.
func (h *Messages) Routes() Router {
	return Router{"GET /agreements/{id}/messages": {Roles: Readers, Handler: h.list}}
}

type messageList struct {
	AgreementID string         `json:"agreementId"`
	Messages    []grants.Reply `json:"messages"`
}

func (h *Messages) list(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	id := r.Param("id")
	msgs, err := h.Replies.Messages(ctx, r.Actor, id)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	links := &CheckIns{Replies: h.Replies, Links: h.Links}
	for i := range msgs {
		if err := links.link(ctx, &msgs[i]); err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
	}
	return JSONResponse(http.StatusOK, messageList{AgreementID: id, Messages: msgs})
}
