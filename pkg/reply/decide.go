package reply

import (
	"errors"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
	token "github.com/partnership-grants/backend/pkg/replytoken"
)

// Verdicts are the SES receipt verdict statuses (receipt.spamVerdict.status
// etc.): PASS, FAIL, GRAY, PROCESSING_FAILED, or DISABLED when the scan is
// switched off for the receipt rule.
type Verdicts struct{ Spam, Virus, SPF, DKIM, DMARC string }

// SES verdict status values.
const (
	VerdictPass             = "PASS"
	VerdictFail             = "FAIL"
	VerdictGray             = "GRAY"
	VerdictProcessingFailed = "PROCESSING_FAILED"
	VerdictDisabled         = "DISABLED"
)

// Envelope is the SMTP-level information SES gives alongside the message.
type Envelope struct {
	Recipients []string // receipt.recipients (RCPT TO that matched the rule)
	MailFrom   string   // mail.source (MAIL FROM); "<>" is the null sender
	Verdicts   Verdicts
	MessageID  string // SES message id (S3 object key)
}

// TokenVerifier is implemented by *token.Signer.
type TokenVerifier interface {
	// VerifyKind verifies a token found behind the prefix of kind k.
	VerifyKind(k token.Kind, tok string) (agreementID string, n int, err error)
}

// Kind is what the caller should do with the message.
type Kind int

const (
	// Quarantine: store the message for a human to review; do not count it.
	// It is the zero value so that an Outcome nobody filled in is safe.
	Quarantine Kind = iota
	// Accept: a genuine reply from a partner contact; count it.
	Accept
	// Ignore: machine-generated (auto-reply, bounce). Store it against the
	// check-in when known, but do not count it as a reply.
	Ignore
)

func (k Kind) String() string {
	switch k {
	case Accept:
		return "accept"
	case Quarantine:
		return "quarantine"
	case Ignore:
		return "ignore"
	}
	return "unknown"
}

// Reason is a stable snake_case code stored with the message and used in
// metrics and the review UI; do not rename existing values.
type Reason string

const (
	ReasonOK             Reason = "ok"
	ReasonAutoReply      Reason = "auto_reply"
	ReasonDeliveryReport Reason = "delivery_report"
	// A quarantine's reasons are the domain's one list.
	ReasonNoToken             = Reason(grants.QuarantineNoToken)
	ReasonBadToken            = Reason(grants.QuarantineBadToken)
	ReasonUnknownSender       = Reason(grants.QuarantineUnknownSender)
	ReasonContactsUnavailable = Reason(grants.QuarantineContactsUnavailable)
	ReasonDMARCFail           = Reason(grants.QuarantineDMARCFail)
	ReasonDMARCUnverified     = Reason(grants.QuarantineDMARCUnverified)
	ReasonSpam                = Reason(grants.QuarantineSpam)
	ReasonVirus               = Reason(grants.QuarantineVirus)
	ReasonUnparseable         = Reason(grants.QuarantineUnparseable)
	ReasonTooComplex          = Reason(grants.QuarantineTooComplex)
)

// Outcome is the decision for one received message. AgreementID/CheckIn are
// set whenever a valid token was found, whatever the Kind, so that nothing
// attributable is ever dropped.
type Outcome struct {
	Kind        Kind
	Reason      Reason
	AgreementID string
	// CheckIn is the token's number: the check-in (0, the agreement itself)
	// for a reply, the check-in it was offered with for confidential
	// feedback, the story for a consent.
	CheckIn int
	// To is what the address the message was sent to answers.
	To token.Kind
}

