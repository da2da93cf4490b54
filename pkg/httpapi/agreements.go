package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
	"github.com/partnership-grants/backend/pkg/service"
)

// Agreements serves the /agreements route family.
type Agreements struct {
	Agreements *service.Agreements
	// Drafts deletes a draft with its documents' files (drafts.go).
	Drafts *service.Drafts
}

// Routes is the function's route table; the keys match template.yaml.
func (h *Agreements) Routes() Router {
	return Router{
		"POST /agreements":                   {Roles: []Role{RoleProgramme}, Handler: h.create, Filters: true},
		"GET /agreements":                    {Roles: Readers, Handler: h.list, InQuery: true},
		"GET /agreements/{id}":               {Roles: Readers, Handler: h.get},
		"PATCH /agreements/{id}":             {Roles: []Role{RoleProgramme}, Handler: h.amend},
		"POST /agreements/{id}/activate":     {Roles: []Role{RoleProgramme}, Handler: h.activate},
		"POST /agreements/{id}/terminate":    {Roles: []Role{RoleProgramme}, Handler: h.terminate},
		"POST /agreements/{id}/complete":     {Roles: []Role{RoleProgramme}, Handler: h.complete},
		"PATCH /agreements/{id}/support/{n}": {Roles: []Role{RoleProgramme}, Handler: h.support},
		"GET /agreements/{id}/history":       {Roles: Readers, Handler: h.history},
		// The partner's acceptance given another way (acceptance.go).
		"POST /agreements/{id}/acceptance": {Roles: []Role{RoleProgramme}, Handler: h.recordAcceptance},
		// A draft created by mistake (drafts.go).
		"DELETE /agreements/{id}": {Roles: []Role{RoleProgramme}, Handler: h.deleteDraft},
	}
}

type partnerBody struct {
	Name               string `json:"name"`
	RegistrationNumber string `json:"registrationNumber"`
	Address            string `json:"address"`
	// Type is the kind of partner (issue 23); left out, the number says.
	Type grants.PartnerType `json:"type"`
}

type contactBody struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Role  string `json:"role"`
	// Phone: a contact may be reached by phone alone (no email).
	Phone string `json:"phone"`
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
	FinalReportDays *int            `json:"finalReportDays"`
	Terms           []string        `json:"terms"`
	Support         []string        `json:"support"`
	Owner           *ownerBody      `json:"owner"`
	// CheckInCount: how many check-ins (default one per instalment; issue 23).
	CheckInCount *int `json:"checkInCount,omitempty"`
	// PartnerID starts the agreement from a partner record (GET /partners),
	// instead of partner (issue 23).
	PartnerID string `json:"partnerId"`
}

// ownerBody is an agreement's officer: {"name": "...", "email": "..."}.
type ownerBody struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

func ownerOf(b *ownerBody) *grants.Officer {
	if b == nil {
		return nil
	}
	return &grants.Officer{Name: b.Name, Email: b.Email}
}

func contactsOf(in []contactBody) []grants.Contact {
	out := make([]grants.Contact, len(in))
	for i, c := range in {
		out[i] = grants.Contact{Name: c.Name, Email: c.Email, Role: c.Role, Phone: c.Phone}
	}
	return out
}

