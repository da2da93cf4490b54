package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

// Settings serves a programme's settings (issue 25, item 3): the
// administrator and the programme role read them, the administrator
// changes them (If-Match: the version read). The AgreementsFunction
// serves it with /agreements.
type Settings struct {
	Settings *service.Settings
}

// Routes is the route table; the keys match template.yaml.
func (h *Settings) Routes() Router {
	return Router{
		"GET /programmes/{programme}/settings":   {Roles: service.SettingsReaders, Handler: h.get},
		"PATCH /programmes/{programme}/settings": {Roles: service.SettingsEditors, Handler: h.patch},
	}
}

func (h *Settings) get(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	p, err := themesProgramme(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	v, err := h.Settings.Get(ctx, r.Actor, p)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return settingsResponse(v)
}

func (h *Settings) patch(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	p, err := themesProgramme(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	from, err := settingsIfMatch(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var patch grants.SettingsPatch
	if err := decode(r, &patch); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	v, err := h.Settings.Change(ctx, r.Actor, p, from, patch)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return settingsResponse(v)
}

func settingsResponse(v service.SettingsView) (events.APIGatewayV2HTTPResponse, error) {
	resp, err := JSONResponse(http.StatusOK, v)
	if err == nil {
		resp.Headers["ETag"] = etag(v.Version)
	}
	return resp, err
}

// settingsIfMatch reads the required If-Match header: 428 without it.
func settingsIfMatch(r *Request) (int, error) {
	v := strings.TrimSpace(r.Header("If-Match"))
	if v == "" {
		return 0, &grants.Error{Code: grants.PreconditionRequired, Message: "Send If-Match with the version you read (the ETag of GET /programmes/{programme}/settings).",
			Fields: []grants.FieldError{{Field: "If-Match", Reason: "is required"}}, Reason: "precondition_required"}
	}
	n, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(v, "W/"), `"`))
	if err != nil || n < 1 {
		return 0, Invalid("If-Match", "must be the settings' version, e.g. \"3\"")
	}
	return n, nil
}
