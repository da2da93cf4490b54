package grants

import (
	"fmt"
	"strings"
	"time"

	"github.com/partnership-grants/backend/pkg/money"
)

// Support at a time of need: an extra, unplanned payment to the partner,
// added to the plan as an instalment of its own and then requested and
// approved like any other (always by two different people), paid once.

// ExtraPurpose says why an extra payment is made.
type ExtraPurpose string

const (
	// ExtraAdvance brings money forward: a payment ahead of the plan.
	ExtraAdvance ExtraPurpose = "advance"
	// ExtraHardship is support at a time of need.
	ExtraHardship ExtraPurpose = "hardship"
)

// ExtraKind is the kind an instalment request must name: the only kind of
// instalment added after the plan is made.
const ExtraKind = "extra"

// Extra marks an instalment added to the plan as an extra payment, with
// what it is for and where its money came from.
type Extra struct {
	Purpose ExtraPurpose `json:"purpose"`
	// Reason is internal: why the programme made it. The partner's email
	// never says it (it says the officer's words for them).
	Reason string `json:"reason"`
	// FromLaterInstalments is set when the money was taken from later
	// unpaid instalments (the award unchanged); unset, the award was raised
	// by the amount.
	FromLaterInstalments bool `json:"fromLaterInstalments"`
	// TakenFrom is how much each later instalment gave, latest first.
	TakenFrom []Taken   `json:"takenFrom,omitempty"`
	AddedBy   string    `json:"addedBy"`
	AddedAt   time.Time `json:"addedAt"`
}

// Taken is what one later instalment gave to an extra payment.
type Taken struct {
	Instalment int   `json:"instalment"`
	Amount     int64 `json:"amount"`
}

// ExtraPaymentRequest is what an officer sends to add an extra payment.
type ExtraPaymentRequest struct {
	// Kind must be ExtraKind ("extra").
	Kind string
	// Purpose is "advance" or "hardship"; empty: advance when the money
	// comes from later instalments, hardship when the award is raised.
	Purpose              string
	Amount               int64
	Reason               string
	DueDate              string
	FromLaterInstalments bool
}

// IsExtra reports whether the instalment is an extra payment.
func (in *Instalment) IsExtra() bool { return in != nil && in.Extra != nil }

// givers are the instalments an extra payment due on d may take from:
// planned (not extra) instalments due after d, unpaid (scheduled, due or
// held) with no payment waiting for approval, latest first.
func (a *Agreement) givers(d Date) []*Instalment {
	var out []*Instalment
	for i := len(a.Instalments) - 1; i >= 0; i-- {
		in := &a.Instalments[i]
		switch {
		case in.IsExtra(), !in.DueDate.After(d), in.Payment.AwaitingApproval():
		case in.Status == InstalmentScheduled || in.Status == InstalmentDue || in.Status == InstalmentHeld:
			out = append(out, in)
		}
	}
	return out
}

// Spare is what later instalments can give an extra payment due on d: all
// they hold but one minor unit each, which every instalment keeps (an
// instalment is never zero).
func (a *Agreement) Spare(d Date) int64 {
	var spare int64
	for _, in := range a.givers(d) {
		spare += in.Amount - 1
	}
	return spare
}