func (h *Agreements) create(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	var body createBody
	if err := decode(r, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	// The body names the programme (the router places no POST /agreements).
	if p := strings.TrimSpace(body.Programme); p != "" && !r.Actor.HasIn(p, RoleProgramme) {
		return events.APIGatewayV2HTTPResponse{}, &grants.Error{Code: grants.Forbidden, Reason: "not_in_programme",
			Message: "You do not hold the programme role in programme " + body.Programme + "."}
	}
	amount, err := wholeNumber("amount", body.Amount, true)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	in := grants.NewAgreementInput{
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
		FinalReportDays: body.FinalReportDays,
		Terms:           body.Terms,
		Support:         body.Support,
		Owner:           ownerOf(body.Owner),
		CheckInCount:    body.CheckInCount,
		PartnerID:       body.PartnerID,
	}
	if r.Header("Idempotency-Key") == "" {
		a, _, err := h.Agreements.CreateAgreement(ctx, r.Actor.Name, in, nil)
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		return created(r, a)
	}
	// The same key and body must give the same agreement: hash the decoded
	// body, so whitespace or key order do not count as a different request.
	canonical, _ := json.Marshal(body)
	return withIdempotency(r, "agreements.create", canonical, func(a *grants.Agreement) (events.APIGatewayV2HTTPResponse, error) { return created(r, a) },
		func(once *idempotency.Once[*grants.Agreement]) (*grants.Agreement, *idempotency.Response, error) {
			return h.Agreements.CreateAgreement(ctx, r.Actor.Name, in, once)
		})
}

func created(r *Request, a *grants.Agreement) (events.APIGatewayV2HTTPResponse, error) {
	resp, err := JSONResponse(http.StatusCreated, a)
	if err == nil {
		resp.Headers["Location"] = r.Location("/agreements/" + a.ID)
		resp.Headers["ETag"] = etag(a.Version)
	}
	return resp, err
}

func etag(version int) string { return fmt.Sprintf(`"%d"`, version) }

func (h *Agreements) get(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	a, err := h.Agreements.Agreement(ctx, r.Param("id"))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return withETag(h.Agreements.Measured(a).ReadBy(r.Actor))
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
	// Issue 26, item 1: searched, sorted, "my agreements", with the total,
	// both ways; the same use case as the pages' list.
	q := service.FindQuery{Programme: programme, Q: r.Query("q"), Status: status, Sort: r.Query("sort"), Cursor: r.Query("cursor"), Limit: limit}
	switch r.Query("owner") {
	case "":
	case "me":
		q.Owner = r.Actor.Name
	default:
		return events.APIGatewayV2HTTPResponse{}, Invalid("owner", "must be me")
	}
	if p := r.Query("page"); p != "" {
		if q.Page, err = strconv.Atoi(p); err != nil || q.Page < 1 {
			return events.APIGatewayV2HTTPResponse{}, Invalid("page", "must be a whole number from 1")
		}
	}
	found, err := h.Agreements.Find(ctx, q)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	for i := range found.Items {
		found.Items[i] = *found.Items[i].ReadBy(r.Actor)
	}
	return JSONResponse(http.StatusOK, found)
}

type amendBody struct {
	Contacts *[]contactBody `json:"contacts"`
	Terms    *[]string      `json:"terms"`
	Support  *[]string      `json:"support"`
	Owner    *ownerBody     `json:"owner"`
	// Instalments and CheckIns move due dates: [{"number": 2, "dueDate": "2026-05-15"}];
	// an instalment's amount varies with "amount" (minor units).
	Instalments []dateChangeBody `json:"instalments"`
	CheckIns    []dateChangeBody `json:"checkIns"`
	// Award is the new total when varied amounts change it; Reason is
	// required when any amount changes.
	Award  *int64 `json:"award"`
	Reason string `json:"reason"`

	// Typo marks changed terms or support as a typo fixed: the partner of
	// an active agreement is not asked to accept them (acceptance.go).
	Typo bool `json:"typo"`
}

type dateChangeBody struct {
	Number  int    `json:"number"`
	DueDate string `json:"dueDate"`
	Amount  *int64 `json:"amount"`
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
		InstalmentDates: dateChanges(body.Instalments), CheckInDates: dateChanges(body.CheckIns), Owner: ownerOf(body.Owner),
		Award: body.Award, Reason: body.Reason, Typo: body.Typo}
	if body.Contacts != nil {
		c := contactsOf(*body.Contacts)
		m.Contacts = &c
	}
	a, err := h.Agreements.Amend(ctx, r.Actor.Name, r.Param("id"), version, m)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return withETag(h.Agreements.Measured(a))
}

// ifMatch reads the required If-Match header: the version the caller read.
// Without it the answer is 428 (RFC 6585): an unconditional change could
// overwrite another person's unseen; a stale one is 412 (Agreements.Amend).
func ifMatch(r *Request) (int, error) {
	v := strings.TrimSpace(r.Header("If-Match"))
	if v == "" {
		return 0, &grants.Error{Code: grants.PreconditionRequired, Message: "Send If-Match with the version you read (the ETag of GET /agreements/{id}).",
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
	a, err := h.Agreements.Activate(ctx, r.Actor.Name, r.Param("id"))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return withETag(h.Agreements.Measured(a))
}

// terminateBody: reason is the officer's own record; message, optional, is
// what the email to the partner says in the officer's words.
type terminateBody struct {
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

func (h *Agreements) terminate(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	var body terminateBody
	if err := decode(r, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	a, err := h.Agreements.Terminate(ctx, r.Actor.Name, r.Param("id"), body.Reason, body.Message)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return withETag(h.Agreements.Measured(a))
}

// complete closes an agreement: a ready one with an optional reason, one
// with things left from its end date with a reason (grants.Complete).
func (h *Agreements) complete(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	var body toldBody
	if r.Body != "" {
		if err := decode(r, &body); err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
	}
	a, err := h.Agreements.Complete(ctx, r.Actor.Name, r.Param("id"), body.Reason, body.PartnerMessage)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return withETag(h.Agreements.Measured(a))
}

type supportBody struct {
	Status string `json:"status"`
	Note   string `json:"note"`
}

// support records progress on support item n (from 1): a status, a dated note.
func (h *Agreements) support(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	n, err := strconv.Atoi(r.Param("n"))
	if err != nil || n < 1 || n > grants.MaxListItems {
		return events.APIGatewayV2HTTPResponse{}, &grants.Error{Code: grants.NotFound, Message: "There is no support item " + r.Param("n") + ".", Reason: "support_not_found"}
	}
	var body supportBody
	if err := decode(r, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	a, err := h.Agreements.UpdateSupport(ctx, r.Actor.Name, r.Param("id"), n, body.Status, body.Note)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return withETag(h.Agreements.Measured(a))
}

// withETag answers with the agreement and its version.
func withETag(a *grants.Agreement) (events.APIGatewayV2HTTPResponse, error) {
	resp, err := JSONResponse(http.StatusOK, a)
	if err == nil {
		resp.Headers["ETag"] = etag(a.Version)
	}
	return resp, err
}

func (h *Agreements) history(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	limit, err := pageLimit(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	page, err := h.Agreements.History(ctx, r.Actor, r.Param("id"), r.Query("cursor"), limit)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusOK, listResponse[grants.AuditEntry]{Items: page.Items, NextCursor: page.NextCursor})
}
