// Package replytoken signs and verifies the reply token: the part of a check-in
// email's Reply-To address (checkin+<token>@<reply domain>) that says which
// agreement and check-in a partner's reply answers.
//
// Token layout (all lowercase [a-z0-9], 43 chars):
//
//	kind | agreementID (16 chars, [a-z2-7]) | number (2 decimal digits) | MAC (24 chars base32)
//
// The kind says what the address answers, and is inside the MAC, so a
// token issued for one kind of address never verifies as another: "1" a
// check-in (number 1..99) or the agreement itself (number 0), "f" the
// confidential feedback channel offered with check-in number N, "m" a
// message from the programme (number 0), "s" the consent asked for the
// agreement's story number N. "1" is the first version's, kept so that every
// reply address already sent still verifies.
//
// The MAC is HMAC-SHA256 over a domain-separated encoding of the fields,
// truncated to 120 bits (15 bytes, which base32-encodes to exactly 24 chars with
// no padding bits, so every MAC has exactly one valid spelling).
//
// Why this shape: mail systems may lowercase (or otherwise case-fold) the local
// part and some reject anything outside [a-z0-9.+-], so the alphabet is
// restricted to lowercase letters and digits; the whole local part
// ("checkin+" + token = 51 chars) stays under the RFC 5321 limit of 64.
// The version prefix lets us rotate the format or key later without ambiguity.
package replytoken

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"net/mail"
	"strings"
)

const (
	// LocalPrefix is the local-part prefix of every check-in's reply address.
	LocalPrefix = "checkin+"
	// AgreementPrefix is the local-part prefix of the address a partner
	// replies to to accept their agreement or a change to it: its token
	// names check-in 0, the agreement itself (issue 23, item 4).
	AgreementPrefix = "agreement+"
	// Agreement is the check-in number a token names for the agreement itself.
	Agreement = 0

	version      = "1"
	agreementLen = 16
	checkInLen   = 2
	macBytes     = 15 // 120-bit truncated HMAC (brief requires >= 96)
	macLen       = macBytes * 8 / 5
	// Len is the exact length of every token this package issues.
	Len = len(version) + agreementLen + checkInLen + macLen

	// MinKeyLen is the minimum HMAC key size; shorter keys are rejected
	// because they make brute-forcing the key cheaper than forging the MAC.
	MinKeyLen = 32

	// maxLocalPart is the RFC 5321 limit on the local part of an address.
	maxLocalPart = 64

	// macContext domain-separates these MACs from any other use of the key.
	// It is part of every token issued: it keeps the package's former name,
	// since changing it would invalidate the reply addresses already sent.
	macContext = "partnership-grants/replytoken\x00"
)

// Compile-time guard: the local part must fit within the SMTP limit.
var _ = [maxLocalPart - len(LocalPrefix) - Len]struct{}{}
var _ = [maxLocalPart - len(AgreementPrefix) - Len]struct{}{}
var _ = [maxLocalPart - len("feedback+") - Len]struct{}{}

// Kind is what an address answers: its local part's prefix and its token's
// first character.
type Kind int

const (
	// ForCheckIn is a check-in's reply address, checkin+<token>.
	ForCheckIn Kind = iota
	// ForAgreement is the agreement's own, agreement+<token> (number 0).
	ForAgreement
	// ForFeedback is the confidential feedback address offered with a
	// check-in, feedback+<token> (issue 24, item 2).
	ForFeedback
	// ForMessage answers a message from the programme, such as "you said,
	// we did", message+<token> (number 0; issue 24, item 4).
	ForMessage
	// ForStory answers the consent asked for a story, story+<token>
	// (number: the agreement's story; issue 24, item 5).
	ForStory
)

// kinds gives each Kind its prefix and token kind character, in Kind order.
var kinds = [...]struct{ prefix, char string }{
	ForCheckIn:   {LocalPrefix, version},
	ForAgreement: {AgreementPrefix, version},
	ForFeedback:  {"feedback+", "f"},
	ForMessage:   {"message+", "m"},
	ForStory:     {"story+", "s"},
}

// Prefix is the local-part prefix of k's addresses.
func (k Kind) Prefix() string { return kinds[k].prefix }

var (
	// ErrMalformed means the token (or the inputs to Token) is not well formed.
	ErrMalformed = errors.New("reply token: malformed token")
	// ErrBadSignature means the token is well formed but its MAC does not verify.
	ErrBadSignature = errors.New("reply token: bad signature")
	// ErrShortKey is returned by NewSigner for keys below MinKeyLen bytes.
	ErrShortKey = errors.New("reply token: key too short")
)

// lowercase RFC 4648 base32 alphabet, no padding: only [a-z2-7].
var b32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Signer issues and verifies reply tokens. It is safe for concurrent use.
type Signer struct {
	key []byte
}

// NewSigner returns a Signer using key (at least MinKeyLen bytes). The key is copied.
func NewSigner(key []byte) (*Signer, error) {
	if len(key) < MinKeyLen {
		return nil, fmt.Errorf("%w: got %d bytes, need at least %d", ErrShortKey, len(key), MinKeyLen)
	}
	return &Signer{key: append([]byte(nil), key...)}, nil
}

// ValidAgreementID reports whether id is 16 chars of lowercase base32.
func ValidAgreementID(id string) bool {
	if len(id) != agreementLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// validCheckIn: 1 to 99 name check-ins, 0 (Agreement) the agreement itself.
func validCheckIn(n int) bool { return n >= Agreement && n <= 99 }

// mac computes the encoded MAC for the token body (version+id+checkin).
func (s *Signer) mac(body string) string {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte(macContext))
	h.Write([]byte(body))
	return b32.EncodeToString(h.Sum(nil)[:macBytes])
}

