// Package dashboard renders the programme team's daily page: the programme
// at a glance, one row per agreement with a year timeline of its instalments
// and check-ins, and the replies waiting in quarantine. It is server-rendered
// HTML from html/template with the templates and stylesheet embedded, so one
// Lambda response is the whole page: no JavaScript, no build step, no assets
// to host.
package dashboard

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	// The Lambda image (provided.al2023) has no zoneinfo, and a dashboard in
	// UTC would show British summer dates an hour out: carry the database.
	_ "time/tzdata"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/money"
	"github.com/partnership-grants/backend/pkg/monitoring"
)

// Page is everything one rendering needs; the caller loads it, so Render
// never touches a store or a clock.
type Page struct {
	Title   string
	Summary monitoring.Summary
	// Agreements are shown one per row in this order, with their
	// Instalments and CheckIns loaded.
	Agreements  []grants.Agreement
	Quarantine  []QuarantineItem
	Today       grants.Date
	GeneratedAt time.Time
	// Location is the programme's time zone for instants shown on the page
	// (generated, received); nil means Europe/London.
	Location *time.Location
}

// QuarantineItem is a reply held for a person to decide on.
type QuarantineItem struct {
	ID                 string
	ReceivedAt         time.Time
	From               string
	Subject            string
	Reason             grants.QuarantineReason
	AgreementReference string
}

var (
	//go:embed templates/*.html
	templateFS embed.FS
	//go:embed static/dashboard.css
	stylesheet string

	page = template.Must(template.New("page.html").Funcs(template.FuncMap{
		"plural": plural,
		"left":   func(pct string) string { return placeClass("at-", pct) },
		"width":  func(pct string) string { return placeClass("w-", pct) },
	}).ParseFS(templateFS, "templates/*.html"))
)

// Render writes the page as one complete HTML document and returns the
// Content-Security-Policy to serve it with: the page's one style element,
// allowed by its hash, and nothing else (no script, image, font, frame or
// form; no framing by another site). It renders into a buffer first so that
// a template error never leaves half a page on w.
func Render(w io.Writer, p Page) (csp string, err error) {
	v := build(p)
	var buf bytes.Buffer
	if err := page.Execute(&buf, v); err != nil {
		return "", fmt.Errorf("render dashboard: %w", err)
	}
	sum := sha256.Sum256([]byte(v.CSS))
	csp = "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; " +
		"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
	if _, err := w.Write(buf.Bytes()); err != nil {
		return "", err
	}
	return csp, nil
}

// view is the page as the template sees it: every figure already formatted
// and every position already computed, so the template only lays things out.
type view struct {
	Title        string
	Programme    string
	Today        string
	Generated    string
	GeneratedISO string
	CSS          template.CSS
	Status       []countItem
	StatusTotal  int
	Money        []moneyView
	Instalments  []countItem
	CheckIns     []countItem
	Quarantined  int
	Bouncing     []bouncingView
	PastEndDate  int
	Rows         []rowView
	Legend       []legendGroup
	Quarantine   []quarantineView
}

type countItem struct {
	Label     string
	N         int
	Attention bool
}

type bouncingView struct {
	Anchor, Reference, Partner string
}

type moneyView struct {
	Currency, Committed, Paid, Outstanding string
}

type rowView struct {
	Anchor, Reference, Partner, Status, StatusLabel string
	Award, Paid                                     string
	StartLabel, EndLabel                            string
	Timeline                                        timelineView
	Notes                                           []note
}

type note struct {
	Text      string
	Attention bool
}

type timelineView struct {
	Label      string
	Elapsed    string // width of the shaded elapsed part, e.g. "37.50%"
	Today      string // position of the today line, "" when today is outside the agreement
	TodayLabel string
	Ticks      []tick
	Markers    []marker
}

type tick struct {
	Left, Label string
	Major       bool // January: labelled with its year
	// Thin ticks lose their label on a narrow screen.
	Thin bool
}

