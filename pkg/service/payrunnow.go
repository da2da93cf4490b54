package service

import (
	"context"

	"github.com/partnership-grants/backend/pkg/grants"
)

// PayRunNow reads a run as it stands now (issue 26, item 15): while it
// awaits approval, an item whose payment was approved on its own since is
// shown paid (PayRunItem.Approved). A run's record changes only when the
// run is requested or approved, so the agreements of its requested items
// are read (runWorkers at a time): reads in proportion to the items the
// run shows. An approved run's record is already final and is read alone.
func (x *Payments) PayRunNow(ctx context.Context, id string) (*grants.PayRun, error) {
	run, err := x.store.GetRun(ctx, id)
	if err != nil || run.Status != grants.PayRunAwaitingApproval {
		return run, err
	}
	agreements, items := run.ByAgreement(grants.OutcomeRequested)
	err = x.forEach(ctx, len(agreements), func(i int) error {
		a, err := x.store.GetAgreement(ctx, agreements[i])
		if err != nil {
			return err
		}
		for _, k := range items[agreements[i]] {
			run.Items[k].Approved(a, run.ID)
		}
		return nil
	})
	return run, err
}
