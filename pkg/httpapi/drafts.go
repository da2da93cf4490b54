package httpapi

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
)

// deleteDraft deletes a draft created by mistake: 204, then 404 on a
// repeat (the agreement is gone); 409 not_a_draft for any other agreement.
// Its documents' files go with it, as from the web page (service.Drafts).
func (h *Agreements) deleteDraft(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	if err := h.Drafts.DeleteDraft(ctx, r.Actor, r.Param("id")); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusNoContent, Headers: map[string]string{}}, nil
}
