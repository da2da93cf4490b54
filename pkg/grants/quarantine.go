package grants

// quarantineReasons say in plain words why a reply was held for a person;
// the codes are pkg/inbound's, stored with each held message.
var quarantineReasons = map[string]string{
	"no_token":             "the reply address carries no check-in token",
	"bad_token":            "the reply address was altered or is not one we sent",
	"unknown_sender":       "the sender is not one of the agreement's contacts",
	"contacts_unavailable": "the agreement's contacts could not be read",
	"dmarc_fail":           "the sender's domain did not vouch for it (DMARC failed)",
	"dmarc_unverified":     "the sender's domain could not be checked (no DMARC result)",
	"spam":                 "the mail service judged it spam",
	"virus":                "the mail service found a virus",
	"unparseable":          "the message could not be read",
}

// QuarantineReason is the plain-words reason for a held reply's code, or
// the code itself when it is one this version does not know.
func QuarantineReason(code string) string {
	if s, ok := quarantineReasons[code]; ok {
		return s
	}
	return code
}
