// Package monitoringapi serves the MonitoringFunction's routes: the
// programme summary, an agreement's timeline, the CSV and 360Giving exports
// and the dashboard page. It is apart from pkg/httpapi so that the other API
// functions link none of the dashboard's templates or the exports.
package monitoringapi

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/dashboard"
	"github.com/partnership-grants/backend/pkg/export"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/httpapi"
	"github.com/partnership-grants/backend/pkg/monitoring"
	"github.com/partnership-grants/backend/pkg/service"
)

// Store is what the monitoring routes read.
type Store interface {
	ProgrammeAgreements(ctx context.Context, programme string) ([]grants.Agreement, grants.ReadCost, error)
	ProgrammeTally(ctx context.Context, programme string, today grants.Date) (monitoring.Tally, monitoring.Marks, grants.ReadCost, error)
	AgreementsWithPlans(ctx context.Context, ids []string) ([]grants.Agreement, error)
	ProgrammePlans(ctx context.Context, programme string) ([]grants.Agreement, grants.ReadCost, error)
	GetAgreement(ctx context.Context, id string) (*grants.Agreement, error)
	AllHistory(ctx context.Context, id string) ([]grants.AuditEntry, error)
}

// QuarantineCounter counts the replies of a programme waiting for a person.
type QuarantineCounter interface {
	CountQuarantined(ctx context.Context, programme string) (int, error)
}

// QuarantineLister lists the replies of a programme waiting for a person.
type QuarantineLister interface {
	ListQuarantined(ctx context.Context, programme string) ([]dashboard.QuarantineItem, error)
}

// DashboardLimit is how many agreements the dashboard draws. Each row needs
// the agreement's plans, one Query each, and a page of thousands of rows
// helps nobody; the summary above the rows still counts every agreement.
const DashboardLimit = 200

// API serves what programme staff and finance watch: the programme
// summary, an agreement's timeline, the CSV and 360Giving exports, and the
// dashboard page.
type API struct {
	Store Store
	// Funder publishes the 360Giving file: Prefix, OrgID, OrgName and
	// ProgrammeTitles are used as given; Now is set from the clock on every
	// export.
	Funder export.Funder
	// QuarantineCount and Quarantine may be nil: until replies are
	// quarantined the count is taken from Quarantine's list, or is 0.
	QuarantineCount QuarantineCounter
	Quarantine      QuarantineLister
	// Replies reads agreements' replies for "What partners told us"; nil
	// reads none.
	Replies service.ReplyReader
	// Late reads the instalments late now, for the summary's lateness;
	// nil counts none. Defaults are the deployment's programme settings.
	Late     service.LateReader
	Defaults grants.ProgrammeSettings
	// DefaultProgramme is the dashboard's programme when the link names none.
	DefaultProgramme string
	Now              func() time.Time
	// Location is the programme's time zone, in which "today" is read;
	// nil means Europe/London.
	Location *time.Location
}

// Routes is the function's route table; the keys match template.yaml.
func (h *API) Routes() httpapi.Router {
	return httpapi.Router{
		"GET /programmes/{programme}/summary":               {Roles: httpapi.Readers, Handler: h.summary},
		"GET /agreements/{id}/timeline":                     {Roles: httpapi.Readers, Handler: h.timeline},
		"GET /programmes/{programme}/export.csv":            {Roles: []httpapi.Role{httpapi.RoleProgramme, httpapi.RoleFinance}, Handler: h.csv},
		"GET /programmes/{programme}/export/360giving.json": {Roles: []httpapi.Role{httpapi.RoleProgramme, httpapi.RoleFinance, httpapi.RoleViewer}, Handler: h.threeSixtyGiving},
		"GET /dashboard":                                    {Roles: httpapi.Readers, Handler: h.dashboard},
		// Partners write more honestly when those who approve their payments
		// are not the readers: programme staff only.
		"GET /programmes/{programme}/feedback": {Roles: []httpapi.Role{httpapi.RoleProgramme}, Handler: h.feedback},
	}
}

// views are the programme reads, written once in the service layer.
func (h *API) views() service.Views {
	return service.Views{Store: h.Store, Replies: h.Replies, Late: h.Late, Defaults: h.Defaults, Now: h.Now, Location: h.Location}
}

