package mailer

// The agreement sent to the partner to accept, and each change proposed
// to it (issue 23, items 4 and 5): in plain words in the body, and the
// agreement as a PDF attached (made by a PDF, pkg/mailer/agreementpdf's
// Render, which only the functions that send these link). The Reply-To is the
// agreement's signed address: the partner's reply is their answer.

import (
	"errors"
	"fmt"

	"github.com/partnership-grants/backend/pkg/grants"
)

// Email kinds of the agreement and its changes, as carried in the "kind" tag.
const (
	KindAgreement = "agreement"
	KindProposal  = "proposal"
)

const (
	tmplAgreement = "agreement"
	tmplProposal  = "proposal"
)

// AgreementDoc is the agreement in words, as the agreement and proposal
// emails and their PDF (PDF) say it.
type AgreementDoc struct {
	Names, Programme, Partner, Reference string
	Award, Start, End                    string
	Terms, Support                       []string
	Instalments                          []instalmentView
	CheckIns                             []string
	Officer, OfficerEmail                string
	SignOff                              string
	// Changes are a proposal's, in words (before → after).
	Changes []string
	// FirstWaits: instalment 1 is paid once the partner accepts.
	FirstWaits bool
}

// PDF writes an agreement as a PDF file.
type PDF func(AgreementDoc) ([]byte, error)

// errNoPDF: the letters were built without a PDF writer, in a function
// that does not send the agreement (the courier leaves it to one that does).
var errNoPDF = errors.New("mailer: this function writes no agreement PDF")

func viewOfAgreement(a *grants.Agreement, programme string, to []string, o grants.Officer) AgreementDoc {
	v := AgreementDoc{
		Names:     joinNames(namesFor(a.Contacts, to)),
		Programme: programme,
		Partner:   a.Partner.Name,
		Reference: a.Reference,
		Award:     amountOf(a, a.Amount),
		Start:     a.StartDate.Long(),
		End:       a.EndDate.Long(),
		Terms:     a.Terms,
		Support:   a.SupportNames(),
		Officer:   reach(o),
		SignOff:   signOff(o),
	}
	if v.Programme == "" {
		v.Programme = "the partnership programme"
	}
	if o.Email != "" {
		v.OfficerEmail = o.Email
	}
	for _, in := range a.Instalments {
		if in.Status == grants.InstalmentCancelled {
			continue
		}
		v.Instalments = append(v.Instalments, instalmentView{Number: in.Number, Amount: amountOf(a, in.Amount), DueDate: in.DueDate.Long()})
	}
	for _, c := range a.CheckIns {
		if c.Status == grants.CheckInWaived {
			continue
		}
		what := fmt.Sprintf("Check-in %d: %s", c.Number, c.DueDate.Long())
		if c.Final {
			what = fmt.Sprintf("End-of-agreement report: %s", c.DueDate.Long())
		}
		v.CheckIns = append(v.CheckIns, what)
	}
	if p := a.PartnerAcceptance; p != nil {
		v.FirstWaits = p.FirstInstalmentWaits && p.Round == 1
		for _, c := range p.Proposed {
			v.Changes = append(v.Changes, grants.ChangeWords(c, a.Currency))
		}
	}
	return v
}

// AgreementEmail is the agreement sent to the partner's lead contact on
// activation: the terms and support as co-designed, the instalment and
// check-in dates, their officer, how to reply and what happens if things
// change, with the same as a PDF attached. replyTo is the agreement's
// signed reply address.
func AgreementEmail(a *grants.Agreement, programme string, to []string, replyTo string, o grants.Officer, pdf PDF) (Email, error) {
	if pdf == nil {
		return Email{}, errNoPDF
	}
	v := viewOfAgreement(a, programme, to, o)
	e, err := render(tmplAgreement, "Your agreement with "+oneLine(v.Programme, maxSubjectPart)+" – please reply to accept – "+a.Reference, to, addrs(replyTo), agreementTags(KindAgreement, a), v)
	return withAgreementPDF(e, err, a, v, o, pdf)
}

// ProposalEmail tells the partner what is proposed to change in their
// active agreement, before → after in words, and asks them to accept it by
// reply, with the agreement as it would then stand attached.
func ProposalEmail(a *grants.Agreement, programme string, to []string, replyTo string, o grants.Officer, pdf PDF) (Email, error) {
	if pdf == nil {
		return Email{}, errNoPDF
	}
	v := viewOfAgreement(a, programme, to, o)
	if len(v.Changes) == 0 {
		return Email{}, fmt.Errorf("mailer: no change proposed to %s", a.Reference)
	}
	e, err := render(tmplProposal, "A change to your agreement – please reply to accept – "+a.Reference, to, addrs(replyTo), agreementTags(KindProposal, a), v)
	return withAgreementPDF(e, err, a, v, o, pdf)
}

// withAgreementPDF attaches the agreement as it stands (v) to a rendered
// email, sent from the officer.
func withAgreementPDF(e Email, err error, a *grants.Agreement, v AgreementDoc, o grants.Officer, pdf PDF) (Email, error) {
	if err != nil {
		return e, err
	}
	file, err := pdf(v)
	if err != nil {
		return e, err
	}
	e.Attachments = []Attachment{{Name: "agreement-" + a.Reference + ".pdf", ContentType: "application/pdf", Content: file}}
	return fromOfficer(e, nil, o, false)
}
