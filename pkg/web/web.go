// Package web is the staff web app: server-rendered pages, working without
// JavaScript, for the programme team, finance and viewers. Every page and
// form calls the same use cases as the JSON API (pkg/service); this package
// only reads forms, calls one use case and renders the answer. Templates
// are templ components compiled to Go (no reflection, so the function
// links none of the SDK methods html/template would keep; docs/product.md says more).
//
// Signing in is pkg/web/signin's: a request reaches these pages with the
// signed-in member of staff in its context.
package web

import (
	"context"
	"embed"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/a-h/templ"

	"github.com/partnership-grants/backend/pkg/export"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
	"github.com/partnership-grants/backend/pkg/web/signin"
)

//go:generate go tool templ generate

// Linker makes short-lived links that download stored attachments.
type Linker interface {
	DownloadLink(ctx context.Context, key, name, contentType string) (string, error)
}

// App is what the pages are built on.
type App struct {
	Agreements *service.Agreements
	Payments   *service.Payments
	Replies    *service.Replies
	Views      service.Views
	// Links may be nil: attachments are then listed without links.
	Links Linker
	// Funder publishes the 360Giving file.
	Funder export.Funder
	// Programme is the programme staff work in, and ProgrammeName its name.
	Programme, ProgrammeName string
	// SignOutTo is the origin sign-out sends the browser on to (the
	// sign-in domain): the pages' CSP allows forms to lead there.
	SignOutTo string

	// Partners are the partner records (issue 23; partners.go).
	Partners *service.Partners

	// Themes are feedback's themes and actions (issue 24, item 3; themes.go).
	Themes *service.Themes

	// Reflections are "you said, we did" (issue 24, item 4; reflections.go);
	// WordLetter words its email for the preview as the courier would (nil:
	// the preview shows the message alone), with ReplyDomain's address.
	Reflections *service.Reflections
	WordLetter  func(service.Letter) (subject, text string, err error)
	ReplyDomain string
	// Enquiries are organisations' emails to EnquiryAddress (issue 24,
	// item 6; enquiries.go).
	Enquiries      *service.Enquiries
	EnquiryAddress string
	// Stories are stories shared with consent (issue 24, item 5; stories.go).
	Stories *service.Stories
	// Settings are the programme's settings on a page (issue 25, item 3;
	// settings.go): the administrator edits, the programme role reads.
	Settings *service.Settings

	// Places tells the programme each agreement belongs to, so its pages
	// act there (place.go).
	Places AgreementPlaces
	// Programmes are the programmes on a page (issue 25, item 2;
	// programmes.go): an administrator creates and archives them, and
	// each person switches between those they see (place.go; nil:
	// Programme alone).
	Programmes *service.Programmes
	// Staff is the staff's administration (issue 25, item 4; staff.go):
	// the administrator's page.
	Staff *service.Staff

	// Record is an agreement's notes and documents (issue 26, item 16;
	// notes.go); nil, the page shows none. DocumentsOrigin is where their
	// upload forms post (the bucket's origin), which the CSP allows.
	Record          *service.Record
	DocumentsOrigin string
	// Drafts deletes a draft created by mistake with its documents' files
	// (drafts.go).
	Drafts *service.Drafts
}

//go:embed static
var static embed.FS

