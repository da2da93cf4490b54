package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
)

// The questions asked before each change that cannot be undone
// (confirm.go): what it will do, in words, with its money.

func agreementBack(r *http.Request) string {
	if r.PostForm.Get("from") == "finance" {
		return "/app/finance"
	}
	return "/app/agreements/" + r.PathValue("id")
}

// unpaid is what of a's money is not paid and would be cancelled.
func unpaid(a *grants.Agreement) (n int, sum int64) {
	for _, in := range a.Instalments {
		if in.Status != grants.InstalmentPaid && in.Status != grants.InstalmentCancelled {
			n++
			sum += in.Amount
		}
	}
	return n, sum
}

func openCheckIns(a *grants.Agreement) int {
	n := 0
	for _, c := range a.CheckIns {
		if c.Status == grants.CheckInScheduled || c.Status == grants.CheckInSent || c.Status == grants.CheckInOverdue {
			n++
		}
	}
	return n
}

func (a *App) askTerminate(w http.ResponseWriter, r *http.Request) bool {
	return a.ask(w, r, "agreements", programmeOnly, a.showAgreement, func(v *view) (*confirmation, error) {
		if strings.TrimSpace(r.PostForm.Get("reason")) == "" {
			return nil, &grants.Error{Code: grants.Invalid, Message: "Say why the agreement ends: the reason is kept in its history."}
		}
		ag, err := a.Agreements.Agreement(r.Context(), r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		n, sum := unpaid(ag)
		c := &confirmation{Title: "Terminate the agreement with " + ag.Partner.Name + "?",
			Lead:   "Terminating ends agreement " + ag.Reference + " now, for the reason you gave: “" + strings.TrimSpace(r.PostForm.Get("reason")) + "”.",
			Action: "/app/agreements/" + ag.ID + "/terminate", Button: "Yes, terminate the agreement", Danger: true, Back: agreementBack(r)}
		if n > 0 {
			c.Consequences = append(c.Consequences, fmt.Sprintf("%s not yet paid (%s) will be cancelled and never paid.", plural(n, "instalment"), amount(sum, ag.Currency)))
			c.Total, c.Count = amount(sum, ag.Currency), "not to be paid"
		}
		if k := openCheckIns(ag); k > 0 {
			c.Consequences = append(c.Consequences, plural(k, "check-in")+" still to come or unanswered will be closed: the partner is not asked again.")
		}
		if ag.Status == grants.AgreementActive {
			c.Consequences = append(c.Consequences, "The partner is emailed that the agreement has ended, with your message if you wrote one.")
		}
		return c, nil
	})
}

func (a *App) askComplete(w http.ResponseWriter, r *http.Request) bool {
	return a.ask(w, r, "agreements", programmeOnly, a.showAgreement, func(v *view) (*confirmation, error) {
		ag, err := a.Agreements.Agreement(r.Context(), r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		ready := ag.ReadyToComplete()
		if !ready && today(a).Before(ag.EndDate) {
			return nil, nil // not closable yet: the use case says why
		}
		if !ready && strings.TrimSpace(r.PostForm.Get("reason")) == "" {
			return nil, &grants.Error{Code: grants.Invalid, Message: "Say why it closes with things left: the reason is kept in its history."}
		}
		c := &confirmation{Title: "Close the agreement with " + ag.Partner.Name + "?",
			Action: "/app/agreements/" + ag.ID + "/complete", Back: agreementBack(r)}
		if ready {
			c.Lead, c.Button = "Completing closes agreement "+ag.Reference+": every instalment is paid and the final report is in or waived.", "Yes, complete the agreement"
			c.Consequences = []string{"The partner is thanked by email.", "Nothing more can be paid, asked or amended on it."}
			return c, nil
		}
		n, sum := unpaid(ag)
		c.Lead, c.Button, c.Danger = "Closing agreement "+ag.Reference+" now leaves things undone.", "Yes, close with things left", true
		if n > 0 {
			c.Consequences = append(c.Consequences, fmt.Sprintf("%s not yet paid (%s) will be cancelled and never paid.", plural(n, "instalment"), amount(sum, ag.Currency)))
			c.Total, c.Count = amount(sum, ag.Currency), "not to be paid"
		}
		if k := openCheckIns(ag); k > 0 {
			c.Consequences = append(c.Consequences, plural(k, "check-in")+" not answered will be closed.")
		}
		c.Consequences = append(c.Consequences, "The partner is thanked and told what was left.")
		return c, nil
	})
}

func (a *App) askWaive(w http.ResponseWriter, r *http.Request) bool {
	return a.ask(w, r, "agreements", programmeOnly, a.showAgreement, func(v *view) (*confirmation, error) {
		n, err := number(r.PathValue("n"))
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(r.PostForm.Get("reason")) == "" {
			return nil, &grants.Error{Code: grants.Invalid, Message: "Say why the check-in is waived."}
		}
		ag, err := a.Agreements.Agreement(r.Context(), r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		ci := ag.CheckIn(n)
		if ci == nil {
			return nil, nil // the use case says there is none
		}
		return &confirmation{Title: "Waive " + strings.ToLower(checkInTitle(*ci)[:1]) + checkInTitle(*ci)[1:] + " of " + ag.Partner.Name + "?",
			Lead:         "Waiving " + checkInTitle(*ci) + " (due " + day(ci.DueDate) + ") means the partner is not asked for it: no email or reminder goes for it, and nothing waits on it.",
			Consequences: []string{"An instalment waiting for it can be paid.", "The partner is told it was waived."},
			Action:       "/app/agreements/" + ag.ID + "/check-ins/" + itoa(n) + "/waive", Button: "Yes, waive it", Danger: true, Back: agreementBack(r)}, nil
	})
}

func (a *App) askApprove(w http.ResponseWriter, r *http.Request) bool {
	return a.ask(w, r, "agreements", financeOnly, a.showAgreement, func(v *view) (*confirmation, error) {
		if err := a.Payments.StillInFinance(r.Context(), v.Actor); err != nil {
			return nil, err
		}
		n, err := number(r.PathValue("n"))
		if err != nil {
			return nil, err
		}
		ag, err := a.Agreements.Agreement(r.Context(), r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		in := ag.Instalment(n)
		if in == nil || awaiting(in.Payment) == nil || in.Payment.ID != r.PostForm.Get("payment") || requestedBy(v, in.Payment) {
			return nil, nil // the use case refuses, and says why
		}
		p := in.Payment
		c := &confirmation{Title: "Approve " + amount(p.Amount, p.Currency) + " to " + ag.Partner.Name + "?",
			Lead: fmt.Sprintf("Approving pays instalment %d of agreement %s, as %s requested: paid on %s with reference %s.",
				n, ag.Reference, p.RequestedBy, day(p.PaidOn), p.PaymentReference),
			Total: amount(p.Amount, p.Currency), Count: "1 instalment",
			Consequences: []string{"The payment is recorded as made and the accounting system is told.", "The partner is sent a remittance email."},
			Action:       "/app/agreements/" + ag.ID + "/instalments/" + itoa(n) + "/approve", Button: "Yes, approve the payment", Back: agreementBack(r)}
		if p.OverrideReason != "" {
			c.Reasons = []string{p.OverrideReason}
		}
		return c, nil
	})
}

// askRequestRun shows the ticked instalments' count and total, and each
// reason given for paying before a check-in, before the run is requested.
func (a *App) askRequestRun(w http.ResponseWriter, r *http.Request) bool {
	return a.ask(w, r, "finance", financeOnly, a.showFinance, func(v *view) (*confirmation, error) {
		if err := a.Payments.StillInFinance(r.Context(), v.Actor); err != nil {
			return nil, err
		}
		items := r.PostForm["item"]
		if len(items) == 0 || r.PostForm.Get("key") == "" {
			return nil, nil // the request says what is missing
		}
		// Every problem of the form is told before anything is asked.
		req, names, err := runRequest(r.PostForm)
		if err != nil {
			return nil, err
		}
		if _, err := req.Check(today(a)); err != nil {
			return nil, namedRows(err, names)
		}
		lists, ok := a.financeLists(w, r, v)
		if !ok {
			return nil, errAnswered
		}
		rows := map[string]grants.InstalmentRow{}
		for _, row := range lists[0].Rows {
			rows[runItemID(row)] = row
		}
		sums := map[string]int64{}
		var reasons []string
		for _, id := range items {
			row, ok := rows[id]
			if !ok {
				continue
			}
			sums[row.Currency] += row.Amount
			if why := strings.TrimSpace(r.PostForm.Get("override-" + id)); why != "" {
				reasons = append(reasons, fmt.Sprintf("%s, %s instalment %d: %s", row.PartnerName, row.Reference, row.Number, why))
			}
		}
		paidOn := strings.TrimSpace(r.PostForm.Get("paidOn"))
		if d, ok := parseDay(paidOn); ok {
			if g, err := grants.ParseDate(d); err == nil {
				paidOn = day(g)
			}
		}
		return &confirmation{Title: "Request a pay run of " + totals(sums) + "?",
			Lead:  fmt.Sprintf("The run asks for %s to be paid on %s, each with the payment reference you gave.", plural(len(items), "instalment"), paidOn),
			Total: totals(sums), Count: plural(len(items), "instalment"), Reasons: reasons,
			Consequences: []string{"Each instalment is requested: another member of finance approves the run before anything is paid.",
				"An instalment no longer payable is left out, and the run says why."},
			Action: "/app/payment-runs", Button: "Yes, request the pay run", Back: "/app/finance"}, nil
	})
}

// askApproveRun shows the run's count and total, and each reason given for
// paying before a check-in (kept with each payment, not in the run: one
// read of each agreement in the run).
func (a *App) askApproveRun(w http.ResponseWriter, r *http.Request) bool {
	return a.ask(w, r, "finance", financeOnly, a.showRun, func(v *view) (*confirmation, error) {
		if err := a.Payments.StillInFinance(r.Context(), v.Actor); err != nil {
			return nil, err
		}
		run, err := a.Payments.PayRun(r.Context(), r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		if run.Status != grants.PayRunAwaitingApproval || v.Actor.Is(run.RequestedByID, run.RequestedBy) {
			return nil, nil // the use case refuses, and says why
		}
		sums, n := runTotals(run)
		var reasons []string
		read := map[string]*grants.Agreement{}
		for _, it := range run.Items {
			if it.Outcome != grants.OutcomeRequested {
				continue
			}
			ag, ok := read[it.AgreementID]
			if !ok {
				if ag, err = a.Agreements.Agreement(r.Context(), it.AgreementID); err != nil {
					return nil, err
				}
				read[it.AgreementID] = ag
			}
			if in := ag.Instalment(it.Instalment); in != nil && in.Payment != nil && in.Payment.ID == it.PaymentID && in.Payment.OverrideReason != "" {
				reasons = append(reasons, fmt.Sprintf("%s, %s instalment %d: %s", ag.Partner.Name, ag.Reference, it.Instalment, in.Payment.OverrideReason))
			}
		}
		return &confirmation{Title: "Approve the pay run of " + totals(sums) + "?",
			Lead:  fmt.Sprintf("Approving pays the %s %s requested, on %s.", plural(n, "instalment"), run.RequestedBy, day(run.PaidOn)),
			Total: totals(sums), Count: plural(n, "instalment"), Reasons: reasons,
			Consequences: []string{"Each payment is recorded as made and the accounting system is told.", "Each partner is sent a remittance email."},
			Action:       "/app/payment-runs/" + run.ID + "/approve", Button: "Yes, approve the pay run", Back: "/app/payment-runs/" + run.ID}, nil
	})
}

// runTotals is what a run asks to pay (or paid): its requested items'
// amounts by currency, and how many.
func runTotals(run *grants.PayRun) (map[string]int64, int) {
	sums, n := map[string]int64{}, 0
	for _, it := range run.Items {
		if it.Outcome == grants.OutcomeRequested || it.Outcome == grants.OutcomePaid {
			sums[it.Currency] += it.Amount
			n++
		}
	}
	return sums, n
}
