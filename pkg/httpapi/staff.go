package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

// Staff serves the staff's administration (issue 25, item 4): the
// administrator invites people by email with a role in a programme, lists
// who holds which role there, removes a role and disables a person. The
// AgreementsFunction serves it, with the programme's settings.
type Staff struct {
	Staff *service.Staff
}

// Routes is the route table; the keys match template.yaml.
func (h *Staff) Routes() Router {
	return Router{
		"POST /programmes/{programme}/staff":                        {Roles: service.StaffEditors, Handler: h.invite},
		"GET /programmes/{programme}/staff":                         {Roles: service.StaffEditors, Handler: h.list},
		"DELETE /programmes/{programme}/staff/{email}/roles/{role}": {Roles: service.StaffEditors, Handler: h.removeRole},
		"POST /staff/{email}/disable":                               {Roles: service.StaffEditors, Handler: h.disable},
	}
}

func (h *Staff) invite(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	p, err := themesProgramme(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var in grants.StaffInvite
	if err := decode(r, &in); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	x, err := h.Staff.Invite(ctx, unplaced(r), p, in)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	resp, err := JSONResponse(http.StatusCreated, x)
	if err == nil {
		resp.Headers["Location"] = r.Location("/programmes/" + p + "/staff")
	}
	return resp, err
}

func (h *Staff) list(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	p, err := themesProgramme(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	l, err := h.Staff.List(ctx, unplaced(r), p)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusOK, l)
}

func (h *Staff) removeRole(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	p, err := themesProgramme(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if err := h.Staff.RemoveRole(ctx, unplaced(r), p, pathEmail(r), grants.Role(r.Param("role"))); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusNoContent, Headers: map[string]string{}}, nil
}

func (h *Staff) disable(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	if err := h.Staff.Disable(ctx, unplaced(r), pathEmail(r)); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusNoContent, Headers: map[string]string{}}, nil
}

// pathEmail is the {email} path parameter. A client may send the @ as
// %40; whether the gateway has decoded it or not, the address reads the
// same (an address with a literal % is refused as no plain address).
func pathEmail(r *Request) string {
	e := r.Param("email")
	if strings.Contains(e, "%") {
		if d, err := url.PathUnescape(e); err == nil {
			e = d
		}
	}
	return e
}

// unplaced is the caller with the groups their token names, not as placed
// in the request's programme (Request.Actor): the staff's use cases admit
// the administrator's own group, which holds in every programme, and a
// group of one programme named like it ("admin:CODE") must not pass for
// it once placed there.
func unplaced(r *Request) Actor {
	a, err := actorFrom(r.APIGatewayV2HTTPRequest)
	if err != nil {
		return Actor{}
	}
	return a
}
