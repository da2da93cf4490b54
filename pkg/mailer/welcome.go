package mailer

import (
	"strconv"

	"github.com/partnership-grants/backend/pkg/grants"
)

// welcomeView is what the welcome email sees.
type welcomeView struct {
	Names, Programme, Reference, StartedOn string
	// Passed lists check-ins whose dates had gone by: the partner is not
	// asked for them.
	Passed []int
	// Due lists instalments already with finance to pay; Paid those the
	// activation found due and that have been paid since (truewhen.go).
	Due, Paid []int
	// Next is the first check-in still to come and when it will be sent.
	Next      int
	NextOn    string
	NextFinal bool
	// Standing is where each unpaid instalment stands; SignOff the officer.
	Standing []string
	SignOff  string
}

// Welcome is the one email a partner gets when their agreement is activated
// after it started: instead of every check-in and reminder whose date has
// passed, it says what happened and what is expected next. What it reports
// is the domain's record of the activation (grants.Activation).
func Welcome(a *grants.Agreement, programme string, to []string, o grants.Officer) (Email, error) {
	v := welcomeView{
		Names:     joinNames(namesFor(a.Contacts, to)),
		Programme: programme,
		Reference: a.Reference,
		StartedOn: a.StartDate.Long(),
		Standing:  standing(a),
		SignOff:   signOff(o),
	}
	if r := a.Activation; r != nil {
		v.Passed = r.CheckInsPassed
		v.Due, v.Paid = stillDue(a, r.InstalmentsDue)
		if c := a.CheckIn(r.NextCheckIn); c != nil {
			v.Next, v.NextOn, v.NextFinal = c.Number, r.NextCheckInOn.Long(), c.Final
		}
	}
	if v.Programme == "" {
		v.Programme = "the partnership programme"
	}
	tags := agreementTags(KindWelcome, a)
	tags["next-check-in"] = strconv.Itoa(v.Next)
	e, err := render(tmplWelcome, "Welcome to "+oneLine(v.Programme, maxSubjectPart)+" – "+a.Reference, to, nil, tags, v)
	return fromOfficer(e, err, o, true)
}
