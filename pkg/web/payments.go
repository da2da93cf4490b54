package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/idempotency"
)

var financeOnly = []grants.Role{grants.RoleFinance}

// financeList is one section of the finance page.
type financeList struct {
	Title, Empty string
	Rows         []grants.InstalmentRow
	More         bool
}

// finance is what finance works from: instalments due (awaiting approval
// among them), and held, how promptly the programme pays, then the pay runs
// (showFinance). One Query per list.
func (a *App) finance(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "Finance", "finance", grants.RoleFinance, grants.RoleProgramme, grants.RoleViewer)
	if !ok {
		return
	}
	a.showFinance(w, r, v, http.StatusOK)
}

// financeLists reads the finance page's lists: due first, then held.
func (a *App) financeLists(w http.ResponseWriter, r *http.Request, v *view) ([]financeList, bool) {
	var lists []financeList
	for _, l := range []struct {
		status       grants.InstalmentStatus
		title, empty string
	}{
		{grants.InstalmentDue, "Due for payment", "Nothing is due for payment."},
		{grants.InstalmentHeld, "On hold", "Nothing is on hold."},
	} {
		page, err := a.Payments.Instalments(r.Context(), grants.InstalmentFilter{Status: l.status, Programme: v.Programme}, "", listPageSize)
		if err != nil {
			a.fail(w, r, err)
			return nil, false
		}
		lists = append(lists, financeList{Title: l.title, Empty: l.empty, Rows: page.Items, More: page.NextCursor != ""})
	}
	return lists, true
}

// pay requests the payment of an instalment (or, without the two-person
// rule, pays it). The form carries its own Idempotency-Key: a double click
// or a resubmitted page never pays twice.
func (a *App) pay(w http.ResponseWriter, r *http.Request) {
	a.act(w, r, "requested", financeOnly, func(v *view) error {
		n, err := number(r.PathValue("n"))
		if err != nil {
			return err
		}
		f := r.PostForm
		req := grants.PaymentRequest{PaymentReference: strings.TrimSpace(f.Get("paymentReference")), PaidOn: strings.TrimSpace(f.Get("paidOn")),
			OverrideReason: strings.TrimSpace(f.Get("overrideReason")), PartnerMessage: strings.TrimSpace(f.Get("partnerMessage"))}
		once := &idempotency.Once[*grants.Agreement]{
			Request: idempotency.Request{Scope: "web pay " + r.PathValue("id") + " " + r.PathValue("n"), Caller: v.Actor.ID, Key: f.Get("key"),
				Payload: []byte(req.PaymentReference + "\n" + req.PaidOn + "\n" + req.OverrideReason + "\n" + req.PartnerMessage)},
			// The stored answer is where the browser goes: the agreement.
			Render: func(ag *grants.Agreement) (idempotency.Response, error) {
				return idempotency.Response{StatusCode: http.StatusSeeOther, Body: []byte(ag.ID)}, nil
			},
		}
		if once.Request.Key == "" {
			return &grants.Error{Code: grants.Malformed, Message: "The form could not be read."}
		}
		_, _, err = a.Payments.RequestPayment(r.Context(), v.Actor, r.PathValue("id"), n, req, once)
		if errors.Is(err, idempotency.ErrPayloadMismatch) {
			return &grants.Error{Code: grants.Conflict, Message: "This payment form was sent before with other values; nothing more was paid. Reload the page to pay again."}
		}
		return err
	})
}

func (a *App) approve(w http.ResponseWriter, r *http.Request) {
	if a.askApprove(w, r) { // asks.go
		return
	}
	a.act(w, r, "approved", financeOnly, func(v *view) error {
		n, err := number(r.PathValue("n"))
		if err != nil {
			return err
		}
		_, err = a.Payments.ApprovePayment(r.Context(), v.Actor, r.PathValue("id"), n, r.PostForm.Get("payment"))
		return err
	})
}

func (a *App) hold(w http.ResponseWriter, r *http.Request) {
	a.act(w, r, "held", programmeOnly, func(v *view) error {
		n, err := number(r.PathValue("n"))
		if err != nil {
			return err
		}
		_, err = a.Payments.Hold(r.Context(), v.Actor.Name, r.PathValue("id"), n, strings.TrimSpace(r.PostForm.Get("reason")), partnerMessage(r))
		return err
	})
}

func (a *App) release(w http.ResponseWriter, r *http.Request) {
	a.act(w, r, "released", programmeOnly, func(v *view) error {
		n, err := number(r.PathValue("n"))
		if err != nil {
			return err
		}
		_, err = a.Payments.Release(r.Context(), v.Actor.Name, r.PathValue("id"), n, strings.TrimSpace(r.PostForm.Get("reason")), partnerMessage(r))
		return err
	})
}