type marker struct {
	Kind  string // "inst" or "chk": the CSS class stem
	State string
	Left  string
	Glyph string
	Text  string
}

type legendGroup struct {
	Title string
	Items []legendItem
}

type legendItem struct {
	Kind, State, Glyph, Label string
}

type quarantineView struct {
	ID, From, Subject, Reason, Agreement, AgreementAnchor, Received, ReceivedISO string
}

func build(p Page) view {
	loc := p.Location
	if loc == nil {
		loc = london()
	}
	s := p.Summary
	v := view{
		Title:       cmp.Or(p.Title, "Programme dashboard"),
		Programme:   s.Programme,
		Today:       p.Today.Long(),
		StatusTotal: s.Status.Total,
		Quarantined: s.Quarantined,
		PastEndDate: s.PastEndDate,
		Legend:      legend,
	}
	if !p.GeneratedAt.IsZero() {
		v.Generated = p.GeneratedAt.In(loc).Format("2 January 2006, 15:04 MST")
		v.GeneratedISO = p.GeneratedAt.UTC().Format(time.RFC3339)
	}
	v.Status = []countItem{
		{Label: "Active", N: s.Status.Active},
		{Label: "Draft", N: s.Status.Draft},
		{Label: "Completed", N: s.Status.Completed},
		{Label: "Terminated", N: s.Status.Terminated},
	}
	for _, b := range s.Bouncing {
		v.Bouncing = append(v.Bouncing, bouncingView{Anchor: rowAnchor(b.AgreementID, b.Reference), Reference: b.Reference, Partner: b.Partner})
	}
	for _, code := range s.CurrencyCodes() {
		c := s.Currencies[code]
		v.Money = append(v.Money, moneyView{
			Currency:    code,
			Committed:   money.Amount{Minor: c.Committed.Minor, Currency: code}.Display(),
			Paid:        money.Amount{Minor: c.Paid.Minor, Currency: code}.Display(),
			Outstanding: money.Amount{Minor: c.Outstanding.Minor, Currency: code}.Display(),
		})
	}
	v.Instalments = []countItem{
		{Label: "Due for payment", N: s.InstalmentsDue},
		{Label: "Held", N: s.InstalmentsHeld, Attention: s.InstalmentsHeld > 0},
	}
	v.CheckIns = []countItem{
		{Label: "Received", N: s.CheckInsReceived},
		{Label: "Late (reminded)", N: s.CheckInsLate, Attention: s.CheckInsLate > 0},
		{Label: "Overdue", N: s.CheckInsOverdue, Attention: s.CheckInsOverdue > 0},
	}
	anchors := map[string]string{}
	for i := range p.Agreements {
		a := &p.Agreements[i]
		r := buildRow(a, p.Today)
		anchors[a.Reference] = r.Anchor
		v.Rows = append(v.Rows, r)
	}
	v.CSS = template.CSS(stylesheet + placeRules(v.Rows))
	// Oldest first: the reply that has waited longest is the one to open next.
	q := slices.Clone(p.Quarantine)
	slices.SortStableFunc(q, func(x, y QuarantineItem) int { return x.ReceivedAt.Compare(y.ReceivedAt) })
	for _, it := range q {
		v.Quarantine = append(v.Quarantine, quarantineView{
			ID: anchorSafe(it.ID), From: it.From, Subject: it.Subject, Reason: it.Reason.Description(),
			Agreement: it.AgreementReference, AgreementAnchor: anchors[it.AgreementReference],
			Received:    it.ReceivedAt.In(loc).Format("2 Jan 2006, 15:04"),
			ReceivedISO: it.ReceivedAt.UTC().Format(time.RFC3339),
		})
	}
	return v
}

var statusLabels = map[grants.AgreementStatus]string{
	grants.AgreementDraft:      "Draft",
	grants.AgreementActive:     "Active",
	grants.AgreementCompleted:  "Completed",
	grants.AgreementTerminated: "Terminated",
}

