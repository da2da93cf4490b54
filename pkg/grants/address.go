package grants

import "strings"

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
