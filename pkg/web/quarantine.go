package web

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

// quarantine is the messages held for a person: who sent them, why they
// were held, and what they say; accept one to a check-in or reject it.
func (a *App) quarantine(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "Held messages", "quarantine", programmeOnly...)
	if !ok {
		return
	}
	a.showQuarantine(w, r, v, http.StatusOK)
}

func (a *App) showQuarantine(w http.ResponseWriter, r *http.Request, v *view, code int) {
	v.Title = "Held messages"
	held, err := a.Views.HeldFor(r.Context(), v.Programme)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	// The message as received is what a person reads when the system
	// could not (a message too complex to parse holds no text).
	links := map[string]replyLinks{}
	for _, q := range held {
		links[q.ID] = a.replyLinks(v, q.Reply, true, func(what string) string { return heldPath(q.ID, what) })
	}
	hv, err := a.heldView(r, v, held)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.render(w, r, code, layout(v, quarantinePage(v, held, links, hv)))
}

// replyLinks are the links a reply's page offers besides its files: the
// whole text when the reply holds its beginning only, and the message as
// received (when raw, or when files were left in it).
type replyLinks struct{ Text, Raw string }

func (a *App) replyLinks(v *view, rep grants.Reply, raw bool, path func(what string) string) replyLinks {
	var l replyLinks
	l.Text = a.fileLink(v, rep.TextKey, path("text"))
	if raw || rep.MoreAttachments > 0 {
		l.Raw = a.fileLink(v, rep.RawKey, path("message"))
	}
	return l
}

// rawName and textName are what a message as received, and a reply's
// whole text, are saved as.
func rawName(messageID string) string  { return "message-" + messageID + ".eml" }
func textName(messageID string) string { return "reply-" + messageID + ".txt" }

// decide runs a decision on a held message and returns to the list.
func (a *App) decide(w http.ResponseWriter, r *http.Request, what string, change func(v *view) error) {
	a.post(w, r, "quarantine", programmeOnly, "/app/quarantine", what, a.showQuarantine, change)
}

// accept files a held message as the reply to its check-in: the one its
// reply address named, or the one the officer gives (agreement reference
// or ID and check-in number) when the address did not say.
func (a *App) accept(w http.ResponseWriter, r *http.Request) {
	a.decide(w, r, "accepted", func(v *view) error {
		var to service.Destination
		f := r.PostForm
		// The agreement is named by the reference staff see, or its ID
		// (issue 26, item 3); every problem is told at once.
		if ref := strings.TrimSpace(f.Get("agreement")); ref != "" || f.Has("checkIn") {
			var errs []grants.FieldError
			if ref == "" {
				errs = append(errs, grants.FieldError{Field: "agreement", Reason: "is required: give the agreement's reference, e.g. CP-2026-EKBMS"})
			}
			n, err := strconv.Atoi(strings.TrimSpace(f.Get("checkIn")))
			if err != nil || n < 1 {
				errs = append(errs, grants.FieldError{Field: "checkIn", Reason: "must be the check-in's number, e.g. 1"})
			}
			if len(errs) > 0 {
				return grants.Validation(errs)
			}
			to = service.Destination{AgreementID: ref, CheckIn: n}
		}
		_, err := a.Replies.AcceptHeld(r.Context(), v.Actor.Name, r.PathValue("id"), to, strings.TrimSpace(f.Get("note")))
		return err
	})
}

// acceptEnquiry makes an enquiry of a message held on its way to the
// enquiry address.
func (a *App) acceptEnquiry(w http.ResponseWriter, r *http.Request) {
	a.decide(w, r, "accepted-enquiry", func(v *view) error {
		_, err := a.Enquiries.AcceptHeld(r.Context(), v.Actor.Name, r.PathValue("id"), strings.TrimSpace(r.PostForm.Get("note")))
		return err
	})
}

func (a *App) reject(w http.ResponseWriter, r *http.Request) {
	a.decide(w, r, "rejected", func(v *view) error {
		reason := strings.TrimSpace(r.PostForm.Get("reason"))
		if reason == "" {
			return grants.Validation([]grants.FieldError{{Field: "reason", Reason: "is required: say why the message is rejected"}})
		}
		_, err := a.Replies.RejectHeld(r.Context(), v.Actor.Name, r.PathValue("id"), reason)
		return err
	})
}

// csv downloads the programme's instalments for the finance system.
func (a *App) csv(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "Export", "", grants.RoleProgramme, grants.RoleFinance)
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := a.Views.CSV(r.Context(), &buf, v.Programme); err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+v.Programme+`-instalments.csv"`)
	_, _ = w.Write(buf.Bytes())
}

// threeSixtyGiving downloads the programme's 360Giving file.
func (a *App) threeSixtyGiving(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "Export", "", grants.Readers...)
	if !ok {
		return
	}
	out, err := a.Views.ThreeSixtyGiving(r.Context(), v.Programme, a.Funder)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="`+v.Programme+`-360giving.json"`)
	_, _ = w.Write(out)
}
