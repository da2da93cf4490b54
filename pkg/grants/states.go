package grants

// AgreementStatus is where an agreement is in its life.
type AgreementStatus string

const (
	AgreementDraft      AgreementStatus = "draft"
	AgreementActive     AgreementStatus = "active"
	AgreementCompleted  AgreementStatus = "completed"
	AgreementTerminated AgreementStatus = "terminated"
)

// InstalmentStatus is where one instalment is on its way to being paid.
type InstalmentStatus string

const (
	InstalmentScheduled InstalmentStatus = "scheduled"
	InstalmentDue       InstalmentStatus = "due"
	InstalmentPaid      InstalmentStatus = "paid"
	InstalmentHeld      InstalmentStatus = "held"
	InstalmentCancelled InstalmentStatus = "cancelled"
)

// CheckInStatus is where one check-in is between being planned and answered.
type CheckInStatus string

const (
	CheckInScheduled CheckInStatus = "scheduled"
	CheckInSent      CheckInStatus = "sent"
	CheckInReceived  CheckInStatus = "received"
	CheckInOverdue   CheckInStatus = "overdue"
	CheckInWaived    CheckInStatus = "waived"
)

// The legal moves. Anything not listed is refused with a *TransitionError.
var (
	agreementMoves = map[AgreementStatus][]AgreementStatus{
		AgreementDraft:  {AgreementActive, AgreementTerminated},
		AgreementActive: {AgreementCompleted, AgreementTerminated},
	}
	instalmentMoves = map[InstalmentStatus][]InstalmentStatus{
		InstalmentScheduled: {InstalmentDue, InstalmentHeld, InstalmentCancelled},
		InstalmentDue:       {InstalmentPaid, InstalmentHeld, InstalmentCancelled},
		// Releasing a hold returns the instalment to due (or scheduled, if its
		// date has not come yet).
		InstalmentHeld: {InstalmentDue, InstalmentScheduled, InstalmentCancelled},
	}
	checkInMoves = map[CheckInStatus][]CheckInStatus{
		CheckInScheduled: {CheckInSent, CheckInReceived, CheckInWaived},
		CheckInSent:      {CheckInReceived, CheckInOverdue, CheckInWaived},
		CheckInOverdue:   {CheckInReceived, CheckInWaived},
	}
)

func allowed[S ~string](moves map[S][]S, from, to S) bool {
	for _, s := range moves[from] {
		if s == to {
			return true
		}
	}
	return false
}

// AgreementTransition checks that an agreement may move from one status to another.
func AgreementTransition(from, to AgreementStatus) error {
	if !allowed(agreementMoves, from, to) {
		return &TransitionError{Entity: "agreement", From: string(from), To: string(to)}
	}
	return nil
}

// InstalmentTransition checks that an instalment may move from one status to another.
func InstalmentTransition(from, to InstalmentStatus) error {
	if !allowed(instalmentMoves, from, to) {
		return &TransitionError{Entity: "instalment", From: string(from), To: string(to)}
	}
	return nil
}

// CheckInTransition checks that a check-in may move from one status to another.
func CheckInTransition(from, to CheckInStatus) error {
	if !allowed(checkInMoves, from, to) {
		return &TransitionError{Entity: "check-in", From: string(from), To: string(to)}
	}
	return nil
}
