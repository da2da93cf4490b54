package reports

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/money"
)

// Kinds of timeline event.
const (
	KindInstalment = "instalment"
	KindCheckIn    = "check-in"
	KindHistory    = "history"
)

// Event is one line of an agreement's timeline.
type Event struct {
	// Date is the calendar date in the agreement's time zone.
	Date grants.Date `json:"date"`
	// At is the instant of something that happened; zero for planned items,
	// which are dates, not instants.
	At   time.Time `json:"at,omitzero"`
	Kind string    `json:"kind"`
	// Title is a short human label ("Instalment 2 of 4", "Email sent: check-in 1").
	Title string `json:"title"`
	// Status is the item's state for instalments and check-ins, and the
	// audit action ("payment.approved") for history entries, so a reader can
	// filter both by one stable machine-readable field.
	Status string `json:"status"`
	Actor  string `json:"actor,omitempty"`
	Detail string `json:"detail,omitempty"`
	// Changes are what an amendment changed, before and after.
	Changes []grants.Change `json:"changes,omitempty"`
	// Body is what an email sent said, for the agreement's page; not
	// served as JSON (the monitoring API's timeline has no email bodies).
	Body string `json:"-"`
}

// Timeline merges an agreement's plan (instalments and check-ins, as loaded
// on a) with its audit history into one list in date order. Within a day,
// planned items come before things that happened, so "due on 1 April"
// reads before "paid at 14:00 on 1 April"; then instants in time order; ties
// go instalment, check-in, history, and otherwise keep their input order
// (history is append-only, so its order is the order things happened).
func Timeline(a *grants.Agreement, history []grants.AuditEntry) []Event {
	loc := a.Location()
	events := make([]Event, 0, len(a.Instalments)+len(a.CheckIns)+len(history))
	for _, in := range a.Instalments {
		events = append(events, Event{
			Date:   in.DueDate,
			Kind:   KindInstalment,
			Title:  fmt.Sprintf("Instalment %d of %d", in.Number, len(a.Instalments)),
			Status: string(in.Status),
			Actor:  in.PaidBy,
			Detail: instalmentDetail(a, in),
		})
	}
	for _, c := range a.CheckIns {
		title := fmt.Sprintf("Check-in %d of %d", c.Number, len(a.CheckIns))
		if c.Final {
			title += " (final report)"
		}
		events = append(events, Event{
			Date:   c.DueDate,
			Kind:   KindCheckIn,
			Title:  title,
			Status: string(c.Status),
			Detail: checkInDetail(c, loc),
		})
	}
	for _, h := range history {
		title := humanAction(h.Action)
		if h.Subject != "" {
			title += ": " + h.Subject
		}
		events = append(events, Event{
			Date:    grants.DateOf(h.At.In(loc)),
			At:      h.At,
			Kind:    KindHistory,
			Title:   title,
			Status:  h.Action,
			Actor:   h.Actor,
			Detail:  h.Detail,
			Changes: h.Changes,
			Body:    h.Body,
		})
	}
	slices.SortStableFunc(events, func(x, y Event) int {
		return cmp.Or(
			cmp.Compare(x.Date.String(), y.Date.String()),
			cmp.Compare(b2i(!x.At.IsZero()), b2i(!y.At.IsZero())),
			x.At.Compare(y.At),
			cmp.Compare(kindRank(x.Kind), kindRank(y.Kind)),
		)
	})
	return events
}

func kindRank(k string) int {
	switch k {
	case KindInstalment:
		return 0
	case KindCheckIn:
		return 1
	}
	return 2
}

func instalmentDetail(a *grants.Agreement, in grants.Instalment) string {
	parts := []string{money.Amount{Minor: in.Amount, Currency: a.Currency}.Display()}
	if in.IsExtra() {
		parts = append(parts, "extra payment ("+string(in.Extra.Purpose)+")")
	}
	if in.AwaitingCheckIn {
		parts = append(parts, "awaiting check-in")
	}
	if in.HoldReason != "" {
		parts = append(parts, "held: "+in.HoldReason)
	}
	if !in.PaidOn.IsZero() {
		parts = append(parts, "paid "+in.PaidOn.String())
	}
	if in.PaymentReference != "" {
		parts = append(parts, "ref "+in.PaymentReference)
	}
	return strings.Join(parts, "; ")
}

// checkInDetail carries the sent and received instants in the agreement's
// time zone: the partner and the programme team both think in local time.
func checkInDetail(c grants.CheckIn, loc *time.Location) string {
	const layout = "2006-01-02 15:04 MST"
	var parts []string
	if !c.SentAt.IsZero() {
		parts = append(parts, "sent "+c.SentAt.In(loc).Format(layout))
	}
	if c.Reminders > 0 {
		parts = append(parts, plural(c.Reminders, "reminder"))
	}
	if !c.ReceivedAt.IsZero() {
		parts = append(parts, "received "+c.ReceivedAt.In(loc).Format(layout))
		if c.ReceivedBy != "" {
			parts = append(parts, "answered by "+string(c.ReceivedBy))
		}
	}
	if c.WaivedReason != "" {
		parts = append(parts, "waived: "+c.WaivedReason)
	}
	return strings.Join(parts, "; ")
}

// humanAction turns an audit action into words without a lookup table, so
// an action added elsewhere still reads well: "email.sent" becomes "Email
// sent", "checkin.reminder_due" becomes "Check-in reminder due".
func humanAction(action string) string {
	words := strings.Fields(strings.NewReplacer(".", " ", "_", " ", "checkin", "check-in").Replace(action))
	if len(words) == 0 {
		return "Recorded"
	}
	r, size := utf8.DecodeRuneInString(words[0])
	words[0] = string(unicode.ToUpper(r)) + words[0][size:]
	return strings.Join(words, " ")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
