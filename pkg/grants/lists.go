package grants

// Page is one page of a listing and the cursor to the next ("" at the end).
type Page[T any] struct {
	Items      []T
	NextCursor string
}

// InstalmentRow is one line of finance's list: no bank details, ever.
type InstalmentRow struct {
	AgreementID       string           `json:"agreementId" dynamodbav:"agreementId"`
	Reference         string           `json:"reference" dynamodbav:"reference"`
	Programme         string           `json:"programme" dynamodbav:"programme"`
	PartnerName       string           `json:"partnerName" dynamodbav:"partnerName"`
	Number            int              `json:"number" dynamodbav:"number"`
	Amount            int64            `json:"amount" dynamodbav:"amount"`
	Currency          string           `json:"currency" dynamodbav:"currency"`
	DueDate           Date             `json:"dueDate" dynamodbav:"dueDate"`
	Status            InstalmentStatus `json:"status" dynamodbav:"status"`
	PreviousCheckInIn bool             `json:"previousCheckInReceived" dynamodbav:"previousCheckInIn"`
	AwaitingCheckIn   bool             `json:"awaitingCheckIn" dynamodbav:"awaitingCheckIn"`
	HoldReason        string           `json:"holdReason,omitempty" dynamodbav:"holdReason"`
	PaymentReference  string           `json:"paymentReference,omitempty" dynamodbav:"paymentReference"`
	PaidOn            Date             `json:"paidOn,omitzero" dynamodbav:"paidOn"`
	Payment           *Payment         `json:"payment,omitempty" dynamodbav:"payment"`
}

// InstalmentFilter narrows finance's list; From and To bound the due date.
type InstalmentFilter struct {
	Status    InstalmentStatus
	Programme string
	From, To  Date
}
