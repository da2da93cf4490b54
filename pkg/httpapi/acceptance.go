package httpapi

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
)

// acceptanceBody records the partner's acceptance given another way than
// by replying: channel is paper, meeting, call or other; note says how.
type acceptanceBody struct {
	Channel string `json:"channel"`
	Note    string `json:"note"`
}

// recordAcceptance is POST /agreements/{id}/acceptance (issue 23, item 4):
// the agreement, with its partnerAcceptance accepted, is the answer.
func (h *Agreements) recordAcceptance(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	var body acceptanceBody
	if err := decode(r, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	a, err := h.Agreements.RecordAcceptance(ctx, r.Actor.Name, r.Param("id"), body.Channel, body.Note)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return withETag(h.Agreements.Measured(a))
}
