package reply

import (
	"errors"
	"strings"

	token "github.com/partnership-grants/backend/pkg/replytoken"
)

// ToEnquiry says whether a message is an enquiry (issue 24, item 6): SES
// delivered it to the enquiry address, and to no signed reply address (a
// partner who copies the enquiry address into a reply is answering their
// check-in, which Decide handles as ever).
func ToEnquiry(env Envelope, address string) bool {
	address = strings.ToLower(strings.TrimSpace(address))
	if address == "" {
		return false
	}
	to := false
	for _, r := range env.Recipients {
		if _, _, ok := token.Parse(r); ok {
			return false
		}
		if strings.ToLower(strings.TrimSpace(r)) == address {
			to = true
		}
	}
	return to
}

// DecideEnquiry classifies a message to the enquiry address. It is Decide
// without a token and a contact to check (anyone may enquire), and with
// the same order and reasons for the rest:
//  1. Virus FAIL → quarantine "virus"; a parse failure → "unparseable" or
//     "too_complex"; spam FAIL → "spam". Held for a person, never answered.
//  2. An auto-reply or a delivery report → ignore: kept, never answered,
//     so an out-of-office to our acknowledgement is no new enquiry and
//     starts no loop.
//  3. DMARC FAIL → quarantine "dmarc_fail": the domain says the sender is
//     forged, and acknowledging would send our email to whoever was forged.
//  4. Otherwise accept. DMARC not PASS (GRAY: the domain publishes no
//     policy, as many a small charity's does not) is accepted when SPF or
//     DKIM passed, and held as "dmarc_unverified" when neither did: an
//     enquiry gains nothing of a partner's trust (it pays nothing, names
//     no agreement), but its acknowledgement must not go to a forged sender.
func DecideEnquiry(msg *Message, parseErr error, env Envelope) Outcome {
	vd := normVerdicts(env.Verdicts)
	out := Outcome{Kind: Quarantine}
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
	if machine, why := machineGenerated(msg, env); machine {
		out.Kind, out.Reason = Ignore, why
		return out
	}
	switch {
	case vd.DMARC == VerdictFail:
		out.Reason = ReasonDMARCFail
		return out
	case vd.DMARC != VerdictPass && vd.SPF != VerdictPass && vd.DKIM != VerdictPass:
		out.Reason = ReasonDMARCUnverified
		return out
	case strings.TrimSpace(msg.From.Address) == "":
		out.Reason = ReasonUnparseable
		return out
	}
	out.Kind, out.Reason = Accept, ReasonOK
	return out
}

// Thread is the message IDs a message answers, newest first: In-Reply-To,
// then References from the last.
func Thread(msg *Message) []string {
	if msg == nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	add := func(id string) {
		id = strings.TrimSpace(id)
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	add(msg.InReplyTo)
	for i := len(msg.References) - 1; i >= 0; i-- {
		add(msg.References[i])
	}
	return out
}
