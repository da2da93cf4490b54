package grants

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SameAddress reports whether a and b are one email address, by the rule
// the product documents for a reply's sender: the whole address, ignoring
// case. Case is ignored in ASCII only, as mail systems do: a domain is
// ASCII-case-insensitive (RFC 5321 §2.4, and SES treats it so), and the mail
// systems partners use treat local parts alike. No Unicode case folding:
// strings.EqualFold would take the Kelvin sign (U+212A) for "k", so
// "\u212Aate@x.org" would pass as kate@x.org, though no mail system would
// deliver the one to the other.
func SameAddress(a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	return a != "" && AddressKey(a) == AddressKey(b)
}

// AddressKey is the form of an address under which SameAddress's equal
// addresses are one key (for maps and hashes): ASCII letters lower-cased,
// every other byte as it is.
func AddressKey(addr string) string {
	b := []byte(strings.TrimSpace(addr))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// maxLocalPart is RFC 5321's limit on the part of an address before the @
// (§4.5.3.1.1), which SES enforces.
const maxLocalPart = 64

// emailProblem says why addr cannot be a contact's address, or "" if it can.
// A contact's address must be one SES sends to, because SES refuses a whole
// message when one of its recipients is malformed, and one message goes to
// all of an agreement's contacts. So, beyond a plain address such as
// name@example.org:
//   - no invisible or control character anywhere: a zero-width space or a
//     byte-order mark pasted after the address passes net/mail but not SES;
//   - a domain, not an address literal (x@[127.0.0.1]): SES sends to
//     domains, and a literal is a way round whatever names a domain;
//   - a local part of at most 64 characters, in ASCII: SES does not support
//     SMTPUTF8, which an address such as élise@example.org needs;
//   - a domain in ASCII (an internationalised one in its xn-- form, as SES
//     requires), of letters, digits and hyphens, with a dot;
//   - not at one of the product's own mail domains (own), nor below one: a
//     check-in sent there would come back to the product, not reach the
//     partner.
func emailProblem(addr string, own []string) string {
	// An ASCII space makes it no plain address (below); any other space,
	// and anything invisible, is named, as nobody sees it in the form.
	if i := strings.IndexFunc(addr, func(r rune) bool {
		return r != ' ' && (unicode.IsSpace(r) || unicode.In(r, unicode.Cc, unicode.Cf)) || r == utf8.RuneError
	}); i >= 0 {
		r, _ := utf8.DecodeRuneInString(addr[i:])
		return fmt.Sprintf("must not contain invisible or control characters (it has %U)", r)
	}
	if at := strings.LastIndexByte(addr, '@'); at >= 0 && strings.HasPrefix(addr[at+1:], "[") {
		return "must be at a domain, not an address literal such as [127.0.0.1]"
	}
	const plain = "must be a plain email address such as name@example.org"
	parsed, err := mail.ParseAddress(addr)
	if err != nil || parsed.Address != addr || len(addr) > MaxEmail {
		return plain
	}
	at := strings.LastIndexByte(addr, '@')
	local, domain := addr[:at], addr[at+1:]
	switch {
	case !isASCII(local):
		return "must have an ASCII local part (the part before @): SES cannot send to addresses that need SMTPUTF8"
	case len(local) > maxLocalPart:
		return fmt.Sprintf("has %d characters before the @; at most %d are allowed", len(local), maxLocalPart)
	case !isASCII(domain):
		return "must give its domain in ASCII: an internationalised domain in its xn-- form, as SES requires"
	case !isHostname(domain):
		return plain
	}
	domain = AddressKey(domain)
	for _, d := range own {
		if d = strings.TrimSuffix(AddressKey(d), "."); d != "" && (domain == d || strings.HasSuffix(domain, "."+d)) {
			return fmt.Sprintf("is at %s, this service's own mail domain: mail to it would come back here, not reach the partner", d)
		}
	}
	return ""
}

// Sendable says whether SES can send to addr (emailProblem with no domain
// of the product's own), for mail to contacts stored before these rules.
func Sendable(addr string) bool { return emailProblem(addr, nil) == "" }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// isHostname reports an ASCII domain name of two or more labels, each of 1
// to 63 letters, digits and hyphens, not starting or ending with a hyphen,
// the last not all digits (that would be an IP address), 253 at most.
func isHostname(d string) bool {
	labels := strings.Split(d, ".")
	if len(d) > 253 || len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return strings.Trim(labels[len(labels)-1], "0123456789") != ""
}
