package grants

import (
	"fmt"
	"strings"
	"time"

	"github.com/partnership-grants/backend/pkg/money"
)

// Closure is how an agreement came to be completed: on which day and by
// whom, and, when it was closed before everything was done, why and what
// was left. The partner's thank-you is worded from it.
type Closure struct {
	On Date   `json:"on"`
	By string `json:"by"`
	// Early is set when an officer closed the agreement with things left.
	Early  bool   `json:"early"`
	Reason string `json:"reason,omitempty"`
	// InstalmentsCancelled were unpaid, and Unpaid is what they came to.
	InstalmentsCancelled []int `json:"instalmentsCancelled,omitempty"`
	Unpaid               int64 `json:"unpaid,omitempty"`
	// CheckInsClosed were not answered; FinalReportMissing when the
	// end-of-agreement report is among them.
	CheckInsClosed     []int `json:"checkInsClosed,omitempty"`
	FinalReportMissing bool  `json:"finalReportMissing,omitempty"`

	// Message is the officer's words to the partner in the thank-you; the
	// Reason is internal and never sent (empty for closures before it was
	// kept: the email then says what was left, without a why).
	Message string `json:"message,omitempty"`
}

// allDone is the history's word for a completion with nothing left.
const allDone = "every instalment paid and the final report in"

// ClosedEarly is the waived reason of a check-in still open when an
// officer closed the agreement.
const ClosedEarly = "the agreement was closed before it was answered"

// Left says in words what was left when the agreement closed, "" when
// nothing was.
func (c Closure) Left(currency string) string {
	var parts []string
	if n := len(c.InstalmentsCancelled); n > 0 {
		parts = append(parts, fmt.Sprintf("%s %s (%s) not paid", plural(n, "instalment", "instalments"),
			joinInts(c.InstalmentsCancelled), money.Amount{Minor: c.Unpaid, Currency: currency}.Display()))
	}
	if n := len(c.CheckInsClosed); n > 0 {
		s := fmt.Sprintf("%s %s not answered", plural(n, "check-in", "check-ins"), joinInts(c.CheckInsClosed))
		if c.FinalReportMissing {
			s += " (the end-of-agreement report among them)"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// Count is n with its noun, singular or plural as n asks: "1 attachment",
// "2 attachments", "0 attachments". Words shown to people use it, never
// "attachment(s)".
func Count(n int, one, many string) string {
	return fmt.Sprintf("%d %s", n, plural(n, one, many))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// ReadyToComplete is whether an active agreement has nothing left: every
// instalment paid (or cancelled) and the final report received or waived.
// Such an agreement completes by itself when its last item is done
// (CompleteIfDone); an officer can complete it at any time.
func (a *Agreement) ReadyToComplete() bool {
	if a.Status != AgreementActive || len(a.CheckIns) == 0 {
		return false
	}
	for _, in := range a.Instalments {
		if in.Status != InstalmentPaid && in.Status != InstalmentCancelled {
			return false
		}
	}
	last := a.CheckIns[len(a.CheckIns)-1]
	return last.Status == CheckInReceived || last.Status == CheckInWaived
}

// Complete closes an active agreement. One that is ready to complete closes
// with an optional note. One that is not closes only from its end date and
// with a reason: its unpaid instalments are cancelled and its open
// check-ins closed (waived), as terminating does, and what was left is kept
// on the Closure. Never while a payment waits for its second person.
func (a *Agreement) Complete(reason string, now time.Time, actor string) ([]AuditEntry, error) {
	if err := AgreementTransition(a.Status, AgreementCompleted); err != nil {
		return nil, err
	}
	for _, in := range a.Instalments {
		if in.Payment.AwaitingApproval() {
			return nil, conflict("payment_pending", "Instalment %d has payment %s waiting for approval; it must be approved before the agreement is closed.", in.Number, in.Payment.ID)
		}
	}
	today := Today(now, a.Location())
	if a.ReadyToComplete() {
		note, err := OptionalNote("reason", reason)
		if err != nil {
			return nil, err
		}
		a.Status = AgreementCompleted
		a.Closure = &Closure{On: today, By: actor, Reason: note}
		a.touch(now, actor)
		detail := allDone
		if note != "" {
			detail += "; " + note
		}
		return []AuditEntry{{At: now.UTC(), Actor: actor, Action: "agreement.completed", Detail: detail}}, nil
	}
	reason, err := RequiredReason("reason", reason)
	if err != nil {
		return nil, err
	}
	if today.Before(a.EndDate) {
		return nil, conflict("not_ended", "Agreement %s runs to %s: before then it can be closed only when every instalment is paid and the final report is in or waived.", a.Reference, a.EndDate.Long())
	}
	c := &Closure{On: today, By: actor, Early: true, Reason: reason}
	for i := range a.Instalments {
		in := &a.Instalments[i]
		if InstalmentTransition(in.Status, InstalmentCancelled) == nil {
			in.Status, in.AwaitingCheckIn, in.UpdatedAt = InstalmentCancelled, false, now.UTC()
			c.InstalmentsCancelled = append(c.InstalmentsCancelled, in.Number)
			c.Unpaid += in.Amount
		}
	}
	for i := range a.CheckIns {
		ci := &a.CheckIns[i]
		if CheckInTransition(ci.Status, CheckInWaived) == nil {
			ci.Status, ci.WaivedReason, ci.RemindOn, ci.UpdatedAt = CheckInWaived, ClosedEarly, Date{}, now.UTC()
			c.CheckInsClosed = append(c.CheckInsClosed, ci.Number)
			c.FinalReportMissing = c.FinalReportMissing || ci.Final
		}
	}
	a.Status, a.Closure = AgreementCompleted, c
	a.touch(now, actor)
	detail := "closed with things left: " + reason
	if left := c.Left(a.Currency); left != "" {
		detail += " (" + left + ")"
	}
	return []AuditEntry{{At: now.UTC(), Actor: actor, Action: "agreement.completed", Detail: detail}}, nil
}
