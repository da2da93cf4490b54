package grants

// QuarantineReason says why a received message was held for a person
// instead of being taken as a reply. The values are stored with each held
// message and used in metrics: never rename one.
type QuarantineReason string

// The reasons, in pkg/reply's order of precedence.
const (
	QuarantineVirus               QuarantineReason = "virus"
	QuarantineUnparseable         QuarantineReason = "unparseable"
	QuarantineTooComplex          QuarantineReason = "too_complex"
	QuarantineSpam                QuarantineReason = "spam"
	QuarantineNoToken             QuarantineReason = "no_token"
	QuarantineBadToken            QuarantineReason = "bad_token"
	QuarantineDMARCFail           QuarantineReason = "dmarc_fail"
	QuarantineDMARCUnverified     QuarantineReason = "dmarc_unverified"
	QuarantineContactsUnavailable QuarantineReason = "contacts_unavailable"
	QuarantineUnknownSender       QuarantineReason = "unknown_sender"
)

var quarantineDescriptions = map[QuarantineReason]string{
	QuarantineNoToken:             "the reply address carries no check-in token",
	QuarantineBadToken:            "the reply address was altered or is not one we sent",
	QuarantineUnknownSender:       "the sender is not one of the agreement's contacts",
	QuarantineContactsUnavailable: "the agreement's contacts could not be read",
	QuarantineDMARCFail:           "the sender's domain did not vouch for it (DMARC failed)",
	QuarantineDMARCUnverified:     "the sender's domain could not be checked (no DMARC result)",
	QuarantineSpam:                "the mail service judged it spam",
	QuarantineVirus:               "the mail service found a virus",
	QuarantineUnparseable:         "the message could not be read",
	QuarantineTooComplex:          "the message is built past what is read safely (see it as received)",
}

// Description is the reason in plain words, for officers' emails and pages,
// or the code itself when it is one this version does not know (a message
// held by a newer version).
func (r QuarantineReason) Description() string {
	if s, ok := quarantineDescriptions[r]; ok {
		return s
	}
	return string(r)
}
