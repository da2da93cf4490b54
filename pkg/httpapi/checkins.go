package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/dynamo"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// CheckInStore is what the check-in and quarantine routes need from storage.
type CheckInStore interface {
	GetAgreement(ctx context.Context, id string) (*grants.Agreement, error)
	UpdateAgreement(ctx context.Context, id string, expectVersion int, mutate dynamo.Mutation, extra dynamo.Extra) (*grants.Agreement, error)
	Replies(ctx context.Context, agreementID string, n int) ([]grants.Reply, error)
	ReplyItem(r grants.Reply) (types.TransactWriteItem, error)
	ListQuarantine(ctx context.Context, status string) ([]dynamo.Quarantined, error)
	GetQuarantined(ctx context.Context, id string) (*dynamo.Quarantined, error)
	ResolveItem(id, status, actor, note string, now time.Time) types.TransactWriteItem
	Enqueue(agreementID, key string, now time.Time) types.TransactWriteItem
	Transact(ctx context.Context, items ...types.TransactWriteItem) error
	AuditItem(id string, e grants.AuditEntry) (types.TransactWriteItem, error)
}

// Linker makes short-lived links that download stored attachments (never
// open them in the browser) under their names.
type Linker interface {
	DownloadLink(ctx context.Context, key, name, contentType string) (string, error)
}

// CheckIns serves the staff routes for check-ins, replies and quarantine.
type CheckIns struct {
	Store  CheckInStore
	Links  Linker
	Outbox Deliverer
	Now    func() time.Time
}

// Routes is the function's route table; the keys match template.yaml.
func (h *CheckIns) Routes() Router {
	return Router{
		"GET /agreements/{id}/check-ins/{n}":        {Roles: Readers, Handler: h.get},
		"POST /agreements/{id}/check-ins/{n}/waive": {Roles: []Role{RoleProgramme}, Handler: h.waive},
		"GET /quarantine":                           {Roles: []Role{RoleProgramme}, Handler: h.listQuarantine},
		"POST /quarantine/{id}/accept":              {Roles: []Role{RoleProgramme}, Handler: h.accept},
		"POST /quarantine/{id}/reject":              {Roles: []Role{RoleProgramme}, Handler: h.reject},
	}
}

func checkInNumber(r *Request) (int, error) {
	n, err := strconv.Atoi(r.Param("n"))
	if err != nil || n < 1 || n > 60 {
		return 0, &grants.Error{Code: grants.NotFound, Message: "There is no check-in " + r.Param("n") + ".", Reason: "check_in_not_found"}
	}
	return n, nil
}

type checkInResponse struct {
	AgreementID string         `json:"agreementId"`
	Reference   string         `json:"reference"`
	CheckIn     grants.CheckIn `json:"checkIn"`
	Replies     []grants.Reply `json:"replies"`
}

