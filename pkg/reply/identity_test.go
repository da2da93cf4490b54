package reply

import "testing"

func TestIdentity(t *testing.T) {
	msg := func(from, id string) *Message { return &Message{From: Address{Address: from}, MessageID: id} }
	base := Identity(msg("sarah@hopehouse.org.uk", "<abc@hopehouse.org.uk>"))
	if base == "" {
		t.Fatal("no identity for a message with a Message-ID and a sender")
	}
	for _, tc := range []struct {
		name string
		m    *Message
		same bool
	}{
		{"the same email", msg("sarah@hopehouse.org.uk", "<abc@hopehouse.org.uk>"), true},
		{"the sender's address in another case", msg("Sarah@HopeHouse.org.uk", "<abc@hopehouse.org.uk>"), true},
		{"the Message-ID without brackets", msg("sarah@hopehouse.org.uk", " abc@hopehouse.org.uk "), true},
		{"another sender", msg("jo@gmail.com", "<abc@hopehouse.org.uk>"), false},
		// Unicode folding would make the Kelvin sign a "k": a look-alike
		// sender is another sender, as SameAddress and the contact check say.
		{"a look-alike sender with a Kelvin sign", msg("sarah@hopehouse.org.u\u212A", "<abc@hopehouse.org.uk>"), false},
		{"another Message-ID", msg("sarah@hopehouse.org.uk", "<abd@hopehouse.org.uk>"), false},
	} {
		if got := Identity(tc.m) == base; got != tc.same {
			t.Errorf("%s: same identity %v, want %v", tc.name, got, tc.same)
		}
	}
	for _, m := range []*Message{nil, msg("", "<abc@hopehouse.org.uk>"), msg("sarah@hopehouse.org.uk", "  "), msg("sarah@hopehouse.org.uk", "<>")} {
		if id := Identity(m); id != "" {
			t.Errorf("Identity(%+v) = %q, want none: nothing says two deliveries are one email", m, id)
		}
	}
}

func TestIsCopy(t *testing.T) {
	for _, tc := range []struct {
		firstHeld bool
		this      Kind
		want      bool
	}{
		{false, Accept, true},
		{false, Ignore, true},
		{true, Accept, true},
		{true, Quarantine, true},
		// A doubtful copy of an email that was accepted is news: a person sees it.
		{false, Quarantine, false},
	} {
		if got := IsCopy(tc.firstHeld, Outcome{Kind: tc.this}); got != tc.want {
			t.Errorf("IsCopy(first held %v, %s) = %v, want %v", tc.firstHeld, tc.this, got, tc.want)
		}
	}
}