func buildRow(a *grants.Agreement, today grants.Date) rowView {
	st := a.Stats
	if len(a.Instalments) > 0 {
		// The plans are loaded, so they are the truth; stored Stats may lag.
		st = a.ComputeStats()
	}
	r := rowView{
		Anchor:      rowAnchor(a.ID, a.Reference),
		Reference:   a.Reference,
		Partner:     a.Partner.Name,
		Status:      string(a.Status),
		StatusLabel: cmp.Or(statusLabels[a.Status], string(a.Status)),
		Award:       a.Money().Display(),
		Paid:        money.Amount{Minor: st.Paid, Currency: a.Currency}.Display(),
		StartLabel:  shortDate(a.StartDate),
		EndLabel:    shortDate(a.EndDate),
		Timeline:    buildTimeline(a, today),
		Notes:       notes(a, today),
	}
	return r
}

// notes are the few words that tell the team what, if anything, this
// agreement needs from them, most urgent first.
func notes(a *grants.Agreement, today grants.Date) []note {
	var out []note
	for _, in := range a.Instalments {
		switch in.Status {
		case grants.InstalmentHeld:
			why := in.HoldReason
			if why == "" && in.AwaitingCheckIn {
				why = "awaiting a check-in reply"
			}
			text := fmt.Sprintf("Instalment %d held", in.Number)
			if why != "" {
				text += ": " + why
			}
			out = append(out, note{Text: text, Attention: true})
		case grants.InstalmentDue:
			text := fmt.Sprintf("Instalment %d due for payment", in.Number)
			if in.AwaitingCheckIn {
				text += " (awaiting check-in)"
			}
			out = append(out, note{Text: text})
		}
	}
	for _, c := range a.CheckIns {
		switch {
		case c.Status == grants.CheckInOverdue:
			out = append(out, note{Text: fmt.Sprintf("Check-in %d overdue since %s", c.Number, shortDate(c.DueDate)), Attention: true})
		case c.Status == grants.CheckInSent && c.Reminders > 0:
			out = append(out, note{Text: fmt.Sprintf("Check-in %d unanswered after %s", c.Number, plural(c.Reminders, "reminder")), Attention: true})
		}
	}
	bounced := 0
	for _, c := range a.Contacts {
		if c.Bounced != "" {
			bounced++
		}
	}
	if bounced > 0 && (a.Status == grants.AgreementActive || a.Status == grants.AgreementDraft) {
		out = append(out, note{Text: plural(bounced, "contact") + " bouncing: check-ins are not arriving", Attention: true})
	}
	switch a.Status {
	case grants.AgreementTerminated:
		out = append(out, note{Text: "Terminated: " + a.TerminationReason})
	case grants.AgreementDraft:
		out = append(out, note{Text: "Not yet active; starts " + shortDate(a.StartDate)})
	case grants.AgreementCompleted:
		out = append(out, note{Text: "Completed " + shortDate(a.EndDate)})
	case grants.AgreementActive:
		if a.EndDate.Before(today) {
			out = append(out, note{Text: "Past its end date: ready to complete", Attention: true})
		} else if next := nextItem(a, today); next != "" {
			out = append(out, note{Text: "Next: " + next})
		}
	}
	return out
}

// nextItem names the next planned instalment or check-in on or after today.
func nextItem(a *grants.Agreement, today grants.Date) string {
	var best grants.Date
	text := ""
	consider := func(d grants.Date, s string) {
		if !d.Before(today) && (text == "" || d.Before(best)) {
			best, text = d, s
		}
	}
	for _, in := range a.Instalments {
		if in.Status == grants.InstalmentScheduled {
			consider(in.DueDate, fmt.Sprintf("instalment %d on %s", in.Number, shortDate(in.DueDate)))
		}
	}
	for _, c := range a.CheckIns {
		if c.Status == grants.CheckInScheduled {
			consider(c.DueDate, fmt.Sprintf("check-in %d on %s", c.Number, shortDate(c.DueDate)))
		}
	}
	return text
}

