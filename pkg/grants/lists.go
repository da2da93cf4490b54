package grants

// Page is one page of a listing and the cursor to the next ("" at the end).
type Page[T any] struct {
	Items      []T
	NextCursor string
	// PrevCursor leads to the page before, where a listing can go back
	// (the agreements': issue 26, item 1); "" on the first page.
	PrevCursor string
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
	// DaysLate, DaysWithPartner, DaysWithFinance and DaysOnHold as on the
	// instalment (see Instalment), counted to today while unpaid; PayableOn
	// and HeldOn as on it.
	DaysLate        int  `json:"daysLate"`
	DaysWithPartner int  `json:"daysWithPartner"`
	DaysWithFinance int  `json:"daysWithFinance"`
	DaysOnHold      int  `json:"daysOnHold"`
	PayableOn       Date `json:"payableOn,omitzero"`
	HeldOn          Date `json:"heldOn,omitzero"`
}

// InstalmentFilter narrows finance's list; From and To bound the due date.
type InstalmentFilter struct {
	Status    InstalmentStatus
	Programme string
	From, To  Date
}

// WorkKind is what a piece of automation's work is about.
type WorkKind string

// The kinds of work.
const (
	WorkInstalmentDue WorkKind = "instalment" // an instalment falling due (or missing its schedule)
	WorkCheckInDue    WorkKind = "check-in"   // a check-in to send or chase (or missing its schedule)
	WorkOutbox        WorkKind = "outbox"     // an outbox entry to deliver
)

// Work is one item the store says needs automation, on or after On.
type Work struct {
	On          Date
	AgreementID string
	Kind        WorkKind
	Number      int    // instalment or check-in number
	Key         string // outbox key
}
