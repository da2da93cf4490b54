package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/dynamo"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
)

// AgreementStore is what the agreement routes need from storage.
type AgreementStore interface {
	CreateAgreement(ctx context.Context, a *grants.Agreement, entry grants.AuditEntry, extra dynamo.Extra) error
	GetAgreement(ctx context.Context, id string) (*grants.Agreement, error)
	UpdateAgreement(ctx context.Context, id string, expectVersion int, mutate dynamo.Mutation, extra dynamo.Extra) (*grants.Agreement, error)
	ListAgreements(ctx context.Context, programme string, status grants.AgreementStatus, cursor string, limit int) (dynamo.Page[grants.Agreement], error)
	History(ctx context.Context, id, cursor string, limit int) (dynamo.Page[grants.AuditEntry], error)
}

// Idempotency is the idempotency store.
type Idempotency interface {
	Begin(ctx context.Context, req idempotency.Request, now, inProgressUntil time.Time) (*idempotency.Response, error)
	CompleteItem(req idempotency.Request, resp idempotency.Response, now time.Time) types.TransactWriteItem
	Abandon(ctx context.Context, req idempotency.Request) error
}

// ScheduleSync keeps an agreement's EventBridge schedules in step with it
// after a change (creating them on activation, deleting them on termination).
// Failures are not the caller's: the daily sweep repairs what is missing.
type ScheduleSync interface {
	Sync(ctx context.Context, a *grants.Agreement) error
}

// Agreements serves the /agreements route family.
type Agreements struct {
	Store       AgreementStore
	Idempotency Idempotency
	Schedules   ScheduleSync // may be nil
	Now         func() time.Time
	NewID       func() string
}

// Routes is the function's route table; the keys match template.yaml.
func (h *Agreements) Routes() Router {
	return Router{
		"POST /agreements":                {Roles: []Role{RoleProgramme}, Handler: h.create},
		"GET /agreements":                 {Roles: Readers, Handler: h.list},
		"GET /agreements/{id}":            {Roles: Readers, Handler: h.get},
		"PATCH /agreements/{id}":          {Roles: []Role{RoleProgramme}, Handler: h.amend},
		"POST /agreements/{id}/activate":  {Roles: []Role{RoleProgramme}, Handler: h.activate},
		"POST /agreements/{id}/terminate": {Roles: []Role{RoleProgramme}, Handler: h.terminate},
		"GET /agreements/{id}/history":    {Roles: Readers, Handler: h.history},
	}
}

type partnerBody struct {
	Name               string `json:"name"`
	RegistrationNumber string `json:"registrationNumber"`
	Address            string `json:"address"`
}

type contactBody struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Role  string `json:"role"`
}

type createBody struct {
	Programme       string          `json:"programme"`
	Partner         partnerBody     `json:"partner"`
	Contacts        []contactBody   `json:"contacts"`
	Amount          json.RawMessage `json:"amount"`
	Currency        *string         `json:"currency"`
	StartDate       string          `json:"startDate"`
	DurationMonths  *int            `json:"durationMonths"`
	InstalmentCount *int            `json:"instalmentCount"`
	Cadence         *grants.Cadence `json:"cadence"`
	TimeZone        *string         `json:"timeZone"`
	CheckInLeadDays *int            `json:"checkInLeadDays"`
	Terms           []string        `json:"terms"`
	Support         []string        `json:"support"`
}

func contactsOf(in []contactBody) []grants.Contact {
	out := make([]grants.Contact, len(in))
	for i, c := range in {
		out[i] = grants.Contact{Name: c.Name, Email: c.Email, Role: c.Role}
	}
	return out
}