// Decide classifies a received message. It is pure: all I/O is behind
// contactsOf, which returns the agreement's contact email addresses.
//
// Order (first match wins), and why:
//  1. Virus FAIL → quarantine "virus". Highest priority: nothing about the
//     message should be trusted or processed further.
//  2. Parse failure → quarantine "unparseable", or "too_complex" for a
//     message past the structure limits (see Limits), which was never
//     parsed (the token is still taken from the envelope, or from the
//     header of a message too complex to parse, so the reviewer knows
//     which check-in it belongs to).
//  3. Spam FAIL → quarantine "spam".
//  4. No token → ignore "auto_reply"/"delivery_report" for machine mail,
//     otherwise quarantine "no_token". Forged/invalid token → quarantine
//     "bad_token" (a tampering signal outranks auto-reply classification).
//  5. Delivery report / auto-reply → ignore (with the agreement/check-in).
//     These are checked before DMARC and sender because bounces come from
//     MAILER-DAEMON and would otherwise all land in quarantine as
//     "unknown_sender"; they are never counted as replies, so the laxer
//     check does not let anything be credited to a partner.
//  6. DMARC: PASS proceeds. FAIL → "dmarc_fail". GRAY, PROCESSING_FAILED,
//     empty or unknown → "dmarc_unverified" (doubtful: a human checks).
//     DISABLED (DMARC checks switched off on the rule) proceeds only if SPF
//     and DKIM both PASS. Note that SES's SPF/DKIM verdicts do not prove
//     alignment with the From domain, which is why this is a fallback and
//     the contact-address check below still applies.
//  7. Contacts lookup error → quarantine "contacts_unavailable" (caller may
//     re-run Decide later); sender not a contact → "unknown_sender".
//  8. Otherwise accept.
func Decide(msg *Message, parseErr error, env Envelope, v TokenVerifier, contactsOf func(agreementID string) ([]string, error)) Outcome {
	vd := normVerdicts(env.Verdicts)
	var hdr []Address
	if msg != nil {
		hdr = append(append(hdr, msg.To...), msg.Cc...)
	}
	tok := findToken(env.Recipients, hdr, v)

	out := Outcome{Kind: Quarantine}
	if tok.valid {
		out.AgreementID, out.CheckIn, out.To = tok.agreementID, tok.checkIn, tok.kind
	}
	switch {
	case vd.Virus == VerdictFail:
		out.Reason = ReasonVirus
		return out
	case errors.Is(parseErr, ErrTooComplex):
		out.Reason = ReasonTooComplex
		return out
	case parseErr != nil || msg == nil:
		out.Reason = ReasonUnparseable
		return out
	case vd.Spam == VerdictFail:
		out.Reason = ReasonSpam
		return out
	}

	machine, machineReason := machineGenerated(msg, env)
	switch {
	case !tok.found && machine:
		out.Kind, out.Reason = Ignore, machineReason
		return out
	case !tok.found:
		out.Reason = ReasonNoToken
		return out
	case !tok.valid:
		out.Reason = ReasonBadToken
		return out
	case machine:
		out.Kind, out.Reason = Ignore, machineReason
		return out
	}

	switch vd.DMARC {
	case VerdictPass:
	case VerdictFail:
		out.Reason = ReasonDMARCFail
		return out
	case VerdictDisabled:
		if vd.SPF != VerdictPass || vd.DKIM != VerdictPass {
			out.Reason = ReasonDMARCUnverified
			return out
		}
	default: // GRAY, PROCESSING_FAILED, missing, unknown
		out.Reason = ReasonDMARCUnverified
		return out
	}

	if contactsOf == nil {
		out.Reason = ReasonContactsUnavailable
		return out
	}
	contacts, err := contactsOf(out.AgreementID)
	if err != nil {
		out.Reason = ReasonContactsUnavailable
		return out
	}
	if !isContact(msg.From.Address, contacts) {
		out.Reason = ReasonUnknownSender
		return out
	}
	out.Kind, out.Reason = Accept, ReasonOK
	return out
}

func normVerdicts(v Verdicts) Verdicts {
	n := func(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }
	return Verdicts{Spam: n(v.Spam), Virus: n(v.Virus), SPF: n(v.SPF), DKIM: n(v.DKIM), DMARC: n(v.DMARC)}
}

// machineGenerated combines the header-based flags with the SMTP null
// sender: RFC 3834 / RFC 3464 tell auto-responders and MTAs to send with
// MAIL FROM:<>, and a person's mail client never does.
func machineGenerated(msg *Message, env Envelope) (bool, Reason) {
	switch {
	case msg.DeliveryReport:
		return true, ReasonDeliveryReport
	case msg.AutoReply:
		return true, ReasonAutoReply
	case strings.TrimSpace(env.MailFrom) == "<>":
		return true, ReasonAutoReply
	}
	return false, ""
}

type tokenResult struct {
	found, valid bool
	agreementID  string
	checkIn      int
	kind         token.Kind
}

// findToken prefers the SMTP envelope recipients (what SES actually
// delivered to; Bcc and list-expanded mail show up only there) and falls
// back to To/Cc headers only when the envelope has no token. The first token that verifies wins; if tokens are
// present but none verifies the result is found && !valid.
func findToken(recipients []string, hdr []Address, v TokenVerifier) tokenResult {
	var r tokenResult
	try := func(addr string) bool {
		tok, kind, ok := token.Parse(addr)
		if !ok {
			return false
		}
		r.found = true
		if v == nil {
			return false
		}
		id, n, err := v.VerifyKind(kind, tok)
		if err != nil {
			return false
		}
		r.valid, r.agreementID, r.checkIn, r.kind = true, id, n, kind
		return true
	}
	for _, a := range recipients {
		if try(a) {
			return r
		}
	}
	if r.found {
		// The envelope named a token and it did not verify; a header token
		// (equally sender-controlled) must not override that.
		return r
	}
	for _, a := range hdr {
		if try(a.Address) {
			return r
		}
	}
	return r
}

// isContact compares addresses as grants.SameAddress does: ignoring ASCII
// case only, never by Unicode folding, which would let a look-alike
// address (a Kelvin sign for a "k") pass as a contact's.
func isContact(addr string, contacts []string) bool {
	for _, c := range contacts {
		if grants.SameAddress(c, addr) {
			return true
		}
	}
	return false
}