// feedback answers with what partners told us, by check-in round.
func (h *API) feedback(ctx context.Context, r *httpapi.Request) (events.APIGatewayV2HTTPResponse, error) {
	programme, err := programmeParam("programme", r.Param("programme"))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	f, err := h.views().Feedback(ctx, programme)
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

func (h *API) quarantined(ctx context.Context, programme string) (int, error) {
	switch {
	case h.QuarantineCount != nil:
		return h.QuarantineCount.CountQuarantined(ctx, programme)
	case h.Quarantine != nil:
		items, err := h.Quarantine.ListQuarantined(ctx, programme)
		return len(items), err
	}
	return 0, nil
}

func (h *API) summaryOf(ctx context.Context, programme string) (monitoring.Summary, error) {
	q, err := h.quarantined(ctx, programme)
	if err != nil {
		return monitoring.Summary{}, fmt.Errorf("count quarantined replies: %w", err)
	}
	s, err := h.views().SummaryCounting(ctx, programme, q)
	if err == nil {
		err = h.views().MeasureLateness(ctx, &s)
	}
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
	AgreementID string             `json:"agreementId"`
	Reference   string             `json:"reference"`
	Partner     string             `json:"partner"`
	Status      string             `json:"status"`
	TimeZone    string             `json:"timeZone"`
	Events      []monitoring.Event `json:"events"`
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
		Events: monitoring.Timeline(a, history),
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
	if err := h.views().CSV(ctx, &buf, programme); err != nil {
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
	out, err := h.views().ThreeSixtyGiving(ctx, programme, h.Funder)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return body(r, http.StatusOK, out, map[string]string{"Content-Type": "application/json"}), nil
}

// dashboard renders the programme page. The summary counts every agreement;
// the rows, which need each agreement's plans, are capped at DashboardLimit,
// running agreements first, and the title says so when the cap bites.
func (h *API) dashboard(ctx context.Context, r *httpapi.Request) (events.APIGatewayV2HTTPResponse, error) {
	programme, err := programmeParam("programme", cmp.Or(r.Query("programme"), h.DefaultProgramme))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	s, err := h.summaryOf(ctx, programme)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	list, err := h.views().Agreements(ctx, programme)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	slices.SortStableFunc(list, func(x, y grants.Agreement) int {
		return cmp.Or(cmp.Compare(statusRank(x.Status), statusRank(y.Status)), cmp.Compare(x.Reference, y.Reference), cmp.Compare(x.ID, y.ID))
	})
	title := "Programme dashboard"
	if len(list) > DashboardLimit {
		title = fmt.Sprintf("Programme dashboard: the first %d of %d agreements", DashboardLimit, len(list))
		list = list[:DashboardLimit]
	}
	rows, err := h.views().WithPlans(ctx, list, nil)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var quarantine []dashboard.QuarantineItem
	if h.Quarantine != nil {
		if quarantine, err = h.Quarantine.ListQuarantined(ctx, programme); err != nil {
			return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("list quarantined replies: %w", err)
		}
	}
	var buf bytes.Buffer
	csp, err := dashboard.Render(&buf, dashboard.Page{
		Title: title, Summary: s, Agreements: rows, Quarantine: quarantine,
		Today: s.AsOf, GeneratedAt: h.Now(), Location: h.Location,
	})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return body(r, http.StatusOK, buf.Bytes(), map[string]string{"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": csp}), nil
}

// statusRank orders the dashboard's rows: the agreements that need work first.
func statusRank(s grants.AgreementStatus) int {
	switch s {
	case grants.AgreementActive:
		return 0
	case grants.AgreementDraft:
		return 1
	case grants.AgreementCompleted:
		return 2
	}
	return 3
}

// gzipOver is the body size from which a response is compressed for a
// client that accepts gzip. A Lambda response is capped at 6 MB, and the
// 360Giving file of a programme of a few thousand agreements is larger than
// that; compressed, it is a tenth of the size.
const gzipOver = 8 << 10

// body builds a response for bytes that are not a JSON API answer: exports
// and the page. They hold partner data behind a login, so no shared cache
// may keep them.
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
