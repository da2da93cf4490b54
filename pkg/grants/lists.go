package grants

// Page is one page of a listing and the cursor to the next ("" at the end).
type Page[T any] struct {
	Items      []T
	NextCursor string
}

// InstalmentRow is one line of finance's list: no bank details, ever.
type InstalmentRow struct {
	AgreementID       string           `json:"agreementId"`
	Reference         string           `json:"reference"`
	Programme         string           `json:"programme"`
	PartnerName       string           `json:"partnerName"`
	Number            int              `json:"number"`
	Amount            int64            `json:"amount"`
	Currency          string           `json:"currency"`
	DueDate           Date             `json:"dueDate"`
	Status            InstalmentStatus `json:"status"`
	PreviousCheckInIn bool             `json:"previousCheckInReceived"`
	AwaitingCheckIn   bool             `json:"awaitingCheckIn"`
	HoldReason        string           `json:"holdReason,omitempty"`
	PaymentReference  string           `json:"paymentReference,omitempty"`
	PaidOn            Date             `json:"paidOn,omitzero"`
	Payment           *Payment         `json:"payment,omitempty"`
	// DaysLate and DaysOnHold as on the instalment (see Instalment), counted
	// to today while unpaid.
	DaysLate   int  `json:"daysLate"`
	DaysOnHold int  `json:"daysOnHold"`
	HeldOn     Date `json:"heldOn,omitzero"`
}

// InstalmentFilter narrows finance's list; From and To bound the due date.
type InstalmentFilter struct {
	Status    InstalmentStatus
	Programme string
	From, To  Date
}

// Work is one item the ByNextAction index says needs automation.
type Work struct {
	On          Date
	AgreementID string
	Kind        string // "I" instalment, "C" check-in, "O" outbox
	Number      int    // instalment or check-in number
	Key         string // outbox key
}
