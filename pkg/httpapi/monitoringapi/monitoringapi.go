// Package monitoringapi serves the MonitoringFunction's routes: the
// programme summary, an agreement's timeline, "What partners told us", and
// the CSV and 360Giving exports. It is apart from pkg/httpapi so that the
// other API functions link none of the exports.
package monitoringapi

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/export"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/httpapi"
	"github.com/partnership-grants/backend/pkg/reports"
	"github.com/partnership-grants/backend/pkg/service"
)

// Store is what the monitoring routes read besides the views: one
// agreement and its history, for its timeline.
type Store interface {
	GetAgreement(ctx context.Context, id string) (*grants.Agreement, error)
	AllHistory(ctx context.Context, id string) ([]grants.AuditEntry, error)
}

// API serves what programme staff and finance watch: the programme
// summary, an agreement's timeline, "What partners told us", and the CSV
// and 360Giving exports.
type API struct {
	Store Store
	Views service.Views
	// Funder publishes the 360Giving file: Prefix, OrgID, OrgName and
	// ProgrammeTitles are used as given; Now is set from the clock on every
	// export.
	Funder export.Funder
}

// Routes is the function's route table; the keys match template.yaml.
func (h *API) Routes() httpapi.Router {
	return httpapi.Router{
		"GET /programmes/{programme}/summary":               {Roles: httpapi.Readers, Handler: h.summary},
		"GET /agreements/{id}/timeline":                     {Roles: httpapi.Readers, Handler: h.timeline},
		"GET /programmes/{programme}/export.csv":            {Roles: []httpapi.Role{httpapi.RoleProgramme, httpapi.RoleFinance}, Handler: h.csv},
		"GET /programmes/{programme}/export/360giving.json": {Roles: []httpapi.Role{httpapi.RoleProgramme, httpapi.RoleFinance, httpapi.RoleViewer}, Handler: h.threeSixtyGiving},
		// Partners write more honestly when those who approve their payments
		// are not the readers: programme staff only.
		"GET /programmes/{programme}/feedback": {Roles: []httpapi.Role{httpapi.RoleProgramme}, Handler: h.feedback},
	}
}

// feedback answers with what partners told us, by check-in round.
func (h *API) feedback(ctx context.Context, r *httpapi.Request) (events.APIGatewayV2HTTPResponse, error) {
	programme, err := programmeParam("programme", r.Param("programme"))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	f, err := h.Views.Feedback(ctx, programme)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return httpapi.JSONResponse(http.StatusOK, f)
}

// programmeParam reads and checks a programme code. Codes follow the rule
// agreements are created with, which also keeps them safe inside a
// Content-Disposition filename.
func programmeParam(field, p string) (string, error) {
	if p == "" {
		return "", httpapi.Invalid(field, "is required")
	}
	if len(p) > 64 || strings.ContainsFunc(p, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	}) {
		return "", httpapi.Invalid(field, "must be a programme code: 1 to 64 letters, digits, '-' or '_'")
	}
	return p, nil
}

func (h *API) summaryOf(ctx context.Context, programme string) (reports.Summary, error) {
	s, _, err := h.Views.Summary(ctx, programme)
	return s, err
}

// summary answers with the programme at a glance. A programme with no
// agreements is not an error: it is a programme that has not started.
func (h *API) summary(ctx context.Context, r *httpapi.Request) (events.APIGatewayV2HTTPResponse, error) {
	programme, err := programmeParam("programme", r.Param("programme"))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	s, err := h.summaryOf(ctx, programme)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return httpapi.JSONResponse(http.StatusOK, s)
}

type timelineResponse struct {
	AgreementID string          `json:"agreementId"`
	Reference   string          `json:"reference"`
	Partner     string          `json:"partner"`
	Status      string          `json:"status"`
	TimeZone    string          `json:"timeZone"`
	Events      []reports.Event `json:"events"`
}

func (h *API) timeline(ctx context.Context, r *httpapi.Request) (events.APIGatewayV2HTTPResponse, error) {
	a, err := h.Store.GetAgreement(ctx, r.Param("id"))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	history, err := h.Store.AllHistory(ctx, a.ID)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return httpapi.JSONResponse(http.StatusOK, timelineResponse{
		AgreementID: a.ID, Reference: a.Reference, Partner: a.Partner.Name, Status: string(a.Status), TimeZone: a.TimeZone,
		Events: reports.Timeline(a, history),
	})
}

// csv exports every agreement of the programme, one row per instalment,
// drafts and terminated agreements included: finance filters on the
// agreement_status column, and every agreement's rows sum to its award.
func (h *API) csv(ctx context.Context, r *httpapi.Request) (events.APIGatewayV2HTTPResponse, error) {
	programme, err := programmeParam("programme", r.Param("programme"))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var buf bytes.Buffer
	if err := h.Views.CSV(ctx, &buf, programme); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return body(r, http.StatusOK, buf.Bytes(), map[string]string{
		"Content-Type":        "text/csv; charset=utf-8",
		"Content-Disposition": `attachment; filename="` + programme + `-instalments.csv"`,
	}), nil
}

func (h *API) threeSixtyGiving(ctx context.Context, r *httpapi.Request) (events.APIGatewayV2HTTPResponse, error) {
	programme, err := programmeParam("programme", r.Param("programme"))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	out, err := h.Views.ThreeSixtyGiving(ctx, programme, h.Funder)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return body(r, http.StatusOK, out, map[string]string{"Content-Type": "application/json"}), nil
}

// gzipOver is the body size from which a response is compressed for a
// client that accepts gzip. A Lambda response is capped at 6 MB, and the
// 360Giving file of a programme of a few thousand agreements is larger than
// that; compressed, it is a tenth of the size.
const gzipOver = 8 << 10

// body builds a response for bytes that are not a JSON API answer: the
// exports. They hold partner data behind a login, so no shared cache may
// keep them.
func body(r *httpapi.Request, status int, b []byte, headers map[string]string) events.APIGatewayV2HTTPResponse {
	resp := events.APIGatewayV2HTTPResponse{StatusCode: status, Headers: headers}
	resp.Headers["Cache-Control"] = "private, no-store"
	resp.Headers["Vary"] = "Accept-Encoding"
	if len(b) < gzipOver || !acceptsGzip(r.Header("Accept-Encoding")) {
		resp.Body = string(b)
		return resp
	}
	var z bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&z, gzip.BestSpeed) // a valid level never fails
	_, _ = zw.Write(b)                               // writes to a bytes.Buffer do not fail
	_ = zw.Close()
	resp.Headers["Content-Encoding"] = "gzip"
	resp.Body, resp.IsBase64Encoded = base64.StdEncoding.EncodeToString(z.Bytes()), true
	return resp
}

// acceptsGzip reads Accept-Encoding: gzip is accepted unless absent or
// given q=0.
func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return !(q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000")
	}
	return false
}
