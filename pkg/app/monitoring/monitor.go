// Package monitoring wires the MonitoringFunction: the programme summary,
// timelines and the exports, which no other function links (pkg/app's doc
// says why).
package monitoring

import (
	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/httpapi"
	"github.com/partnership-grants/backend/pkg/httpapi/monitoringapi"
)

// API is the MonitoringFunction's handler: the programme summary,
// timelines, "What partners told us" and the exports.
func API(d *app.Deps) httpapi.Router {
	h := &monitoringapi.API{
		Store:    d.Store,
		Held:     d.Store,
		Replies:  d.Store,
		Funder:   d.Config.Funder(),
		Late:     d.Store,
		Defaults: d.ProgrammeDefaults(),
		Now:      d.Clock,
		Location: d.Config.Location,
	}
	return h.Routes()
}
