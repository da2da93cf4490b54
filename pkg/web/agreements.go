package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/money"
	"github.com/partnership-grants/backend/pkg/reports"
	"github.com/partnership-grants/backend/pkg/service"
)

// overview is the programme today: the summary, what needs attention, and
// links to each agreement.
func (a *App) overview(w http.ResponseWriter, r *http.Request) {
	// An administrator who reads nothing else starts at the settings (issue 25).
	if toSettings(w, r) {
		return
	}
	v, ok := a.page(w, r, "Programme overview", "overview", grants.Readers...)
	if !ok {
		return
	}
	s, held, err := a.Views.Summary(r.Context(), v.Programme)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	// What needs attention: its first few, from its own keyed list, never
	// the whole programme (issue 26, item 2); the rest on /app/attention.
	at, err := a.Views.Attention(r.Context(), v.Programme, "", overviewAttention, len(held))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.render(w, r, http.StatusOK, layout(v, overviewPage(v, s, at)))
}

// overviewAttention is how many agreements needing attention the overview
// shows; the attention page lists them all.
const overviewAttention = 10

// attention is an agreement and what about it needs a person.
type attention struct {
	Agreement grants.Agreement
	Why       []string
}

// reasons is what of ag needs a person today, worded as the attention
// list words it.
func reasons(ag *grants.Agreement, today grants.Date) []string {
	r := grants.AttentionRow{Attention: grants.AttentionOf(ag)}
	if ag.Status == grants.AgreementActive && !ag.EndDate.IsZero() && ag.EndDate.Before(today) {
		r.PastEndDate, r.EndDate = true, ag.EndDate
	}
	return attentionReasons(r)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// listPageSize is how many agreements a page of the list shows: one Query.
const listPageSize = 50

// agreements lists the programme's agreements (issue 26, item 1): searched
// by the words typed, of a status, the person's own, sorted, with the total,
// a page at a time either way; the same use case as GET /agreements.
func (a *App) agreements(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "Agreements", "agreements", grants.Readers...)
	if !ok {
		return
	}
	q := r.URL.Query()
	f := listFilter{Q: q.Get("q"), Status: grants.AgreementStatus(q.Get("status")), Sort: q.Get("sort"), Mine: q.Get("owner") == "me"}
	fq := service.FindQuery{Programme: v.Programme, Q: f.Q, Status: f.Status, Sort: f.Sort, Cursor: q.Get("cursor"), Limit: listPageSize}
	fq.Page, _ = strconv.Atoi(q.Get("page"))
	if f.Mine {
		fq.Owner = v.Actor.Name
	}
	found, err := a.Agreements.Find(r.Context(), fq)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	rows := make([]attention, 0, len(found.Items))
	for _, ag := range found.Items {
		rows = append(rows, attention{Agreement: ag, Why: reasons(&ag, today(a))})
	}
	// Each way keeps the search, status, sort and owner.
	link := func(k, val string) string {
		more := url.Values{k: {val}}
		for _, k := range []string{"q", "status", "sort", "owner"} {
			if v := q.Get(k); v != "" {
				more.Set(k, v)
			}
		}
		return "/app/agreements?" + more.Encode()
	}
	var pg listPaging
	pg.Total, pg.Page, pg.Pages = found.Total, found.Page, found.Pages
	switch {
	case fq.Plain():
		if found.NextCursor != "" {
			pg.Next = link("cursor", found.NextCursor)
		}
		if found.PrevCursor != "" {
			pg.Prev = link("cursor", found.PrevCursor)
		}
	default:
		if found.Page < found.Pages {
			pg.Next = link("page", strconv.Itoa(found.Page+1))
		}
		if found.Page > 1 {
			pg.Prev = link("page", strconv.Itoa(found.Page-1))
		}
	}
	a.render(w, r, http.StatusOK, layout(v, agreementsPage(v, f, rows, pg)))
}

type listFilter struct {
	Q      string
	Status grants.AgreementStatus
	Sort   string
	Mine   bool
}

// listPaging is where the list's page stands: its total, and the links
// either way ("" at an end); Page and Pages only for what a search found.
type listPaging struct {
	Total, Page, Pages int
	Prev, Next         string
}

// attentionPage lists everything that needs a person (issue 26, item 2):
// the agreements with something to do, grouped by what, a page at a time,
// those past their end date, and the held messages.
func (a *App) attentionPage(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "Needs attention", "overview", grants.Readers...)
	if !ok {
		return
	}
	at, err := a.Views.Attention(r.Context(), v.Programme, r.URL.Query().Get("cursor"), attentionPageSize, -1)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	next := ""
	if at.NextCursor != "" {
		next = "/app/attention?" + url.Values{"cursor": {at.NextCursor}}.Encode()
	}
	a.render(w, r, http.StatusOK, layout(v, attentionList(v, at, next, r.URL.Query().Get("cursor") != "")))
}

