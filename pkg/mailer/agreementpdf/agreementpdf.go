// Package agreementpdf writes the agreement as a PDF, attached to the
// agreement and proposal emails (pkg/mailer's AgreementEmail and
// ProposalEmail). It is apart from pkg/mailer so that only the functions
// that send those emails (the sweep and the check-in sender, which sign
// their reply addresses) link the PDF library: the others' bootstraps stay
// as they were.
//
// Library: codeberg.org/go-pdf/fpdf (the maintained continuation of
// jung-kurt/gofpdf, moved from github.com/go-pdf/fpdf). Chosen because it
// is pure Go with no cgo, writes text with the PDF's 14 standard fonts (so
// no font file is embedded in the bootstraps that send the email), and
// lays out wrapped paragraphs itself (MultiCell); what it adds to the
// sweep's and check-in sender's bootstraps is measured by `make sizes`
// (docs/decisions/bootstrap-budgets.md). Heavier choices were weighed:
// signintech/gopdf needs a TrueType font embedded for any text, and
// maroto is a layout layer over fpdf.

package agreementpdf

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/partnership-grants/backend/pkg/mailer"
)

// pdfEpoch fixes the document's dates, so the same agreement makes the
// same bytes (the email's golden file and any resend agree).
var pdfEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Render lays out the agreement v in plain words, on A4: a mailer.PDF.
func Render(v mailer.AgreementDoc) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(pdfEpoch)
	pdf.SetModificationDate(pdfEpoch)
	pdf.SetCatalogSort(true) // maps written in order: the same bytes each time
	pdf.SetTitle("Agreement "+v.Reference, true)
	pdf.SetAuthor(v.Programme, true)
	pdf.SetCreator("partnership-grants", false)
	pdf.SetMargins(20, 20, 20)
	pdf.SetAutoPageBreak(true, 20)
	pdf.AddPage()
	// The standard fonts speak Windows-1252: "£", "–" and "’" are in it;
	// what is not (an arrow) is written another way first.
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	text := func(s string) string { return tr(strings.ReplaceAll(s, "→", "->")) }
	heading := func(s string) {
		pdf.Ln(3)
		pdf.SetFont("Helvetica", "B", 12)
		pdf.MultiCell(0, 6, text(s), "", "L", false)
		pdf.SetFont("Helvetica", "", 11)
	}
	para := func(s string) { pdf.MultiCell(0, 5.5, text(s), "", "L", false) }
	bullets := func(items []string) {
		if len(items) == 0 {
			para("None.")
		}
		for _, it := range items {
			para("-  " + it)
		}
	}

	pdf.SetFont("Helvetica", "B", 16)
	pdf.MultiCell(0, 8, text("Partnership agreement "+v.Reference), "", "L", false)
	pdf.SetFont("Helvetica", "", 11)
	para(fmt.Sprintf("Between %s and %s.", v.Programme, v.Partner))
	para(fmt.Sprintf("A grant of %s, from %s to %s.", v.Award, v.Start, v.End))
	if len(v.Changes) > 0 {
		heading("Changes proposed")
		bullets(v.Changes)
	}
	heading("What we agreed together")
	bullets(v.Terms)
	heading("Support we will offer")
	bullets(v.Support)
	heading("When the money comes")
	for _, in := range v.Instalments {
		para(fmt.Sprintf("Instalment %d: %s on %s", in.Number, in.Amount, in.DueDate))
	}
	if v.FirstWaits {
		para("The first instalment is paid once you have accepted this agreement.")
	}
	heading("When we check in")
	bullets(v.CheckIns)
	heading("Your officer")
	who := v.Officer
	if v.OfficerEmail != "" {
		who += " (" + v.OfficerEmail + ")"
	}
	para(who + " looks after this partnership with you. Talk to them about anything, at any time.")
	heading("How to accept")
	para("Reply to the email this came with. A short \"Yes, happy with this\" is enough. If you would like anything changed, say so in your own words in your reply, and we will talk it through.")
	heading("If things change")
	para("Plans change, and that is fine. Tell your officer. If the terms, support, amounts or dates need to change, we will send you what would change, before and after, and ask you to accept it in the same way. Nothing changes for you without your agreement, except a payment brought earlier or more time to report.")
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		return nil, fmt.Errorf("agreementpdf: %w", err)
	}
	return b.Bytes(), nil
}
