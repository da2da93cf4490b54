package grants

// Approved records on a requested item of run what became of its payment
// since, on its agreement a: approved on its own (from the finance list or
// the agreement's page) before the run was, it is paid, as the run's
// approval will record it (ApproveRun leaves a payment approved already
// as it is). It reports whether the item changed.
func (it *PayRunItem) Approved(a *Agreement, run string) bool {
	p := a.RequestedIn(run, it.Instalment)
	if it.Outcome != OutcomeRequested || p == nil || p.Status != PaymentApproved {
		return false
	}
	it.Outcome, it.Reason = OutcomePaid, ""
	it.Detail = "Approved on its own by " + p.ApprovedBy + "."
	return true
}
