package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/partnership-grants/backend/pkg/export"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/monitoring"
)

// ProgrammeReader reads a programme as a whole: its agreements from the
// programme index, and their plans.
type ProgrammeReader interface {
	ProgrammeAgreements(ctx context.Context, programme string) ([]grants.Agreement, grants.ReadCost, error)
	AgreementsWithPlans(ctx context.Context, ids []string) ([]grants.Agreement, error)
}

// HeldLister lists the replies held for a person.
type HeldLister interface {
	ListQuarantine(ctx context.Context, status string) ([]grants.Quarantined, error)
}

// Views are the reads staff watch a programme by, written once for the JSON
// API, the dashboard and the web app: the summary, the exports' agreements
// and the replies held for the programme.
type Views struct {
	Store ProgrammeReader
	// Held may be nil: then nothing is held.
	Held     HeldLister
	Now      func() time.Time
	Location *time.Location // nil: Europe/London
}

// Today is the date in the programme's time zone.
func (v Views) Today() grants.Date { return grants.Today(v.Now(), v.location()) }

func (v Views) location() *time.Location {
	if v.Location != nil {
		return v.Location
	}
	if loc, err := time.LoadLocation(grants.DefaultTimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// Agreements reads a programme's agreements from the index and logs what
// the read cost, so a summary that grows expensive shows in the logs.
func (v Views) Agreements(ctx context.Context, programme string) ([]grants.Agreement, error) {
	list, cost, err := v.Store.ProgrammeAgreements(ctx, programme)
	if err != nil {
		return nil, err
	}
	slog.InfoContext(ctx, "programme read", "programme", programme, "agreements", len(list),
		"pages", cost.Requests, "itemsRead", cost.Items, "rcu", cost.CapacityUnits)
	return list, nil
}

// Held lists the replies waiting for a person that a programme's staff
// should see: its own, and those whose agreement could not be told (a
// forged or damaged reply address), which every programme's staff should see.
func (v Views) HeldFor(ctx context.Context, programme string) ([]grants.Quarantined, error) {
	if v.Held == nil {
		return nil, nil
	}
	all, err := v.Held.ListQuarantine(ctx, grants.QuarantinePending)
	if err != nil {
		return nil, fmt.Errorf("list quarantined replies: %w", err)
	}
	var held []grants.Quarantined
	for _, q := range all {
		if q.Programme == "" || q.Programme == programme {
			held = append(held, q)
		}
	}
	return held, nil
}

// Summary is the programme at a glance, with its agreements as the index
// holds them (no plans). A programme with no agreements is not an error:
// it is a programme that has not started.
func (v Views) Summary(ctx context.Context, programme string) (monitoring.Summary, []grants.Agreement, []grants.Quarantined, error) {
	list, err := v.Agreements(ctx, programme)
	if err != nil {
		return monitoring.Summary{}, nil, nil, err
	}
	held, err := v.HeldFor(ctx, programme)
	if err != nil {
		return monitoring.Summary{}, nil, nil, err
	}
	s, err := monitoring.Summarize(programme, list, len(held), v.Today())
	return s, list, held, err
}

// WithPlans reads the plans of the agreements keep selects (all, if nil).
func (v Views) WithPlans(ctx context.Context, list []grants.Agreement, keep func(*grants.Agreement) bool) ([]grants.Agreement, error) {
	ids := make([]string, 0, len(list))
	for i := range list {
		if keep == nil || keep(&list[i]) {
			ids = append(ids, list[i].ID)
		}
	}
	return v.Store.AgreementsWithPlans(ctx, ids)
}

// CSV writes every agreement of the programme, one row per instalment,
// drafts and terminated agreements included: finance filters on the
// agreement_status column, and every agreement's rows sum to its award.
func (v Views) CSV(ctx context.Context, w interface{ Write([]byte) (int, error) }, programme string) error {
	list, err := v.Agreements(ctx, programme)
	if err != nil {
		return err
	}
	full, err := v.WithPlans(ctx, list, nil)
	if err != nil {
		return err
	}
	return export.CSV(w, full)
}

// ThreeSixtyGiving is the programme's 360Giving file: its active, completed
// and part-paid agreements.
func (v Views) ThreeSixtyGiving(ctx context.Context, programme string, funder export.Funder) ([]byte, error) {
	list, err := v.Agreements(ctx, programme)
	if err != nil {
		return nil, err
	}
	full, err := v.WithPlans(ctx, list, mayPublish)
	if err != nil {
		return nil, err
	}
	funder.Now = v.Now()
	out, err := export.ThreeSixtyGiving(full, funder)
	if errors.Is(err, export.ErrNothingToPublish) {
		return nil, &grants.Error{Code: grants.NotFound, Reason: "nothing_to_publish",
			Message: fmt.Sprintf("Programme %s has no active, completed or part-paid agreements to publish.", programme)}
	}
	return out, err
}

// mayPublish is export.ThreeSixtyGiving's rule as far as the index entry
// shows it (drafts never, terminated only if something was paid), so the
// plans of agreements that cannot be published are never read.
func mayPublish(a *grants.Agreement) bool {
	switch a.Status {
	case grants.AgreementActive, grants.AgreementCompleted:
		return true
	case grants.AgreementTerminated:
		return a.Stats.InstalmentsPaid > 0 || a.Stats.Paid > 0
	}
	return false
}