// attentionPageSize is how many agreements a page of the attention list shows.
const attentionPageSize = 100

// agreementView is everything the agreement page shows.
type agreementView struct {
	A       *grants.Agreement
	Replies map[int][]grants.Reply
	// Year is the plan in date order; History what happened, in words.
	Year, History []reports.Event
	MoreHist      bool
	Today         grants.Date
	// PayKeys are the Idempotency-Keys of this rendering's payment forms,
	// by instalment: a double click or a resubmitted page pays once.
	PayKeys map[int]string
	// Links are each reply's links besides its files, by SES message ID.
	Links map[string]replyLinks

	// StoryForm is a refused story form, shown again (issue 24, item 5).
	StoryForm storyForm

	// Notes are the officers' notes with their documents (issue 26, item 16).
	Notes []grants.Note
	// Names are people's names by address, for the history (issue 26, item 10).
	Names map[string]string
	// Amend is a refused amend form, shown again as typed (issue 26, item 5).
	Amend amendForm
	// Message is the form that emails the partner (issue 26, item 16;
	// message.go): its Idempotency-Key, and its words when refused.
	Message messageForm
}

// historyShown is how many history entries the agreement page shows.
const historyShown = 50

// agreement is one agreement: its partner, terms, plan, every check-in with
// what the partner wrote, and its history; with the actions the person's
// role allows. Three reads: the agreement, its replies, its history.
func (a *App) agreement(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "Agreement", "agreements", grants.Readers...)
	if !ok {
		return
	}
	a.showAgreement(w, r, v, http.StatusOK)
}

func (a *App) showAgreement(w http.ResponseWriter, r *http.Request, v *view, code int) {
	ctx := r.Context()
	ag, err := a.Agreements.Agreement(ctx, r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.Agreements.Measured(ag)
	replies, err := a.Replies.Conversations(ctx, v.Actor, ag)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	hist, err := a.Agreements.History(ctx, v.Actor, ag.ID, "", historyShown)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if r.URL.Query().Get("done") == "activated" && ag.Activation != nil {
		// What activation did (instalments due, check-ins passed, the
		// welcome, the next check-in), as the JSON route answers it.
		if what := ag.Activation.Summary(); what != "" {
			v.Flash = "The agreement is active: " + pageDates(what) + "."
		}
	}
	av := &agreementView{A: ag, Replies: map[int][]grants.Reply{}, MoreHist: hist.NextCursor != "",
		Today: today(a), PayKeys: map[int]string{}, Links: map[string]replyLinks{}}
	av.StoryForm = storyFormOf(r)
	av.Names = a.peopleOf(r, ag)
	if av.Notes, err = a.notesOf(r, v, ag.ID); err != nil {
		a.fail(w, r, err)
		return
	}
	av.Amend = amendFormOf(r)     // amend.go
	av.Message = messageFormOf(r) // message.go
	for _, e := range reports.Timeline(ag, hist.Items) {
		if e.Kind == reports.KindHistory {
			av.History = append(av.History, e)
		} else {
			av.Year = append(av.Year, e)
		}
	}
	for _, rep := range replies {
		for i := range rep.Attachments {
			att := &rep.Attachments[i]
			att.URL = a.fileLink(v, att.Key, replyFilePath(ag.ID, rep.MessageID, i+1))
		}
		av.Links[rep.MessageID] = a.replyLinks(v, rep, false, func(what string) string { return replyPath(ag.ID, rep.MessageID, what) })
		av.Replies[rep.CheckIn] = append(av.Replies[rep.CheckIn], rep)
	}
	for _, in := range ag.Instalments {
		av.PayKeys[in.Number] = newKey()
	}
	av.PayKeys[0] = newKey() // the extra payment form's

	v.Title = ag.Partner.Name
	a.render(w, r, code, layout(v, agreementPage(v, av)))
}

// act runs a change to an agreement from a form on its page and sends the
// browser back to the page (or to finance's, for its forms); a refused
// change shows the page again with why.
func (a *App) act(w http.ResponseWriter, r *http.Request, what string, roles []grants.Role, change func(v *view) error) {
	back := "/app/agreements/" + r.PathValue("id")
	if r.FormValue("from") == "finance" {
		back = "/app/finance"
	}
	a.post(w, r, "agreements", roles, back, what, a.showAgreement, change)
}

// post runs the change a form asks for, then sends the browser on to back
// saying what was done (POST, redirect, GET: a reload never repeats it). A
// change refused for the person's reasons shows their page again (show)
// with why; one that failed for ours is an error page.
func (a *App) post(w http.ResponseWriter, r *http.Request, section string, roles []grants.Role, back, what string,
	show func(http.ResponseWriter, *http.Request, *view, int), change func(v *view) error,
) {
	v, ok := a.page(w, r, "", section, roles...)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		a.fail(w, r, &grants.Error{Code: grants.Malformed, Message: "The form could not be read."})
		return
	}
	if err := change(v); err != nil {
		if status(err) == http.StatusInternalServerError {
			a.fail(w, r, err)
			return
		}
		v.refused(err, "", nil) // problems.go: the summary, each by its field
		show(w, r, v, status(err))
		return
	}
	done(w, r, back, what)
}

