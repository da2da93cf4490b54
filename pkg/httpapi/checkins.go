package httpapi

import (
	"context"
	"net/http"
	"strconv"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

// Linker makes short-lived links that download stored attachments (never
// open them in the browser) under their names.
type Linker interface {
	DownloadLink(ctx context.Context, key, name, contentType string) (string, error)
}

// CheckIns serves the staff routes for check-ins, replies and quarantine.
type CheckIns struct {
	Replies *service.Replies
	Links   Linker
}

// Routes is the function's route table; the keys match template.yaml.
func (h *CheckIns) Routes() Router {
	return Router{
		"GET /agreements/{id}/check-ins/{n}":            {Roles: Readers, Handler: h.get},
		"POST /agreements/{id}/check-ins/{n}/waive":     {Roles: []Role{RoleProgramme}, Handler: h.waive},
		"POST /agreements/{id}/check-ins/{n}/responses": {Roles: []Role{RoleProgramme}, Handler: h.respond},
		// A reply that asked for help, followed up: {"note": "..."}, optional.
		"POST /agreements/{id}/replies/{messageId}/followed-up": {Roles: []Role{RoleProgramme}, Handler: h.followUp},
		"GET /quarantine":              {Roles: []Role{RoleProgramme}, Handler: h.listQuarantine},
		"POST /quarantine/{id}/accept": {Roles: []Role{RoleProgramme}, Handler: h.accept},
		"POST /quarantine/{id}/reject": {Roles: []Role{RoleProgramme}, Handler: h.reject},
		// Which part of a reply is feedback (issue 24): feedbackmark.go.
		"POST /agreements/{id}/check-ins/{n}/feedback": {Roles: []Role{RoleProgramme}, Handler: h.markFeedback},
	}
}

func checkInNumber(r *Request) (int, error) {
	n, err := strconv.Atoi(r.Param("n"))
	if err != nil || n < 1 || n > 60 {
		return 0, &grants.Error{Code: grants.NotFound, Message: "There is no check-in " + r.Param("n") + ".", Reason: "check_in_not_found"}
	}
	return n, nil
}

type checkInResponse struct {
	AgreementID string         `json:"agreementId"`
	Reference   string         `json:"reference"`
	CheckIn     grants.CheckIn `json:"checkIn"`
	Replies     []grants.Reply `json:"replies"`
}

func (h *CheckIns) get(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	n, err := checkInNumber(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	a, replies, err := h.Replies.CheckIn(ctx, r.Actor, r.Param("id"), n)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	for i := range replies {
		if err := h.link(ctx, &replies[i]); err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
	}
	return JSONResponse(http.StatusOK, checkInResponse{AgreementID: a.ID, Reference: a.Reference, CheckIn: *a.CheckIn(n), Replies: replies})
}

func (h *CheckIns) link(ctx context.Context, r *grants.Reply) error {
	for j := range r.Attachments {
		att := &r.Attachments[j]
		url, err := h.Links.DownloadLink(ctx, att.Key, att.Name, att.ContentType)
		if err != nil {
			return err
		}
		att.URL = url
	}
	if r.TextKey != "" {
		url, err := h.Links.DownloadLink(ctx, r.TextKey, "reply-"+r.MessageID+".txt", "text/plain; charset=utf-8")
		if err != nil {
			return err
		}
		r.TextURL = url
	}
	return nil
}

func (h *CheckIns) waive(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	n, err := checkInNumber(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var body toldBody
	if err := decode(r, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	a, err := h.Replies.Waive(ctx, r.Actor.Name, r.Param("id"), n, body.Reason, body.PartnerMessage)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusOK, a.CheckIn(n))
}

type responseBody struct {
	Channel      string   `json:"channel"`
	HappenedOn   string   `json:"happenedOn"`
	Participants []string `json:"participants"`
	Summary      string   `json:"summary"`
	PartnerWords string   `json:"partnerWords"`
}

type responseResponse struct {
	CheckIn grants.CheckIn `json:"checkIn"`
	Reply   grants.Reply   `json:"reply"`
}

// respond records a check-in answered in a conversation (a call, meeting,
// visit): it counts as received, as an emailed reply does.
func (h *CheckIns) respond(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	n, err := checkInNumber(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var body responseBody
	if err := decode(r, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	a, reply, err := h.Replies.RecordConversation(ctx, r.Actor.Name, r.Param("id"), n, grants.ConversationInput(body))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusCreated, responseResponse{CheckIn: *a.CheckIn(n), Reply: reply})
}

func (h *CheckIns) listQuarantine(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	list, err := h.Replies.Quarantine(ctx, r.Query("status"))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	for i := range list {
		if err := h.link(ctx, &list[i].Reply); err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
	}
	return JSONResponse(http.StatusOK, listResponse[grants.Quarantined]{Items: list})
}

type acceptBody struct {
	// AgreementID and CheckIn say where the message belongs when the token
	// did not (a forged or missing token).
	AgreementID string `json:"agreementId"`
	CheckIn     int    `json:"checkIn"`
	Note        string `json:"note"`
}

// accept attaches a quarantined message to its check-in as a reply, as if
// it had passed the checks, recording who vouched for it.
func (h *CheckIns) accept(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	var body acceptBody
	if r.Body != "" {
		if err := decode(r, &body); err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
	}
	q, err := h.Replies.AcceptHeld(ctx, r.Actor.Name, r.Param("id"), service.Destination{AgreementID: body.AgreementID, CheckIn: body.CheckIn}, body.Note)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusOK, q)
}

func (h *CheckIns) reject(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	var body reasonBody
	if err := decode(r, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	q, err := h.Replies.RejectHeld(ctx, r.Actor.Name, r.Param("id"), body.Reason)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusOK, q)
}

type followUpBody struct {
	Note string `json:"note"`
}

func (h *CheckIns) followUp(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	var body followUpBody
	if err := decode(r, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	a, err := h.Replies.FollowUpHelp(ctx, r.Actor.Name, r.Param("id"), r.Param("messageId"), body.Note)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return withETag(h.Replies.Measured(a))
}
