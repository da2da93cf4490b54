package grants

import "strings"

// LooksLikeReference tells a reference staff see (CP-2026-EKBMS, or an
// older CP-2026-003) from an agreement's ID, which has no hyphen (16
// base32 characters): forms take either.
func LooksLikeReference(s string) bool { return strings.Contains(s, "-") }