// New serves the pages under /app. Every response carries the browser
// headers; every state-changing request must come from the app's own
// pages (cross-origin requests are refused).
func New(a *App) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /app", a.overview)
	mux.HandleFunc("GET /app/{$}", a.overview)
	mux.HandleFunc("GET /app/agreements", a.agreements)
	mux.HandleFunc("GET /app/agreements/new", a.newAgreement)
	mux.HandleFunc("POST /app/agreements", a.create)
	mux.HandleFunc("GET /app/agreements/{id}", a.agreement)
	mux.HandleFunc("POST /app/agreements/{id}/activate", a.activate)
	mux.HandleFunc("POST /app/agreements/{id}/terminate", a.terminate)
	mux.HandleFunc("POST /app/agreements/{id}/complete", a.complete)
	mux.HandleFunc("GET /app/feedback", a.feedback)
	mux.HandleFunc("POST /app/agreements/{id}/amend", a.amend)
	mux.HandleFunc("POST /app/agreements/{id}/instalments/{n}/hold", a.hold)
	mux.HandleFunc("POST /app/agreements/{id}/instalments/{n}/release", a.release)
	mux.HandleFunc("POST /app/agreements/{id}/instalments/{n}/pay", a.pay)
	mux.HandleFunc("POST /app/agreements/{id}/instalments/{n}/approve", a.approve)
	mux.HandleFunc("POST /app/agreements/{id}/check-ins/{n}/waive", a.waive)
	mux.HandleFunc("POST /app/agreements/{id}/instalments", a.addExtra)
	mux.HandleFunc("POST /app/agreements/{id}/check-ins/{n}/responses", a.respond)
	mux.HandleFunc("POST /app/agreements/{id}/support/{n}", a.support)
	mux.HandleFunc("POST /app/agreements/{id}/replies/{messageId}/followed-up", a.followUp)
	mux.HandleFunc("GET /app/finance", a.finance)
	mux.HandleFunc("POST /app/payment-runs", a.requestRun)
	mux.HandleFunc("GET /app/payment-runs/{id}", a.payRun)
	mux.HandleFunc("POST /app/payment-runs/{id}/approve", a.approveRun)
	mux.HandleFunc("GET /app/payment-runs/{id}/csv", a.runCSV)
	mux.HandleFunc("GET /app/quarantine", a.quarantine)
	mux.HandleFunc("POST /app/quarantine/{id}/accept", a.accept)
	mux.HandleFunc("POST /app/quarantine/{id}/reject", a.reject)
	mux.HandleFunc("POST /app/quarantine/{id}/enquiry", a.acceptEnquiry)
	mux.HandleFunc("GET /app/export.csv", a.csv)
	mux.HandleFunc("GET /app/export/360giving.json", a.threeSixtyGiving)
	mux.HandleFunc("GET /app/partners", a.partners)
	mux.HandleFunc("POST /app/partners/link", a.linkProgramme)
	mux.HandleFunc("GET /app/partners/{id}", a.partner)
	mux.HandleFunc("POST /app/partners/{id}", a.amendPartner)
	mux.HandleFunc("POST /app/agreements/{id}/partner", a.partnerOfAgreement)
	mux.HandleFunc("POST /app/agreements/{id}/acceptance", a.recordAcceptance)
	mux.HandleFunc("POST /app/feedback/themes", a.tagFeedback)
	mux.HandleFunc("POST /app/feedback/actions", a.recordThemeAction)
	mux.HandleFunc("GET /app/feedback/reflections", a.reflections)
	mux.HandleFunc("POST /app/feedback/reflections", a.postReflection)
	mux.HandleFunc("GET /app/enquiries", a.enquiries)
	mux.HandleFunc("GET /app/enquiries/{id}", a.enquiry)
	mux.HandleFunc("POST /app/enquiries/{id}/reply", a.answerEnquiry)
	mux.HandleFunc("POST /app/enquiries/{id}/close", a.closeEnquiry)
	mux.HandleFunc("POST /app/agreements/{id}/check-ins/{n}/feedback", a.markFeedback)
	mux.HandleFunc("POST /app/agreements/{id}/stories", a.markStory)
	mux.HandleFunc("POST /app/agreements/{id}/stories/{n}/consent", a.recordStoryConsent)
	mux.HandleFunc("GET /app/stories", a.stories)
	mux.HandleFunc("GET /app/stories.csv", a.storiesCSV)
	mux.HandleFunc("GET /app/settings", a.settings)
	mux.HandleFunc("POST /app/settings", a.changeSettings)
	mux.HandleFunc("POST /app/programme", a.switchProgramme)
	mux.HandleFunc("GET /app/programmes", a.programmes)
	mux.HandleFunc("POST /app/programmes", a.createProgramme)
	mux.HandleFunc("POST /app/programmes/{programme}/archive", a.archiveProgramme)
	mux.HandleFunc("GET /app/staff", a.staff)
	mux.HandleFunc("POST /app/staff", a.inviteStaff)
	mux.HandleFunc("POST /app/staff/remove", a.removeStaffRole)
	mux.HandleFunc("POST /app/staff/disable", a.disableStaff)
	mux.HandleFunc("POST /app/agreements/{id}/notes", a.addNote)
	mux.HandleFunc("POST /app/agreements/{id}/message", a.messagePartner)
	mux.HandleFunc("GET /app/agreements/{id}/documents/{documentId}/upload", a.uploadDocument)
	mux.HandleFunc("GET /app/agreements/{id}/documents/{documentId}/uploaded", a.documentUploaded)
	mux.HandleFunc("GET /app/agreements/{id}/documents/{documentId}", a.downloadDocument)
	a.downloadRoutes(mux) // issue 26, item 15: downloads.go
	mux.HandleFunc("GET /app/attention", a.attentionPage)
	mux.HandleFunc("POST /app/agreements/{id}/delete", a.deleteDraft) // drafts.go
	mux.Handle("GET /app/static/", http.StripPrefix("/app", http.FileServerFS(static)))
	mux.HandleFunc("/app/", func(w http.ResponseWriter, r *http.Request) {
		a.fail(w, r, &grants.Error{Code: grants.NotFound, Message: "There is no such page."})
	})
	return a.headers(http.NewCrossOriginProtection().Handler(mux))
}

