// Package monitoring wires the MonitoringFunction: the dashboard and the
// exports, which no other function links (pkg/app's doc says why).
package monitoring

import (
	"context"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/dashboard"
	"github.com/partnership-grants/backend/pkg/dynamo"
	"github.com/partnership-grants/backend/pkg/httpapi"
	"github.com/partnership-grants/backend/pkg/httpapi/monitoringapi"
	"github.com/partnership-grants/backend/pkg/service"
)

// API is the MonitoringFunction's handler: the programme summary,
// timelines, exports and the dashboard page.
func API(d *app.Deps) httpapi.Router {
	h := &monitoringapi.API{
		Store:            d.Store,
		Replies:          d.Store,
		Funder:           d.Config.Funder(),
		Quarantine:       quarantineView{d.Store},
		Late:             d.Store,
		Defaults:         d.ProgrammeDefaults(),
		DefaultProgramme: d.Config.ProgrammeCode,
		Now:              d.Clock,
		Location:         d.Config.Location,
	}
	return h.Routes()
}

// quarantineView shows a programme the replies held for a person, as
// service.Views.HeldFor chooses them.
type quarantineView struct{ store *dynamo.Store }

func (v quarantineView) ListQuarantined(ctx context.Context, programme string) ([]dashboard.QuarantineItem, error) {
	held, err := service.Views{Held: v.store}.HeldFor(ctx, programme)
	if err != nil {
		return nil, err
	}
	var items []dashboard.QuarantineItem
	for _, q := range held {
		items = append(items, dashboard.QuarantineItem{
			ID: q.ID, ReceivedAt: q.Reply.ReceivedAt, From: q.Reply.From, Subject: q.Reply.Subject,
			Reason: q.Reason, AgreementReference: q.Reference,
		})
	}
	return items, nil
}
