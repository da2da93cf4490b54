package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/money"
)

// PayRunCSVHeader is the header row PayRunCSV writes; stable snake_case
// names, as CSVHeader's, for finance's imports.
var PayRunCSVHeader = []string{
	"run_id",
	"partner_name",
	"reference",
	"agreement_id",
	"instalment_number",
	"amount",
	"amount_minor",
	"currency",
	"paid_on",
	"payment_reference",
	"outcome",
	"reason",
}

// PayRunCSV writes one row per item of a pay run, in the order the run
// lists them, for the finance system: what was paid (outcome "paid"), what
// waits for approval ("requested"), and why the rest were not
// ("already_paid", "held", ...). Amounts are exact decimals in major units
// with the minor units beside them; an item whose agreement was not found
// has no amount. Cells are written on one line and guarded against formula
// injection as CSV's are.
func PayRunCSV(w io.Writer, r *grants.PayRun) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(PayRunCSVHeader); err != nil {
		return fmt.Errorf("export: write pay run CSV header: %w", err)
	}
	for _, it := range r.Items {
		amount, minor := "", ""
		if it.Currency != "" {
			amount, minor = money.Amount{Minor: it.Amount, Currency: it.Currency}.Major(), strconv.FormatInt(it.Amount, 10)
		}
		row := []string{
			r.ID,
			it.PartnerName,
			it.Reference,
			it.AgreementID,
			strconv.Itoa(it.Instalment),
			amount,
			minor,
			it.Currency,
			dateOrEmpty(r.PaidOn),
			it.PaymentReference,
			string(it.Outcome),
			it.Reason,
		}
		for i := range row {
			row[i] = cell(row[i])
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("export: write pay run CSV row: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("export: write pay run CSV: %w", err)
	}
	return nil
}
