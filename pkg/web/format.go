package web

import (
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/money"
	"github.com/partnership-grants/backend/pkg/reports"
)

// amount is money as people read it everywhere ("£2,500.00"):
// money.Amount.Display, the one way pages, history and emails write it.
func amount(minor int64, currency string) string {
	return money.Amount{Minor: minor, Currency: currency}.Display()
}

// day is "14 May 2026"; "" for no date.
func day(d grants.Date) string {
	if d.IsZero() {
		return ""
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Format("2 Jan 2006")
}

// longDay is a date as the use cases write it in words for emails ("16
// April 2026", grants.Date.Long).
var longDay = regexp.MustCompile(`\b\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|November|December) \d{4}\b`)

// pageDates is s with the dates the use cases wrote in it, as YYYY-MM-DD
// or in words ("16 April 2026"), as the pages show dates: day(), "16 Apr
// 2026" (issue 26, item 4: dates shown one way). An instant
// ("2026-05-14T09:00:00Z") or what is not a date is left as it is.
func pageDates(s string) string {
	s = isoDay.ReplaceAllStringFunc(s, func(m string) string {
		if d, err := grants.ParseDate(m); err == nil {
			return day(d)
		}
		return m
	})
	return longDay.ReplaceAllStringFunc(s, func(m string) string {
		if t, err := time.Parse("2 January 2006", m); err == nil {
			return day(grants.DateOf(t))
		}
		return m
	})
}

// instant is a moment in the programme's zone: "14 May 2026, 09:00".
func instant(t time.Time, zone string) string {
	if t.IsZero() {
		return ""
	}
	if loc, err := time.LoadLocation(zone); err == nil {
		t = t.In(loc)
	}
	return t.Format("2 Jan 2006, 15:04")
}

func roles(a grants.Actor) string {
	var names []string
	for _, g := range a.Groups {
		names = append(names, string(g))
	}
	return strings.Join(names, ", ")
}

// instalmentState is an instalment's status in words, with what it waits on.
func instalmentState(in grants.Instalment) string {
	switch {
	case in.Status == grants.InstalmentPaid:
		return "Paid " + day(in.PaidOn)
	case in.Payment.AwaitingApproval():
		return "Payment awaiting approval"
	case in.Status == grants.InstalmentHeld:
		return "On hold: " + in.HoldReason
	case in.Status == grants.InstalmentDue && in.AwaitingCheckIn:
		return "Due; waiting for the previous check-in"
	case in.Status == grants.InstalmentDue:
		return "Due for payment"
	case in.Status == grants.InstalmentCancelled:
		return "Cancelled"
	}
	return "Scheduled"
}

func checkInState(c grants.CheckIn, zone string) string {
	switch c.Status {
	case grants.CheckInSent:
		s := "Sent " + instant(c.SentAt, zone)
		if c.Reminders > 0 {
			s += ", reminded " + plural(c.Reminders, "time")
		}
		return s
	case grants.CheckInReceived:
		if c.ReceivedBy != "" {
			return "Answered in a conversation (" + string(c.ReceivedBy) + "), recorded " + instant(c.ReceivedAt, zone)
		}
		return "Reply received " + instant(c.ReceivedAt, zone)
	case grants.CheckInOverdue:
		return "Overdue: no reply after " + plural(c.Reminders, "reminder")
	case grants.CheckInWaived:
		return "Waived: " + c.WaivedReason
	}
	return "Scheduled"
}

// channelName is a conversation's channel as a person says it.
func channelName(c grants.Channel) string {
	switch c {
	case grants.ChannelCall:
		return "Call"
	case grants.ChannelMeeting:
		return "Meeting"
	case grants.ChannelVisit:
		return "Visit"
	case grants.ChannelEmail:
		return "Email"
	}
	return "Other"
}

func checkInTitle(c grants.CheckIn) string {
	if c.Final {
		return "End-of-agreement report"
	}
	return "Check-in " + itoa(c.Number)
}

func itoa(n int) string { return strconv.Itoa(n) }

// canPay reports whether finance may request payment of the instalment now.
func canPay(in grants.Instalment) bool {
	return in.Status == grants.InstalmentDue && !in.Payment.AwaitingApproval()
}

// awaiting is p if it waits for a second person's approval, else nil.
func awaiting(p *grants.Payment) *grants.Payment {
	if p.AwaitingApproval() {
		return p
	}
	return nil
}

// requestedBy reports whether the signed-in person requested p.
func requestedBy(v *view, p *grants.Payment) bool { return v.Actor.Is(p.RequestedByID, p.RequestedBy) }

func contactLines(cs []grants.Contact) string {
	var b strings.Builder
	for _, c := range cs {
		b.WriteString(c.Name + ", " + c.Email)
		if c.Role != "" {
			b.WriteString(", " + c.Role)
		}
		if c.Phone != "" {
			b.WriteString(", phone: " + c.Phone) // parseContacts reads it back (issue 23)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func kib(n int) string {
	if n < 1024 {
		return itoa(n) + " bytes"
	}
	return itoa((n+1023)/1024) + " KB"
}

func joinLines(items []string) string { return strings.Join(items, "\n") }

func inputType(kind string) string {
	if kind == "" {
		return "text"
	}
	return kind
}

// paymentNote is who paid an instalment, how, and why without its check-in.
func paymentNote(p *grants.Payment) string {
	s := "Reference " + p.PaymentReference + ", paid on " + day(p.PaidOn) + ", requested by " + p.RequestedBy
	if p.ApprovedBy != "" {
		s += ", approved by " + p.ApprovedBy
	}
	if p.OverrideReason != "" {
		s += "; paid before the check-in because: " + p.OverrideReason
	}
	return s
}

// major is an amount in major units as a form shows it ("2500.00").
func major(minor int64, currency string) string {
	return money.Amount{Minor: minor, Currency: currency}.Major()
}

// amountVaries tells whether the amend form offers an instalment's amount:
// unpaid, with no payment waiting for approval (grants.Amend's rule).
func amountVaries(in grants.Instalment) bool {
	switch in.Status {
	case grants.InstalmentPaid, grants.InstalmentCancelled:
		return false
	}
	return !in.Payment.AwaitingApproval()
}

// helpRequest is the request for help a reply made, or nil.
func helpRequest(a *grants.Agreement, messageID string) *grants.HelpRequest {
	for i := range a.HelpRequests {
		if a.HelpRequests[i].MessageID == messageID {
			return &a.HelpRequests[i]
		}
	}
	return nil
}

func noteSuffix(note string) string {
	if note == "" {
		return "."
	}
	return ": " + note
}

// changeLine says in words what an amendment changed: "Terms: “Host four
// meals” became “Host six meals”", amounts in the agreement's currency.
func changeLine(c grants.Change, currency string) string {
	show := func(vs []string) string {
		if len(vs) == 0 {
			return "nothing"
		}
		out := make([]string, len(vs))
		for i, v := range vs {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil && c.IsAmount() {
				out[i] = amount(n, currency)
			} else if d, err := grants.ParseDate(v); err == nil && strings.HasSuffix(c.Field, "dueDate") {
				out[i] = day(d)
			} else {
				out[i] = "“" + v + "”"
			}
		}
		return strings.Join(out, ", ")
	}
	return fieldName(c.Field) + ": " + show(c.Before) + " became " + show(c.After)
}

// fieldName is an amendment's field in words: "instalments[3].amount" is
// "Instalment 3 amount".
func fieldName(f string) string {
	list, rest, ok := strings.Cut(f, "[")
	if !ok {
		if f == "" {
			return f
		}
		return strings.ToUpper(f[:1]) + f[1:]
	}
	n, prop, _ := strings.Cut(rest, "].")
	item := map[string]string{"instalments": "Instalment", "checkIns": "Check-in"}[list]
	if item == "" {
		item = list
	}
	prop = map[string]string{"dueDate": "due date", "amount": "amount"}[prop]
	return item + " " + n + " " + prop
}

// daysLate is an instalment's working days late in words, by whom it
// waited on (grants.LatenessInWords: "12 days waiting on the partner, 3
// days with finance"), with its days on hold; a dash while it is not yet
// due or if cancelled.
func daysLate(status grants.InstalmentStatus, withPartner, withFinance, onHold int) string {
	switch status {
	case grants.InstalmentDue, grants.InstalmentHeld, grants.InstalmentPaid:
		return grants.LatenessInWords(withPartner, withFinance, onHold)
	}
	return "–"
}

// percent renders a share from 0 to 1 as a whole percentage.
func percent(share float64) string { return strconv.Itoa(int(math.Round(share*100))) + "%" }

// halves renders a median of whole days, which may end in a half.
func halves(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// moneyByCurrency is the summary's money figures, a currency at a time in
// the order of their codes (a map's order would change between views).
func moneyByCurrency(s reports.Summary) []reports.CurrencyTotals {
	out := make([]reports.CurrencyTotals, 0, len(s.Currencies))
	for _, cur := range slices.Sorted(maps.Keys(s.Currencies)) {
		t := s.Currencies[cur]
		t.Currency = cur
		out = append(out, t)
	}
	return out
}
