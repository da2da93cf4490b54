package grants

// Programme is one grant programme a deployment runs (issue 25, item 2):
// every agreement, list, export and setting belongs to one. An archived
// programme takes no new agreements and leaves the switcher; what it holds
// stays readable.
type Programme struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Currency string `json:"currency,omitempty"`
	TimeZone string `json:"timeZone,omitempty"`
	Region   string `json:"region,omitempty"`
	Archived bool   `json:"archived,omitempty"`
}
