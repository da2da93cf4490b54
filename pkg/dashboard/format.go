package dashboard

import (
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
)

// shortDate is "14 May 2026" with the month abbreviated, for dense rows.
func shortDate(d grants.Date) string {
	if d.IsZero() {
		return ""
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Format("2 Jan 2006")
}