var programmeOnly = []grants.Role{grants.RoleProgramme}

func (a *App) activate(w http.ResponseWriter, r *http.Request) {
	a.act(w, r, "activated", programmeOnly, func(v *view) error {
		_, err := a.Agreements.Activate(r.Context(), v.Actor.Name, r.PathValue("id"))
		return err
	})
}

func (a *App) terminate(w http.ResponseWriter, r *http.Request) {
	if a.askTerminate(w, r) { // asks.go
		return
	}
	a.act(w, r, "terminated", programmeOnly, func(v *view) error {
		reason := strings.TrimSpace(r.PostForm.Get("reason"))
		if reason == "" {
			return &grants.Error{Code: grants.Invalid, Message: "Say why the agreement ends: the reason is kept in its history."}
		}
		_, err := a.Agreements.Terminate(r.Context(), v.Actor.Name, r.PathValue("id"), reason, r.PostForm.Get("message"))
		return err
	})
}

// complete closes an agreement (grants.Complete): the reason is optional
// when it is ready, and the service says so when one is needed.
func (a *App) complete(w http.ResponseWriter, r *http.Request) {
	if a.askComplete(w, r) { // asks.go
		return
	}
	a.act(w, r, "completed", programmeOnly, func(v *view) error {
		_, err := a.Agreements.Complete(r.Context(), v.Actor.Name, r.PathValue("id"), r.PostForm.Get("reason"), partnerMessage(r))
		return err
	})
}

// amend changes the co-designed terms, the support and the contacts: one
// per line ("Name, email, role" for a contact), as the page shows them.
func (a *App) amend(w http.ResponseWriter, r *http.Request) {
	a.act(w, r, "amended", programmeOnly, func(v *view) error {
		version, err := strconv.Atoi(r.PostForm.Get("version"))
		if err != nil {
			return &grants.Error{Code: grants.Malformed, Message: "The form could not be read."}
		}
		terms, support := lines(r.PostForm.Get("terms")), lines(r.PostForm.Get("support"))
		contacts, err := parseContacts(r.PostForm.Get("contacts"))
		if err != nil {
			return err
		}
		m := grants.Amendment{Terms: &terms, Support: &support, Contacts: &contacts, Reason: r.PostForm.Get("reason")}
		m.Typo = r.PostForm.Get("typo") != ""
		if name, email := strings.TrimSpace(r.PostForm.Get("ownerName")), strings.TrimSpace(r.PostForm.Get("ownerEmail")); name != "" || email != "" {
			m.Owner = &grants.Officer{Name: name, Email: email}
		}
		v.Currency = r.PostForm.Get("currency")
		formErr := formAmounts(r.PostForm, v.Currency, &m)
		formErr = joinProblems(formErr, formDates(r.PostForm, &m))
		if formErr != nil {
			// Nothing is saved while part of the form is unreadable; what
			// could be read is judged too (CheckAmendment changes nothing).
			return amendProblems(joinProblems(formErr, a.Agreements.CheckAmendment(r.Context(), r.PathValue("id"), m)), m)
		}
		_, err = a.Agreements.Amend(r.Context(), v.Actor.Name, r.PathValue("id"), version, m)
		// What the form could not read, and what the agreement refuses,
		// are told together, each by its field on the form (issue 26, item 4).
		return amendProblems(err, m)
	})
}

