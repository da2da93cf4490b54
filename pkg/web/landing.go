package web

import (
	"net/http"
	"net/url"
)

// landing is the fragment a change's redirect carries (issue 26, item 14):
// the section of the page the form was in, so the browser lands where the
// person was rather than at the top of a long page, and the page's message
// (the .flash, which stays at the top of the window) says what happened.
// It is read from the route the form posted to and its fixed fields,
// never from anything the person typed; "" lands at the top (a list the
// item has left, or a page that is all one form).
func landing(r *http.Request) string {
	n := r.PathValue("n")
	if r.FormValue("from") == "finance" {
		switch r.Pattern {
		case "POST /app/agreements/{id}/instalments/{n}/pay":
			// The row stays, awaiting approval.
			return financeRow(r.PathValue("id"), n)
		case "POST /app/agreements/{id}/instalments/{n}/approve":
			// The row leaves the list it was in.
			return "list-" + "Due for payment"
		}
		return ""
	}
	switch r.Pattern {
	case "POST /app/agreements/{id}/instalments/{n}/hold", "POST /app/agreements/{id}/instalments/{n}/release",
		"POST /app/agreements/{id}/instalments/{n}/pay", "POST /app/agreements/{id}/instalments/{n}/approve":
		return "instalment-" + n
	case "POST /app/agreements/{id}/instalments":
		return "plan"
	case "POST /app/agreements/{id}/check-ins/{n}/waive", "POST /app/agreements/{id}/check-ins/{n}/responses":
		return "checkin-" + n
	case "POST /app/agreements/{id}/check-ins/{n}/feedback", "POST /app/agreements/{id}/stories":
		if id := r.FormValue("messageId"); id != "" {
			return "reply-" + id
		}
		return ""
	case "POST /app/agreements/{id}/replies/{messageId}/followed-up":
		return "reply-" + r.PathValue("messageId")
	case "POST /app/agreements/{id}/stories/{n}/consent":
		return "story-" + n
	case "POST /app/agreements/{id}/support/{n}", "POST /app/agreements/{id}/amend":
		return "terms"
	case "POST /app/agreements/{id}/acceptance":
		return "acceptance"
	case "POST /app/agreements/{id}/message":
		return "message-partner"
	case "POST /app/feedback/themes", "POST /app/feedback/actions":
		return "themes"
	case "POST /app/staff", "POST /app/staff/remove", "POST /app/staff/disable":
		return "staff-list"
	case "POST /app/programmes", "POST /app/programmes/{programme}/archive":
		return "programmes-list"
	}
	return ""
}

// financeRow is the id of an instalment's row on the finance page.
func financeRow(agreementID, n string) string { return "row-" + agreementID + "-" + n }

// fragment is "#" and the anchor, escaped as a URL's fragment; "" for none.
func fragment(anchor string) string {
	if anchor == "" {
		return ""
	}
	return "#" + (&url.URL{Fragment: anchor}).EscapedFragment()
}
