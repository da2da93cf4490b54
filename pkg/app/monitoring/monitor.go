// Package monitoring wires the MonitoringFunction: the programme summary,
// timelines and the exports, which no other function links (pkg/app's doc
// says why).
package monitoring

import (
	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/httpapi"
	"github.com/partnership-grants/backend/pkg/httpapi/monitoringapi"
	"github.com/partnership-grants/backend/pkg/service"
)

// API is the MonitoringFunction's handler: the programme summary,
// timelines, "What partners told us" and the exports.
func API(d *app.Deps) httpapi.Placed {
	h := &monitoringapi.API{Store: d.Store, Views: service.NewViews(d.Store, d.Env()), Funder: d.Config.Funder()}
	return h.Routes().Placing(d.Store)
}