// formAmounts reads the amend form's amounts (major units, as the page shows
// them): an instalment's amount ("amount-N") or the award is part of the
// amendment only when it differs from the value the page showed ("was-…"),
// so saving terms alone asks for no reason.
func formAmounts(form url.Values, currency string, m *grants.Amendment) error {
	var errs []grants.FieldError
	read := func(name, field string) (int64, bool) {
		now, was := strings.TrimSpace(form.Get(name)), strings.TrimSpace(form.Get("was-"+name))
		if now == "" || now == was {
			return 0, false
		}
		n, err := money.ParseMajor(now, currency)
		if err != nil {
			errs = append(errs, grants.FieldError{Field: field, Reason: "must be an amount such as 2500 or 2,500.00"})
			return 0, false
		}
		return n, true
	}
	for i := 1; i <= grants.MaxInstalments; i++ {
		name := "amount-" + strconv.Itoa(i)
		if !form.Has(name) {
			continue
		}
		if n, ok := read(name, name); ok {
			m.InstalmentDates = append(m.InstalmentDates, grants.DateChange{Number: i, Amount: &n})
		}
	}
	if n, ok := read("award", "award"); ok {
		m.Award = &n
	}
	if len(errs) > 0 {
		return &grants.Error{Code: grants.Invalid, Message: "Some amounts could not be read.", Fields: errs, Reason: "validation"}
	}
	return nil
}

// followUp marks a reply that asked for help as followed up.
func (a *App) followUp(w http.ResponseWriter, r *http.Request) {
	a.act(w, r, "followed-up", programmeOnly, func(v *view) error {
		_, err := a.Replies.FollowUpHelp(r.Context(), v.Actor.Name, r.PathValue("id"), r.PathValue("messageId"), r.PostForm.Get("note"))
		return err
	})
}

func (a *App) waive(w http.ResponseWriter, r *http.Request) {
	if a.askWaive(w, r) { // asks.go
		return
	}
	a.act(w, r, "waived", programmeOnly, func(v *view) error {
		n, err := number(r.PathValue("n"))
		if err != nil {
			return err
		}
		reason := strings.TrimSpace(r.PostForm.Get("reason"))
		if reason == "" {
			return &grants.Error{Code: grants.Invalid, Message: "Say why the check-in is waived."}
		}
		_, err = a.Replies.Waive(r.Context(), v.Actor.Name, r.PathValue("id"), n, reason, partnerMessage(r))
		return err
	})
}

// support records progress on a support item: its status and a dated note.
func (a *App) support(w http.ResponseWriter, r *http.Request) {
	a.act(w, r, "support", programmeOnly, func(v *view) error {
		n, err := number(r.PathValue("n"))
		if err != nil {
			return err
		}
		_, err = a.Agreements.UpdateSupport(r.Context(), v.Actor.Name, r.PathValue("id"), n, r.PostForm.Get("status"), r.PostForm.Get("note"))
		return err
	})
}

// respond records a check-in answered in a call, meeting or visit; the
// participants are one per line.
func (a *App) respond(w http.ResponseWriter, r *http.Request) {
	a.act(w, r, "recorded", programmeOnly, func(v *view) error {
		n, err := number(r.PathValue("n"))
		if err != nil {
			return err
		}
		f := r.PostForm
		_, _, err = a.Replies.RecordConversation(r.Context(), v.Actor.Name, r.PathValue("id"), n, grants.ConversationInput{
			Channel: f.Get("channel"), HappenedOn: f.Get("happenedOn"), Participants: lines(f.Get("participants")),
			Summary: f.Get("summary"), PartnerWords: f.Get("partnerWords")})
		return err
	})
}

// lines is a textarea's non-empty lines, trimmed.
func lines(s string) []string {
	out := []string{}
	for l := range strings.Lines(s) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// parseContacts reads one contact per line: "Name, email, role".
func parseContacts(s string) ([]grants.Contact, error) {
	var out []grants.Contact
	for i, l := range lines(s) {
		parts := strings.Split(l, ",")
		if len(parts) < 2 {
			return nil, &grants.Error{Code: grants.Invalid, Message: "Write each contact on its own line as: name, email, role.",
				Fields: []grants.FieldError{{Field: "contacts[" + strconv.Itoa(i) + "]", Reason: "needs at least a name and an email"}}}
		}
		c := grants.Contact{Name: strings.TrimSpace(parts[0]), Email: strings.TrimSpace(parts[1])}
		// A last part "phone: …" is the contact's phone (contactLines).
		if last := strings.TrimSpace(parts[len(parts)-1]); len(parts) > 2 && strings.HasPrefix(strings.ToLower(last), "phone:") {
			c.Phone = strings.TrimSpace(last[len("phone:"):])
			parts = parts[:len(parts)-1]
		}
		if len(parts) > 2 {
			c.Role = strings.TrimSpace(strings.Join(parts[2:], ","))
		}
		out = append(out, c)
	}
	return out, nil
}

func number(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > grants.MaxInstalments {
		return 0, &grants.Error{Code: grants.NotFound, Message: "There is no such instalment or check-in."}
	}
	return n, nil
}

// wasWere is the verb that agrees with n things: "1 message was", "2
// messages were".
func wasWere(n int) string {
	if n == 1 {
		return "was"
	}
	return "were"
}