// headers sets the browser headers on every response: a strict Content
// Security Policy (no script at all, styles only from the app's own
// stylesheet), no framing, no sniffing, no referrer, no caching of pages
// that hold partners' data.
func (a *App) headers(next http.Handler) http.Handler {
	formAction := "'self'"
	if a.SignOutTo != "" {
		formAction += " " + a.SignOutTo
	}
	if a.DocumentsOrigin != "" {
		formAction += " " + a.DocumentsOrigin
	}
	csp := "default-src 'none'; style-src 'self'; img-src 'self'; form-action " + formAction + "; frame-ancestors 'none'; base-uri 'none'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		if !strings.HasPrefix(r.URL.Path, "/app/static/") {
			h.Set("Cache-Control", "private, no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// view is what every page shows around its content.
type view struct {
	Title string
	// Actor is the signed-in person as they act in Programme: with the
	// roles they hold there (grants.Actor.In).
	Actor grants.Actor
	// Everywhere: the roles Actor holds, they hold in every programme, so
	// what spans programmes (pay runs) is theirs to see.
	Everywhere bool
	Base       string // the stage prefix of every link ("" locally)
	// Programme is the programme the page is of (its code), and
	// Programmes those the person may switch between.
	Programme     string
	ProgrammeName string
	Programmes    []grants.Programme
	Section       string // the navigation entry to mark as current
	Flash         string // what the last action did
	Error         string // why the last action did not happen
	Fields        map[string]string
	// Problems are the error summary's items, in order (problems.go);
	// Currency is the one amounts in its words are in ("": the default).
	Problems []problem
	Currency string
}

// Can reports whether the signed-in person may take actions of roles.
func (v *view) Can(roles ...grants.Role) bool { return v.Actor.Has(roles...) }

// Link is path under the stage prefix.
func (v *view) Link(path string) templ.SafeURL { return templ.SafeURL(v.Base + path) }

// page starts the view of a request: who is signed in and where links go.
// A request without a signed-in person never gets here (pkg/web/signin),
// so one without is refused rather than trusted.
func (a *App) page(w http.ResponseWriter, r *http.Request, title, section string, roles ...grants.Role) (*view, bool) {
	actor, ok := signin.ActorFrom(r.Context())
	v := &view{Title: title, Actor: actor, Base: base(r), Section: section, Flash: flash(r.URL.Query().Get("done"))}
	if !ok {
		a.fail(w, r, &grants.Error{Code: grants.Unauthorized, Message: "Please sign in."})
		return nil, false
	}
	if err := a.place(r, v); err != nil {
		a.fail(w, r, err)
		return nil, false
	}
	if len(roles) > 0 && !v.Actor.Has(roles...) {
		slog.InfoContext(r.Context(), "forbidden", "path", r.URL.Path, "actor", actor.ID)
		a.fail(w, r, &grants.Error{Code: grants.Forbidden, Message: "Your role may not do this."})
		return nil, false
	}
	return v, true
}

// base is the stage prefix API Gateway puts before every path (the Lambda
// adapter passes it on as X-Forwarded-Prefix); links must carry it.
func base(r *http.Request) string {
	p := strings.TrimSuffix(r.Header.Get("X-Forwarded-Prefix"), "/")
	if p != "" && !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\"'<> ?#") {
		return ""
	}
	return p
}

func (a *App) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := c.Render(r.Context(), w); err != nil {
		slog.ErrorContext(r.Context(), "render", "path", r.URL.Path, "error", err.Error())
	}
}

