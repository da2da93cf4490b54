package outbox

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// The encodings are stored in DynamoDB: these strings must never change.
func TestKeysKeepTheirStoredForm(t *testing.T) {
	for want, k := range map[string]Key{
		"checkin#01":                             CheckInKey(1),
		"checkin#12":                             CheckInKey(12),
		"checkin#100":                            CheckInKey(100),
		"reminder#03#2":                          ReminderKey(3, 2),
		"reminder#01#10":                         ReminderKey(1, 10),
		"overdue#04":                             OverdueKey(4),
		"due-notice#02":                          DueNoticeKey(2),
		"remittance#36":                          RemittanceKey(36),
		"run-remittance#abcdefgh23456789":        RunRemittanceKey("abcdefgh23456789"),
		"paid-event#01":                          PaidEventKey(1),
		"bounce#complaint#0100abc#amina@kit.org": BounceKey("Amina@Kit.ORG", "Complaint", "0100abc"),
		"bounce#bounce#m1#a#b@kit.org":           BounceKey("a#b@kit.org", "bounce", "m1"),
		"ack#02#0100-msg":                        AckKey(2, "0100-msg"),
		"reply-notice#04#0100-msg":               ReplyNoticeKey(4, "0100-msg"),
		"quarantine-notice#0100-msg":             QuarantineNoticeKey("0100-msg"),
		"msg#0100-msg":                           MessageKey("0100-msg"),
		"terminated":                             TerminatedKey(),
		"terminated-finance":                     TerminatedFinanceKey(),
		"thank-you":                              ThankYouKey(),
		"now-payable#02":                         NowPayableKey(2),
		"late-digest#2026-11-30":                 LateDigestKey("2026-11-30"),
		"held-digest#2026-04-20":                 HeldDigestKey("2026-04-20"),
	} {
		if got := k.String(); got != want {
			t.Errorf("%+v.String() = %q, want %q", k, got, want)
		}
		got, err := ParseKey(want)
		if err != nil || got != k {
			t.Errorf("ParseKey(%q) = %+v, %v; want %+v", want, got, err, k)
		}
	}
}

func TestParseKeyRefusesWhatStringNeverWrites(t *testing.T) {
	for _, s := range []string{
		"",
		"#",
		"checkin",
		"checkin#",
		"checkin#1",   // one digit: written as 01
		"checkin#001", // extra zero
		"checkin#+1",
		"checkin#00",
		"checkin#-1",
		"checkin#01#x",
		"checkin#xx",
		"CHECKIN#01",
		"reminder#01",
		"reminder#01#",
		"reminder#01#02", // the reminder count has no padding
		"reminder#01#0",
		"overdue#1",
		"due-notice#x",
		"remittance#",
		"run-remittance",
		"run-remittance#",
		"run-remittance#a#b",
		"paid-event#01#",
		"ack#01",
		"ack#1#m",
		"reply-notice#m",
		"bounce#bounce#m",
		"bounce#Bounce#m#a@b.org",
		"bounce#bounce#m#A@b.org",
		"quarantine-notice",
		"msg",
		"unknown#01",
		"now-payable#2",
		"late-digest",
		"late-digest#2026-11-31",
		"late-digest#2026-1-30",
		"late-digest#2026-11-30#x",
		"held-digest",
		"held-digest#2026-04-31",
	} {
		k, err := ParseKey(s)
		if err == nil {
			t.Errorf("ParseKey(%q) = %+v, want an error", s, k)
		} else if !errors.Is(err, ErrBadKey) {
			t.Errorf("ParseKey(%q) error %v does not wrap ErrBadKey", s, err)
		}
	}
}

// Property: every key the constructors make parses back to itself.
func TestKeysRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 3))
	word := func(alphabet string) string {
		b := make([]byte, r.IntN(20))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(b)
	}
	const id = "abcdef0123456789-"
	const addr = "abcXYZ.+#@-_"
	n := func() int { return r.IntN(1000) + 1 }
	for range 10000 {
		keys := []Key{
			CheckInKey(n()), ReminderKey(n(), n()), OverdueKey(n()),
			DueNoticeKey(n()), RemittanceKey(n()), PaidEventKey(n()),
			BounceKey(word(addr), []string{"Bounce", "complaint"}[r.IntN(2)], word(id)),
			AckKey(n(), word(id+"#")), ReplyNoticeKey(n(), word(id+"#")),
			QuarantineNoticeKey(word(id + "#")), MessageKey(word(id + "#")),
			TerminatedKey(), TerminatedFinanceKey(),
		}
		for _, k := range keys {
			got, err := ParseKey(k.String())
			if err != nil || got != k {
				t.Fatalf("ParseKey(%q) = %+v, %v; want %+v", k.String(), got, err, k)
			}
		}
	}
}

// Any string that parses is written back exactly, and parses to the same key.
func FuzzParseKey(f *testing.F) {
	for _, s := range []string{"checkin#01", "reminder#02#1", "bounce#bounce#m#a@b.org", "ack#03#m", "quarantine-notice#m", "msg#m", "paid-event#100", "checkin#1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseKey(s)
		if err != nil {
			return
		}
		if k.String() != s {
			t.Fatalf("ParseKey(%q) = %+v, written back as %q", s, k, k.String())
		}
		again, err := ParseKey(k.String())
		if err != nil || again != k {
			t.Fatalf("second parse of %q = %+v, %v", s, again, err)
		}
	})
}

// A table of mutations of valid keys, as a fuzzer would try them: each one
// either parses to a key that writes back the same string, or is refused.
func TestParseKeyOnMutatedKeys(t *testing.T) {
	seeds := []string{"checkin#01", "reminder#02#1", "overdue#03", "due-notice#04", "remittance#05", "run-remittance#r1", "paid-event#06",
		"bounce#bounce#m1#a@b.org", "ack#07#m2", "reply-notice#08#m3", "quarantine-notice#m4", "msg#m5"}
	mutate := []func(string) string{
		func(s string) string { return s + "#" },
		func(s string) string { return s + "0" },
		func(s string) string { return strings.TrimSuffix(s, s[len(s)-1:]) },
		func(s string) string { return strings.Replace(s, "#", "##", 1) },
		func(s string) string { return strings.Replace(s, "0", "", 1) },
		func(s string) string { return strings.ToUpper(s) },
		func(s string) string { return " " + s },
		func(s string) string { return strings.Replace(s, "#", ":", 1) },
	}
	for _, seed := range seeds {
		for _, m := range mutate {
			s := m(seed)
			if k, err := ParseKey(s); err == nil && k.String() != s {
				t.Errorf("ParseKey(%q) = %+v, written back as %q", s, k, k.String())
			}
		}
	}
}

func TestTerminatedKeysTakeNothingMore(t *testing.T) {
	for _, s := range []string{"terminated#01", "terminated-finance#x"} {
		if _, err := ParseKey(s); !errors.Is(err, ErrBadKey) {
			t.Errorf("ParseKey(%q) = %v, want ErrBadKey", s, err)
		}
	}
}