func (h *CheckIns) get(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	n, err := checkInNumber(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	a, err := h.Store.GetAgreement(ctx, r.Param("id"))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	c := a.CheckIn(n)
	if c == nil {
		return events.APIGatewayV2HTTPResponse{}, &grants.Error{Code: grants.NotFound, Message: "There is no check-in " + r.Param("n") + ".", Reason: "check_in_not_found"}
	}
	replies, err := h.Store.Replies(ctx, a.ID, n)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	for i := range replies {
		if err := h.link(ctx, &replies[i]); err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
	}
	return JSONResponse(http.StatusOK, checkInResponse{AgreementID: a.ID, Reference: a.Reference, CheckIn: *c, Replies: replies})
}

func (h *CheckIns) link(ctx context.Context, r *grants.Reply) error {
	for j := range r.Attachments {
		att := &r.Attachments[j]
		url, err := h.Links.DownloadLink(ctx, att.Key, att.Name, att.ContentType)
		if err != nil {
			return err
		}
		att.URL = url
	}
	return nil
}

func (h *CheckIns) waive(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	n, err := checkInNumber(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var body reasonBody
	if err := decode(r, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	now := h.Now()
	a, err := h.Store.UpdateAgreement(ctx, r.Param("id"), 0, func(a *grants.Agreement) ([]grants.AuditEntry, error) {
		return a.WaiveCheckIn(n, body.Reason, now, r.Actor.ID)
	}, nil)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusOK, a.CheckIn(n))
}

func (h *CheckIns) listQuarantine(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	status := r.Query("status")
	switch status {
	case "", dynamo.QuarantinePending, dynamo.QuarantineAccepted, dynamo.QuarantineRejected:
	default:
		return events.APIGatewayV2HTTPResponse{}, Invalid("status", "must be one of pending, accepted, rejected")
	}
	list, err := h.Store.ListQuarantine(ctx, status)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	for i := range list {
		if err := h.link(ctx, &list[i].Reply); err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
	}
	return JSONResponse(http.StatusOK, listResponse[dynamo.Quarantined]{Items: list})
}

type acceptBody struct {
	// AgreementID and CheckIn say where the message belongs when the token
	// did not (a forged or missing token).
	AgreementID string `json:"agreementId"`
	CheckIn     int    `json:"checkIn"`
	Note        string `json:"note"`
}

// accept attaches a quarantined message to its check-in as a reply, as if
// it had passed the checks, recording who vouched for it.
func (h *CheckIns) accept(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	var body acceptBody
	if r.Body != "" {
		if err := decode(r, &body); err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
	}
	note, err := grants.OptionalNote("note", body.Note)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	body.Note = note
	q, err := h.Store.GetQuarantined(ctx, r.Param("id"))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if q.Status != dynamo.QuarantinePending {
		return events.APIGatewayV2HTTPResponse{}, alreadyResolved(q.Status)
	}
	reply := q.Reply
	if body.AgreementID != "" {
		reply.AgreementID, reply.CheckIn = body.AgreementID, body.CheckIn
	}
	if reply.AgreementID == "" || reply.CheckIn == 0 {
		return events.APIGatewayV2HTTPResponse{}, &grants.Error{Code: grants.Invalid, Message: "Say which agreement and check-in this message answers.",
			Fields: []grants.FieldError{{Field: "agreementId", Reason: "is required: the message carried no valid token"}, {Field: "checkIn", Reason: "is required"}}, Reason: "validation"}
	}
	reply.AcceptedBy = r.Actor.ID
	now := h.Now()
	ack, notice := outbox.AckKey(reply.CheckIn, reply.MessageID).String(), outbox.ReplyNoticeKey(reply.CheckIn, reply.MessageID).String()
	_, err = h.Store.UpdateAgreement(ctx, reply.AgreementID, 0, func(a *grants.Agreement) ([]grants.AuditEntry, error) {
		entries, err := a.ReceiveReply(reply.CheckIn, reply, now, r.Actor.ID)
		if err != nil {
			return nil, err
		}
		return append(entries, grants.AuditEntry{At: now.UTC(), Actor: r.Actor.ID, Action: "quarantine.accepted", Subject: reply.MessageID,
			Detail: "held as " + string(q.Reason) + "; " + body.Note}), nil
	}, func(a *grants.Agreement) ([]types.TransactWriteItem, error) {
		item, err := h.Store.ReplyItem(reply)
		return []types.TransactWriteItem{item, h.Store.ResolveItem(q.ID, dynamo.QuarantineAccepted, r.Actor.ID, body.Note, now),
			h.Store.Enqueue(a.ID, ack, now), h.Store.Enqueue(a.ID, notice, now)}, err
	})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, h.resolvedMeanwhile(ctx, q.ID, err)
	}
	for _, k := range []string{ack, notice} {
		if err := h.Outbox.Deliver(ctx, reply.AgreementID, k); err != nil {
			logError(ctx, "deliver "+k+"; the sweep will retry", err, reply.AgreementID)
		}
	}
	q, err = h.Store.GetQuarantined(ctx, q.ID)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusOK, q)
}

func alreadyResolved(status string) error {
	return &grants.Error{Code: grants.Conflict, Message: "This message was already " + status + ".", Reason: "already_resolved"}
}

// resolvedMeanwhile explains a failed decision: if someone else decided the
// message in the meantime, say so rather than pass on the write's conflict.
func (h *CheckIns) resolvedMeanwhile(ctx context.Context, id string, err error) error {
	if q, gerr := h.Store.GetQuarantined(ctx, id); gerr == nil && q.Status != dynamo.QuarantinePending {
		return alreadyResolved(q.Status)
	}
	return err
}

func (h *CheckIns) reject(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
	var body reasonBody
	if err := decode(r, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	// As for a waive: a blank reason is no reason.
	reason, err := grants.RequiredReason("reason", body.Reason)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	q, err := h.Store.GetQuarantined(ctx, r.Param("id"))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	now := h.Now()
	// The decision and its audit entry are one write.
	items := []types.TransactWriteItem{h.Store.ResolveItem(q.ID, dynamo.QuarantineRejected, r.Actor.ID, reason, now)}
	if q.AgreementID != "" {
		entry, err := h.Store.AuditItem(q.AgreementID, grants.AuditEntry{At: now.UTC(), Actor: r.Actor.ID, Action: "quarantine.rejected", Subject: q.ID, Detail: reason})
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		items = append(items, entry)
	}
	if err := h.Store.Transact(ctx, items...); err != nil {
		return events.APIGatewayV2HTTPResponse{}, h.resolvedMeanwhile(ctx, q.ID, err)
	}
	q, err = h.Store.GetQuarantined(ctx, q.ID)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return JSONResponse(http.StatusOK, q)
}
