package service

import (
	"context"
	"fmt"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/reports"
)

// Lateness: how late instalments are, in working days of the programme's
// calendar. A paid instalment's is fixed when it is paid (grants); an unpaid
// one's depends on today, so answers count it when they are read.

// LateReader reads what the instalments late now are found with: the
// programme's settings, and its due and held instalments by due date.
type LateReader interface {
	ProgrammeSettings(ctx context.Context, programme string) (grants.ProgrammeSettings, error)
	ListInstalments(ctx context.Context, f grants.InstalmentFilter, cursor string, limit int) (grants.Page[grants.InstalmentRow], error)
}

// latePage is how many rows one read of the late instalments asks for.
const latePage = 100

// LateInstalments lists a programme's instalments late today by the one
// rule (grants.Late): due or held, and payable for more working days than
// its on-time setting; days waiting on the partner's check-in do not count.
// It reads only instalments due on or before the cut-off date (one payable
// that long is due that long at least), so the cost follows what is late,
// and what is still waiting on a check-in. The settings (over defaults)
// are returned too.
func LateInstalments(ctx context.Context, r LateReader, defaults grants.ProgrammeSettings, programme string, today grants.Date) (grants.ProgrammeSettings, []grants.InstalmentRow, error) {
	p, err := r.ProgrammeSettings(ctx, programme)
	if err != nil {
		return p, nil, err
	}
	p = p.Defaults(defaults)
	late, err := lateRows(ctx, r, p, programme, today)
	return p, late, err
}

// lateRows is LateInstalments with the programme's settings read.
func lateRows(ctx context.Context, r LateReader, p grants.ProgrammeSettings, programme string, today grants.Date) ([]grants.InstalmentRow, error) {
	t, onTime := p.Timing(), p.OnTimeDays()
	cut := t.LateCutOff(today, onTime)
	var late []grants.InstalmentRow
	for _, status := range []grants.InstalmentStatus{grants.InstalmentDue, grants.InstalmentHeld} {
		cursor := ""
		for {
			page, err := r.ListInstalments(ctx, grants.InstalmentFilter{Status: status, Programme: programme, To: cut}, cursor, latePage)
			if err != nil {
				return nil, fmt.Errorf("list late %s instalments: %w", status, err)
			}
			for _, row := range page.Items {
				if row.MeasureLateness(t, today); row.LateNow(onTime) {
					late = append(late, row)
				}
			}
			if cursor = page.NextCursor; cursor == "" {
				break
			}
		}
	}
	return late, nil
}

// Lateness is how promptly the programme pays, without the rest of the
// summary (the held messages): for the finance page.
func (v Views) Lateness(ctx context.Context, programme string) (reports.Lateness, error) {
	s, err := v.SummaryCounting(ctx, programme, 0)
	if err == nil {
		err = v.MeasureLateness(ctx, &s)
	}
	return s.Lateness, err
}

// MeasureLateness fills a programme summary's lateness: on-time rate and
// median from the paid instalments it added up, and the instalments late
// now.
func (v Views) MeasureLateness(ctx context.Context, s *reports.Summary) error {
	p, late, err := LateInstalments(ctx, v.store, v.env.Defaults, s.Programme, v.Today())
	if err != nil {
		return err
	}
	s.MeasureLateness(p.OnTimeDays(), len(late))
	return nil
}
