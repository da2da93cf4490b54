package replytoken

import (
	"strings"
	"testing"
)

// The agreement's reply address (issue 23, item 4) is agreement+<token>,
// its token naming check-in 0; it verifies back to the agreement, and
// FromAddress reads it as it reads a check-in's.
func TestAgreementAddress(t *testing.T) {
	s := mustSigner(t)
	addr, err := s.Address("abcdefghijklmnop", Agreement, "reply.example.org")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(addr, AgreementPrefix) || len(addr[:strings.IndexByte(addr, '@')]) > maxLocalPart {
		t.Fatalf("address %q", addr)
	}
	tok, ok := FromAddress(`"Partnerships" <` + strings.ToUpper(addr[:1]) + addr[1:] + ">")
	if !ok {
		t.Fatalf("FromAddress(%q) found no token", addr)
	}
	id, n, err := s.Verify(tok)
	if err != nil || id != "abcdefghijklmnop" || n != Agreement {
		t.Fatalf("Verify: %q %d %v", id, n, err)
	}
	checkIn, _ := s.Address("abcdefghijklmnop", 1, "reply.example.org")
	if tok1, _ := FromAddress(checkIn); tok1 == tok {
		t.Error("the agreement's token equals check-in 1's")
	}
}
