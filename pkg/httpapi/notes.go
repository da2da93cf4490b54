package httpapi

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

// Notes serves an agreement's notes and documents (issue 26, item 16):
// the programme role adds them, every reader reads them. The
// CheckInsFunction serves them, as it links replies' attachments. A
// document is uploaded in three steps: the note announces it (title and
// type) and its answer carries the upload's form (S3's presigned POST: a
// URL and fields, the file posted last as "file"); the client posts the
// file there; then it says so (…/uploaded), and the upload is checked.
type Notes struct {
	Record *service.Record
}

// Routes is the route table; the keys match template.yaml.
func (h *Notes) Routes() Router {
	return Router{
		"GET /agreements/{id}/notes":                            {Roles: Readers, Handler: h.list},
		"POST /agreements/{id}/notes":                           {Roles: service.NoteWriters, Handler: h.add},
		"POST /agreements/{id}/documents/{documentId}/uploaded": {Roles: service.NoteWriters, Handler: h.uploaded},
		"GET /agreements/{id}/documents/{documentId}":           {Roles: Readers, Handler: h.download},
	}
}

type notesResponse struct {
	AgreementID string        `json:"agreementId"`
	Notes       []grants.Note `json:"notes"`
}

func (h *Notes) list(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	notes, err := h.Record.Notes(ctx, r.Actor, r.Param("id"))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusOK, notesResponse{AgreementID: r.Param("id"), Notes: notes})
}

func (h *Notes) add(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	var in grants.NoteInput
	if err := decode(r, &in); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	// An API client reads S3's own answer: no redirect.
	added, err := h.Record.AddNote(ctx, r.Actor, r.Param("id"), in, func(string) string { return "" })
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusCreated, added)
}

func (h *Notes) uploaded(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	d, err := h.Record.Uploaded(ctx, r.Actor, r.Param("id"), r.Param("documentId"))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusOK, d)
}

type downloadResponse struct {
	URL string `json:"url"`
}

// download answers 303 to a short-lived link made now, which saves the
// file (Content-Disposition: attachment), with the link in the body too.
func (h *Notes) download(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	link, err := h.Record.Download(ctx, r.Actor, r.Param("id"), r.Param("documentId"))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	resp, err := JSONResponse(http.StatusSeeOther, downloadResponse{URL: link})
	if resp.Headers == nil {
		resp.Headers = map[string]string{}
	}
	resp.Headers["Location"] = link
	return resp, err
}
