package httpapi

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
)

// feedbackMarkBody marks which part of a reply is its feedback for the
// programme team: passage is text of the reply, or "" when it holds none.
type feedbackMarkBody struct {
	MessageID string  `json:"messageId"`
	Passage   *string `json:"passage"`
}

// markFeedback records an officer's mark of a reply's feedback and answers
// with the reply as the programme role reads it (issue 24).
func (h *CheckIns) markFeedback(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	n, err := checkInNumber(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var body feedbackMarkBody
	if err := decode(r, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	reply, err := h.Replies.MarkFeedback(ctx, r.Actor, r.Param("id"), n, body.MessageID, body.Passage)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if err := h.link(ctx, &reply); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusOK, reply)
}