// status is the HTTP status of a use case's error.
func status(err error) int {
	switch grants.ErrorCode(err) {
	case grants.Invalid, grants.Malformed:
		return http.StatusBadRequest
	case grants.NotFound:
		return http.StatusNotFound
	case grants.Conflict, grants.PreconditionFailed:
		return http.StatusConflict
	case grants.Unauthorized:
		return http.StatusUnauthorized
	case grants.Forbidden:
		return http.StatusForbidden
	case grants.TooLarge:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

// message is what a person reads of an error: the use case's own words for
// their mistake, and no internals for ours.
func message(err error) string {
	var e *grants.Error
	if errors.As(err, &e) {
		msg := reasonWords(e.Message, "")
		for _, f := range e.Fields {
			msg += " " + fieldProblem(f.Field, f.Reason, "")
		}
		return msg
	}
	return "Something went wrong on our side; nothing was changed. Please try again, and tell the team if it happens again."
}

// fail renders an error page for a request that could not be served.
func (a *App) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := status(err)
	if code == http.StatusInternalServerError {
		slog.ErrorContext(r.Context(), "page failed", "path", r.URL.Path, "error", err.Error())
	}
	actor, _ := signin.ActorFrom(r.Context())
	v := &view{Title: http.StatusText(code), Actor: actor.In(""), Base: base(r), Error: message(err)}
	a.render(w, r, code, layout(v, templ.NopComponent))
}

// done sends the browser on to path after a change, saying what was done
// (POST, then redirect, then GET: a reload never repeats the change), to
// the section the form was in (landing.go). what is a key of flashes: the
// page shows that fixed message, never words from the request.
func done(w http.ResponseWriter, r *http.Request, path, what string) {
	http.Redirect(w, r, base(r)+path+"?done="+url.QueryEscape(what)+fragment(landing(r)), http.StatusSeeOther)
}

var flashes = map[string]string{
	"created":       "The agreement was created as a draft.",
	"activated":     "The agreement is active: its schedules have started.",
	"terminated":    "The agreement was terminated.",
	"completed":     "The agreement is completed; the partner will be thanked.",
	"amended":       "The agreement was amended.",
	"held":          "The instalment is on hold; the partner will be told.",
	"released":      "The instalment was released; the partner will be told.",
	"requested":     "The payment was requested; another member of finance approves it.",
	"paid":          "The instalment is paid.",
	"approved":      "The payment was approved: the instalment is paid.",
	"waived":        "The check-in was waived; the partner will be told.",
	"recorded":      "The conversation was recorded as the check-in's response.",
	"support":       "The support item was updated.",
	"accepted":      "The message was accepted as a reply to its check-in.",
	"rejected":      "The message was rejected.",
	"run-requested": "The pay run was requested: each instalment's outcome is below; another member of finance approves it.",
	"run-approved":  "The pay run was approved: its requested instalments are paid.",
	"extra":         "The extra payment was added as an instalment: finance requests and approves it like any payment. The partner will be told.",
	"partner-saved": "The partner was changed; its history keeps what it was.",
	"partner-found": "This is the agreement's partner record.",
	// Issue 24: feedbackmark.go.
	"feedback-marked":     "The reply's feedback is marked: finance and viewers read the reply without it.",
	"followed-up":         "The help asked for is marked followed up.",
	"accepted-enquiry":    "The message was accepted as an enquiry: it is on the Enquiries page, and its sender will be acknowledged.",
	"acceptance-recorded": "The partner's acceptance is recorded.",
	// Issue 26, item 16: notes.go.
	"note-added":        "The note was added.",
	"message-queued":    messageQueued,
	"document-uploaded": "The document was uploaded to its note.",
	"draft-deleted":     "The draft was deleted, with its history.",
}

func flash(key string) string { return flashes[key] }

func today(a *App) grants.Date { return a.Views.Today() }
