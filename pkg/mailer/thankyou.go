package mailer

import (
	"strconv"

	"github.com/partnership-grants/backend/pkg/grants"
)

// thankYouView is what the thank-you email sees.
type thankYouView struct {
	Names, Programme, Reference, Partner, On string
	// Early is set when an officer closed the agreement with things left;
	// Left then says what. Message is the officer's words for the partner
	// (the closure's reason is internal: never shown).
	Early         bool
	Left, Message string
	// Paid is what was paid in all; SignOff the officer.
	Paid, SignOff string
}

// ThankYou is the partner's email when their agreement is completed: all
// done (every instalment paid, the final report in), or closed by an
// officer with things left, saying plainly what was left, in the officer's
// words for the partner (never the internal reason). What it reports is
// the domain's record of the close (grants.Closure).
func ThankYou(a *grants.Agreement, programme string, to []string, o grants.Officer) (Email, error) {
	v := thankYouView{
		Names:     joinNames(namesFor(a.Contacts, to)),
		Programme: programme,
		Reference: a.Reference,
		Partner:   a.Partner.Name,
		Paid:      amountOf(a, a.ComputeStats().Paid),
		SignOff:   signOff(o),
	}
	if c := a.Closure; c != nil {
		v.On, v.Early, v.Message = c.On.Long(), c.Early, clip(c.Message, grants.MaxNoticeMessage)
		if c.Early {
			v.Left = c.Left(a.Currency)
		}
	}
	if v.Programme == "" {
		v.Programme = "the partnership programme"
	}
	tags := agreementTags(KindThankYou, a)
	tags["early"] = strconv.FormatBool(v.Early)
	e, err := render(tmplThankYou, "Thank you – "+oneLine(v.Programme, maxSubjectPart)+" – "+a.Reference, to, nil, tags, v)
	return fromOfficer(e, err, o, true)
}