func buildTimeline(a *grants.Agreement, today grants.Date) timelineView {
	t := timelineView{Label: "Year timeline for " + a.Reference}
	span := a.StartDate.DaysUntil(a.EndDate)
	if a.StartDate.IsZero() || a.EndDate.IsZero() || span <= 0 {
		return t
	}
	at := percent(a.StartDate.DaysUntil(today), span)
	// A terminated agreement's year stopped early: shading it as elapsed
	// would suggest it is still running.
	if a.Status != grants.AgreementTerminated {
		t.Elapsed = at
	}
	if !today.Before(a.StartDate) && !today.After(a.EndDate) {
		t.Today = at
		t.TodayLabel = "Today, " + shortDate(today)
	}
	// A tick on the first of each month inside the agreement.
	first := grants.Date{Year: a.StartDate.Year, Month: a.StartDate.Month, Day: 1}
	if a.StartDate.Day != 1 {
		first = first.AddMonths(1)
	}
	for d := first; !d.After(a.EndDate); d = d.AddMonths(1) {
		label := d.Month.String()[:3]
		// The year is named at each January; the exact start and end dates
		// sit under the strip, so the first tick need not repeat them.
		major := d.Month == time.January
		if major {
			label += fmt.Sprintf(" %d", d.Year)
		}
		t.Ticks = append(t.Ticks, tick{Left: percent(a.StartDate.DaysUntil(d), span), Label: label, Major: major})
	}
	// On a narrow screen a month is about 25 pixels: keep a label every
	// third month, and none beside a January, whose label is longer.
	for i := range t.Ticks {
		nearJan := i > 0 && t.Ticks[i-1].Major || i+1 < len(t.Ticks) && t.Ticks[i+1].Major
		t.Ticks[i].Thin = !t.Ticks[i].Major && (i%3 != 0 || nearJan)
	}

	type dated struct {
		d grants.Date
		m marker
	}
	var ms []dated
	for _, in := range a.Instalments {
		text := fmt.Sprintf("Instalment %d of %d, %s, due %s: %s", in.Number, len(a.Instalments),
			money.Amount{Minor: in.Amount, Currency: a.Currency}.Display(), shortDate(in.DueDate), instalmentState(in))
		ms = append(ms, dated{in.DueDate, marker{Kind: "inst", State: string(in.Status), Left: percent(a.StartDate.DaysUntil(in.DueDate), span), Glyph: fmt.Sprint(in.Number), Text: text}})
	}
	for _, c := range a.CheckIns {
		name := fmt.Sprintf("Check-in %d of %d", c.Number, len(a.CheckIns))
		if c.Final {
			name = "Final report"
		}
		text := fmt.Sprintf("%s, due %s: %s", name, shortDate(c.DueDate), checkInState(c, a.Location()))
		glyph := fmt.Sprint(c.Number)
		if c.Final {
			glyph = "F"
		}
		ms = append(ms, dated{c.DueDate, marker{Kind: "chk", State: string(c.Status), Left: percent(a.StartDate.DaysUntil(c.DueDate), span), Glyph: glyph, Text: text}})
	}
	// Date order, so a screen reader hears the year as it unfolds.
	slices.SortStableFunc(ms, func(x, y dated) int { return cmp.Compare(x.d.String(), y.d.String()) })
	for _, m := range ms {
		t.Markers = append(t.Markers, m.m)
	}
	return t
}

func instalmentState(in grants.Instalment) string {
	switch in.Status {
	case grants.InstalmentPaid:
		s := "paid"
		if !in.PaidOn.IsZero() {
			s += " " + shortDate(in.PaidOn)
		}
		if in.PaymentReference != "" {
			s += ", ref " + in.PaymentReference
		}
		return s
	case grants.InstalmentHeld:
		if in.HoldReason != "" {
			return "held (" + in.HoldReason + ")"
		}
		if in.AwaitingCheckIn {
			return "held (awaiting check-in)"
		}
	case grants.InstalmentDue:
		if in.AwaitingCheckIn {
			return "due (awaiting check-in)"
		}
	}
	return string(in.Status)
}

