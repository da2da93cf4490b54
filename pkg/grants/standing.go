package grants

import (
	"net/mail"
	"strings"
)

// Standing is where one unpaid instalment stands, as an email to the
// partner tells it: what it is, and what, if anything, it waits on.
type Standing struct {
	Number  int
	Amount  int64
	DueDate Date
	Status  InstalmentStatus
	// WaitingFor is the check-in whose reply this instalment waits on (0:
	// none): one already sent (or overdue), or any that is not in when the
	// instalment is due. A check-in not yet sent is not waited on yet.
	WaitingFor int
	// Held: a person has put the instalment on hold.
	Held bool
}

// MoneyStanding lists the instalments not yet paid or cancelled, in order,
// each with what it waits on, so that every email to a partner can say
// where their money stands.
func (a *Agreement) MoneyStanding() []Standing {
	var out []Standing
	for _, in := range a.Instalments {
		if in.Status == InstalmentPaid || in.Status == InstalmentCancelled {
			continue
		}
		st := Standing{Number: in.Number, Amount: in.Amount, DueDate: in.DueDate, Status: in.Status, Held: in.Status == InstalmentHeld}
		if k := a.WaitsOnCheckIn(in.Number); k != 0 {
			if prev := a.CheckIn(k); in.Status == InstalmentDue || prev.Status == CheckInSent || prev.Status == CheckInOverdue {
				st.WaitingFor = k
			}
		}
		out = append(out, st)
	}
	return out
}

// PaysWithoutDelay reports whether a reply to check-in n lets the next
// instalment be paid without delay when it falls due: it must exist and not
// be held, and no earlier instalment may be held or waiting on another
// check-in. A check-in email promises prompt payment only when this holds.
func (a *Agreement) PaysWithoutDelay(n int) bool {
	after := a.InstalmentAfter(n)
	next := a.Instalment(after)
	if next == nil || next.Status != InstalmentScheduled && next.Status != InstalmentDue {
		return false
	}
	for _, st := range a.MoneyStanding() {
		if st.Number > after {
			break
		}
		if st.Held || st.WaitingFor != 0 && st.WaitingFor != n {
			return false
		}
	}
	return true
}

// Unblocked is the standing, now, of the instalment that check-in n came
// before: what a reply to it unblocked. False when there is no such
// instalment still to pay.
func (a *Agreement) Unblocked(n int) (Standing, bool) {
	after := a.InstalmentAfter(n)
	for _, st := range a.MoneyStanding() {
		if after != 0 && st.Number == after {
			return st, true
		}
	}
	return Standing{}, false
}

// Officer is the programme officer who owns an agreement: the partner's
// person to talk to, whose name signs its emails and who gets its notices.
type Officer struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// IsZero reports whether no officer is named.
func (o Officer) IsZero() bool { return o.Email == "" }

// maxOfficerName bounds an officer's name, which goes into From headers.
const maxOfficerName = 100

// checkOfficer validates an owner given on create or amend.
func checkOfficer(errs *fieldErrors, field string, o Officer) Officer {
	o = Officer{Name: strings.TrimSpace(o.Name), Email: strings.TrimSpace(o.Email)}
	if o.Name == "" || len([]rune(o.Name)) > maxOfficerName || strings.ContainsAny(o.Name, "\r\n<>\"") {
		errs.add(field+".name", "is required: up to %d characters, no line breaks, quotes or angle brackets", maxOfficerName)
	}
	if addr, err := mail.ParseAddress(o.Email); err != nil || addr.Address != o.Email || addr.Name != "" {
		errs.add(field+".email", "must be an email address such as olu@funder.example")
	}
	return o
}

// OwnerOf is the officer who owns a: its own owner, else the programme's
// default.
func (p ProgrammeSettings) OwnerOf(a *Agreement) Officer {
	if a != nil && !a.Owner.IsZero() {
		return a.Owner
	}
	return p.DefaultOwner()
}

// DefaultOwner is the programme's default officer: its configured owner, else
// its first officer address, unnamed.
func (p ProgrammeSettings) DefaultOwner() Officer {
	if !p.Owner.IsZero() {
		return p.Owner
	}
	if len(p.OfficerEmails) > 0 {
		return Officer{Email: p.OfficerEmails[0]}
	}
	return Officer{}
}

// NoticesTo is whom an officer notice about a goes to: its owner, else the
// programme's officers.
func (p ProgrammeSettings) NoticesTo(a *Agreement) []string {
	if o := p.OwnerOf(a); !o.IsZero() {
		return []string{o.Email}
	}
	return p.OfficerEmails
}
