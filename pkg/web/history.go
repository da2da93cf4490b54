package web

import (
	"log/slog"
	"net/http"
	"regexp"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/money"
	"github.com/partnership-grants/backend/pkg/outbox"
	"github.com/partnership-grants/backend/pkg/reports"
)

// History in words (issue 26, item 10): people by name, and the technical
// details (SES message IDs, event IDs, outbox keys) kept out of the words,
// behind a "Details" disclosure for whoever needs them.

// historyItem is one history entry as the page says it.
type historyItem struct {
	Words   string
	Details []string
}

var (
	// sesID and eventID are the technical IDs the courier writes into a
	// detail: "(SES <id>)", "(event <id>)".
	sesID   = regexp.MustCompile(`\s*\((SES|event) ([^)\s]+)\)`)
	address = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
	// majorAmount is an amount as older details wrote it ("2500.00 GBP"),
	// shown as money ("£2,500.00").
	majorAmount = regexp.MustCompile(`\b(\d+(?:\.\d+)?) ([A-Z]{3})\b`)
)

// historyWords is e in words, with names for the addresses names knows.
func historyWords(e reports.Event, names map[string]string) historyItem {
	var it historyItem
	title := e.Title
	if head, subject, ok := strings.Cut(e.Title, ": "); ok {
		if k, err := outbox.ParseKey(subject); err == nil {
			title = head
			it.Details = append(it.Details, "Outbox key: "+k.String())
		}
	}
	words := title
	if e.Actor != "" && e.Actor != grants.System {
		words += " by " + personName(e.Actor, names)
	}
	detail := e.Detail
	for _, m := range sesID.FindAllStringSubmatch(detail, -1) {
		if m[1] == "SES" {
			it.Details = append(it.Details, "SES message ID: "+m[2])
		} else {
			it.Details = append(it.Details, "Event ID: "+m[2])
		}
	}
	detail = sesID.ReplaceAllString(detail, "")
	detail = address.ReplaceAllStringFunc(detail, func(a string) string { return personName(a, names) })
	detail = majorAmount.ReplaceAllStringFunc(detail, func(s string) string {
		m := majorAmount.FindStringSubmatch(s)
		minor, err := money.ParseMajor(m[1], m[2])
		if err != nil {
			return s
		}
		return amount(minor, m[2])
	})
	detail = pageDates(detail)
	if detail != "" {
		words += ": " + detail
	}
	it.Words = words
	return it
}

// personName is the person's name where it is known, else the address.
func personName(addr string, names map[string]string) string {
	if n := names[strings.ToLower(addr)]; n != "" {
		return n
	}
	return addr
}

// peopleOf are the names the agreement page's history may use: the
// programme's staff (the pool's, when the app has it), the agreement's
// officer and its contacts.
func (a *App) peopleOf(r *http.Request, ag *grants.Agreement) map[string]string {
	names := map[string]string{}
	if a.Staff != nil {
		staff, err := a.Staff.Names(r.Context(), ag.Programme)
		if err != nil {
			// The history still reads, by address.
			slog.WarnContext(r.Context(), "staff names unread", "error", err.Error())
		}
		for k, v := range staff {
			names[k] = v
		}
	}
	if ag.Owner.Email != "" && ag.Owner.Name != "" {
		names[strings.ToLower(ag.Owner.Email)] = ag.Owner.Name
	}
	for _, c := range ag.Contacts {
		if c.Name != "" {
			names[strings.ToLower(c.Email)] = c.Name
		}
	}
	return names
}
