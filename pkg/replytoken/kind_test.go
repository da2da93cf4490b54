package replytoken

import (
	"bytes"
	"errors"
	"testing"
)

// A token verifies only behind the prefix of the kind it was issued for:
// a partner who turns feedback+<t> into checkin+<t> has a bad token, not
// a reply.
func TestKindsDoNotCrossVerify(t *testing.T) {
	s, _ := NewSigner(bytes.Repeat([]byte("k"), MinKeyLen))
	const id = "abcdefghijklmnop"
	for _, k := range []Kind{ForFeedback, ForMessage, ForStory} {
		addr, err := s.AddressFor(k, id, 3, "reply.example.org")
		if err != nil {
			t.Fatal(err)
		}
		tok, got, ok := Parse(addr)
		if !ok || got != k {
			t.Fatalf("Parse(%q) = %v,%v; want kind %v", addr, got, ok, k)
		}
		if gid, n, err := s.VerifyKind(k, tok); err != nil || gid != id || n != 3 {
			t.Errorf("VerifyKind(%v) = %q,%d,%v", k, gid, n, err)
		}
		if _, _, err := s.Verify(tok); !errors.Is(err, ErrMalformed) {
			t.Errorf("%v token verified as a check-in's: %v", k, err)
		}
		for _, other := range []Kind{ForCheckIn, ForFeedback, ForMessage, ForStory} {
			if other != k {
				if _, _, err := s.VerifyKind(other, tok); err == nil {
					t.Errorf("%v token verified as %v", k, other)
				}
			}
		}
		if len(addr) > 64+len("@reply.example.org") {
			t.Errorf("%q: local part over 64", addr)
		}
	}
	checkIn, _ := s.Address(id, 3, "r.example")
	tok, k, _ := Parse(checkIn)
	if _, _, err := s.VerifyKind(ForFeedback, tok); err == nil || k != ForCheckIn {
		t.Errorf("a check-in token verified as feedback (kind %v)", k)
	}
}
