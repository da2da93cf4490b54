package replytoken

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"
)

var testKey = bytes.Repeat([]byte("k"), 32)

func mustSigner(t testing.TB) *Signer {
	t.Helper()
	s, err := NewSigner(testKey)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestNewSignerKeyLength(t *testing.T) {
	for _, n := range []int{0, 1, 16, 31} {
		if _, err := NewSigner(make([]byte, n)); !errors.Is(err, ErrShortKey) {
			t.Errorf("key len %d: err = %v, want ErrShortKey", n, err)
		}
	}
	if _, err := NewSigner(make([]byte, 32)); err != nil {
		t.Errorf("32-byte key rejected: %v", err)
	}
}

func TestTokenRoundTrip(t *testing.T) {
	s := mustSigner(t)
	shape := regexp.MustCompile(`^[a-z0-9]+$`)
	for _, tc := range []struct {
		id string
		n  int
	}{
		{"abcdefghijklmnop", 1},
		{"abcdefghijklmnop", 99},
		{"2345672345672345", 10},
		{"zzzzzzzzzzzzzzzz", 7},
	} {
		tok, err := s.Token(tc.id, tc.n)
		if err != nil {
			t.Fatalf("Token(%q,%d): %v", tc.id, tc.n, err)
		}
		if len(tok) != Len || !shape.MatchString(tok) {
			t.Errorf("token %q: bad shape", tok)
		}
		if l := len(LocalPrefix + tok); l > 64 {
			t.Errorf("local part %d chars > 64", l)
		}
		id, n, err := s.Verify(tok)
		if err != nil || id != tc.id || n != tc.n {
			t.Errorf("Verify(%q) = %q,%d,%v; want %q,%d,nil", tok, id, n, err, tc.id, tc.n)
		}
		// The token must survive lowercasing by a mail system unchanged.
		if strings.ToLower(tok) != tok {
			t.Errorf("token %q not lowercase", tok)
		}
	}
}

func TestTokenRejectsBadInput(t *testing.T) {
	s := mustSigner(t)
	for _, tc := range []struct {
		id string
		n  int
	}{
		{"abcdefghijklmno", 1},    // 15 chars
		{"abcdefghijklmnopq", 1},  // 17 chars
		{"ABCDEFGHIJKLMNOP", 1},   // uppercase
		{"abcdefghijklmno1", 1},   // '1' not in base32
		{"abcdefghijklmno8", 1},   // '8' not in base32
		{"abcdefghijklmnop", -2},  // check-in too small (0 is the agreement itself)
		{"abcdefghijklmnop", 100}, // too big
		{"abcdefghijklmnop", -1},
	} {
		if _, err := s.Token(tc.id, tc.n); !errors.Is(err, ErrMalformed) {
			t.Errorf("Token(%q,%d) err = %v, want ErrMalformed", tc.id, tc.n, err)
		}
	}
}

func TestVerifyErrors(t *testing.T) {
	s := mustSigner(t)
	good, _ := s.Token("abcdefghijklmnop", 3)
	other, _ := NewSigner(bytes.Repeat([]byte("x"), 32))
	otherTok, _ := other.Token("abcdefghijklmnop", 3)
	flip := func(i int) string {
		b := []byte(good)
		if b[i] == 'a' {
			b[i] = 'b'
		} else {
			b[i] = 'a'
		}
		return string(b)
	}
	for name, tc := range map[string]struct {
		tok  string
		want error
	}{
		"empty":           {"", ErrMalformed},
		"short":           {good[:len(good)-1], ErrMalformed},
		"long":            {good + "a", ErrMalformed},
		"uppercase":       {strings.ToUpper(good), ErrMalformed},
		"bad version":     {"2" + good[1:], ErrMalformed},
		"checkin 00":      {good[:17] + "00" + good[19:], ErrBadSignature}, // 00 is the agreement's, signed apart
		"non-digit n":     {good[:17] + "a3" + good[19:], ErrMalformed},
		"mac bad alpha":   {good[:len(good)-1] + "1", ErrMalformed},
		"other key":       {otherTok, ErrBadSignature},
		"flip id":         {flip(1), ErrBadSignature},
		"flip mac":        {flip(len(good) - 1), ErrBadSignature},
		"swap check-in":   {good[:17] + "04" + good[19:], ErrBadSignature},
		"mac first char":  {flip(19), ErrBadSignature},
		"agreement swap":  {"1" + "bbcdefghijklmnop" + good[17:], ErrBadSignature},
		"non-ascii bytes": {strings.Repeat("é", Len/2) + "a", ErrMalformed},
	} {
		id, n, err := s.Verify(tc.tok)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: Verify err = %v, want %v", name, err, tc.want)
		}
		if err != nil && (id != "" || n != 0) {
			t.Errorf("%s: returned values on error: %q %d", name, id, n)
		}
	}
}

func TestAddressAndFromAddress(t *testing.T) {
	s := mustSigner(t)
	addr, err := s.Address("abcdefghijklmnop", 12, "Reply.Example.org")
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := s.Token("abcdefghijklmnop", 12)
	if addr != "checkin+"+tok+"@reply.example.org" {
		t.Fatalf("Address = %q", addr)
	}
	if _, err := s.Address("abcdefghijklmnop", 12, "bad domain"); !errors.Is(err, ErrMalformed) {
		t.Errorf("bad domain accepted: %v", err)
	}
	if _, err := s.Address("abcdefghijklmnop", 12, ""); !errors.Is(err, ErrMalformed) {
		t.Errorf("empty domain accepted: %v", err)
	}

	for _, tc := range []struct {
		in     string
		want   string
		wantOK bool
	}{
		{addr, tok, true},
		{strings.ToUpper(addr), tok, true},
		{"CheckIn+" + tok + "@reply.example.org", tok, true},
		{`"Grants Team" <` + addr + `>`, tok, true},
		{`Grants Team <` + addr + `>`, tok, true},
		{`=?utf-8?q?T=C3=AEm?= <` + addr + `>`, tok, true},
		{"  <" + addr + ">  ", tok, true},
		{`"broken <` + addr + `>`, tok, true}, // unparseable, angle fallback
		{"checkin+@reply.example.org", "", false},
		{"checkin@reply.example.org", "", false},
		{"someone@example.org", "", false},
		{"checkin+" + tok, "", false},
		{"", "", false},
		{"<>", "", false},
	} {
		got, ok := FromAddress(tc.in)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("FromAddress(%q) = %q,%v; want %q,%v", tc.in, got, ok, tc.want, tc.wantOK)
		}
	}
}

// FuzzVerify checks Verify never panics and never accepts a token that
// differs from the one legitimately issued for the (id, n) it returns.
func FuzzVerify(f *testing.F) {
	s := mustSigner(f)
	good, _ := s.Token("abcdefghijklmnop", 5)
	f.Add(good)
	f.Add("")
	f.Add(good[:20])
	f.Add(strings.ToUpper(good))
	f.Add("1abcdefghijklmnop05aaaaaaaaaaaaaaaaaaaaaaaa")
	f.Fuzz(func(t *testing.T, tok string) {
		id, n, err := s.Verify(tok)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrBadSignature) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		want, terr := s.Token(id, n)
		if terr != nil {
			t.Fatalf("accepted token names invalid (%q,%d): %v", id, n, terr)
		}
		if want != tok {
			t.Fatalf("accepted tampered token %q (genuine %q)", tok, want)
		}
		_, _ = FromAddress(tok)
	})
}