// Token returns the signed token for (agreementID, checkIn).
func (s *Signer) Token(agreementID string, checkIn int) (string, error) {
	return s.tokenOf(version, agreementID, checkIn)
}

func (s *Signer) tokenOf(kind, agreementID string, n int) (string, error) {
	if !ValidAgreementID(agreementID) {
		return "", fmt.Errorf("%w: agreement id must be %d chars of [a-z2-7]", ErrMalformed, agreementLen)
	}
	if !validCheckIn(n) {
		return "", fmt.Errorf("%w: number %d out of range 0..99", ErrMalformed, n)
	}
	body := fmt.Sprintf("%s%s%02d", kind, agreementID, n)
	return body + s.mac(body), nil
}

// AddressFor returns the address of kind k for (agreementID, n), such as
// "feedback+<token>@<domain>". For ForCheckIn and ForAgreement it is Address.
func (s *Signer) AddressFor(k Kind, agreementID string, n int, domain string) (string, error) {
	if k == ForCheckIn || k == ForAgreement {
		return s.Address(agreementID, n, domain)
	}
	tok, err := s.tokenOf(kinds[k].char, agreementID, n)
	if err != nil {
		return "", err
	}
	return withDomain(k.Prefix()+tok, domain)
}

func withDomain(local, domain string) (string, error) {
	domain = strings.ToLower(strings.TrimSpace(domain))
	if domain == "" || strings.ContainsAny(domain, "@<>\"() \t\r\n,;:") {
		return "", fmt.Errorf("%w: invalid domain %q", ErrMalformed, domain)
	}
	return local + "@" + domain, nil
}

// Address returns "checkin+<token>@<domain>" for use as a Reply-To address
// ("agreement+<token>@<domain>" for check-in 0, the agreement itself).
func (s *Signer) Address(agreementID string, checkIn int, domain string) (string, error) {
	tok, err := s.Token(agreementID, checkIn)
	if err != nil {
		return "", err
	}
	if checkIn == Agreement {
		return withDomain(AgreementPrefix+tok, domain)
	}
	return withDomain(LocalPrefix+tok, domain)
}

// Verify checks token and returns the agreement ID and check-in number it
// names. The comparison of the MAC is constant-time. Tokens are matched
// exactly (lowercase); callers extracting a token from an address should use
// FromAddress, which case-folds.
func (s *Signer) Verify(token string) (agreementID string, checkIn int, err error) {
	return s.verify(version, token)
}

// VerifyKind is Verify for a token found behind k's prefix: a token of
// another kind does not verify.
func (s *Signer) VerifyKind(k Kind, token string) (agreementID string, n int, err error) {
	return s.verify(kinds[k].char, token)
}

func (s *Signer) verify(kind, token string) (agreementID string, checkIn int, err error) {
	if len(token) != Len || token[:len(version)] != kind {
		return "", 0, ErrMalformed
	}
	bodyLen := len(version) + agreementLen + checkInLen
	id := token[len(version) : len(version)+agreementLen]
	d1, d2 := token[bodyLen-2], token[bodyLen-1]
	if !ValidAgreementID(id) || d1 < '0' || d1 > '9' || d2 < '0' || d2 > '9' {
		return "", 0, ErrMalformed
	}
	n := int(d1-'0')*10 + int(d2-'0')
	if !validCheckIn(n) {
		return "", 0, ErrMalformed
	}
	got := token[bodyLen:]
	for i := 0; i < len(got); i++ {
		c := got[i]
		if !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return "", 0, ErrMalformed
		}
	}
	// Compare encoded strings: base32 of 15 bytes has no spare bits, so
	// string equality is exactly MAC equality (no malleable spellings).
	want := s.mac(token[:bodyLen])
	if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return "", 0, ErrBadSignature
	}
	return id, n, nil
}

// FromAddress extracts the token from a reply address of any kind such as
// `"Grants" <Checkin+1abc...@reply.example.org>`. The prefix match is
// case-insensitive and the token is returned lowercased, because mail systems
// are allowed to (and some do) change the case of the local part. ok is false
// if the address is not a checkin+ address or the token part is empty.
func FromAddress(addr string) (token string, ok bool) {
	token, _, ok = Parse(addr)
	return token, ok
}

// Parse is FromAddress that also says which kind of address it is.
func Parse(addr string) (token string, k Kind, ok bool) {
	addr = strings.TrimSpace(addr)
	if addr == "" {
		return "", 0, false
	}
	// Prefer a real RFC 5322 parse (handles display names, comments, quoting);
	// fall back to the text between angle brackets, then the raw string.
	if a, err := mail.ParseAddress(addr); err == nil {
		addr = a.Address
	} else if i := strings.LastIndexByte(addr, '<'); i >= 0 {
		rest := addr[i+1:]
		if j := strings.IndexByte(rest, '>'); j >= 0 {
			rest = rest[:j]
		}
		addr = rest
	}
	addr = strings.TrimSpace(addr)
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return "", 0, false
	}
	local := addr[:at]
	for k, kind := range kinds {
		prefix := kind.prefix
		if len(local) > len(prefix) && strings.EqualFold(local[:len(prefix)], prefix) {
			return strings.ToLower(local[len(prefix):]), Kind(k), true
		}
	}
	return "", 0, false
}
