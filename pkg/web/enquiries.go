package web

import (
	"log/slog"
	"net/http"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

// The Enquiries pages (issue 24, item 6): organisations' emails to the
// enquiry address, for the programme role only (a stranger's name, address
// and words are personal data, which finance and viewers have no need of).
// An officer answers from the page, closes an enquiry with its outcome, or
// starts a draft agreement from it on the New agreement page, its partner
// and contact filled in.

func init() {
	fieldLabels["text"], fieldLabels["outcome"] = "Your answer", "Outcome"
	flashes["enquiry-answered"] = "Your answer is on its way to them (at the send time), threaded with their email."
	flashes["enquiry-closed"] = "The enquiry was closed."
}

// enquiryForm is what a refused answer or close held, to show again.
type enquiryForm struct{ Text, Outcome string }

func (a *App) enquiries(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "Enquiries", "enquiries", programmeOnly...)
	if !ok {
		return
	}
	list, err := a.Enquiries.List(r.Context(), a.Enquiries.Programme())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.render(w, r, http.StatusOK, layout(v, enquiriesPage(v, list, a.EnquiryAddress)))
}

func (a *App) enquiry(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "Enquiry", "enquiries", programmeOnly...)
	if !ok {
		return
	}
	a.showEnquiry(w, r, v, http.StatusOK, enquiryForm{})
}

func (a *App) showEnquiry(w http.ResponseWriter, r *http.Request, v *view, code int, form enquiryForm) {
	e, err := a.Enquiries.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	for i := range e.Messages {
		for j := range e.Messages[i].Attachments {
			att := &e.Messages[i].Attachments[j]
			att.URL = a.fileLink(v, att.Key, enquiryFilePath(e.ID, i, j+1))
		}
	}
	v.Title = "Enquiry: " + e.Subject
	a.render(w, r, code, layout(v, enquiryPage(v, e, form)))
}

func (a *App) answerEnquiry(w http.ResponseWriter, r *http.Request) {
	a.enquiryChange(w, r, "enquiry-answered", func(v *view, id string, f enquiryForm) error {
		_, err := a.Enquiries.Reply(r.Context(), v.Actor.Name, id, f.Text)
		return err
	})
}

func (a *App) closeEnquiry(w http.ResponseWriter, r *http.Request) {
	a.enquiryChange(w, r, "enquiry-closed", func(v *view, id string, f enquiryForm) error {
		_, err := a.Enquiries.Close(r.Context(), v.Actor.Name, id, f.Outcome)
		return err
	})
}

// enquiryChange runs a change from the enquiry page; a refused one shows
// the page again with the error by its field.
func (a *App) enquiryChange(w http.ResponseWriter, r *http.Request, what string, change func(v *view, id string, f enquiryForm) error) {
	v, ok := a.page(w, r, "Enquiry", "enquiries", programmeOnly...)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		a.fail(w, r, &grants.Error{Code: grants.Malformed, Message: "The form could not be read."})
		return
	}
	id := r.PathValue("id")
	f := enquiryForm{Text: r.PostForm.Get("text"), Outcome: r.PostForm.Get("outcome")}
	if err := change(v, id, f); err != nil {
		if code := status(err); code != http.StatusBadRequest && code != http.StatusConflict {
			a.fail(w, r, err)
			return
		}
		v.Error, v.Fields = message(err), fieldsOf(err)
		a.showEnquiry(w, r, v, status(err), f)
		return
	}
	done(w, r, "/app/enquiries/"+id, what)
}

// prefillFromEnquiry fills the New agreement form's partner and first
// contact from the enquiry ?enquiry= names (issue 24, item 6).
func (a *App) prefillFromEnquiry(r *http.Request, f *agreementForm) {
	id := r.URL.Query().Get("enquiry")
	if id == "" || a.Enquiries == nil {
		return
	}
	e, err := a.Enquiries.Get(r.Context(), id)
	if err != nil {
		return
	}
	f.Partner, f.Contacts[0] = service.Prefill(e)
	f.Enquiry = e.ID
}

// draftFromEnquiry records on its enquiry the draft the New agreement page
// created from it; a failure is logged (the draft stands).
func (a *App) draftFromEnquiry(r *http.Request, v *view, enquiryID, agreementID string) {
	if enquiryID == "" || a.Enquiries == nil {
		return
	}
	if err := a.Enquiries.RecordDraft(r.Context(), v.Actor.Name, enquiryID, agreementID); err != nil {
		slog.ErrorContext(r.Context(), "record the draft on its enquiry", "enquiryId", enquiryID, "agreementId", agreementID, "error", err.Error())
	}
}

// subjectOf is an enquiry's subject, or words for one without.
func subjectOf(e grants.Enquiry) string {
	if e.Subject != "" {
		return e.Subject
	}
	return "(no subject)"
}