// AddExtraPayment adds an extra payment to an active agreement's plan as a
// new instalment (numbered after the last), due on the date asked (due at
// once when that is today). Its money comes from later instalments or
// raises the award:
//
//   - from later instalments (FromLaterInstalments): the award stays as it
//     is; the amount is taken from the planned, unpaid instalments due after
//     the extra payment, the latest first, each giving all it holds but one
//     minor unit (an instalment is never zero) before the one before it
//     gives anything. So the plan still sums exactly to the award, the
//     nearest instalments stay as the partner expects them, and an amount
//     above what they can give is refused by its field.
//   - otherwise the award is raised by the amount, explicitly, and said so
//     in the history.
//
// The payment is then requested and approved as any instalment's, by two
// different people whatever the programme's rule (RequestPayment).
func (a *Agreement) AddExtraPayment(req ExtraPaymentRequest, now time.Time, actor string) (int, []AuditEntry, error) {
	var errs fieldErrors
	if strings.TrimSpace(req.Kind) != ExtraKind {
		errs.add("kind", "must be %q: the only instalment that can be added is an extra payment", ExtraKind)
	}
	purpose := ExtraPurpose(strings.TrimSpace(req.Purpose))
	switch {
	case purpose == "" && req.FromLaterInstalments:
		purpose = ExtraAdvance
	case purpose == "":
		purpose = ExtraHardship
	case purpose != ExtraAdvance && purpose != ExtraHardship:
		errs.add("purpose", "must be advance or hardship")
	}
	reason := strings.TrimSpace(req.Reason)
	checkText(&errs, "reason", reason, MaxReason, true)
	if req.Amount < 1 || req.Amount > MaxAward {
		errs.add("amount", "must be a whole number of minor units (pence) from 1 to %d", int64(MaxAward))
	}
	today := Today(now, a.Location())
	due, ok := checkDate(&errs, "dueDate", req.DueDate, today)
	if ok && (due.Before(today) || due.Before(a.StartDate) || due.After(a.EndDate)) {
		errs.add("dueDate", "must be from today (%s) and within the agreement (%s to %s)", today, a.StartDate, a.EndDate)
		ok = false
	}
	if a.Status != AgreementActive {
		if err := errs.err(); err != nil {
			return 0, nil, err
		}
		return 0, nil, conflict("agreement_not_active", "Agreement %s is %s; an extra payment can be added only to an active agreement.", a.Reference, a.Status)
	}
	if len(a.Instalments) >= MaxInstalments {
		errs.add("kind", "agreement %s already has %d instalments, the most allowed", a.Reference, MaxInstalments)
	}
	var award int64
	if req.Amount >= 1 && req.Amount <= MaxAward {
		if req.FromLaterInstalments && ok {
			if spare := a.Spare(due); req.Amount > spare {
				errs.add("amount", "is more than later instalments can give: at most %d minor units (%s) can come from the unpaid instalments due after %s, each keeping at least one minor unit",
					spare, a.display(spare), due)
			}
		} else if !req.FromLaterInstalments {
			var err error
			if award, err = money.Add(a.Amount, req.Amount); err != nil || award > MaxAward {
				errs.add("amount", "would raise the award above %d minor units (%s)", int64(MaxAward), a.display(MaxAward))
			}
		}
	}
	if err := errs.err(); err != nil {
		return 0, nil, err
	}
	n := len(a.Instalments) + 1
	x := &Extra{Purpose: purpose, Reason: reason, FromLaterInstalments: req.FromLaterInstalments, AddedBy: actor, AddedAt: now.UTC()}
	var changes []Change
	amountOf := func(v int64) []string { return []string{fmt.Sprint(v)} }
	if req.FromLaterInstalments {
		left := req.Amount
		for _, in := range a.givers(due) {
			if left == 0 {
				break
			}
			give := min(left, in.Amount-1)
			if give <= 0 {
				continue
			}
			changes = append(changes, Change{Field: fmt.Sprintf("instalments[%d].amount", in.Number), Before: amountOf(in.Amount), After: amountOf(in.Amount - give)})
			in.Amount -= give
			in.UpdatedAt = now.UTC()
			left -= give
			x.TakenFrom = append(x.TakenFrom, Taken{Instalment: in.Number, Amount: give})
		}
	} else {
		changes = append(changes, Change{Field: "award", Before: amountOf(a.Amount), After: amountOf(award)})
		a.Amount = award
	}
	in := Instalment{Number: n, Amount: req.Amount, DueDate: due, Status: InstalmentScheduled, Extra: x, UpdatedAt: now.UTC()}
	a.Instalments = append(a.Instalments, in)
	changes = append(changes, Change{Field: fmt.Sprintf("instalments[%d].amount", n), Before: []string{}, After: amountOf(req.Amount)})
	a.touch(now, actor)
	detail := fmt.Sprintf("%s %s payment due %s: %s", a.display(req.Amount), purpose, due, reason)
	if req.FromLaterInstalments {
		detail += "; taken from " + x.taken(a.Currency)
	} else {
		detail += "; the award raised to " + a.display(a.Amount)
	}
	entries := []AuditEntry{{At: now.UTC(), Actor: actor, Action: "instalment.extra_added", Subject: fmt.Sprintf("instalment %d", n), Detail: detail, Changes: changes}}
	if !due.After(today) {
		if e, ok, _ := a.MakeInstalmentDue(n, now); ok {
			entries = append(entries, e)
		}
	}
	return n, entries, nil
}

// taken says in words where an extra payment's money came from.
func (x *Extra) taken(currency string) string {
	parts := make([]string, len(x.TakenFrom))
	for i, t := range x.TakenFrom {
		parts[i] = fmt.Sprintf("instalment %d (%s)", t.Instalment, money.Amount{Minor: t.Amount, Currency: currency}.Display())
	}
	return strings.Join(parts, ", ")
}
