package memstore_test

import (
	"github.com/partnership-grants/backend/pkg/httpapi/monitoringapi"
	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/reply/receive"
	"github.com/partnership-grants/backend/pkg/schedules"
	"github.com/partnership-grants/backend/pkg/service"
	"github.com/partnership-grants/backend/pkg/web/signin"
)

// The store serves every port the use cases, the receiver, the web app's
// sign-in, the monitoring routes and the schedules declare today. The
// checks sit in a test so that pkg/memstore imports none of them, and
// their own tests may use it.
var (
	_ service.AgreementStore  = (*memstore.Store)(nil)
	_ service.PaymentStore    = (*memstore.Store)(nil)
	_ service.ReplyStore      = (*memstore.Store)(nil)
	_ service.AutomationStore = (*memstore.Store)(nil)
	_ service.CourierStore    = (*memstore.Store)(nil)
	_ service.ViewStore       = (*memstore.Store)(nil)
	_ receive.Store           = (*memstore.Store)(nil)
	_ signin.SignOuts         = (*memstore.Store)(nil)
	_ monitoringapi.Store     = (*memstore.Store)(nil)
	_ schedules.Store         = (*memstore.Store)(nil)
	_ service.ProgrammeStore  = (*memstore.Store)(nil)
)