func checkInState(c grants.CheckIn, loc *time.Location) string {
	switch c.Status {
	case grants.CheckInReceived:
		if !c.ReceivedAt.IsZero() {
			return "received " + shortDate(grants.DateOf(c.ReceivedAt.In(loc)))
		}
	case grants.CheckInSent, grants.CheckInOverdue:
		s := string(c.Status)
		if !c.SentAt.IsZero() {
			s += ", sent " + shortDate(grants.DateOf(c.SentAt.In(loc)))
		}
		if c.Reminders > 0 {
			s += ", " + plural(c.Reminders, "reminder")
		}
		return s
	case grants.CheckInWaived:
		if c.WaivedReason != "" {
			return "waived (" + c.WaivedReason + ")"
		}
	}
	return string(c.Status)
}

// legend explains the markers' visual grammar: outline is planned, tinted is
// under way, solid is done, a ring asks for attention, dashed is void. Shape
// (square or circle), position (above or below the line) and glyph carry the
// meaning as well as colour.
var legend = []legendGroup{
	{Title: "Instalments", Items: []legendItem{
		{"inst", "scheduled", "1", "scheduled"},
		{"inst", "due", "1", "due for payment"},
		{"inst", "paid", "1", "paid"},
		{"inst", "held", "1", "held"},
		{"inst", "cancelled", "1", "cancelled"},
	}},
	{Title: "Check-ins", Items: []legendItem{
		{"chk", "scheduled", "1", "scheduled"},
		{"chk", "sent", "1", "sent, awaiting reply"},
		{"chk", "received", "1", "reply received"},
		{"chk", "overdue", "1", "overdue"},
		{"chk", "waived", "1", "waived"},
		{"chk", "scheduled", "F", "final report"},
	}},
}

// percent places a day on the strip as a CSS percentage with two decimals,
// computed in integers so the golden file is the same on every machine.
func percent(days, span int) string {
	bp := days * 10000 / span
	bp = min(max(bp, 0), 10000)
	return fmt.Sprintf("%d.%02d%%", bp/100, bp%100)
}

// placeClass names the class that puts an element at a percentage of a
// strip ("37.50%" → "at-37_50"). The page's policy allows its one style
// element, by hash, and no style attributes, so each place drawn is a class
// that placeRules defines.
func placeClass(prefix, pct string) string {
	return prefix + strings.NewReplacer(".", "_", "%", "").Replace(pct)
}

// placeRules are the stylesheet's rules for the places the rows' timelines
// draw, one rule per place, in a stable order.
func placeRules(rows []rowView) string {
	left, width := map[string]bool{}, map[string]bool{}
	for _, r := range rows {
		tl := r.Timeline
		if tl.Elapsed != "" {
			width[tl.Elapsed] = true
		}
		if tl.Today != "" {
			left[tl.Today] = true
		}
		for _, tk := range tl.Ticks {
			left[tk.Left] = true
		}
		for _, m := range tl.Markers {
			left[m.Left] = true
		}
	}
	var b strings.Builder
	b.WriteString("\n/* Places on this page's timelines. */\n")
	for _, pct := range slices.Sorted(maps.Keys(left)) {
		fmt.Fprintf(&b, ".%s { left: %s; }\n", placeClass("at-", pct), pct)
	}
	for _, pct := range slices.Sorted(maps.Keys(width)) {
		fmt.Fprintf(&b, ".%s { width: %s; }\n", placeClass("w-", pct), pct)
	}
	return b.String()
}

// rowAnchor is the id of an agreement's row, so the glance cards and the
// quarantine table can link to it.
func rowAnchor(id, reference string) string { return "agreement-" + anchorSafe(cmp.Or(id, reference)) }

func anchorSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, s)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func london() *time.Location {
	loc, err := time.LoadLocation(grants.DefaultTimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}
