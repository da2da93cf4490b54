package reply

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
)

// Identity says which email a message is, across deliveries. SES gives
// every delivery a new message ID, but a mail client or relay that sends an
// email again keeps its Message-ID (RFC 5322 gives each email one). The
// sender's address (in any ASCII case) is part of the identity because a
// Message-ID is unique only within the system that wrote it, and anyone can
// write any: the same
// Message-ID from someone else is another email, judged on its own. The
// two are hashed so the identity can be a storage key without carrying an
// address. It is empty when the message has no Message-ID or no From
// address: then no two deliveries are known to be one email.
func Identity(m *Message) string {
	if m == nil {
		return ""
	}
	id := strings.Trim(strings.TrimSpace(m.MessageID), "<>")
	// The sender as the contact check compares it (grants.SameAddress): in
	// any ASCII case, but a look-alike by Unicode folding is another sender.
	from := grants.AddressKey(m.From.Address)
	if id == "" || from == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(from + "\x00" + id))
	return hex.EncodeToString(sum[:])
}

// IsCopy says whether a later delivery of an email (the same Identity),
// decided as this, is recorded as a copy of the first rather than handled
// again: a copy adds nothing, so it must not be counted, thanked or held
// twice. The exception is a copy that is doubtful when the first was not
// held: its doubt is news (say, a forger reusing a genuine Message-ID), so
// it is held for a person like any doubtful message.
func IsCopy(firstHeld bool, this Outcome) bool {
	return this.Kind != Quarantine || firstHeld
}