func (h *Agreements) create(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	var body createBody
	if err := decode(r, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	amount, err := wholeNumber("amount", body.Amount, true)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	now := h.Now()
	a, err := grants.NewAgreement(grants.NewAgreementInput{
		Programme:       body.Programme,
		Partner:         grants.Partner(body.Partner),
		Contacts:        contactsOf(body.Contacts),
		Amount:          amount,
		Currency:        body.Currency,
		StartDate:       body.StartDate,
		DurationMonths:  body.DurationMonths,
		InstalmentCount: body.InstalmentCount,
		Cadence:         body.Cadence,
		TimeZone:        body.TimeZone,
		CheckInLeadDays: body.CheckInLeadDays,
		Terms:           body.Terms,
		Support:         body.Support,
	}, now, r.Actor.ID)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	a.ID = h.NewID()
	entry := grants.AuditEntry{At: now.UTC(), Actor: r.Actor.ID, Action: "agreement.created",
		Detail: fmt.Sprintf("%s %s award in %d instalments", a.Money().Major(), a.Currency, a.InstalmentCount)}

	key := r.Header("Idempotency-Key")
	if key == "" {
		if err := h.Store.CreateAgreement(ctx, a, entry, nil); err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		return created(a)
	}
	// The same key and body must give the same agreement: hash the decoded
	// body, so whitespace or key order do not count as a different request.
	canonical, _ := json.Marshal(body)
	return withIdempotency(ctx, h.Idempotency, r, "agreements.create", canonical, now,
		func(extra func(status int, body []byte) dynamo.Extra) (events.APIGatewayV2HTTPResponse, error) {
			var resp events.APIGatewayV2HTTPResponse
			err := h.Store.CreateAgreement(ctx, a, entry, func(stored *grants.Agreement) ([]types.TransactWriteItem, error) {
				var err error
				if resp, err = created(stored); err != nil {
					return nil, err
				}
				return extra(resp.StatusCode, []byte(resp.Body))(stored)
			})
			return resp, err
		})
}

func created(a *grants.Agreement) (events.APIGatewayV2HTTPResponse, error) {
	resp, err := JSONResponse(http.StatusCreated, a)
	if err == nil {
		resp.Headers["Location"] = "/agreements/" + a.ID
		resp.Headers["ETag"] = etag(a.Version)
	}
	return resp, err
}

func etag(version int) string { return fmt.Sprintf(`"%d"`, version) }

func (h *Agreements) get(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	a, err := h.Store.GetAgreement(ctx, r.Param("id"))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	resp, err := JSONResponse(http.StatusOK, a)
	if err == nil {
		resp.Headers["ETag"] = etag(a.Version)
	}
	return resp, err
}

func pageLimit(r *Request) (int, error) {
	v := r.Query("limit")
	if v == "" {
		return 50, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 200 {
		return 0, Invalid("limit", "must be a whole number from 1 to 200")
	}
	return n, nil
}

type listResponse[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

func (h *Agreements) list(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	programme := r.Query("programme")
	if programme == "" {
		return events.APIGatewayV2HTTPResponse{}, Invalid("programme", "is required")
	}
	status := grants.AgreementStatus(r.Query("status"))
	switch status {
	case "", grants.AgreementDraft, grants.AgreementActive, grants.AgreementCompleted, grants.AgreementTerminated:
	default:
		return events.APIGatewayV2HTTPResponse{}, Invalid("status", "must be one of draft, active, completed, terminated")
	}
	limit, err := pageLimit(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	page, err := h.Store.ListAgreements(ctx, programme, status, r.Query("cursor"), limit)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusOK, listResponse[grants.Agreement]{Items: page.Items, NextCursor: page.NextCursor})
}

type amendBody struct {
	Contacts *[]contactBody `json:"contacts"`
	Terms    *[]string      `json:"terms"`
	Support  *[]string      `json:"support"`
	// Instalments and CheckIns move due dates: [{"number": 2, "dueDate": "2026-05-15"}].
	Instalments []dateChangeBody `json:"instalments"`
	CheckIns    []dateChangeBody `json:"checkIns"`
}

type dateChangeBody struct {
	Number  int    `json:"number"`
	DueDate string `json:"dueDate"`
}

func dateChanges(body []dateChangeBody) []grants.DateChange {
	var out []grants.DateChange
	for _, b := range body {
		out = append(out, grants.DateChange(b))
	}
	return out
}

func (h *Agreements) amend(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	version, err := ifMatch(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var body amendBody
	if err := decode(r, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	m := grants.Amendment{Terms: body.Terms, Support: body.Support,
		InstalmentDates: dateChanges(body.Instalments), CheckInDates: dateChanges(body.CheckIns)}
	if body.Contacts != nil {
		c := contactsOf(*body.Contacts)
		m.Contacts = &c
	}
	now := h.Now()
	a, err := h.Store.UpdateAgreement(ctx, r.Param("id"), version, func(a *grants.Agreement) ([]grants.AuditEntry, error) {
		e, err := a.Amend(m, now, r.Actor.ID)
		return []grants.AuditEntry{e}, err
	}, nil)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return h.respondChanged(ctx, a)
}

// ifMatch reads the required If-Match header: the version the caller read.
func ifMatch(r *Request) (int, error) {
	v := strings.TrimSpace(r.Header("If-Match"))
	if v == "" {
		return 0, &grants.Error{Code: grants.Invalid, Message: "Send If-Match with the version you read (the ETag of GET /agreements/{id}).",
			Fields: []grants.FieldError{{Field: "If-Match", Reason: "is required"}}, Reason: "precondition_required"}
	}
	n, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(v, "W/"), `"`))
	if err != nil || n < 1 {
		return 0, Invalid("If-Match", "must be the agreement's version, e.g. \"3\"")
	}
	return n, nil
}

type reasonBody struct {
	Reason string `json:"reason"`
}

func (h *Agreements) activate(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	now := h.Now()
	a, err := h.Store.UpdateAgreement(ctx, r.Param("id"), 0, func(a *grants.Agreement) ([]grants.AuditEntry, error) {
		e, err := a.Activate(now, r.Actor.ID)
		return []grants.AuditEntry{e}, err
	}, nil)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return h.respondChanged(ctx, a)
}

func (h *Agreements) terminate(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	var body reasonBody
	if err := decode(r, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	now := h.Now()
	a, err := h.Store.UpdateAgreement(ctx, r.Param("id"), 0, func(a *grants.Agreement) ([]grants.AuditEntry, error) {
		e, err := a.Terminate(body.Reason, now, r.Actor.ID)
		return []grants.AuditEntry{e}, err
	}, nil)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return h.respondChanged(ctx, a)
}

// respondChanged answers with the changed agreement after bringing its
// schedules in step. A schedule failure is logged, not returned: the change is
// committed and the daily sweep creates or deletes what is still out of step.
func (h *Agreements) respondChanged(ctx context.Context, a *grants.Agreement) (events.APIGatewayV2HTTPResponse, error) {
	if h.Schedules != nil {
		if err := h.Schedules.Sync(ctx, a); err != nil {
			logError(ctx, "schedule sync failed; the sweep will repair it", err, a.ID)
		}
		// Recording the schedules moved the version on: answer with the current one.
		fresh, err := h.Store.GetAgreement(ctx, a.ID)
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		a = fresh
	}
	resp, err := JSONResponse(http.StatusOK, a)
	if err == nil {
		resp.Headers["ETag"] = etag(a.Version)
	}
	return resp, err
}

func (h *Agreements) history(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	id := r.Param("id")
	if _, err := h.Store.GetAgreement(ctx, id); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	limit, err := pageLimit(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	page, err := h.Store.History(ctx, id, r.Query("cursor"), limit)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusOK, listResponse[grants.AuditEntry]{Items: page.Items, NextCursor: page.NextCursor})
}
